"""The operational SQL database (users, alerts ledger, targets, tickets, suggestions, audit).

SQLite file by default, PostgreSQL by URL. Every feature module declares its models on ``Base`` in
its own ``models.py`` and ships its own Alembic branch under ``store/migrations/versions`` (a branch
label per module, ``down_revision=None`` for its first revision), so modules evolve independently and
``migrate`` upgrades all heads.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, sessionmaker

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


@lru_cache(maxsize=16)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(eng, "connect", _sqlite_pragmas)
        return eng
    return create_engine(url, pool_pre_ping=True)


def migrate(url: str) -> Engine:
    """Bring the schema to every branch head (idempotent; safe to call at every start)."""
    from alembic import command
    from alembic.config import Config

    eng = get_engine(url)
    with _migrate_lock:
        if url in _migrated:
            return eng
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
