"""Import court exports into the case store: ``validate`` (no writes) and ``import_files``.

One ``import_files`` call is one store transaction (all files or nothing) and one batch of
``ImportRecord`` rows in the ops DB. A file whose SHA-256 was already imported into this data
directory is skipped (“已导入过，未作更改”) and, when every file is skipped, the manifest is untouched.
Invariant, per file: accepted + rejected == rows_read.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.ingest import prehash
from zhixiao.ingest.aliases import load_mapping, resolve_headers
from zhixiao.ingest.merge import Incoming, stage
from zhixiao.ingest.readers import HandOver, open_file
from zhixiao.ingest.rejects import write_rejects
from zhixiao.ingest.split import (
    Cancelled,
    Part,
    Progress,
    empty_accepted,
    find_cut,
    may_split,
    prefetch,
    start_worker,
    stop_worker,
    validate_halves,
    worker_kind,
)
from zhixiao.ingest.validate import KEY, ROW, Reject, dedupe, validate_chunk
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES

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
    status: str = "ok"  # ok | unchanged
    stale: int = 0  # accepted rows not applied: the store holds a newer snapshot of the case
    data: pa.Table | None = None  # accepted rows, canonical schema
    carried: frozenset[str] = frozenset()  # columns the file gives or its 案号 implies (see ``merge``)

    @property
    def applied(self) -> int:
        return self.accepted - self.stale

    def summary(self) -> dict:
        return {"file": self.path.name, "table": self.table, "encoding": self.encoding, "rows_read": self.rows_read,
                "accepted": self.accepted, "stale": self.stale, "applied": self.applied, "rejected": self.rejected,
                "blank_rows": self.blank_rows,
                "status": self.status, "unknown_columns": self.unknown_columns}


@dataclass
class ValidationReport:
    files: list[FileReport]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def stale(self) -> int:
        return sum(f.stale for f in self.files)

    @property
    def rejects(self) -> list[Reject]:
        return [r for f in self.files for r in f.rejects]


@dataclass
class ImportResult:
    report: ValidationReport
    manifest_version: int
    changed: bool
    rejects_paths: list[Path]
    partitions: list[tuple[str, int]]
    record_ids: list[int]


def sha256_of(path: Path) -> str:
    """The file's SHA-256: begun by ``zhixiao import`` before its libraries loaded (``prehash``), or now."""
    return prehash.digest(path) or prehash.sha256_file(path)


_Cancelled = Cancelled


def validate_file(path: Path | str, table: str = "cases", encoding: str = "auto", mapping: dict | None = None,
                  snapshot_date: date | None = None, on_bytes: OnBytes | None = None,
                  cancel: threading.Event | None = None, worker=None, sent: threading.Event | None = None,
                  ) -> FileReport:
    """Read and check one file (no writes). ``cancel``: stop (raising ``_Cancelled``) at the next chunk.
    A big CSV is validated in two processes (``split``; ``worker``: one already started, this call stops
    it); the result is the same either way. ``sent`` is set once the second process has its job, or it is
    clear that there will be none."""
    path = Path(path)
    snap = snapshot_date or date.today()
    progress = Progress(on_bytes)
    if worker is None and table in TABLES and may_split(path):
        worker = start_worker()  # its start-up overlaps the checks below
    try:
        if table not in TABLES:
            raise UserError(f"未知的数据表“{table}”：可选 {', '.join(TABLES)}。")
        raw = open_file(path, encoding, progress)
        hm = resolve_headers(raw.headers, table, mapping, path.name)
        part = None
        cut = find_cut(path, raw.encoding, worker_kind(worker)) if worker else None
        if cut is not None:
            try:
                part = validate_halves(raw, hm, cut, snap, progress, cancel, worker, sent)
            except HandOver:
                progress.restart()  # the whole file again, the usual way
    finally:
        if sent is not None:
            sent.set()
        if worker is not None:
            stop_worker(worker)
    rep = FileReport(path, table, encoding=raw.encoding, columns=dict(hm.source), ignored_columns=hm.ignored,
                     unknown_columns=hm.unknown)
    if part is None:
        part = Part([], [], 0, 0, raw.invalid)
        for chunk in prefetch(raw.chunks):
            if cancel is not None and cancel.is_set():
                raise _Cancelled(path.name)
            res = validate_chunk(chunk, hm, path.name, snap)
            part.rows_read += res.rows_read
            part.blank_rows += res.blank_rows
            part.rejects.extend(res.rejects)
            part.tables.append(res.accepted)
    rep.rows_read, rep.blank_rows, rep.rejects = part.rows_read, part.blank_rows, part.rejects
    for bad in raw.invalid:
        rep.rows_read += 1
        rep.rejects.append(Reject(path.name, bad.row, "（整行）", bad.text[:200], bad.reason))
    tables = [t for t in part.tables if t.num_rows]  # a part with no accepted rows may have no columns either
    accepted = pa.concat_tables(tables) if tables else empty_accepted(table)
    label = hm.source.get("case_id") or hm.source.get("judge_id") or ""
    accepted, dup_rejects = dedupe(accepted, table, path.name, label)
    rep.rejects.extend(dup_rejects)
    rep.rejected = len({r.row for r in rep.rejects})
    rep.accepted = accepted.num_rows
    rep.data = accepted.drop_columns([c for c in (ROW, KEY) if c in accepted.column_names])
    rep.carried = frozenset(rep.data.column_names) - ({"procedure"} - set(hm.columns))
    if rep.accepted + rep.rejected != rep.rows_read:  # the contract; a failure here is a bug, not bad input
        raise AssertionError(f"{path.name}: accepted {rep.accepted} + rejected {rep.rejected} != read {rep.rows_read}")
    return rep


def validate(paths: list[Path | str], table: str = "cases", encoding: str = "auto",
             mapping: Path | str | dict | None = None, snapshot_date: date | None = None,
             on_bytes: OnBytes | None = None) -> ValidationReport:
    """Check files without writing anything (the web upload page shows this before importing)."""
    m = mapping if isinstance(mapping, dict) else load_mapping(mapping, table)
    return ValidationReport([validate_file(p, table, encoding, m, snapshot_date, on_bytes) for p in paths])


class _Speculation:
    """``validate_file`` of one file running in a background thread."""

    def __init__(self, path: Path, table: str, encoding: str, mapping: dict, snapshot_date: date | None,
                 on_bytes: OnBytes | None):
        self._stop = threading.Event()
        self._reported = 0
        self._on_bytes = on_bytes
        self._box: list = []
        self.sent = threading.Event()  # the second process has its job (or there is none): see import_files
        # started here, in the calling thread: a worker forked from the validating thread could inherit an
        # import lock that the calling thread holds at that moment
        worker = start_worker() if may_split(path) else None
        self._thread = threading.Thread(target=self._run, name="zhixiao-validate", daemon=True,
                                        args=(path, table, encoding, mapping, snapshot_date, worker))
        self._thread.start()

    def _progress(self, n: int) -> None:
        if self._on_bytes and not self._stop.is_set():
            self._reported += n
            self._on_bytes(n)

    def _run(self, path, table, encoding, mapping, snapshot_date, worker) -> None:
        try:
            self._box.append((validate_file(path, table, encoding, mapping, snapshot_date, on_bytes=self._progress,
                                            cancel=self._stop, worker=worker, sent=self.sent), None))
        except BaseException as exc:  # noqa: BLE001 — handed to the caller of result()
            self._box.append((None, exc))

    def result(self) -> FileReport:
        self._thread.join()
        rep, exc = self._box[0]
        if exc is not None:
            raise exc
        return rep

    def cancel(self) -> int:
        """Stop and wait; returns the source bytes already reported to ``on_bytes``."""
        self._stop.set()
        self._thread.join()
        return self._reported


def _record_model():
    from zhixiao.store.imports_models import ImportRecord

    return ImportRecord


def _already_imported(session, data_dir: str, table: str, digest: str, version: int) -> bool:
    from sqlalchemy import select

    R = _record_model()
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
    # The first file is validated (read-only) in the background while the ops DB is migrated and the file
    # hashed; if it turns out to be imported already, that work is cancelled and thrown away.
    spec = _Speculation(paths[0], table, encoding, m, snapshot_date, on_bytes) if paths and paths[0].is_file() else None
    try:
        if spec is not None:  # SQLAlchemy's import (~0.15 s, holding the GIL) would hold up the worker's job
            spec.sent.wait(5)
        from zhixiao.store.ops import session_factory

        R = _record_model()
        Session = session_factory(settings.ops_url)
        version = store.manifest().version
        reports: list[FileReport] = []
        with Session() as s:
            for i, p in enumerate(paths):
                if not p.is_file():
                    raise UserError(f"找不到文件 {p}：请检查路径是否正确。")
                digest = sha256_of(p)
                ahead = spec if i == 0 else None
                if not force and _already_imported(s, data_dir, table, digest, version):
                    rep = FileReport(p, table, sha256=digest, status="unchanged")
                    done = ahead.cancel() if ahead else 0
                    if on_bytes:
                        on_bytes(p.stat().st_size - done)
                else:
                    try:
                        rep = ahead.result() if ahead else validate_file(p, table, encoding, m, snapshot_date, on_bytes)
                    except UserError as exc:
                        s.add(R(batch_id=batch, user=user, started_at=started, finished_at=datetime.now(),
                                data_dir=data_dir, table_name=table, file_name=p.name, sha256=digest,
                                status="failed", message=str(exc)))
                        s.commit()
                        raise
                    rep.sha256 = digest
                reports.append(rep)
    finally:
        if spec:
            spec.cancel()
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
            records = _record(Session, R, reports, batch, user, started, data_dir, table, written, version)
    except BaseException:
        _undo(Session, R, records, written)
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


def _record(Session, R, reports: list[FileReport], batch: str, user: str | None, started: datetime, data_dir: str,
            table: str, written: list[Path], version: int) -> list[int]:
    """One import record per file, committed inside the store transaction (just before its manifest swap)."""
    ids = []
    with Session() as s:
        for r in reports:
            note = "已导入过，未作更改" if r.status == "unchanged" else \
                f"{r.stale} 行早于已存数据（导出日期较旧），未应用" if r.stale else None
            rec = R(batch_id=batch, user=user, started_at=started, finished_at=datetime.now(), data_dir=data_dir,
                    table_name=table, file_name=r.path.name, sha256=r.sha256, encoding=r.encoding or None,
                    rows_read=r.rows_read, accepted=r.accepted, rejected=r.rejected,
                    rejects_path=str(written[0].resolve()) if written and r.rejected else None, status=r.status,
                    message=note, manifest_version=version)
            s.add(rec)
            s.flush()
            ids.append(rec.id)
        s.commit()
    return ids


def _undo(Session, R, ids: list[int], written: list[Path]) -> None:
    """The store did not commit: take back what was written beside it (records, rejects list)."""
    from sqlalchemy import delete

    if ids:
        with Session() as s:
            s.execute(delete(R).where(R.id.in_(ids)))
            s.commit()
    for p in written:
        p.unlink(missing_ok=True)


def recent_imports(settings: Settings, limit: int = 10) -> list[dict]:
    """The last ``limit`` import records of this data directory, newest first."""
    from sqlalchemy import select

    from zhixiao.store.ops import session_factory

    R = _record_model()
    data_dir = str(Path(settings.data_dir).resolve())
    with session_factory(settings.ops_url)() as s:
        rows = s.scalars(select(R).where(R.data_dir == data_dir).order_by(R.id.desc()).limit(limit)).all()
        return [{"id": r.id, "user": r.user, "started_at": r.started_at, "finished_at": r.finished_at,
                 "file_name": r.file_name, "table": r.table_name, "encoding": r.encoding, "rows_read": r.rows_read,
                 "accepted": r.accepted, "rejected": r.rejected, "status": r.status,
                 "rejects_path": r.rejects_path, "manifest_version": r.manifest_version} for r in rows]
