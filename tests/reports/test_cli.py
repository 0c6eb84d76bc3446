"""``zhixiao report briefing`` end to end through the real CLI (exit codes and Chinese messages)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from zhixiao.errors import UserError
from zhixiao.reports import pdf, render


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zhixiao.cli", "report", "briefing", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_writes_the_pack(small_store, tmp_path):
    p = _cli("--court", "冀0123", "--from", "2026-01-01", "--to", "2026-02-28", "--out", str(tmp_path),
             "--data-dir", str(small_store), "--no-pdf")
    assert p.returncode == 0, p.stderr
    assert "1—2月，全院新收各类案件8件" in p.stdout.replace("\n", "")
    names = sorted(f.name for f in tmp_path.iterdir())
    assert names == ["正定县人民法院_2026年1—2月_会商幻灯片.pptx", "正定县人民法院_2026年1—2月_数据会商报告.docx",
                     "正定县人民法院_2026年1—2月_数据会商报告.xlsx"]


def test_cli_court_without_cases_exits_1_with_a_chinese_message(small_store, tmp_path):
    p = _cli("--court", "冀0999", "--from", "2026-01-01", "--to", "2026-02-28", "--out", str(tmp_path),
             "--data-dir", str(small_store))
    assert p.returncode == 1
    assert "没有任何案件" in p.stderr.replace("\n", "") and "冀0999" in p.stderr
    assert not list(tmp_path.iterdir())


def test_cli_bad_date_is_a_user_error(small_store, tmp_path):
    from typer.testing import CliRunner

    from zhixiao.cli import app

    result = CliRunner().invoke(app, ["report", "briefing", "--court", "冀0123", "--from", "2026-13-01", "--to",
                                      "2026-02-28", "--out", str(tmp_path), "--data-dir", str(small_store)])
    assert isinstance(result.exception, UserError) and "不是有效日期" in str(result.exception)


def test_missing_libreoffice_is_a_clear_message(monkeypatch, small_store, engine, tmp_path):
    from datetime import date

    from zhixiao.config import Settings

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    with pytest.raises(UserError, match="未找到 LibreOffice"):
        pdf.docx_to_pdf(tmp_path / "x.docx")
    monkeypatch.setattr(render, "soffice", lambda: None)
    files = render.write_briefing(Settings(data_dir=small_store), "冀0123", date(2026, 1, 1), date(2026, 2, 28),
                                  tmp_path, engine=engine)
    assert files.pdf is None and "scripts/setup.sh" in files.pdf_message
    assert files.docx.is_file() and files.xlsx.is_file()


def test_missing_cjk_font_is_a_clear_message(monkeypatch):
    from zhixiao.reports import charts

    charts.cjk_font.cache_clear()
    monkeypatch.setattr(charts.shutil, "which", lambda _name: None)
    try:
        with pytest.raises(UserError, match="fonts-noto-cjk"):
            charts.cjk_font()
    finally:
        charts.cjk_font.cache_clear()
