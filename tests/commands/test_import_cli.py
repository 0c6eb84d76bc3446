"""``zhixiao import``: summary, exit codes, JSON output, --mapping/--table/--rejects options."""

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.errors import UserError
from zhixiao.store.cases import CaseStore

runner = CliRunner()
HEADER = "案号,立案日期,结案日期,承办人,标的额\n"


def _csv(path: Path, body: str, encoding: str = "utf-8") -> Path:
    path.write_bytes((HEADER + body).encode(encoding))
    return path


def test_import_summary_and_rejects(tmp_path):
    f = _csv(tmp_path / "导出.csv", "(2025)冀0123民初1号,2025-01-02,,张三,100\n(2025)冀0123民初2号,2025-02-30,,李四,\n", "gbk")
    d = tmp_path / "d"
    r = runner.invoke(app, ["import", str(f), "--data-dir", str(d), "--snapshot-date", "2025-06-30", "--user", "tester"])
    assert r.exit_code == 0, r.output
    assert "导出.csv" in r.output and "已导入" in r.output
    assert "共拒收 1 行（其余 1 行通过校验）" in r.output.replace("\n", "")
    assert CaseStore(d).read("cases").column("case_id").to_pylist() == ["(2025)冀0123民初1号"]
    r = runner.invoke(app, ["import", str(f), "--data-dir", str(d), "--snapshot-date", "2025-06-30"])
    assert r.exit_code == 0 and "已导入过，未作更改" in r.output


def test_import_json(tmp_path):
    f = _csv(tmp_path / "a.csv", "(2025)冀0123民初1号,2025-01-02,,张三,100\n")
    rej = tmp_path / "rej.csv"
    r = runner.invoke(app, ["import", str(f), "--data-dir", str(tmp_path / "d"), "--snapshot-date", "2025-06-30",
                            "--format", "json", "--rejects", str(rej)])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["manifest_version"] == 1 and out["changed"] is True and out["partitions"] == [["冀0123", 2025]]
    assert (out["files"][0]["rows_read"], out["files"][0]["accepted"], out["files"][0]["rejected"]) == (1, 1, 0)
    assert not rej.exists()  # nothing rejected → no report


def test_user_errors(tmp_path):
    d = str(tmp_path / "d")
    f = tmp_path / "x.csv"
    f.write_text("编号,日期\n1,2\n", "utf-8")
    r = runner.invoke(app, ["import", str(f), "--data-dir", d])
    assert isinstance(r.exception, UserError) and "找不到“案号”列。读到的列有：编号、日期" in str(r.exception)
    m = tmp_path / "m.toml"
    m.write_text('[columns]\n编号 = "nonsense"\n', "utf-8")
    r = runner.invoke(app, ["import", str(f), "--data-dir", d, "--mapping", str(m)])
    assert isinstance(r.exception, UserError) and "未知的规范列名" in str(r.exception)
    r = runner.invoke(app, ["import", str(f), "--data-dir", d, "--encoding", "latin1"])
    assert isinstance(r.exception, UserError) and "不支持的编码“latin1”" in str(r.exception)
    r = runner.invoke(app, ["import", str(f), "--data-dir", d, "--table", "judges"])
    assert isinstance(r.exception, UserError) and "--table 的值“judges”无效" in str(r.exception)


def test_mapping_makes_a_custom_header_work(tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("编号,日期\n(2025)冀0123民初9号,2025-01-02\n", "utf-8")
    m = tmp_path / "m.toml"
    m.write_text('[columns]\n编号 = "case_id"\n日期 = "filing_date"\n', "utf-8")
    r = runner.invoke(app, ["import", str(f), "--data-dir", str(tmp_path / "d"), "--mapping", str(m),
                            "--snapshot-date", "2025-06-30"])
    assert r.exit_code == 0, r.output
    assert CaseStore(tmp_path / "d").read("cases").column("case_id").to_pylist() == ["(2025)冀0123民初9号"]


def test_exit_code_1_for_empty_file(tmp_path):
    f = tmp_path / "empty.csv"
    f.write_bytes(b"")
    p = subprocess.run([sys.executable, "-m", "zhixiao.cli", "import", str(f), "--data-dir", str(tmp_path / "d")],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "文件 empty.csv 文件为空" in p.stderr


def test_cases_then_events_through_main(tmp_path):
    """Cases with a rejected row (the rejects file), then events: the 审限 timeline is computed on import."""
    cases = _csv(tmp_path / "cases.csv", "(2025)冀0123民初1号,2025-01-02,,张三,100\n(2025)冀0123民初2号,2025-02-30,,李四,\n", "gbk")
    events = tmp_path / "events.csv"
    events.write_text("案号,事项类型,开始日期,结束日期,延长天数\n(2025)冀0123民初1号,扣除,2025-02-01,2025-02-10,\n", "utf-8")
    d = tmp_path / "d"
    for args in (["import", str(cases)], ["import", str(events), "--table", "case_events"]):
        p = subprocess.run([sys.executable, "-m", "zhixiao.cli", *args, "--data-dir", str(d), "--snapshot-date", "2025-06-30"],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
    store = CaseStore(d)
    assert store.read("cases").column("case_id").to_pylist() == ["(2025)冀0123民初1号"]
    import pyarrow.parquet as pq

    tl = pq.read_table(store.files("cases")[0], columns=["tl_closed_days"]).column(0).to_pylist()
    assert tl == [10]  # 扣除 2025-02-01 … 02-10, both days counted: the timeline was computed (via DuckDB)


def test_events_for_cases_not_in_the_store_are_reported(tmp_path):
    d = tmp_path / "d"
    cases = _csv(tmp_path / "cases.csv", "(2025)冀0123民初1号,2025-01-02,,张三,100\n")
    events = tmp_path / "events.csv"
    events.write_text("案号,事项类型,开始日期,月数\n(2025)冀0123民初1号,延长审限,2025-03-01,3\n"
                      "(2025)冀0123民初7号,延长审限,2025-03-01,3\n(2025)冀0123民初7号,扣除,2025-04-01,\n", "utf-8")
    for args in (["import", str(cases)], ["import", str(events), "--table", "case_events"]):
        r = runner.invoke(app, [*args, "--data-dir", str(d), "--snapshot-date", "2025-06-30"], env={"COLUMNS": "200"})
        assert r.exit_code == 0, r.output
    # two events of one 案号 ((2025)冀0123民初7号) have no case; the event of 民初1号 does
    assert "2 条事项的案号（1 个）不在案件库中，例如 (2025)冀0123民初7号" in r.output.replace("\n", "")
