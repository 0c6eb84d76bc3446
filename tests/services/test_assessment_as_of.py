"""人员考核 of a quarter still running is measured on the data's as-of date, not at the quarter's end: a figure
"at 12-31" on data of 11-30 would be a forecast. Values worked out by hand from the dates below."""

import json
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.services.assessment import assess, case_metrics, person_metrics, write_xlsx
from zhixiao.services.common import load_rules
from zhixiao.services.ledgers import deadline_status, received_cases
from zhixiao.services.satisfaction import add_rating
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

C = "冀0123"
AS_OF = date(2026, 11, 30)  # the snapshot's date: 2026Q4 is running


def _case(n, judge, filed, closed):
    return {"case_id": f"(2026)冀0123民初{n}号", "court_code": C, "year": filed.year, "type_code": "民初",
            "category": "civil", "stage": "first", "procedure": "civil_ordinary", "filing_date": filed,
            "closing_date": closed, "judge_id": judge, "judge_name": judge, "division": "民一庭", "cause": "合同纠纷",
            "claim_amount": Decimal(1000), "snapshot_date": AS_OF}


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    root = tmp_path_factory.mktemp("assess_as_of")
    rows = [
        # J1. A: pending; 12 months on 2026-12-10 (add_months(2025-12-10, 12)); 审限 6 months → 2026-06-10, passed
        _case(1, "J1", date(2025, 12, 10), None),
        # B: pending; 审限 6 months (民诉法 第152条) → 2026-12-15, a Tuesday: not passed on 11-30, passed on 12-31
        _case(2, "J1", date(2026, 6, 15), None),
        # C: closed 2026-10-20 after 49 days (09-01 → 10-20), inside its 6 months
        _case(3, "J1", date(2026, 9, 1), date(2026, 10, 20)),
        # J2. D: pending since 2025-08-01: 13 months on 2026-09-30, 15 on 2026-11-30
        _case(4, "J2", date(2025, 8, 1), None),
    ]
    people = pa.Table.from_pylist([
        {"judge_id": j, "name": n, "court_code": C, "year": 2026, "division": "民一庭", "post": "员额法官"}
        for j, n in (("J1", "张某"), ("J2", "王某"))])
    with CaseStore(root).transaction() as tx:
        tx.write("cases", pa.Table.from_pylist(rows))
        tx.write("people", people)
    return connect(root)


def _by_judge(pms):
    return {pm.person["judge_id"]: pm for pm in pms}


def test_running_quarter_is_measured_on_the_data_date(eng):
    pms = _by_judge(person_metrics(eng, C, "2026Q4"))  # as-of read from the store: 2026-11-30
    j1 = pms["J1"]
    # A is 11 months pending on 11-30 (12 only on 12-10): none ≥ 12 months. At 12-31 the old code counted 1.
    assert j1.metrics["long_pending_12m"] == 0
    assert j1.measured_to == AS_OF
    # 未结超审限 on 11-30: A (deadline 06-10) only; B's deadline 12-15 has not passed (at 12-31 it would be 2)
    assert j1.metrics["overdue_pending"] == 1
    # received A, B (pending at 10-01) and C (filed before, closed in the quarter); closed C only, 49 days
    assert (j1.metrics["received"], j1.metrics["closed"], j1.metrics["avg_days"]) == (3, 1, 49.0)
    assert j1.metrics["on_time_rate"] == 1.0
    # D: 15 months on 11-30 → 1 either way
    assert pms["J2"].metrics["long_pending_12m"] == 1
    # an explicit as-of of 12-05 moves the date measured to; A still 11 months (12 on 12-10)
    assert person_metrics(eng, C, "2026Q4", as_of=date(2026, 12, 5))[0].measured_to == date(2026, 12, 5)


def test_status_on_the_data_date(eng):
    status = deadline_status(eng, AS_OF, C)
    assert status["(2026)冀0123民初2号"][0] != "超审限"  # B: deadline 12-15, 15 days ahead
    assert status["(2026)冀0123民初1号"][0] == "超审限"  # A: deadline 06-10


def test_finished_quarter_is_unchanged(eng):
    pms = _by_judge(person_metrics(eng, C, "2026Q3"))
    j1 = pms["J1"]
    assert j1.measured_to == date(2026, 9, 30)
    # on 09-30: A 9 months, B 3, C (closed 10-20, after the quarter) pending 0 → none ≥ 12; closed 0 of 3
    assert (j1.metrics["long_pending_12m"], j1.metrics["closed"], j1.metrics["received"]) == (0, 0, 3)
    assert j1.metrics["overdue_pending"] == 1  # A, deadline 06-10
    assert pms["J2"].metrics["long_pending_12m"] == 1  # D: 13 months on 09-30
    # exactly the figures measured at the quarter's end, as before
    start, end = date(2026, 7, 1), date(2026, 9, 30)
    cases = [c for c in received_cases(eng, start, end, C) if c["judge_id"] == "J1"]
    weights = load_rules("assessment")["workload_weights"]
    assert j1.metrics == case_metrics(cases, start, end, deadline_status(eng, end, C), weights)
    sheets = assess(eng, None, C, "2026Q3")
    assert all(s.measured_to == end and s.note == "" for s in sheets)


def test_future_quarter_is_a_user_error(eng):
    with pytest.raises(UserError, match=r"^2027Q1 尚未开始：数据截至 2026-11-30。$"):
        person_metrics(eng, C, "2027Q1")
    with pytest.raises(UserError, match="尚未开始"):
        assess(eng, None, C, "2027q1")


def test_sheets_and_xlsx_say_the_cut(eng, tmp_path):
    sheets = assess(eng, None, C, "2026Q4")
    j1 = next(s for s in sheets if s.person_id == "J1")
    assert j1.note == "本季度尚未结束，统计截至 2026年11月30日"
    assert j1.as_dict()["measured_to"] == AS_OF
    # the 超12个月未结 item: 0 cases in [0, 0] → full 10 points
    item = next(i for i in j1.items if i.key == "long_pending_12m")
    assert (item.value, item.points) == (0, 10)
    wb = load_workbook(write_xlsx(sheets, tmp_path / "q4.xlsx"))
    assert wb["汇总"].cell(row=2, column=1).value == "本季度尚未结束，统计截至 2026年11月30日。"
    assert wb["张某-J1"].cell(row=2, column=1).value == "本季度尚未结束，统计截至 2026年11月30日。"
    wb3 = load_workbook(write_xlsx(assess(eng, None, C, "2026Q3"), tmp_path / "q3.xlsx"))
    assert wb3["汇总"].cell(row=2, column=1).value is None


def test_cli_title_and_json_say_the_cut(eng, tmp_path):
    d = ["--data-dir", str(eng.store.root), "--court", C]
    r = CliRunner().invoke(app, ["assess", *d, "--quarter", "2026Q4", "--out", str(tmp_path / "q.xlsx")])
    assert r.exit_code == 0, r.output
    assert "2026Q4 人员考核（合理区间评分，不排名；本季度尚未结束，统计截至 2026年11月30日）" in r.output.replace("\n", "")
    r = CliRunner().invoke(app, ["assess", *d, "--quarter", "2026Q4", "--format", "json"])
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert {(x["measured_to"], x["note"]) for x in rows} == {("2026-11-30", "本季度尚未结束，统计截至 2026年11月30日")}
    r = CliRunner().invoke(app, ["assess", *d, "--quarter", "2027Q1"])
    assert isinstance(r.exception, UserError) and str(r.exception) == "2027Q1 尚未开始：数据截至 2026-11-30。"


def test_ratings_counted_to_the_same_date(eng, tmp_path):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with Session() as s, s.begin():
        # 11-20: 5 (satisfied, ≥ 4); 12-03: 1 — entered after the data's 11-30, not in a sheet counted to 11-30
        for day, score in ((date(2026, 11, 20), 5), (date(2026, 12, 3), 1)):
            add_rating(s, court_code=C, item="立案", staff_id="J1", rated_on=day, score=score)
    with Session() as s:
        j1 = next(x for x in assess(eng, s, C, "2026Q4") if x.person_id == "J1")
    item = next(i for i in j1.items if i.key == "service_satisfaction")
    assert (item.value, item.points) == (1.0, 5)  # 1 of 1 satisfied → in [90 %, 100 %], full 5 points
