"""The demo module's court export (GBK, Chinese headers) imports back to the same rows."""

from datetime import date

from tests.ingest._ingest_helpers import write_csv
from zhixiao.config import Settings
from zhixiao.demo.export import export_court_csv
from zhixiao.ingest.importer import import_files
from zhixiao.store.cases import CaseStore

HEADER = ["案号", "立案日期", "结案日期", "结案方式", "承办人", "承办部门", "案由", "适用程序", "标的额", "原审案号",
          "二审结果", "是否开庭", "当事人", "标签"]


def test_export_then_import_is_lossless(tmp_path):
    rows = [
        ["(2025)冀0123民初1号", "2025-01-02", "2025-03-04", "判决", "张三", "民一庭", "买卖合同纠纷", "简易程序", "1234.5", "",
         "", "是", "甲；乙", "涉外、自贸区"],
        ["(2025)冀0123刑初2号", "2025-01-05", "", "", "李四", "刑庭", "盗窃罪", "速裁程序", "", "", "", "否", "丙", ""],
        ["(2024)冀0123执9号", "2024-11-05", "2025-02-01", "终结本次执行程序", "王五", "执行局", "申请执行人执行", "", "88000",
         "(2024)冀0123民初7号", "", "", "丁", ""],
    ]
    first = Settings(data_dir=tmp_path / "a")
    import_files([write_csv(tmp_path / "in.csv", rows, header=HEADER)], first, snapshot_date=date(2025, 6, 30))
    out = tmp_path / "export.csv"
    assert export_court_csv(first.data_dir, out, "冀0123") == 3
    second = Settings(data_dir=tmp_path / "b")
    res = import_files([out], second)
    assert (res.report.accepted, res.report.rejected) == (3, 0)
    a = sorted(CaseStore(first.data_dir).read("cases").to_pylist(), key=lambda r: r["case_id"])
    b = sorted(CaseStore(second.data_dir).read("cases").to_pylist(), key=lambda r: r["case_id"])
    assert a == b
    assert a[0]["tags"] == [] and a[2]["tags"] == ["涉外", "自贸区"]
