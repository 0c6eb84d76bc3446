"""Backup while the server serves, restore into a fresh directory: every table and every indicator equal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, make_url, select, text

from tests.conftest import PG_SKIP, PG_URL
from tests.deploy._server import serving
from zhixiao.config import load_settings
from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import profiles
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store import backup as bk
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES

AS_OF = date(2026, 3, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo") / "data"
    subprocess.run([sys.executable, "-m", "zhixiao.cli", "demo", "--data-dir", str(d), "--scale", "0.03",
                    "--as-of", AS_OF.isoformat()], check=True, capture_output=True)
    (d / "calendar_overrides.toml").write_text('[year.2027]\nholidays = ["2027-01-01"]\n', "utf-8")
    return d


def _rows(url: str, mapping: dict[str, str]) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, with the data directory's path mapped."""
    eng = create_engine(url)
    md = MetaData()
    md.reflect(eng)
    out = {}
    with eng.connect() as conn:
        for name, table in sorted(md.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            out[name] = [tuple(mapping.get(v, v) if isinstance(v, str) else v for v in r) for r in rows]
    eng.dispose()
    return out


def _indicators(data_dir: Path) -> dict:
    eng = connect(data_dir)
    out = {}
    for profile in profiles(data_dir):
        res = evaluate(eng, profile, date(2025, 1, 1), date(2025, 12, 31), by=("court",), compare="yoy",
                       data_dir=data_dir)
        out[profile] = json.loads(json.dumps(res.to_dict(), default=str))
    return out


def test_backup_while_serving_then_restore_is_identical(demo, tmp_path):
    dest = tmp_path / "backup"
    with serving(demo) as traffic:
        time.sleep(1.0)  # the reader is in its stride
        t0 = time.perf_counter()
        res = bk.backup(demo, load_settings(data_dir=demo).ops_url, dest)
        t1 = time.perf_counter()
        time.sleep(0.5)
    during = traffic.during(t0, t1)
    assert during, "the server answered no request while the backup ran"
    assert all(s == 200 for _, _, s in traffic.log), traffic.log
    assert res.manifest_version == CaseStore(demo).manifest().version
    assert res.files == sum(len(v) for v in CaseStore(demo).manifest().tables.values())
    assert bk.verify(dest) == []

    new = tmp_path / "restored"
    r = subprocess.run([sys.executable, "-m", "zhixiao.cli", "restore", "--from", str(dest), "--data-dir", str(new)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "已恢复" in r.stdout

    for table in TABLES:
        assert CaseStore(new).read(table).equals(CaseStore(demo).read(table)), table
    old_url, new_url = load_settings(data_dir=demo).ops_url, load_settings(data_dir=new).ops_url
    before = _rows(old_url, {})
    after = _rows(new_url, {str(new.resolve()): str(demo.resolve())})
    assert set(after) == set(before) and len(after) >= 10
    assert any(after[t] for t in after)  # the demo filled the ledger, users, services
    for t in before:
        # The server may have written (audit) rows after the snapshot; the backup holds a prefix of them.
        assert after[t] == before[t][:len(after[t])], t
        if t != "audit_log":
            assert len(after[t]) == len(before[t]), t
    assert (new / "calendar_overrides.toml").read_text("utf-8") == (demo / "calendar_overrides.toml").read_text("utf-8")
    assert _indicators(new) == _indicators(demo)


def test_restore_refuses_a_corrupted_backup_and_a_used_directory(demo, tmp_path):
    dest = tmp_path / "b"
    bk.backup(demo, load_settings(data_dir=demo).ops_url, dest)
    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("x")
    with pytest.raises(UserError, match="不是空目录"):
        bk.restore(dest, used)
    victim = next((dest / "store" / "cases").rglob("*.parquet"))
    victim.unlink()
    victim.write_bytes(b"PAR1 broken")  # replace, not rewrite: the live store's file is hard-linked
    with pytest.raises(UserError, match="校验和不符"):
        bk.restore(dest, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    with pytest.raises(UserError, match="不是空目录"):
        bk.backup(demo, load_settings(data_dir=demo).ops_url, dest)


def test_a_failed_backup_leaves_nothing(demo, tmp_path, monkeypatch):
    def broken(_url, _dest):
        raise UserError("pg_dump 失败：测试")

    monkeypatch.setattr(bk, "_dump_ops", broken)
    with pytest.raises(UserError, match="pg_dump 失败"):
        bk.backup(demo, load_settings(data_dir=demo).ops_url, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError):
        bk.backup(demo, load_settings(data_dir=demo).ops_url, tmp_path / "empty")
    assert list((tmp_path / "empty").iterdir()) == []


def test_backup_cli_says_what_is_wrong_in_chinese(tmp_path):
    r = subprocess.run([sys.executable, "-m", "zhixiao.cli", "backup", "--to", str(tmp_path / "b"), "--data-dir",
                        str(tmp_path / "nothing")], capture_output=True, text=True)
    assert r.returncode == 1
    assert "没有案件库" in r.stderr
    store_only = tmp_path / "s"  # a store whose ops database was never created
    (store_only).mkdir()
    (store_only / "manifest.json").write_text('{"version": 0, "format": 2, "tables": {}}', "utf-8")
    r = subprocess.run([sys.executable, "-m", "zhixiao.cli", "backup", "--to", str(tmp_path / "b"), "--data-dir",
                        str(store_only)], capture_output=True, text=True)
    assert r.returncode == 1 and "zhixiaodbupgrade" in "".join(r.stderr.split()) and not (tmp_path / "b").exists()
    r = subprocess.run([sys.executable, "-m", "zhixiao.cli", "restore", "--from", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "--data-dir" in r.stderr


@pytest.mark.postgres
def test_postgres_ops_database_round_trip(tmp_path):
    """pg_dump of the ops schema, pg_restore into a fresh database: every table equal."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema, db = f"zx_{uuid.uuid4().hex[:10]}", f"zx_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
        c.execute(text(f'CREATE DATABASE "{db}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    new_url = f"{make_url(PG_URL).set(database=db).render_as_string(hide_password=False)}" \
              f"?options=-csearch_path%3D{schema}"
    try:
        data = tmp_path / "d"
        env = {**os.environ, "ZHIXIAO_SQL_URL": url}
        subprocess.run([sys.executable, "-m", "zhixiao.cli", "demo", "--data-dir", str(data), "--scale", "0.02",
                        "--as-of", AS_OF.isoformat()], check=True, capture_output=True, env=env)
        res = bk.backup(data, url, tmp_path / "b")
        assert res.ops_dialect == "postgresql" and (tmp_path / "b" / bk.PG_FILE).is_file()
        bk.restore(tmp_path / "b", tmp_path / "r", new_url)
        before, after = _rows(url, {}), _rows(new_url, {str((tmp_path / "r").resolve()): str(data.resolve())})
        assert set(before) == set(after) and sum(map(len, before.values())) > 100
        assert before == after
        with pytest.raises(UserError, match="pg_restore 失败"):  # never into a database that has the tables
            bk.restore(tmp_path / "b", tmp_path / "r2", new_url)
    finally:
        from zhixiao.store import ops

        ops.get_engine.cache_clear()
        ops._migrated.clear()
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            c.execute(text(f'DROP DATABASE "{db}" WITH (FORCE)'))
        admin.dispose()
