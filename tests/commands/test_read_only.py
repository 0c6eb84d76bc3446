"""A read-only data directory (a copy on a read-only mount, or a directory the account may only read) still
serves every read-only command: ``info``, ``indicators``, ``supervise list`` and ``report`` writing elsewhere.

Tests run as root here, where permission bits do not stop writes, so the commands run as ``nobody`` through
``setpriv`` (util-linux) on a copy that ``nobody`` may read but not write. Old code: opening the ops DB set
``PRAGMA journal_mode=WAL``, which writes, and a WAL database in a directory without write access cannot even
be read unless SQLite may create its ``-shm`` file — ``info`` failed with 内部错误 … attempt to write a readonly
database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.config import load_settings
from zhixiao.store import ops

SETPRIV = shutil.which("setpriv")
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or SETPRIV is None,
                                reason="needs root and setpriv to run a command as an account without write access")
CSV = ("案号,立案日期,结案日期,结案方式,承办人,部门\n"
       "(2025)冀0123民初1号,2025-01-02,2025-02-03,判决,张三,民一庭\n"
       "(2025)冀0123民初2号,2025-01-05,,,李四,民一庭\n")


def as_nobody(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOME": str(home), "MPLCONFIGDIR": str(home / "mpl"), "XDG_CACHE_HOME": str(home / "cache")}
    return subprocess.run([SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-m",
                           "zhixiao.cli", *args], capture_output=True, text=True, env=env, cwd=home, timeout=600)


@pytest.fixture(scope="module", params=["closed", "live"])
def read_only(request):
    """A data directory with two cases, their import record and a ladder run, that ``nobody`` can only read: the
    ops DB closed (a copy: the file alone, opened immutable) or still open in this process (its -wal and -shm
    beside it, read through them)."""
    root = Path(tempfile.mkdtemp(prefix="zx-ro-"))
    root.chmod(0o755)
    (root / "export.csv").write_text(CSV, "utf-8")
    d = root / "d"
    runner = CliRunner()
    r = runner.invoke(app, ["import", str(root / "export.csv"), "--data-dir", str(d), "--snapshot-date", "2025-06-30",
                            "--user", "tester"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["supervise", "run", "--data-dir", str(d), "--as-of", "2025-06-30"])
    assert r.exit_code == 0, r.output
    wal = d / "ops.sqlite-wal"
    if request.param == "closed":
        url = load_settings(data_dir=d).ops_url
        ops.get_engine(url).dispose()  # the last connection closed: SQLite folds the WAL into the file
        ops.get_engine.cache_clear()
        ops._migrated.discard(url)
    assert wal.exists() == (request.param == "live")
    for p in [d, *d.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    home = root / "home"
    home.mkdir(mode=0o777)
    home.chmod(0o777)
    before = sorted((p.relative_to(d), p.stat().st_mtime_ns) for p in d.rglob("*"))
    yield d, home
    after = sorted((p.relative_to(d), p.stat().st_mtime_ns) for p in d.rglob("*"))
    assert after == before  # nothing created, nothing touched
    shutil.rmtree(root)


def test_nobody_cannot_write_there(read_only):
    d, home = read_only
    r = subprocess.run([SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "touch", str(d / "x")],
                       capture_output=True, text=True)
    assert r.returncode != 0  # the setting is what the tests below claim it is


def test_info(read_only):
    d, home = read_only
    r = as_nobody("info", "--data-dir", str(d), "--format", "json", home=home)
    assert r.returncode == 0, r.stderr
    assert '"cases": 2' in r.stdout and '"file_name": "export.csv"' in r.stdout


def test_indicators_and_supervise_list(read_only):
    d, home = read_only
    r = as_nobody("indicators", "--data-dir", str(d), "--court", "冀0123", "--from", "2025-01-01", "--to",
                  "2025-06-30", "--indicator", "closed", "--format", "csv", home=home)
    assert r.returncode == 0, r.stderr
    assert ",1," in r.stdout  # 结案 1 件
    r = as_nobody("supervise", "list", "--data-dir", str(d), "--format", "json", home=home)
    assert r.returncode == 0, r.stderr


def test_report_to_another_directory(read_only):
    d, home = read_only
    if (d / "ops.sqlite-wal").exists():
        pytest.skip("the report reads the ops DB as info and indicators do; once is enough")
    out = home / "out"
    shutil.rmtree(out, ignore_errors=True)
    r = as_nobody("report", "briefing", "--data-dir", str(d), "--court", "冀0123", "--from", "2025-01-01", "--to",
                  "2025-06-30", "--compare", "none", "--no-pdf", "--no-slides", "--out", str(out), home=home)
    assert r.returncode == 0, r.stderr
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".xlsx"]


def test_writing_there_is_a_chinese_user_error(read_only):
    d, home = read_only
    r = as_nobody("import", str(d.parent / "export.csv"), "--data-dir", str(d), "--snapshot-date", "2025-06-30",
                  "--user", "tester", home=home)
    assert r.returncode == 1, r.stderr
    assert "错误：" in r.stderr and "Traceback" not in r.stderr
