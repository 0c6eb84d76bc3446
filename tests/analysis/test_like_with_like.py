"""Comparisons that compare like with like (issue 13 §4) and changes that carry their unit (§5).

Each test reproduces a defect of the old rules: the intermediate court pooled with the basic courts, an
annual 合理区间 judging two months, and changes of 人均结案数 or counts given as bare differences.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.analysis._synth import case, write
from zhixiao.analysis import ranges
from zhixiao.analysis.attribution import attribute
from zhixiao.analysis.compare import summarize
from zhixiao.analysis.peers import peer_group
from zhixiao.analysis.weak import Basis, find_weak, weak_indicators
from zhixiao.engine import connect
from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.evaluate import Row

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def _cases(court: str, n: int, days: int, seq0: int, year: int = 2025) -> list[dict]:
    """``n`` cases filed on 2 Feb and closed ``days`` later."""
    filed = date(year, 2, 2)
    return [case(court, year, seq0 + i, filed, filed + timedelta(days=days), "J" + court[-2:], "法官" + court,
                 "民一庭") for i in range(n)]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """平均审理天数 in 2025: 冀0102 10 cases × 30 days = 30.00; 冀0103 10 × 40 = 40.00; the intermediate court
    冀01 80 cases × 10 days = 10.00 (appeals are quick here: other work, not a peer).

    Old rule (every court pooled): city (300 + 400 + 800) / 100 = 15.00, peers of 冀0102 mean (40 + 10) / 2
    = 25.00 → 冀0102's 30.00 was "worse" than both: a false 短板.
    Like with like: basic courts pooled (300 + 400) / 20 = 35.00, the other basic court 40.00 → 冀0102 is
    better than both: no 短板. 冀0103 (40.00) is worse than both, and 冀01 is compared with no one."""
    rows = _cases("冀0102", 10, 30, 1) + _cases("冀0103", 10, 40, 101) + _cases("冀01", 80, 10, 201)
    return connect(write(tmp_path_factory.mktemp("like"), rows).root)


def test_peer_group_keeps_levels_apart():
    g = peer_group("冀0102", ["冀01", "冀0103", "冀0102", "冀0123"])
    assert (g.level, g.courts, g.others, g.apart) == ("basic", ("冀0102", "冀0103", "冀0123"), ("冀0103", "冀0123"),
                                                      ("冀01",))
    assert (g.label, g.peer_label) == ("全市基层法院", "其他基层法院")
    mid = peer_group("冀01", ["冀01", "冀0102"])
    assert mid.courts == ("冀01",) and not mid.comparable() and mid.apart == ("冀0102",)


def test_intermediate_court_does_not_flip_a_basic_courts_weak_indicator(city):
    weak = weak_indicators(city, "court-classic", *YEAR, "冀0102", compare=None, indicators=["avg_days"])
    assert weak == []  # old code: worse_than_city (15.00) and worse_than_peers (25.00)
    (w,) = weak_indicators(city, "court-classic", *YEAR, "冀0103", compare=None, indicators=["avg_days"])
    assert (w.value, w.city, w.peers) == (40, pytest.approx(35.0), 30)
    assert [(r.kind, r.text, r.courts) for r in w.reasons] == [
        ("worse_than_city", "劣于全市基层法院平均35.00天（2家）", ["冀0102", "冀0103"]),
        ("worse_than_peers", "劣于其他基层法院平均30.00天（1家）", ["冀0102"])]
    assert w.to_dict()["city_courts"] == ["冀0102", "冀0103"] and w.to_dict()["peer_courts"] == ["冀0102"]
    # the intermediate court's own figure stands apart: 10.00 days, compared with no other court
    assert weak_indicators(city, "court-classic", *YEAR, "冀01", compare=None, indicators=["avg_days"]) == []


def _row(ind, value, rng=None, improved=None, previous=None, unit="rate", yoy=None, yoy_unit=None):
    return Row(group={}, indicator=ind, name={"closure_rate": "结案率", "closed_per_judge": "人均结案数",
                                              "pending": "未结"}.get(ind, ind),
               group_name="效率", line="all", unit=unit, direction="higher", range=rng, value=value,
               numerator=None, denominator=None, previous=previous, yoy=yoy, yoy_unit=yoy_unit, improved=improved)


def test_an_annual_range_does_not_judge_two_months():
    catalogue = {i.id: i for i in load_profile("court-classic", date(2026, 2, 28))}
    assert catalogue["closure_rate"].range_period == "year"  # the default: 合理区间 are annual
    two_months = ranges.reference_only(catalogue.values(), date(2026, 1, 1), date(2026, 2, 28))
    assert "closure_rate" in two_months
    assert ranges.reference_only(catalogue.values(), *YEAR) == frozenset()
    row = _row("closure_rate", 0.40, (0.93, 1.0))
    # a 2-month 结案率 of 40% against 93%–100%: shown, not a 短板 (old code: out_of_range)
    assert find_weak([row], reference_only=two_months) == []
    assert ranges.status(row, applies=False) == "reference"
    s = summarize([row], reference_only=two_months)
    assert (s.with_range, s.reference, s.below) == ([], ["closure_rate"], [])
    assert s.sentence() == "本期共评估1项指标，1项的合理区间为年度区间，本期不足一年，仅供参考（结案率）。"
    both = summarize([_row("closure_rate", 0.95, (0.93, 1.0)), _row("x", 0.5, (0.9, 1.0))], reference_only={"x"})
    assert both.sentence() == ("本期共评估2项指标，其中1项设有合理区间，1项处于合理区间，"
                               "另有1项的合理区间为年度区间，本期不足一年，仅供参考（x）。")
    # the same 40% over a calendar year is below the range
    (w,) = find_weak([row])
    assert [r.kind for r in w.reasons] == ["out_of_range"] and w.range_applies


def test_range_period_any_lets_the_definition_judge_a_short_period():
    def ind(id_: str, period: str) -> Indicator:
        return Indicator(id=id_, name=id_, group="效率", line="all", unit="rate", direction="higher",
                         numerator={"set": "closed"}, range=(0.0, 0.0), range_period=period)

    got = ranges.reference_only([ind("long_pending_12m", "any"), ind("closure_rate", "year")],
                                date(2026, 1, 1), date(2026, 2, 28))
    assert got == frozenset({"closure_rate"})
    assert ind("x", "year").range_applies(date(2025, 1, 1), date(2025, 12, 31))
    assert not ind("x", "year").range_applies(date(2025, 1, 1), date(2025, 12, 30))
    assert not ind("x", "year").range_applies(date(2025, 7, 1), date(2026, 6, 30))  # 12 months, not a year


@pytest.fixture(scope="module")
def closures(tmp_path_factory):
    """冀0102: 10 cases filed 2025-03-01, 4 closed 2025-06-01 → 2025 结案率 4/10 = 40%;
    10 filed 2026-01-05, 4 closed 2026-02-10 → 1—2月 受理 6 + 10 = 16, 结案 4 → 25%."""
    rows = []
    for i in range(10):
        rows.append(case("冀0102", 2025, i + 1, date(2025, 3, 1), date(2025, 6, 1) if i < 4 else None))
        rows.append(case("冀0102", 2026, i + 1, date(2026, 1, 5), date(2026, 2, 10) if i < 4 else None))
    root = tmp_path_factory.mktemp("closures")
    return connect(write(root, rows).root), root


def test_closure_rate_weak_over_a_year_not_over_two_months(closures):
    engine, root = closures
    kw = dict(compare=None, indicators=["closure_rate"], attribute_by=())
    (w,) = weak_indicators(engine, "court-classic", *YEAR, "冀0102", **kw)
    assert w.value == pytest.approx(0.4)
    assert [r.text for r in w.reasons] == ["结案率40.00%，低于区间（合理区间93.00%～100.00%）"]
    assert weak_indicators(engine, "court-classic", date(2026, 1, 1), date(2026, 2, 28), "冀0102", **kw) == []
    # a court whose definition allows judging any period (range_period = "any") gets its 短板 back
    (root / "indicators").mkdir()
    (root / "indicators" / "local.toml").write_text(
        '[profile]\nid = "court-classic"\n\n[[override]]\nid = "closure_rate"\nrange_period = "any"\n', "utf-8")
    (w,) = weak_indicators(engine, "court-classic", date(2026, 1, 1), date(2026, 2, 28), "冀0102", **kw)
    assert w.value == pytest.approx(0.25) and w.reasons[0].kind == "out_of_range"


def test_changes_carry_their_unit():
    catalogue = {i.id: i for i in load_profile("court-classic", date(2025, 12, 31))}
    assert ranges.measure(catalogue["closed_per_judge"]) == "件"  # cases ÷ 员额法官: 件 per judge
    assert ranges.measure(catalogue["avg_days"]) == "天" and ranges.measure(catalogue["pending"]) == "件"
    assert ranges.measure(catalogue["closure_rate"]) == ""
    assert ranges.fmt_delta(-1.9, "ratio", "件") == "−1.90件"  # old: "−1.90"
    assert ranges.fmt_delta(3, "count") == "+3件"  # old: "+3.0"
    assert ranges.fmt_delta(4.5, "days") == "+4.50天"
    assert ranges.fmt_delta(-0.0125, "rate") == "−1.25个百分点"
    # 人均结案数 20.69 → 22.59 a year earlier: −1.90件, −8.40% as the evaluator gives it
    row = _row("closed_per_judge", 20.69, improved=False, previous=22.59, unit="ratio", yoy=-8.41, yoy_unit="%")
    (w,) = find_weak([row], measures={"closed_per_judge": "件"})
    assert w.reasons[0].text == "同比趋劣：上年同期22.59件（同比−1.90件，−8.41%）"  # old: "（同比−8.41%）"
    # attribution of 人均结案数: court 60 closed ÷ 3 judges = 20.00; 民一庭 10 ÷ 1 = 10.00, 民二庭 50 ÷ 2 = 25.00.
    # 民一庭 at the court's 20: (60 − 10 + 1 × 20) / 3 = 23.33 → +3.33件 per judge (old text: "（+3.33）")
    (a,) = attribute(20, 60, 3, [{"unit": "民一庭", "value": 10, "numerator": 10, "denominator": 1},
                                 {"unit": "民二庭", "value": 25, "numerator": 50, "denominator": 2}],
                     name="人均结案数", unit="ratio", direction="higher", measure="件")
    assert a.explanation == ("民一庭人均结案数为10.00件（10/1）；若其达到全院平均水平，全院人均结案数将由20.00件变为"
                             "23.33件（+3.33件）。")


def test_basis_of_a_peer_group():
    b = Basis.of(peer_group("冀0102", ["冀01", "冀0102", "冀0103", "冀0104"]), peer_courts=["冀0104", "冀01"])
    # peers narrowed to those of the same level: 冀01 is never a peer of a basic court
    assert b == Basis("全市基层法院", ("冀0102", "冀0103", "冀0104"), "其他基层法院", ("冀0104",))
