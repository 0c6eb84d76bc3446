"""Backup and restore of one installation: the case store's current snapshot and the ops database, together.

The backup holds the store's writer lock while it copies the manifest, the files that manifest lists and the
ops database (SQLite's online backup API, or ``pg_dump``'s single-snapshot dump), so no import commits in
between: every import record in the backup names a manifest version at most the backup's. Readers (the web
server) take no lock and keep serving. An import that committed just before may not have written its
record yet; restored, such a file is imported again (the importer's idempotent re-import), never lost.
A store at a base URI (object storage) is copied down the same way; the restored copy is a local store.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow.fs as pafs
from sqlalchemy import create_engine, make_url, text

from zhixiao.errors import UserError
from zhixiao.store.cases import MANIFEST, CaseStore, Manifest
from zhixiao.store.schema import TABLES

FORMAT = 1
META = "backup.json"
SUMS = "SHA256SUMS"
STORE = "store"
SQLITE_FILE = "ops.sqlite"
PG_FILE = "ops.pgdump"
# Files of the data directory that are not data: the writer lock, manifests being swapped, the live SQLite.
_SKIP_NAMES = {".lock", "ops.sqlite", "ops.sqlite-wal", "ops.sqlite-shm", "ops.sqlite-journal"}


@dataclass(frozen=True)
class BackupResult:
    dest: Path
    manifest_version: int
    files: int
    bytes: int
    ops_dialect: str
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    data_dir: Path
    manifest_version: int
    files: int
    ops_url: str
    seconds: float


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _copy(src: Path, dst: Path, link: bool = False) -> None:
    """``link``: a hard link when on the same filesystem, for the store's data files (written once, then
    only ever replaced by new files); everything else may be rewritten in place and is copied."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if link:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _side_files(root: Path) -> list[Path]:
    """Everything in the data directory besides the table files and the live ops DB: calendar overrides,
    court indicators, supervision rules, rejects lists, web uploads and reports."""
    out: list[Path] = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or rel.parts[0] in TABLES or rel == Path("manifest.json") or p.name in _SKIP_NAMES \
                or ".tmp-" in p.name:
            continue
        out.append(p)
    return out


def _pg_conninfo(url: str) -> tuple[str, dict[str, str]]:
    """libpq URI (password moved to PGPASSWORD, so it is not in the process list) for pg_dump/pg_restore."""
    u = make_url(url)
    env = {**os.environ}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return u.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise UserError(f"未找到 {name}，无法备份或恢复 PostgreSQL 运维数据库；请安装 postgresql-client"
                        "（apt-get install postgresql-client，版本不低于数据库服务器）后重试。")
    return exe


def _dump_ops(ops_url: str, dest: Path) -> tuple[str, str]:
    """Write the ops DB into ``dest``; returns (dialect, file name)."""
    if ops_url.startswith("sqlite"):
        path = Path(make_url(ops_url).database or "")
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(dest / SQLITE_FILE)
        try:
            src.backup(dst)  # one step: a consistent snapshot even while the server writes (WAL)
        finally:
            dst.close()
            src.close()
        return "sqlite", SQLITE_FILE
    eng = create_engine(ops_url)
    try:
        with eng.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    finally:
        eng.dispose()
    uri, env = _pg_conninfo(ops_url)
    proc = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                           f"--schema={schema}", f"--file={dest / PG_FILE}", uri],
                          capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise UserError(f"pg_dump 失败：{proc.stderr.strip()[:300]}；请检查数据库连接和 pg_dump 版本。")
    return "postgresql", PG_FILE


def _check_ops(ops_url: str) -> None:
    if ops_url.startswith("sqlite") and not Path(make_url(ops_url).database or "").is_file():
        raise UserError(f"运维数据库文件 {make_url(ops_url).database} 不存在；请检查 --data-dir 或 zhixiao.toml 的 "
                        "sql_url（新安装先运行 zhixiao db upgrade）。")


def backup(data_dir: Path, ops_url: str, dest: Path) -> BackupResult:
    """Copy the current snapshot and the ops DB into the empty or new directory ``dest``; on failure nothing
    of the backup is left behind."""
    started = time.perf_counter()
    root = Path(data_dir)
    store = CaseStore(root)
    if not store.location.exists(MANIFEST):
        raise UserError(f"{store.location.uri or root} 中没有案件库（manifest.json）；请检查 --data-dir。")
    _check_ops(ops_url)
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise UserError(f"备份目录 {dest} 不是空目录；请指定一个新目录，以免覆盖已有备份。")
    made = not dest.exists()
    try:
        result = _write_backup(root, store, ops_url, dest)
    except BaseException:
        if made:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for child in dest.iterdir():
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink()
        raise
    return BackupResult(dest, *result, time.perf_counter() - started)


def _write_backup(root: Path, store: CaseStore, ops_url: str, dest: Path) -> tuple[int, int, int, str]:
    (dest / STORE).mkdir(parents=True, exist_ok=True)
    with store.lock():  # no import commits (and no file is collected) until the copy is complete
        manifest = store.manifest()
        (dest / STORE / MANIFEST).write_text(manifest.dump(), "utf-8")
        listed = [rel for entries in manifest.tables.values() for rel in entries.values()]
        for rel in listed:
            if store.location.local:
                _copy(root / rel, dest / STORE / rel, link=True)
            else:
                (dest / STORE / rel).parent.mkdir(parents=True, exist_ok=True)
                pafs.copy_files(store.location.path(rel), str((dest / STORE / rel).absolute()),
                                source_filesystem=store.location.fs, destination_filesystem=pafs.LocalFileSystem())
        for p in _side_files(root):
            _copy(p, dest / STORE / p.relative_to(root))
        dialect, ops_file = _dump_ops(ops_url, dest)
    meta = {"format": FORMAT, "created_at": datetime.now().isoformat(timespec="seconds"),
            "data_dir": str(root.resolve()), "manifest_version": manifest.version, "files": len(listed),
            "ops": {"dialect": dialect, "file": ops_file}}
    (dest / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    (dest / SUMS).write_text("".join(f"{_sha256(p)}  {p.relative_to(dest)}\n" for p in files), "utf-8")
    return manifest.version, len(listed), sum(p.stat().st_size for p in files), dialect


def verify(src: Path) -> list[str]:
    """Files of a backup whose SHA-256 differs from its checksum list (or that are missing)."""
    sums = Path(src) / SUMS
    if not sums.is_file():
        raise UserError(f"{src} 不是 zhixiao 备份目录（缺少 {SUMS}）；请检查 --from。")
    bad = []
    for line in sums.read_text("utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        p = Path(src) / rel
        if not p.is_file() or _sha256(p) != digest:
            bad.append(rel)
    return bad


def _rewrite_paths(ops_url: str, old: str, new: str) -> None:
    """Import records name their data directory by absolute path (``recent_imports`` filters on it)."""
    if old == new:
        return
    eng = create_engine(ops_url)
    try:
        with eng.begin() as conn:
            conn.execute(text("UPDATE import_record SET data_dir = :new WHERE data_dir = :old"),
                         {"new": new, "old": old})
            conn.execute(text("UPDATE import_record SET rejects_path = :new || substr(rejects_path, :n) "
                              "WHERE substr(rejects_path, 1, :n - 1) = :old"),
                         {"new": new, "old": old, "n": len(old) + 1})
    finally:
        eng.dispose()


def _restore_ops(src: Path, meta: dict, ops_url: str) -> None:
    dialect = meta["ops"]["dialect"]
    target = "sqlite" if ops_url.startswith("sqlite") else "postgresql"
    if dialect != target:
        raise UserError(f"备份中的运维数据库是 {dialect}，不能恢复到 {target}；请用同类数据库的 --sql-url。")
    if dialect == "sqlite":
        path = Path(make_url(ops_url).database or "")
        if path.exists():
            raise UserError(f"运维数据库文件 {path} 已存在；恢复只写入新的数据库，请换一个位置。")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / SQLITE_FILE, path)
        return
    uri, env = _pg_conninfo(ops_url)
    proc = subprocess.run([_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
                           f"--dbname={uri}", str(src / PG_FILE)], capture_output=True, text=True, env=env,
                          check=False)
    if proc.returncode != 0:
        raise UserError(f"pg_restore 失败：{proc.stderr.strip()[:300]}；恢复须写入一个新的空数据库。")


def restore(src: Path, data_dir: Path, ops_url: str | None = None) -> RestoreResult:
    """Restore a backup into a new data directory (and a new, empty ops database when ``ops_url`` is given;
    the default is the SQLite file inside ``data_dir``)."""
    started = time.perf_counter()
    src = Path(src)
    bad = verify(src)
    if bad:
        raise UserError(f"备份 {src} 中有 {len(bad)} 个文件与校验和不符（如 {bad[0]}），备份已损坏，请改用其他备份。")
    meta = json.loads((src / META).read_text("utf-8"))
    if meta.get("format") != FORMAT:
        raise UserError(f"备份格式 {meta.get('format')} 不是本版本支持的 {FORMAT}；请用制作该备份的版本恢复。")
    data_dir = Path(data_dir)
    if data_dir.exists() and any(data_dir.iterdir()):
        raise UserError(f"恢复目标 {data_dir} 不是空目录；请指定一个新目录，以免覆盖现有数据。")
    ops_url = ops_url or f"sqlite:///{(data_dir / SQLITE_FILE).resolve()}"
    listed = {rel for entries in Manifest.load(src / STORE / "manifest.json").tables.values()
              for rel in entries.values()}
    for p in sorted((src / STORE).rglob("*")):
        if p.is_file():
            rel = p.relative_to(src / STORE)
            _copy(p, data_dir / rel, link=str(rel) in listed)
    _restore_ops(src, meta, ops_url)
    _rewrite_paths(ops_url, meta["data_dir"], str(data_dir.resolve()))
    return RestoreResult(data_dir, meta["manifest_version"], meta["files"], ops_url, time.perf_counter() - started)
