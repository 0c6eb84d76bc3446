"""The benchmark's synthetic GBK export is valid court data: every row imports (no rejects)."""

from datetime import date

from zhixiao.bench.import_ import generate
from zhixiao.config import Settings
from zhixiao.ingest.importer import import_files
from zhixiao.store.cases import CaseStore


def test_generated_export_imports_cleanly(tmp_path):
    src = generate(tmp_path / "gen.csv", 2000)
    src.read_bytes().decode("gbk")  # really GBK
    res = import_files([src], Settings(data_dir=tmp_path / "d"), snapshot_date=date(2025, 6, 30))
    assert (res.report.rows_read, res.report.accepted, res.report.rejected) == (2000, 2000, 0)
    t = CaseStore(tmp_path / "d").read("cases")
    assert t.num_rows == 2000
    assert set(t.column("procedure").to_pylist()) >= {"civil_simplified", "civil_ordinary", "enforcement"}


def test_bench_import_command_reports_medians(tmp_path):
    """The command end to end at a small size: both sides import every row, in alternating runs."""
    import re

    from typer.testing import CliRunner

    from zhixiao.cli import app

    r = CliRunner().invoke(app, ["bench", "import", "--rows", "3000", "--repeat", "2", "--keep", str(tmp_path)])
    assert r.exit_code == 0, r.output
    out = r.output.replace("\n", "")
    assert "3,000/0" in out and "3,000/–" in out  # ours: accepted/rejected; pandas: rows read
    assert re.search(r"各次 / per run：\d+\.\d\d、\d+\.\d\d", out)
    assert (tmp_path / "store" / "manifest.json").is_file()
