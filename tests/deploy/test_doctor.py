"""``zhixiao doctor`` on a healthy installation and on broken ones (fonts, database, calendar), and ``db``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from zhixiao import ops_doctor as od
from zhixiao.config import load_settings
from zhixiao.store.ops import migrate, script_heads

HEALTHY_FONTS = frozenset({"Noto Serif CJK SC", "Noto Sans CJK SC"})  # families with Chinese glyphs
NEXT_YEAR = '[year.2027]\nholidays = ["2027-01-01"]\n'
DECEMBER = date(2026, 12, 7)  # the notice for 2027 is due: a calendar without 2027 must be fixed


def _zx(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zhixiao.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd)


@pytest.fixture
def installed(tmp_path) -> Path:
    """A data directory with an up-to-date ops DB, an empty store and next year's holidays."""
    d = tmp_path / "data"
    d.mkdir()
    migrate(load_settings(data_dir=d).ops_url)
    (d / "manifest.json").write_text('{"version": 0, "format": 2, "tables": {}}', "utf-8")
    (d / "calendar_overrides.toml").write_text(NEXT_YEAR, "utf-8")
    return d


def _by_check(findings: list[od.Finding]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings:
        out.setdefault(f.check, []).append(f.status)
    return out


def test_healthy_installation_has_no_error(installed):
    found = od.run_checks(load_settings(data_dir=installed), DECEMBER, families=HEALTHY_FONTS)
    assert [f for f in found if f.status == od.ERROR] == []
    assert _by_check(found)["节假日日历"] == ["ok", "ok"]  # 2026 from the package, 2027 from the override
    assert _by_check(found)["运维数据库"] == ["ok"]


def test_missing_fonts_is_an_error_with_the_package_to_install():
    (f,) = od.check_fonts(frozenset(), match=lambda _: None)
    assert f.status == od.ERROR and "apt-get install fonts-noto-cjk" in f.message


def test_official_faces_need_the_alias_file():
    without = od.check_fonts(HEALTHY_FONTS, match=lambda _: "DejaVu Sans")  # fontconfig's fallback, no alias
    assert [f.status for f in without] == [od.OK, od.WARNING] and "65-zhixiao-gongwen.conf" in without[1].message
    aliased = od.check_fonts(HEALTHY_FONTS, match=lambda face: "Noto Sans CJK SC" if face == "黑体" else "Noto Serif CJK SC")
    assert [f.status for f in aliased] == [od.OK, od.OK]


def test_alias_file_maps_every_official_face_to_a_chinese_font(repo_root, tmp_path):
    """fontconfig itself, pointed at the alias file alone on top of the system's configuration."""
    if not Path("/etc/fonts/fonts.conf").is_file() or "Noto Serif CJK SC" not in od.font_families():
        pytest.skip("需要 fontconfig 与 fonts-noto-cjk")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<include>/etc/fonts/fonts.conf</include>'
                    f'<include>{repo_root / "deploy/fontconfig/65-zhixiao-gongwen.conf"}</include></fontconfig>')
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    got = {face: subprocess.run(["fc-match", "-f", "%{family}", face], capture_output=True, text=True, env=env)
           .stdout.split(",")[0] for face in od.OFFICIAL_FACES}
    assert all(family in od.font_families() for family in got.values()), got
    # the two faces the file maps to Noto only (仿宋 and 楷 prefer look-alikes when installed)
    assert got["方正小标宋简体"] == "Noto Serif CJK SC" and got["黑体"] == "Noto Sans CJK SC"
    assert od.check_fonts(od.font_families(), match=lambda face: got[face])[1].status == od.OK


def test_broken_installation_from_the_command_line(installed, tmp_path):
    """No fonts (an empty fontconfig), an unreachable database, no calendar for next year: exit 1, each said."""
    empty = tmp_path / "empty-fonts.conf"
    empty.write_text('<?xml version="1.0"?><fontconfig></fontconfig>')
    (installed / "calendar_overrides.toml").unlink()
    res = _zx("doctor", "--data-dir", str(installed), "--as-of", "2026-12-07", "--format", "json",
              env={"FONTCONFIG_FILE": str(empty), "ZHIXIAO_SQL_URL": "postgresql+psycopg://zx@127.0.0.1:1/none"})
    assert res.returncode == 1, res.stdout + res.stderr
    found = {(r["check"], r["status"]): r["message"] for r in map(json.loads, res.stdout.splitlines())}
    assert "fonts-noto-cjk" in found[("中文字体", "error")]
    assert "无法连接运维数据库" in found[("运维数据库", "error")] and "127.0.0.1:1" in found[("运维数据库", "error")]
    assert "zhixiao holidays set" in found[("节假日日历", "error")] and "2027" in found[("节假日日历", "error")]
    assert ("磁盘空间", "ok") in found


def test_healthy_installation_from_the_command_line(installed):
    res = _zx("doctor", "--data-dir", str(installed), "--as-of", "2026-12-07")
    errors = [line for line in res.stdout.splitlines() if "需修复" in line]
    # on a machine without CJK fonts the font check is the only legitimate error
    if "Noto Serif CJK SC" in od.font_families():
        assert res.returncode == 0, res.stdout + res.stderr
        assert "检查通过" in res.stdout
    else:
        assert all("字体" in e for e in errors), errors


def test_calendar_next_year_is_a_warning_before_november(installed):
    (installed / "calendar_overrides.toml").unlink()
    s = load_settings(data_dir=installed)
    assert [f.status for f in od.check_calendar(s, date(2026, 6, 1))] == [od.OK, od.WARNING]
    assert [f.status for f in od.check_calendar(s, date(2026, 11, 1))] == [od.OK, od.ERROR]
    assert [f.status for f in od.check_calendar(s, date(2027, 6, 1))] == [od.ERROR, od.WARNING]  # this year unknown


def test_database_behind_or_missing(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.sqlite'}"
    assert od.check_database(url).status == od.ERROR and not (tmp_path / "ops.sqlite").exists()  # not created
    migrate(url)
    assert od.check_database(url).status == od.OK
    behind = sorted(script_heads())[0]  # one module branch's head missing: as if its migration never ran
    with create_engine(url).begin() as c:
        c.execute(text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": behind})
    f = od.check_database(url)
    assert f.status == od.ERROR and behind in f.message and "zhixiao db upgrade" in f.message


def test_disk_and_permissions(installed, tmp_path):
    tiny = od.check_disk(installed, usage=lambda _: SimpleNamespace(free=1024**3))
    assert tiny.status == od.ERROR and "1.0 GB" in tiny.message
    assert od.check_disk(installed, usage=lambda _: SimpleNamespace(free=5 * 1024**3)).status == od.WARNING
    (installed / "manifest.json").write_text(
        '{"version": 1, "format": 2, "tables": {"cases": {"冀0123/2025": "cases/gone.parquet"}}}', "utf-8")
    assert any(f.status == od.ERROR and "zhixiao restore" in f.message for f in od.check_permissions(installed))
    assert od.check_permissions(tmp_path / "nowhere")[0].status == od.ERROR


def test_db_upgrade_sqlite(tmp_path):
    d = tmp_path / "d"
    first = _zx("db", "upgrade", "--data-dir", str(d))
    assert first.returncode == 0, first.stderr
    assert "已升级" in first.stdout and all(h in first.stdout.replace("\n", "") for h in script_heads())
    again = _zx("db", "upgrade", "--data-dir", str(d))
    assert again.returncode == 0 and "无需迁移" in again.stdout
    assert _zx("db", "status", "--data-dir", str(d)).returncode == 0


def test_db_upgrade_on_both_backends(sql_url, tmp_path):
    env = {"ZHIXIAO_SQL_URL": sql_url}
    res = _zx("db", "upgrade", "--data-dir", str(tmp_path / "d"), env=env)
    assert res.returncode == 0, res.stderr
    assert od.revisions(sql_url) == script_heads()
    assert od.check_database(sql_url).status == od.OK


def test_db_upgrade_unreachable_is_a_user_error(tmp_path):
    res = _zx("db", "upgrade", "--data-dir", str(tmp_path), env={"ZHIXIAO_SQL_URL": "postgresql+psycopg://zx@127.0.0.1:1/x"})
    assert res.returncode == 1 and "无法连接运维数据库" in res.stderr
