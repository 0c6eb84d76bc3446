"""``zhixiao info``: courts, table counts, manifest version and recent imports."""

import json

from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.errors import UserError

runner = CliRunner()


def test_info_after_imports(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("案号,立案日期,结案日期,法院名称\n(2025)冀0123民初1号,2025-01-02,2025-02-01,正定县人民法院\n"
                 "(2025)冀0123民初2号,2025-01-03,,正定县人民法院\n(2024)冀0125刑初3号,2024-05-06,,\n", "utf-8")
    d = str(tmp_path / "d")
    assert runner.invoke(app, ["import", str(f), "--data-dir", d, "--snapshot-date", "2025-06-30", "--user", "王"]).exit_code == 0
    r = runner.invoke(app, ["info", "--data-dir", d, "--format", "json"])
    assert r.exit_code == 0, r.output
    facts = json.loads(r.output)
    assert facts["manifest_version"] == 1 and facts["tables"] == {"cases": 3, "case_events": 0, "people": 0}
    assert facts["courts"] == [
        {"court_code": "冀0123", "court_name": "正定县人民法院", "years": [2025], "cases": 2, "pending": 1},
        {"court_code": "冀0125", "court_name": "行唐县人民法院", "years": [2024], "cases": 1, "pending": 1}]  # named from the code
    assert [(i["user"], i["accepted"], i["status"]) for i in facts["imports"]] == [("王", 3, "ok")]
    r = runner.invoke(app, ["info", "--data-dir", d])
    assert r.exit_code == 0 and "正定县人民法院" in r.output and "数据版本：v1" in r.output and "成功" in r.output


def test_info_on_empty_and_missing_dirs(tmp_path):
    r = runner.invoke(app, ["info", "--data-dir", str(tmp_path / "nope")])
    assert isinstance(r.exception, UserError) and "数据目录" in str(r.exception)
    (tmp_path / "empty").mkdir()
    r = runner.invoke(app, ["info", "--data-dir", str(tmp_path / "empty"), "--format", "json"])
    assert r.exit_code == 0
    assert json.loads(r.output)["imports"] == [] and not (tmp_path / "empty" / "ops.sqlite").exists()
