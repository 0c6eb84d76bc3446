"""The canonical case store: Parquet files per (table, court, year) behind one atomic manifest.

Readers only ever see files listed in ``manifest.json``; a transaction writes new files first and
then swaps the manifest (``os.replace`` locally, one PUT on object storage) under a file lock in the data
directory, so a crash or kill mid-way leaves the previous snapshot intact and two writers never interleave.
The files live in the data directory or at a base URI (``zhixiao.store.location``); the manifest's paths are
relative to it.
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
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from zhixiao.config import load_settings
from zhixiao.errors import UserError
from zhixiao.store import timeline
from zhixiao.store.location import Location, locate
from zhixiao.store.schema import TABLES, UNIQUE_PER_ROW, conform

Partition = tuple[str, int]  # (court_code, year)
GC_GRACE_S = 3600
# 4: the timeline counts hearing gaps and cases carry the 终本 checks (zb_*); 3: the timeline carries conversions
# and merged pieces with their offsets (超审限后补扣); 2: cases files carry their 审限 timeline
# (``zhixiao.store.timeline``); 1: they don't. Older stores are upgraded on open.
FORMAT = 4
MANIFEST = "manifest.json"
RETIRED = "retired.json"  # data file → when a manifest stopped listing it (the grace period counts from then)


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
        return cls.parse(path.read_text("utf-8")) if path.is_file() else cls()

    @classmethod
    def parse(cls, text: str) -> Manifest:
        raw = json.loads(text)
        return cls(version=raw["version"], tables=raw["tables"], updated_at=raw.get("updated_at"),
                   format=raw.get("format", 1))

    def dump(self) -> str:
        return json.dumps(
            {"version": self.version, "format": self.format, "tables": self.tables, "updated_at": self.updated_at},
            ensure_ascii=False, indent=1,
        )


class CaseStore:
    def __init__(self, data_dir: Path | str, uri: str | None = None):
        """``data_dir`` holds the writer lock (and the settings); ``uri`` is where the files live, by default
        the settings' ``store_uri``, else ``data_dir`` itself."""
        self.root = Path(data_dir)
        self.location: Location = locate(self.root, uri if uri is not None else load_settings(self.root).store_uri)

    @property
    def manifest_path(self) -> Path:
        """The local manifest file (a store at a base URI has none: see ``location``)."""
        return self.root / MANIFEST

    def manifest(self) -> Manifest:
        if self.location.local:
            return Manifest.load(self.manifest_path)
        return Manifest.parse(self.location.read_text(MANIFEST)) if self.location.exists(MANIFEST) else Manifest()

    def relative(self, table: str) -> list[str]:
        """Current snapshot's files for a table, relative to the store's base, in a stable order."""
        entries = self.manifest().tables.get(table, {})
        return [entries[k] for k in sorted(entries)]

    def files(self, table: str) -> list[Path]:
        """Current snapshot's files for a table as local paths (a store in the data directory or on a mount)."""
        if not self.location.local:
            raise UserError(f"案件数据存放在 {self.location.uri}，此功能只能读取本地或共享挂载目录中的数据；"
                            "请在本地数据目录（不设置 store_uri）下运行。")
        return [self.root / rel for rel in self.relative(table)]

    def paths(self, table: str) -> list[str]:
        """Current snapshot's files for a table inside ``location.fs``."""
        return [self.location.path(rel) for rel in self.relative(table)]

    def dataset(self, table: str) -> pads.Dataset:
        """Current snapshot's files for a table as an Arrow dataset, wherever the store lives: DuckDB scans it in
        place, and its row count comes from the Parquet footers."""
        return pads.dataset(self.paths(table), schema=TABLES[table], format="parquet", filesystem=self.location.fs)

    def partitions(self, table: str) -> list[Partition]:
        return [_unkey(k) for k in sorted(self.manifest().tables.get(table, {}))]

    def read_file(self, table: str, rel: str, columns: list[str] | None = None) -> pa.Table:
        return pq.read_table(self.location.path(rel), columns=columns, schema=TABLES[table],
                             filesystem=self.location.fs)

    def read_partition(self, table: str, partition: Partition) -> pa.Table | None:
        rel = self.manifest().tables.get(table, {}).get(_key(partition))
        return self.read_file(table, rel) if rel else None

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        files = self.relative(table)
        if not files:
            t = TABLES[table].empty_table()
            return t.select(columns) if columns else t
        return pa.concat_tables(self.read_file(table, rel, columns) for rel in files)

    def retired(self) -> dict[str, float]:
        """When each replaced data file left the manifest (POSIX seconds)."""
        return json.loads(self.location.read_text(RETIRED)) if self.location.exists(RETIRED) else {}

    def collect_garbage(self, older_than_s: float = GC_GRACE_S) -> int:
        """Delete data files no manifest references once the grace period has passed since they were replaced
        (since they were written, for a file never recorded as replaced): a reader holding the old manifest
        keeps reading them meanwhile, however old the files themselves are."""
        live = {rel for t in self.manifest().tables.values() for rel in t.values()}
        retired = self.retired()
        now = datetime.now().timestamp()
        removed = 0
        for table in TABLES:
            for rel, mtime in self.location.listing(table):
                if rel.endswith(".parquet") and rel not in live and mtime is not None and \
                        now - max(mtime.timestamp(), retired.get(rel, 0.0)) > older_than_s:
                    self.location.delete(rel)
                    retired.pop(rel, None)
                    removed += 1
        if removed:
            self.location.write_atomic(RETIRED, json.dumps(retired))
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
        if self.location.local and not os.access(self.root, os.W_OK):  # a read-only copy: say so rather than fail on the lock file
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
            tx = Transaction(self, self.manifest())
            try:
                yield tx
            except BaseException:
                tx.discard()
                raise
            tx.commit()


def _stats_columns(schema: pa.Schema) -> list[str]:
    """Columns worth min/max statistics: numbers and dates, which queries filter by range. Text columns
    are in file order within a partition, so their row-group ranges prune nothing, and computing them is
    a large share of the write's CPU."""
    def text(t: pa.DataType) -> bool:
        return pa.types.is_string(t) or pa.types.is_dictionary(t) or pa.types.is_list(t)

    return [f.name for f in schema if not text(f.type)]


class Transaction:
    def __init__(self, store: CaseStore, base: Manifest):
        self.store = store
        self.base = base
        self.staged: dict[str, dict[str, str | None]] = {}
        self.written: list[str] = []  # relative to the store's base
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
        return self.store.read_file(table, rel) if rel else None

    def replace_partition(self, table: str, partition: Partition, data: pa.Table) -> None:
        """Stage ``data`` as the partition. Cases get their timeline from the partition's events as staged
        so far (write events first to write cases once; ``commit`` redoes it if the events change later)."""
        data = conform(table, data, keep_dictionaries=True)
        if table == "cases":
            events_rel = self._rel("case_events", partition)
            data = timeline.attach(data, self.current("case_events", partition))
            self._timeline_of[_key(partition)] = events_rel
        court, year = partition
        rel = f"{table}/court_code={court}/year={year}/v{self.base.version + 1}-{uuid.uuid4().hex[:8]}.parquet"
        loc = self.store.location
        loc.make_parent(rel)
        # No Arrow schema in the file: dictionary columns read back as plain strings (the canonical types).
        pq.write_table(data, loc.path(rel), compression="zstd", store_schema=False,
                       write_statistics=_stats_columns(data.schema), filesystem=loc.fs,
                       use_dictionary=[n for n in data.schema.names if n not in UNIQUE_PER_ROW])
        self.written.append(rel)
        self.staged.setdefault(table, {})[_key(partition)] = rel

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
        for rel in self.written:
            self.store.location.delete(rel)

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
        gone = {r for t in self.base.tables.values() for r in t.values()} - {r for t in m.tables.values() for r in t.values()}
        if gone:  # recorded before the swap: a crash between the two leaves a record, never an unrecorded file
            retired = self.store.retired()
            retired.update(dict.fromkeys(sorted(gone), datetime.now().timestamp()))
            self.store.location.write_atomic(RETIRED, json.dumps(retired))
        self.store.location.write_atomic(MANIFEST, m.dump())
        # Replaced files stay for a grace period: a reader (the web app) may hold the old manifest.
        self.store.collect_garbage(older_than_s=GC_GRACE_S)
