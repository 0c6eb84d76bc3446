"""``zhixiao casenum`` through the real Typer app."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.errors import UserError

runner = CliRunner()


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_parse_texts_json():
    r = runner.invoke(app, ["casenum", "parse", "（2025）冀0123民初123号", "(2025)冀0123民X1号"])
    assert r.exit_code == 0, r.output
    ok, bad = _json_lines(r.stdout)
    assert ok == {"input": "（2025）冀0123民初123号", "valid": True, "normalized": "(2025)冀0123民初123号", "year": 2025,
                  "court_code": "冀0123", "court_name": "正定县人民法院", "specialized_code": None, "type_code": "民初",
                  "seq": 123, "category": "civil", "stage": "first", "legacy": False, "error": None}
    assert bad["valid"] is False and "民X" in bad["error"] and bad["normalized"] is None


def test_parse_gbk_file_and_csv(tmp_path):
    f = tmp_path / "cases.txt"
    f.write_bytes("(2011)浙甬民一终字第00658号\r\n\r\n(2024)京73民初1号\r\n".encode("gbk"))
    r = runner.invoke(app, ["casenum", "parse", "--file", str(f), "--format", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("输入,有效,规范案号")
    assert "北京知识产权法院" in lines[2] and "民终" in lines[1]


def test_parse_utf8_file_table(tmp_path):
    f = tmp_path / "cases.txt"
    f.write_text("\ufeff(2021)川0104民诉前调801号\n", encoding="utf-8")
    r = runner.invoke(app, ["casenum", "parse", "--file", str(f), "--format", "table"])
    assert r.exit_code == 0, r.output
    assert "民诉前调" in r.stdout


def test_unreadable_file_is_a_user_error(tmp_path):
    r = runner.invoke(app, ["casenum", "parse", "--file", str(tmp_path / "missing.txt")])
    assert isinstance(r.exception, UserError)  # the CLI's main() turns it into exit code 1
    assert "无法读取文件" in str(r.exception) and "missing.txt" in str(r.exception)


def test_no_input_is_a_user_error():
    r = runner.invoke(app, ["casenum", "parse"])
    assert isinstance(r.exception, UserError)


def test_court_and_types():
    r = runner.invoke(app, ["casenum", "court", "冀01", "冀0199", "--format", "json"])
    assert r.exit_code == 0, r.output
    a, b = _json_lines(r.stdout)
    assert a["name"] == "河北省石家庄市中级人民法院" and b["known"] is False
    r = runner.invoke(app, ["casenum", "types", "--format", "json"])
    rows = {d["code"]: d for d in _json_lines(r.stdout)}
    assert rows["执恢"]["stats_excluded"] is True and rows["民初"]["default_procedure"] == "civil_ordinary"


def test_large_input_path_keeps_stdout_clean(monkeypatch, tmp_path):
    import zhixiao.commands.casenum as casenum

    monkeypatch.setattr(casenum, "PROGRESS_FROM", 2)
    f = tmp_path / "many.txt"
    f.write_text("".join(f"(2025)冀0123民初{i}号\n" for i in range(1, 6)), encoding="utf-8")
    r = runner.invoke(app, ["casenum", "parse", "--file", str(f)])
    assert r.exit_code == 0, r.output
    assert [d["seq"] for d in _json_lines(r.stdout)] == [1, 2, 3, 4, 5]
