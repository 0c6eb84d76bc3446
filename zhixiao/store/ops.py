"""The operational SQL database (users, alerts ledger, targets, tickets, suggestions, audit).

SQLite file by default, PostgreSQL by URL. Every feature module declares its models on ``Base`` in
its own ``models.py`` and ships its own Alembic branch under ``store/migrations/versions`` (a branch
label per module, ``down_revision=None`` for its first revision), so modules evolve independently and
``migrate`` upgrades all heads.
"""

from __future__ import annotations

import ast
import os
import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from zhixiao.errors import UserError

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATE_LOCK = 73_680_000  # PostgreSQL advisory lock: one migrating process at a time
_migrated: set[str] = set()  # URLs already brought to head by this process
_migrate_lock = threading.Lock()  # Alembic's environment loading is not thread-safe


class Base(DeclarativeBase):
    pass


def _sqlite_pragmas(dbapi_con, _record) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers (web) keep going while a job writes
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def read_only_sqlite(url: str) -> Path | None:
    """The SQLite file of ``url`` when this process may read but not write it (a data directory mounted or
    copied read-only): a WAL database there opens only as immutable, because SQLite must otherwise create
    its ``-shm`` file beside it."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    if not path or path == ":memory:" or not os.path.isfile(path):
        return None
    writable = os.access(path, os.W_OK) and os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)
    return None if writable else Path(path)


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    if (ro := read_only_sqlite(url)) is not None:
        # a live WAL (its -wal and -shm beside it) is read through them; a closed one is the file alone
        live = all(Path(f"{ro}{x}").exists() for x in ("-wal", "-shm"))
        return create_engine(f"sqlite:///file:{ro.resolve()}?mode=ro{'' if live else '&immutable=1'}&uri=true",
                             connect_args={"check_same_thread": False})
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    return create_engine(url, pool_pre_ping=True)


def script_heads() -> frozenset[str]:
    """The head revisions of the migration scripts, read from their ``revision``/``down_revision`` lines
    (loading Alembic to learn that there is nothing to do would cost every command its start-up)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        for node in ast.parse(f.read_text("utf-8")).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else \
                node.target if isinstance(node, ast.AnnAssign) else None
            if not isinstance(target, ast.Name) or node.value is None:
                continue
            if target.id == "revision":
                revisions.add(ast.literal_eval(node.value))
            elif target.id == "down_revision":
                down = ast.literal_eval(node.value)
                parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)


def _at_heads(eng: Engine) -> bool:
    """Is the database already at every head? (A missing version table means a new database.)"""
    try:
        with eng.connect() as conn:
            have = frozenset(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except SQLAlchemyError:
        return False
    return have == script_heads()


def migrate(url: str) -> Engine:
    """Bring the schema to every branch head (idempotent; safe to call at every start)."""
    eng = get_engine(url)
    with _migrate_lock:
        if url in _migrated:
            return eng
        if _at_heads(eng):
            _migrated.add(url)
            return eng
        if (ro := read_only_sqlite(url)) is not None:
            raise UserError(f"运维数据库 {ro} 只读，且其结构版本较旧：请用有写权限的账户运行一次 zhixiao db upgrade，"
                            "或改用可写的数据目录。")
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        with eng.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATE_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
        _migrated.add(url)
    return eng


def session_factory(url: str) -> sessionmaker:
    return sessionmaker(bind=migrate(url), expire_on_commit=False)
