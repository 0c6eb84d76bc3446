"""Per-snapshot aggregates: what the dashboard reads most, computed once per store version and kept beside the
snapshot (``<data_dir>/aggregates/<version>/``), so the first view after an import or a restart is fast.

A snapshot never changes, so its aggregates never go stale: the manifest version names their folder, a new
import gets a new folder and older ones are removed once the new one is written. Two kinds are kept:
the 审限 table at the data's as-of date (Parquet, the ledgers' source, the heaviest query at scale) and the
pages' answers (question → answer, written by this program into the store's own directory).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq

from zhixiao.deadlines import deadline_table

ROOT = "aggregates"
ANSWERS = "answers.pickle"


def folder(data_dir: Path | str, version: int) -> Path:
    return Path(data_dir) / ROOT / str(version)


def prune(data_dir: Path | str, keep: int) -> None:
    """Remove the aggregates of every version but ``keep`` and the one before it (a reader may be mid-request)."""
    root = Path(data_dir) / ROOT
    if not root.is_dir():
        return
    for d in root.iterdir():
        if d.is_dir() and d.name.isdigit() and int(d.name) < keep - 1:
            shutil.rmtree(d, ignore_errors=True)


def _atomic(path: Path, write) -> None:
    """Write to a new file, then rename: a reader sees the old file or the whole new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def deadlines_path(data_dir: Path | str, version: int, as_of: date, calendar: Any, options: dict) -> Path:
    """The stored 审限 table of (version, as-of, calendar, options): any change of those is another file."""
    fp = calendar.fingerprint() if calendar is not None else None
    digest = hashlib.sha256(repr((as_of, fp, sorted(options.items()))).encode()).hexdigest()[:16]
    return folder(data_dir, version) / f"deadlines_{as_of:%Y%m%d}_{digest}.parquet"


def deadlines(engine: Any, version: int, as_of: date, calendar: Any, options: dict) -> ibis.Table:
    """The 审限 table of ``deadline_table`` at ``as_of``, read from the snapshot's aggregates (written on first
    use); registered once per engine."""
    path = deadlines_path(engine.store.root, version, as_of, calendar, options)
    name = f"_zx_agg_{path.stem}"
    if name in engine.tables:
        return engine.tables[name]
    if not path.is_file():
        table = deadline_table(engine, as_of, calendar, **options).to_pyarrow()
        _atomic(path, lambda p: pq.write_table(table, p))
    engine.tables[name] = engine.con.read_parquet(str(path), table_name=name)
    return engine.tables[name]


def save_answers(data_dir: Path | str, version: int, answers: dict) -> Path:
    """Keep the pages' answers of ``version`` (question → answer) beside the snapshot."""
    path = folder(data_dir, version) / ANSWERS
    _atomic(path, lambda p: p.write_bytes(pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL)))
    return path


def load_answers(data_dir: Path | str, version: int) -> dict:
    """The stored answers of ``version`` ({} when none were kept). The file is this program's own output in
    the store's directory, trusted as the store's Parquet files are."""
    path = folder(data_dir, version) / ANSWERS
    return pickle.loads(path.read_bytes()) if path.is_file() else {}


CUBE_META = b"zhixiao.cube"  # the Parquet schema metadata key of a cube's description (JSON)


def cube_path(data_dir: Path | str, version: int, key: Any) -> Path:
    """The stored indicator cube of (version, ``key``: as-of, aggregates, calendar …): any change is another file."""
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    return folder(data_dir, version) / f"cube_{digest}.parquet"


def stored_cube(path: Path, build: Callable[[], tuple[pa.Table, dict] | None]) -> dict | None:
    """The description of the cube kept at ``path``; built and written first when there is none (``None``
    when ``build`` finds nothing a cube can hold). Description and table are one file, written atomically."""
    if path.is_file():
        return json.loads(pq.read_schema(path).metadata[CUBE_META])
    made = build()
    if made is None:
        return None
    table, meta = made
    table = table.replace_schema_metadata({CUBE_META: json.dumps(meta, ensure_ascii=False)})
    _atomic(path, lambda p: pq.write_table(table, p))
    return meta
