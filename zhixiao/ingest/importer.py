"""Import court exports into the case store: ``validate`` (no writes) and ``import_files``.

One ``import_files`` call is one store transaction (all files or nothing, the rejects list and the import
records with it) and one batch of ``ImportRecord`` rows in the ops DB. A file whose SHA-256 was already
imported into this data directory is skipped (“已导入过，未作更改”) and, when every file is skipped, the
manifest is untouched. Invariant, per file: accepted + rejected == rows_read.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy import delete, select

from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.ingest.aliases import finds_required, load_mapping, resolve_headers
from zhixiao.ingest.merge import Incoming, stage
from zhixiao.ingest.readers import open_file
from zhixiao.ingest.rejects import write_rejects
from zhixiao.ingest.validate import ROW, ChunkResult, Reject, dedupe, validate_chunk
from zhixiao.store.cases import CaseStore
from zhixiao.store.imports_models import ImportRecord
from zhixiao.store.ops import session_factory
from zhixiao.store.schema import TABLES

BATCH_ROWS = 1 << 16  # rows per batch (read blocks joined or split; in flight: one per core); the result does not depend on it
OnBytes = Callable[[int], None]


@dataclass
class FileReport:
    path: Path
    table: str
    encoding: str = ""
    sha256: str = ""
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    blank_rows: int = 0
    rejects: list[Reject] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # canonical → header as written
    ignored_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    status: str = "ok"  # ok | unchanged | empty (a header and no data rows)
    stale: int = 0  # accepted rows not applied: the store holds a newer snapshot of the case
    data: pa.Table | None = None  # accepted rows, canonical schema
    carried: frozenset[str] = frozenset()  # columns the file gives or its 案号 implies (see ``merge``)

    applied = property(lambda self: self.accepted - self.stale)

    def summary(self) -> dict:
        return {"file": self.path.name, "table": self.table, "encoding": self.encoding, "rows_read": self.rows_read,
                "accepted": self.accepted, "stale": self.stale, "applied": self.applied, "rejected": self.rejected,
                "blank_rows": self.blank_rows, "status": self.status, "unknown_columns": self.unknown_columns}


@dataclass
class ValidationReport:
    files: list[FileReport]
    rows_read = property(lambda self: sum(f.rows_read for f in self.files))
    accepted = property(lambda self: sum(f.accepted for f in self.files))
    rejected = property(lambda self: sum(f.rejected for f in self.files))
    stale = property(lambda self: sum(f.stale for f in self.files))
    rejects = property(lambda self: [r for f in self.files for r in f.rejects])


@dataclass
class ImportResult:
    report: ValidationReport
    manifest_version: int
    changed: bool
    rejects_paths: list[Path]
    partitions: list[tuple[str, int]]
    record_ids: list[int]


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def validate_file(path: Path | str, table: str = "cases", encoding: str = "auto", mapping: dict | None = None,
                  snapshot_date: date | None = None, on_bytes: OnBytes | None = None) -> FileReport:
    """Read and check one file (no writes). Batches are validated side by side while the next ones are read:
    Arrow's kernels and its reader release the GIL."""
    path = Path(path)
    snap = snapshot_date or date.today()
    if table not in TABLES:
        raise UserError(f"未知的数据表“{table}”：可选 {', '.join(TABLES)}。")
    raw = open_file(path, encoding, lambda cells: finds_required(cells, table, mapping))
    hm = resolve_headers(raw.headers, table, mapping, path.name)
    rep = FileReport(path, table, encoding=raw.encoding, columns=dict(hm.source), ignored_columns=hm.ignored,
                     unknown_columns=hm.unknown)
    parts: list[ChunkResult] = []
    in_flight: deque[Future[ChunkResult]] = deque()
    with ThreadPoolExecutor(pa.cpu_count()) as pool, contextlib.closing(raw):
        for chunk in raw.batches(BATCH_ROWS):  # read while earlier batches are validated
            in_flight.append(pool.submit(validate_chunk, chunk, hm, path.name, snap))
            while len(in_flight) > pa.cpu_count():  # a batch's text is dropped once validated: wait, don't read on
                parts.append(in_flight.popleft().result())
        parts += [f.result() for f in in_flight]
    if on_bytes:
        on_bytes(path.stat().st_size)
    rep.rows_read = sum(p.rows_read for p in parts) + len(raw.invalid)
    rep.blank_rows = sum(p.blank_rows for p in parts)
    rep.rejects = [r for p in parts for r in p.rejects]
    rep.rejects += [Reject(path.name, bad.row, "（整行）", bad.text[:200], bad.reason) for bad in raw.invalid]
    tables = [p.accepted for p in parts if p.accepted.num_rows]  # a batch with no accepted rows may lack columns
    accepted = pa.concat_tables(tables) if tables else TABLES[table].empty_table().append_column(ROW, pa.array([], pa.int64()))
    label = hm.source.get("case_id") or hm.source.get("judge_id") or ""
    accepted, dup_rejects = dedupe(accepted, table, path.name, label)
    rep.rejects.extend(dup_rejects)
    rep.rejected = len({r.row for r in rep.rejects})
    rep.accepted = accepted.num_rows
    rep.data = accepted.drop_columns([ROW])
    rep.carried = frozenset(rep.data.column_names) - ({"procedure"} - set(hm.columns))
    if rep.rows_read == 0:
        rep.status = "empty"
    if rep.accepted + rep.rejected != rep.rows_read:  # the contract; a failure here is a bug, not bad input
        raise AssertionError(f"{path.name}: accepted {rep.accepted} + rejected {rep.rejected} != read {rep.rows_read}")
    return rep


def validate(paths: list[Path | str], table: str = "cases", encoding: str = "auto",
             mapping: Path | str | dict | None = None, snapshot_date: date | None = None,
             on_bytes: OnBytes | None = None) -> ValidationReport:
    """Check files without writing anything (the web upload page shows this before importing)."""
    m = mapping if isinstance(mapping, dict) else load_mapping(mapping, table)
    return ValidationReport([validate_file(p, table, encoding, m, snapshot_date, on_bytes) for p in paths])


def _already_imported(session, data_dir: str, table: str, digest: str, version: int) -> bool:
    R = ImportRecord
    q = select(R.manifest_version).where(R.data_dir == data_dir, R.table_name == table, R.sha256 == digest,
                                         R.status.in_(("ok", "unchanged")))
    versions = [v for v in session.scalars(q) if v is not None]
    # Only trust the record while the store still has that history (a wiped store re-imports).
    return any(0 < v <= version for v in versions)


def default_rejects_path(data_dir: Path, batch: str) -> Path:
    return data_dir / "rejects" / f"拒收清单-{datetime.now():%Y%m%d-%H%M%S}-{batch[:6]}.csv"


def import_files(paths: list[Path | str], settings: Settings, user: str | None = None, table: str = "cases",
                 encoding: str = "auto", mapping: Path | str | dict | None = None,
                 snapshot_date: date | None = None, rejects_path: Path | str | None = None,
                 on_bytes: OnBytes | None = None, force: bool = False) -> ImportResult:
    """Validate ``paths`` and write all accepted rows in ONE store transaction; record each file."""
    paths = [Path(p) for p in paths]
    store = CaseStore(settings.data_dir)
    data_dir = str(Path(settings.data_dir).resolve())
    batch = uuid.uuid4().hex
    started = datetime.now()
    m = mapping if isinstance(mapping, dict) else load_mapping(mapping, table)
    Session = session_factory(settings.ops_url)
    version = store.manifest().version
    reports: list[FileReport] = []
    with Session() as s:
        for p in paths:
            if not p.is_file():
                raise UserError(f"{p} 是目录，这里需要一个文件：请给出文件的路径。" if p.is_dir() else f"找不到文件 {p}：请检查路径是否正确。")
            digest = sha256_of(p)
            if not force and _already_imported(s, data_dir, table, digest, version):
                rep = FileReport(p, table, sha256=digest, status="unchanged")
                if on_bytes:
                    on_bytes(p.stat().st_size)
            else:
                try:
                    rep = validate_file(p, table, encoding, m, snapshot_date, on_bytes)
                except UserError as exc:
                    s.add(ImportRecord(batch_id=batch, user=user, started_at=started, finished_at=datetime.now(),
                            data_dir=data_dir, table_name=table, file_name=p.name, sha256=digest,
                            status="failed", message=str(exc)))
                    s.commit()
                    raise
                rep.sha256 = digest
            reports.append(rep)
    report = ValidationReport(reports)
    todo = [r for r in reports if r.status == "ok" and r.accepted]
    written = _write_rejects(report, rejects_path, settings, batch)
    records: list = []
    partitions: list[tuple[str, int]] = []
    try:
        with store.transaction() as tx:
            if todo:
                partitions, stale = stage(tx, table, [Incoming(r.data, r.carried) for r in todo])
                for r, n in zip(todo, stale, strict=True):
                    r.stale, r.data = n, None
            version = tx.base.version + (1 if tx.staged else 0)
            records = _record(Session, reports, batch, user, started, data_dir, table, written, version)
    except BaseException:
        _undo(Session, records, written)
        raise
    changed = bool(partitions)
    return ImportResult(report, version, changed, written, partitions, records)


def _write_rejects(report: ValidationReport, rejects_path, settings: Settings, batch: str) -> list[Path]:
    """The rejects list, written before anything is committed: if it cannot be written, nothing is."""
    if not report.rejects:
        return []
    path = Path(rejects_path) if rejects_path else default_rejects_path(Path(settings.data_dir), batch)
    try:
        return write_rejects(report.rejects, path)
    except OSError as exc:
        raise UserError(f"无法写入拒收清单 {path}（{exc.strerror or exc}）：数据未导入。"
                        "请用 --rejects 指定一个可写的路径后重试。") from None


def _record(Session, reports: list[FileReport], batch: str, user: str | None, started: datetime, data_dir: str,
            table: str, written: list[Path], version: int) -> list[int]:
    """One import record per file, committed inside the store transaction (just before its manifest swap)."""
    ids = []
    with Session() as s:
        for r in reports:
            note = {"unchanged": "已导入过，未作更改", "empty": "无数据行"}.get(r.status) or \
                (f"{r.stale} 行早于已存数据（导出日期较旧），未应用" if r.stale else None)
            rec = ImportRecord(batch_id=batch, user=user, started_at=started, finished_at=datetime.now(), data_dir=data_dir,
                    table_name=table, file_name=r.path.name, sha256=r.sha256, encoding=r.encoding or None,
                    rows_read=r.rows_read, accepted=r.accepted, rejected=r.rejected,
                    rejects_path=str(written[0].resolve()) if written and r.rejected else None,
                    status="ok" if r.status == "empty" else r.status,
                    message=note, manifest_version=version)
            s.add(rec)
            s.flush()
            ids.append(rec.id)
        s.commit()
    return ids


def _undo(Session, ids: list[int], written: list[Path]) -> None:
    """The store did not commit: take back what was written beside it (records, rejects list)."""
    if ids:
        with Session() as s:
            s.execute(delete(ImportRecord).where(ImportRecord.id.in_(ids)))
            s.commit()
    for p in written:
        p.unlink(missing_ok=True)


_RECENT = ("id", "user", "started_at", "finished_at", "file_name", "table_name", "encoding", "rows_read", "accepted",
           "rejected", "status", "rejects_path", "manifest_version")


def recent_imports(settings: Settings, limit: int = 10) -> list[dict]:
    """The last ``limit`` import records of this data directory, newest first."""
    data_dir = str(Path(settings.data_dir).resolve())
    with session_factory(settings.ops_url)() as s:
        q = select(ImportRecord).where(ImportRecord.data_dir == data_dir).order_by(ImportRecord.id.desc()).limit(limit)
        return [{"table" if a == "table_name" else a: getattr(r, a) for a in _RECENT} for r in s.scalars(q).all()]
