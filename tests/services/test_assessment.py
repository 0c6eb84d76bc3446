"""Staff assessment: scores worked out by hand from assessment.toml; reasons for every point; .xlsx."""

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.services.assessment import assess, score_indicator, write_xlsx
from zhixiao.services.satisfaction import add_rating
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

C = "冀0123"


def _case(i, proc, filed, closed):
    return {"case_id": f"(2026)冀0123民初{i}号", "court_code": C, "year": 2026, "type_code": "民初", "category": "civil",
            "procedure": proc, "filing_date": filed, "closing_date": closed, "judge_id": "J1", "judge_name": "张某",
            "division": "民一庭", "cause": "合同纠纷", "claim_amount": Decimal(1000)}


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    root = tmp_path_factory.mktemp("assess")
    rows = [_case(i, "civil_ordinary", date(2026, 1, 5), date(2026, 2, 4)) for i in range(1, 11)]  # 30 days each
    rows += [_case(i, "civil_small_claims", date(2026, 1, 10), date(2026, 1, 30)) for i in range(11, 15)]  # 20 days
    rows += [_case(15, "civil_small_claims", date(2025, 12, 1), date(2026, 3, 10))]  # 99 days, past the 2-month limit
    rows += [_case(i, "civil_ordinary", date(2026, 3, 1), None) for i in (16, 17)]
    rows += [_case(18, "civil_ordinary", date(2024, 12, 1), None)]  # pending 15 months at 3-31
    rows += [{**_case(19, "civil_ordinary", date(2026, 1, 5), date(2026, 2, 4)), "judge_id": "J9", "division": "民二庭"}]
    t = pa.Table.from_pylist(rows)
    people = pa.Table.from_pylist([
        {"judge_id": "J1", "name": "张某", "court_code": C, "year": 2026, "division": "民一庭", "post": "员额法官",
         "active_to": None},
        {"judge_id": "A1", "name": "钱助理", "court_code": C, "year": 2026, "division": "民一庭", "post": "法官助理"},
        {"judge_id": "A2", "name": "孙助理", "court_code": C, "year": 2026, "division": "民一庭", "post": "法官助理"},
        {"judge_id": "C1", "name": "李书记员", "court_code": C, "year": 2026, "division": "民一庭", "post": "书记员"},
        {"judge_id": "L1", "name": "王院长", "court_code": C, "year": 2026, "division": "院领导", "post": "院领导"},
        {"judge_id": "J8", "name": "离任者", "court_code": C, "year": 2026, "division": "民一庭", "post": "员额法官",
         "active_to": date(2025, 12, 31)},
    ])
    with CaseStore(root).transaction() as tx:
        tx.write("cases", t)
        tx.write("people", people)
    return connect(root)


def _ratings(Session):
    with Session() as s, s.begin():
        for sid, scores in (("J1", [5, 5, 4, 2]), ("C1", [5, 4, 3])):
            for k, sc in enumerate(scores):
                add_rating(s, court_code=C, item="立案", staff_id=sid, rated_on=date(2026, 2, 2) + timedelta(days=k),
                           score=sc)


def test_scores_worked_by_hand(eng, tmp_path):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    _ratings(Session)
    with Session() as s:
        sheets = {x.person_id: x for x in assess(eng, s, C, "2026Q1")}
    assert set(sheets) == {"J1", "A1", "A2", "C1"}  # 院领导 not assessed here, 离任者 inactive
    j = {i.key: i for i in sheets["J1"].items}
    # workload: 10 民初×1.0 + 5 小额×0.5 = 12.5 weighted; 40 × 12.5 / 45 = 11.11
    assert (j["workload"].value, j["workload"].points) == (12.5, 11.11)
    assert "民初·民事一审普通程序 10件×1 + 民初·小额诉讼程序 5件×0.5" in j["workload"].reason
    # received 18 (15 closed + 3 pending), closed 15 → 83.3 % in [60 %, 100 %] → 15
    assert j["closure_rate"].value == pytest.approx(15 / 18) and j["closure_rate"].points == 15
    # on time 14 of 15 → 93.33 %, 1.667 pp below 95 % × 2 = 3.33 → 16.67
    assert j["on_time_rate"].points == 16.67
    assert j["on_time_rate"].reason == ("审限内结案率 93.3% 低于下限（区间 95.0%–100.0%），差 1.667 个百分点 × 2 分 = "
                                        "扣 3.33 分，得 16.67 分")
    # avg days (10×30 + 4×20 + 99) / 15 = 31.9 in [0, 90] → 10
    assert (j["avg_days"].value, j["avg_days"].points) == (31.9, 10)
    # one case pending ≥ 12 months: 1 × 5 → 5
    assert (j["long_pending_12m"].value, j["long_pending_12m"].points) == (1, 5)
    # ratings 5, 5, 4, 2 → 75 %: 15 pp × 0.5 = 7.5 > 5 → 0
    assert (j["service_satisfaction"].value, j["service_satisfaction"].points) == (0.75, 0)
    assert sheets["J1"].total == pytest.approx(11.11 + 15 + 16.67 + 10 + 5 + 0)
    a = {i.key: i for i in sheets["A1"].items}
    # division workload 12.5 shared by 2 assistants = 6.25; 50 × 6.25 / 40 = 7.81; on time 25 − 3.33 = 21.67
    assert (a["workload"].points, a["on_time_rate"].points, a["closure_rate"].points) == (7.81, 21.67, 15)
    assert a["service_satisfaction"].reason == "诉讼服务满意率无可计算数据，不扣分，得 10 分"
    assert sheets["A1"].total == pytest.approx(7.81 + 21.67 + 15 + 10)
    c = {i.key: i for i in sheets["C1"].items}
    # 60 × 12.5 / 40 = 18.75; satisfaction 2/3 → 23.3 pp × 1 > 20 → 0
    assert (c["workload"].points, c["closure_rate"].points, c["service_satisfaction"].points) == (18.75, 20, 0)
    out = write_xlsx(list(sheets.values()), tmp_path / "q.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "汇总" and "张某-J1" in wb.sheetnames
    ws = wb["张某-J1"]
    reasons = [ws.cell(row=r, column=5).value for r in range(4, 10)]
    assert all(reasons) and reasons[2].startswith("审限内结案率 93.3%")


def test_indicator_above_range_and_bad_quarter(eng):
    it = score_indicator({"key": "avg_days", "name": "平均审理天数", "kind": "days", "points": 10, "range": [0, 90],
                          "deduct": 0.2}, 120.0)
    assert (it.points, it.reason) == (4.0, "平均审理天数 120天 高于上限（区间 0天–90天），差 30 天 × 0.2 分 = 扣 6 分，得 4 分")
    with pytest.raises(UserError, match="季度“2026-3”格式不正确"):
        assess(eng, None, C, "2026-3")
    with pytest.raises(UserError, match="没有在岗的员额法官"):
        assess(eng, None, "冀9999", "2026Q1")
