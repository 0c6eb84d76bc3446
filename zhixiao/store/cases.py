"""The canonical case store: Parquet files per (table, court, year) behind one atomic manifest.

Readers only ever see files listed in ``manifest.json``; a transaction writes new files first and
then swaps the manifest with ``os.replace`` under a file lock, so a crash or kill mid-way leaves the
previous snapshot intact and two writers never interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zhixiao.errors import UserError
from zhixiao.store import timeline
from zhixiao.store.schema import TABLES, UNIQUE_PER_ROW, conform

Partition = tuple[str, int]  # (court_code, year)
GC_GRACE_S = 3600
# 4: the timeline counts hearing gaps and cases carry the 终本 checks (zb_*); 3: the timeline carries conversions
# and merged pieces with their offsets (超审限后补扣); 2: cases files carry their 审限 timeline
# (``zhixiao.store.timeline``); 1: they don't. Older stores are upgraded on open.
FORMAT = 4


def _key(p: Partition) -> str:
    return f"{p[0]}/{p[1]}"


def _unkey(k: str) -> Partition:
    court, year = k.rsplit("/", 1)
    return court, int(year)


@dataclass
class Manifest:
    version: int = 0
    tables: dict[str, dict[str, str]] = field(default_factory=dict)  # table → "court/year" → relative file
    updated_at: str | None = None
    format: int = FORMAT

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.is_file():
            return cls()
        raw = json.loads(path.read_text("utf-8"))
        return cls(version=raw["version"], tables=raw["tables"], updated_at=raw.get("updated_at"),
                   format=raw.get("format", 1))

    def dump(self) -> str:
        return json.dumps(
            {"version": self.version, "format": self.format, "tables": self.tables, "updated_at": self.updated_at},
            ensure_ascii=False, indent=1,
        )


class CaseStore:
    def __init__(self, data_dir: Path | str):
        self.root = Path(data_dir)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    def manifest(self) -> Manifest:
        return Manifest.load(self.manifest_path)

    def files(self, table: str) -> list[Path]:
        """Current snapshot's files for a table, in a stable order."""
        entries = self.manifest().tables.get(table, {})
        return [self.root / entries[k] for k in sorted(entries)]

    def partitions(self, table: str) -> list[Partition]:
        return [_unkey(k) for k in sorted(self.manifest().tables.get(table, {}))]

    def read_partition(self, table: str, partition: Partition) -> pa.Table | None:
        rel = self.manifest().tables.get(table, {}).get(_key(partition))
        return pq.read_table(self.root / rel, schema=TABLES[table]) if rel else None

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        files = self.files(table)
        if not files:
            t = TABLES[table].empty_table()
            return t.select(columns) if columns else t
        return pa.concat_tables(pq.read_table(f, columns=columns, schema=TABLES[table]) for f in files)

    def collect_garbage(self, older_than_s: float = GC_GRACE_S) -> int:
        """Delete data files no manifest references, once they are older than the grace period."""
        live = {str(self.root / rel) for t in self.manifest().tables.values() for rel in t.values()}
        now = datetime.now().timestamp()
        removed = 0
        for table in TABLES:
            for f in (self.root / table).rglob("*.parquet") if (self.root / table).exists() else []:
                if str(f) not in live and now - f.stat().st_mtime > older_than_s:
                    f.unlink(missing_ok=True)
                    removed += 1
        return removed

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ensure_format(self) -> bool:
        """Bring a store written by an older version up to ``FORMAT`` (one transaction); True if it did."""
        if self.manifest().format >= FORMAT:
            return False
        if not os.access(self.root, os.W_OK):  # a read-only copy: say so rather than fail on the lock file
            raise UserError(f"数据目录 {self.root} 只读，其中的案件数据是旧版格式，须先补写审限时间线：请用有写权限的"
                            "账户对该目录运行一次 zhixiao indicators（会自动升级），或改用可写的数据目录。")
        with self.transaction() as tx:
            if tx.base.format >= FORMAT:
                return False
            for partition in self.partitions("cases"):
                tx.replace_partition("cases", partition, tx.current("cases", partition))
            tx.format = FORMAT
        return True

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """All-or-nothing: partitions written inside become visible together at exit."""
        with self.lock():
            tx = Transaction(self, Manifest.load(self.manifest_path))
            try:
                yield tx
            except BaseException:
                tx.discard()
                raise
            tx.commit()


def _stats_columns(schema: pa.Schema) -> list[str]:
    """Columns worth min/max statistics: numbers and dates, which queries filter by range. Text columns
    are in file order within a partition, so their row-group ranges prune nothing, and computing them is
    a fifth of the write's CPU."""
    def text(t: pa.DataType) -> bool:
        return pa.types.is_string(t) or pa.types.is_dictionary(t) or pa.types.is_list(t)

    return [f.name for f in schema if not text(f.type)]


class Transaction:
    def __init__(self, store: CaseStore, base: Manifest):
        self.store = store
        self.base = base
        self.staged: dict[str, dict[str, str | None]] = {}
        self.written: list[Path] = []
        # a new store starts at the current format; an old one keeps its own until ``ensure_format``
        self.format = base.format if base.tables.get("cases") else FORMAT
        self._timeline_of: dict[str, str | None] = {}  # cases partition → events file its timeline was made from

    def _rel(self, table: str, partition: Partition) -> str | None:
        key = _key(partition)
        staged = self.staged.get(table, {})
        return staged[key] if key in staged else self.base.tables.get(table, {}).get(key)

    def current(self, table: str, partition: Partition) -> pa.Table | None:
        """The partition as this transaction sees it (staged writes included)."""
        rel = self._rel(table, partition)
        return pq.read_table(self.store.root / rel, schema=TABLES[table]) if rel else None

    def replace_partition(self, table: str, partition: Partition, data: pa.Table) -> None:
        """Stage ``data`` as the partition. Cases get their timeline from the partition's events as staged
        so far (write events first to write cases once; ``commit`` redoes it if the events change later)."""
        data = conform(table, data, keep_dictionaries=True)
        if table == "cases":
            events_rel = self._rel("case_events", partition)
            data = timeline.attach(data, self.current("case_events", partition))
            self._timeline_of[_key(partition)] = events_rel
        court, year = partition
        rel = Path(table) / f"court_code={court}" / f"year={year}" / f"v{self.base.version + 1}-{uuid.uuid4().hex[:8]}.parquet"
        path = self.store.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        # No Arrow schema in the file: dictionary columns read back as plain strings (the canonical types).
        pq.write_table(data, path, compression="zstd", store_schema=False, write_statistics=_stats_columns(data.schema),
                       use_dictionary=[n for n in data.schema.names if n not in UNIQUE_PER_ROW])
        self.written.append(path)
        self.staged.setdefault(table, {})[_key(partition)] = str(rel)

    def drop_partition(self, table: str, partition: Partition) -> None:
        self.staged.setdefault(table, {})[_key(partition)] = None

    def write(self, table: str, data: pa.Table) -> list[Partition]:
        """Replace every (court_code, year) partition present in ``data`` with its rows."""
        data = conform(table, data)
        parts: list[Partition] = []
        if data.num_rows == 0:
            return parts
        keys = pa.table({"c": data.column("court_code"), "y": data.column("year")}).group_by(["c", "y"]).aggregate([])
        for court, year in zip(keys.column("c").to_pylist(), keys.column("y").to_pylist(), strict=True):
            mask = pc.and_(pc.equal(data.column("court_code"), court), pc.equal(data.column("year"), year))
            self.replace_partition(table, (court, int(year)), data.filter(mask))
            parts.append((court, int(year)))
        return parts

    def discard(self) -> None:
        for p in self.written:
            p.unlink(missing_ok=True)

    def _refresh_timelines(self) -> None:
        """Rewrite the cases of every partition whose events changed after its timeline was made."""
        for key in list(self.staged.get("case_events", {})):
            partition = _unkey(key)
            made_from = self._timeline_of.get(key, "unknown")
            if self._rel("cases", partition) and made_from != self._rel("case_events", partition):
                self.replace_partition("cases", partition, self.current("cases", partition))

    def commit(self) -> None:
        self._refresh_timelines()
        if not self.staged:
            return
        m = Manifest(version=self.base.version + 1, tables={t: dict(v) for t, v in self.base.tables.items()},
                     format=self.format)
        for table, entries in self.staged.items():
            cur = m.tables.setdefault(table, {})
            for key, rel in entries.items():
                if rel is None:
                    cur.pop(key, None)
                else:
                    cur[key] = rel
        m.updated_at = datetime.now().isoformat(timespec="seconds")
        tmp = self.store.manifest_path.with_suffix(f".tmp-{uuid.uuid4().hex[:8]}")
        tmp.write_text(m.dump(), "utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.store.manifest_path)
        # Replaced files stay for a grace period: a reader (the web app) may hold the old manifest.
        self.store.collect_garbage(older_than_s=GC_GRACE_S)
