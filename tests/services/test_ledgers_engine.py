"""The ledgers' selection in the engine: the latest snapshot of a case is the one judged, and Spark answers
as DuckDB does."""

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from zhixiao.engine import connect
from zhixiao.services import ledgers as L
from zhixiao.store.cases import CaseStore

C = "冀0123"
# case_id, cause, claim, tags, filed, closed, snapshot — the same case twice where its 案由 or amount changed
ROWS = [
    ("(2026)冀0123民初1号", "劳动争议", 5000, [], date(2026, 1, 5), None, date(2026, 1, 31)),
    ("(2026)冀0123民初1号", "买卖合同纠纷", 5000, [], date(2026, 1, 5), None, date(2026, 2, 28)),  # latest: out
    ("(2026)冀0123民初2号", "买卖合同纠纷", 5000, [], date(2026, 1, 6), None, date(2026, 1, 31)),
    ("(2026)冀0123民初2号", "离婚纠纷", 5000, [], date(2026, 1, 6), date(2026, 2, 20), date(2026, 2, 28)),  # in
    ("(2026)冀0123民初3号", "民间借贷纠纷", 100000, [], date(2026, 1, 7), None, date(2026, 1, 31)),
    ("(2026)冀0123民初3号", "民间借贷纠纷", 300000, [], date(2026, 1, 7), None, date(2026, 2, 28)),  # ≥ 20万: out
    ("(2026)冀0123民初4号", "合同纠纷", None, ["民生"], date(2026, 2, 1), None, date(2026, 2, 28)),  # tag, no amount
    ("(2026)冀0123民初5号", "机动车交通事故责任纠纷", 199999.99, [], date(2026, 2, 2), None, None),  # no snapshot
    ("(2026)冀0123民初6号", "离婚纠纷", 1000, [], date(2026, 2, 3), None, None),  # undated: older than any date
    ("(2026)冀0123民初6号", "买卖合同纠纷", 1000, [], date(2026, 2, 3), None, date(2026, 2, 28)),  # latest: out
]


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    root = tmp_path_factory.mktemp("ledgers_engine")
    cols = list(zip(*ROWS, strict=True))
    t = pa.table({
        "case_id": cols[0], "court_code": [C] * len(ROWS), "year": [2026] * len(ROWS), "type_code": ["民初"] * len(ROWS),
        "category": ["civil"] * len(ROWS), "procedure": ["civil_ordinary"] * len(ROWS), "cause": cols[1],
        "claim_amount": pa.array([None if v is None else Decimal(str(v)) for v in cols[2]], pa.decimal128(18, 2)),
        "tags": pa.array(cols[3], pa.list_(pa.string())), "filing_date": cols[4],
        "closing_date": pa.array(cols[5], pa.date32()), "snapshot_date": pa.array(cols[6], pa.date32()),
    })
    with CaseStore(root).transaction() as tx:
        tx.write("cases", t)
    return connect(root)


def test_the_latest_snapshot_is_judged(eng):
    m = L.minsheng_cases(eng, date(2026, 1, 1), date(2026, 3, 31), C)
    # 民初1 is 买卖合同 now, 民初3 claims 30万 now; 民初2 became 离婚, 民初4 is tagged 民生, 民初5 is 0.01 under 20万
    assert [(r["case_id"], r["reason"]) for r in m["cases"]] == [
        ("(2026)冀0123民初2号", "案由为离婚纠纷"), ("(2026)冀0123民初4号", "标记为民生"),
        ("(2026)冀0123民初5号", "案由为机动车交通事故责任纠纷")]
    # received 3, all filed in the period; 民初2 closed 2-20 after 45 days (1-6 → 2-20), the other two pending
    assert (m["received"], m["new_cases"], m["closed"], m["pending"], m["avg_days"]) == (3, 3, 1, 2, 45.0)
    got = L.received_cases(eng, date(2026, 1, 1), date(2026, 3, 31), C, columns=["case_id", "cause"])
    causes = {r["case_id"]: r["cause"] for r in got}
    assert len(got) == 6 and causes["(2026)冀0123民初1号"] == causes["(2026)冀0123民初6号"] == "买卖合同纠纷"


def test_columns_asked_are_the_columns_given(eng):
    m = L.minsheng_cases(eng, date(2026, 1, 1), date(2026, 3, 31), C, columns=["case_id", "judge_name"])
    # the rules' columns (cause, tags) and the figures' (dates, amount) come too, and the reason
    assert set(m["cases"][0]) == {"case_id", "judge_name", "cause", "tags", "filing_date", "closing_date",
                                  "claim_amount", "reason"}


@pytest.mark.spark
def test_spark_matches_duckdb(eng):
    spark = connect(eng.store.root, backend="spark")
    for f in (lambda e: L.minsheng_cases(e, date(2026, 1, 1), date(2026, 3, 31), C),
              lambda e: L.topic_ledgers(e, date(2026, 1, 1), date(2026, 3, 31), C),
              lambda e: L.enforcement_hard(e, date(2026, 3, 31), C)):
        assert f(spark) == f(eng)
