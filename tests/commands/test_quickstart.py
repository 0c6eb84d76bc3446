"""The README's main job works end to end on a small demo city (minus the blocking server)."""

import shutil
from datetime import date

from typer.testing import CliRunner

from zhixiao.cli import app


def test_quickstart_builds_reports_and_is_idempotent(tmp_path):
    args = ["quickstart", "--data-dir", str(tmp_path / "data"), "--out", str(tmp_path / "out"),
            "--as-of", "2026-03-31", "--scale", "0.05", "--no-serve"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "新收" in res.output and "结案率" in res.output
    assert "演示账号" in res.output  # the web demo accounts are printed once
    assert "全市法院数据会商" in res.output and "基层平均" in res.output  # the 冀01 city matrix (issue 16)
    docs = sorted(p.name for p in (tmp_path / "out").rglob("*.docx"))  # 正定 and the city, both periods
    assert docs == ["正定县人民法院_2025年_数据会商报告.docx", "正定县人民法院_2026年1—2月_数据会商报告.docx",
                    "河北省石家庄市中级人民法院全市_2025年_数据会商报告.docx",
                    "河北省石家庄市中级人民法院全市_2026年1—2月_数据会商报告.docx"]
    assert len(list((tmp_path / "out").rglob("*.xlsx"))) == len(list((tmp_path / "out").rglob("*.pptx"))) == 4
    if shutil.which("soffice"):
        assert len(list((tmp_path / "out").rglob("*.pdf"))) == 4
    # A second run reuses the store and creates no new alerts.
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "使用已有演示数据" in again.output
    flat = "".join(again.output.split())  # rich wraps long lines at the terminal width
    assert "新增提醒0项、督办0项、约谈0项、问责0项" in flat


def test_quickstart_skips_briefings_after_the_as_of(tmp_path):
    res = CliRunner().invoke(app, ["quickstart", "--data-dir", str(tmp_path / "d"), "--out", str(tmp_path / "o"),
                                   "--as-of", "2025-12-31", "--scale", "0.03", "--no-serve"])
    assert res.exit_code == 0, res.output
    assert f"晚于截止日 {date(2025, 12, 31)}" in res.output
