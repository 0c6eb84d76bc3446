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
