"""The court's calendar override file reaches every 审限 figure through the engine (not only the daily job)."""

from datetime import date

import pyarrow as pa

from zhixiao.deadlines import deadline_table
from zhixiao.engine import connect
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore


def _store(root):
    # 简易程序 3个月 (CPL art 164): filed 2025-03-03 → base 2025-06-03 (Tue, a working day); closed 06-04.
    case = {"case_id": "(2025)冀0123民初1号", "court_code": "冀0123", "year": 2025, "type_code": "民初",
            "category": "civil", "stage": "first", "procedure": "civil_simplified",
            "filing_date": date(2025, 3, 3), "closing_date": date(2025, 6, 4), "closing_method": "判决"}
    with CaseStore(root).transaction() as tx:
        tx.write("cases", pa.Table.from_pylist([case]))


def _within(root) -> tuple[bool, date]:
    (row,) = deadline_table(connect(root), date(2025, 12, 31)).to_pyarrow().to_pylist()
    return row["closed_within_limit"], row["deadline"]


def test_override_closure_moves_the_deadline_and_the_indicator(tmp_path):
    _store(tmp_path)
    assert _within(tmp_path) == (False, date(2025, 6, 3))
    # The court was closed on 06-03 (e.g. a local emergency): the period ends on the next working day.
    (tmp_path / "calendar_overrides.toml").write_text('[[closure]]\ndate = "2025-06-03"\nname = "闭院"\n', "utf-8")
    assert _within(tmp_path) == (True, date(2025, 6, 4))
    res = evaluate(connect(tmp_path), "court-classic", date(2025, 1, 1), date(2025, 12, 31),
                   indicators=["on_time_rate"])
    assert [(r.numerator, r.denominator, r.value) for r in res.rows] == [(1, 1, 1.0)]
