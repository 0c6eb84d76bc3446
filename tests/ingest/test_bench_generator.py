"""The benchmark's export is drawn from the demo city: GBK, quoted multi-line party lists, blank cells and
exactly its few bad rows, which are the only rejects."""

import re

from typer.testing import CliRunner

from zhixiao.bench.import_ import AS_OF, BAD_ROWS, generate
from zhixiao.cli import app
from zhixiao.config import Settings
from zhixiao.ingest.importer import import_files


def test_generated_export_imports_with_only_its_bad_rows_rejected(tmp_path):
    src = generate(tmp_path / "gen.csv", 2000)
    text = src.read_bytes().decode("gbk")  # really GBK
    assert "，\n" in text and ',"",' in text  # a party list with a line break; a blank cell
    res = import_files([src], Settings(data_dir=tmp_path / "d"), snapshot_date=AS_OF)
    assert (res.report.rows_read, res.report.accepted, res.report.rejected) == (2000, 2000 - len(BAD_ROWS), len(BAD_ROWS))


def test_bench_import_command_prints_all_cores_and_one_core(tmp_path):
    r = CliRunner().invoke(app, ["bench", "import", "--rows", "1500", "--repeat", "1", "--keep", str(tmp_path)],
                           env={"COLUMNS": "220"})
    assert r.exit_code == 0, r.output
    out = r.output.replace("\n", "")
    assert out.count("1,496/4") == 2 and out.count("1,500/–") == 2  # ours: accepted/rejected; pandas: rows read
    assert "单核" in out and re.search(r"各次 / per run：\d+\.\d\d", out)
