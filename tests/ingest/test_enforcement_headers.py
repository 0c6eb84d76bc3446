"""The 执行 columns of issue 16 §2 come in under their Chinese and pinyin-initial headers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.ingest._ingest_helpers import write_csv
from zhixiao.config import Settings
from zhixiao.ingest.importer import import_files
from zhixiao.store.cases import CaseStore

CHINESE = ["案号", "立案日期", "结案日期", "结案方式", "申请执行标的额", "执行到位金额", "执行依据案号",
           "执行通知", "限制消费", "财产调查", "立案满三个月", "下落不明已查找"]
PINYIN = ["ah", "larq", "jarq", "jafs", "sqzxbde", "sjzxdwje", "zxyjah", "zxtz", "xzxf", "ccdc", "lamsgy",
          "xlbmycz"]
ROWS = [
    ["(2025)冀0123执1号", "2025-01-15", "2025-05-20", "终结本次执行程序", "300000", "30000", "(2024)冀0123民初9号",
     "是", "是", "是", "是", "是"],
    ["(2025)冀0123执2号", "2025-03-01", "2025-05-30", "终结本次执行程序", "50000", "0", "", "是", "否", "是", "否",
     ""],
    ["(2025)冀0123执恢1号", "2025-03-03", "2025-09-30", "执行完毕", "90000", "90000", "(2024)冀0123执11号",
     "", "", "", "", ""],
]


@pytest.mark.parametrize("header", [CHINESE, PINYIN], ids=["chinese", "pinyin"])
def test_enforcement_headers_map_to_the_new_columns(tmp_path, header):
    s = Settings(data_dir=tmp_path / "store")
    res = import_files([write_csv(tmp_path / "zx.csv", ROWS, header=header)], s, snapshot_date=date(2025, 12, 31))
    f = res.report.files[0]
    assert (f.accepted, f.rejected) == (3, 0)
    rows = {r["case_id"]: r for r in CaseStore(s.data_dir).read("cases").to_pylist()}
    a, b, r = rows["(2025)冀0123执1号"], rows["(2025)冀0123执2号"], rows["(2025)冀0123执恢1号"]
    checks = ("zb_notice", "zb_restriction", "zb_investigation", "zb_three_months", "zb_whereabouts")
    assert [a[c] for c in checks] == [True] * 5
    assert [b[c] for c in checks] == [True, False, True, False, None]  # a blank cell is "no record", not 否
    assert (a["enforcement_applied_amount"], a["enforcement_collected_amount"]) == (Decimal("300000.00"),
                                                                                    Decimal("30000.00"))
    assert a["closing_method"] == "终结本次执行程序"
    assert (r["type_code"], r["origin_case_id"]) == ("执恢", "(2024)冀0123执11号")  # the 恢复执行 link
