"""短板弱项 and attribution, worked out by hand on a tiny case set."""

from __future__ import annotations

from datetime import date

import pytest

from tests.analysis._synth import case, write
from zhixiao.analysis.attribution import attribute
from zhixiao.analysis.weak import find_weak, weak_indicators
from zhixiao.engine import connect
from zhixiao.metrics.evaluate import Row

UNITS = [  # 结案率 by division: 40/50, 45/50, 90/100 → court 175/200 = 0.875
    {"unit": "A", "unit_name": "民一庭", "value": 0.8, "numerator": 40, "denominator": 50},
    {"unit": "B", "unit_name": "民二庭", "value": 0.9, "numerator": 45, "denominator": 50},
    {"unit": "C", "unit_name": "执行局", "value": 0.9, "numerator": 90, "denominator": 100},
]


def test_ratio_attribution_by_hand():
    lines = attribute(0.875, 175, 200, UNITS, name="结案率", unit="rate", direction="higher", only_harmful=False)
    # A at the court average: (175 − 40 + 50 × 0.875) / 200 = 178.75 / 200 = 0.89375
    # B: (175 − 45 + 43.75) / 200 = 0.86875;  C: (175 − 90 + 87.5) / 200 = 0.8625
    assert [a.unit for a in lines] == ["A", "B", "C"]
    assert [a.value_without for a in lines] == pytest.approx([0.89375, 0.86875, 0.8625])
    assert [a.harm for a in lines] == pytest.approx([0.01875, -0.00625, -0.0125])
    assert lines[0].impact == pytest.approx(-0.01875)
    assert lines[0].explanation.startswith("民一庭结案率为80.00%（40/50）；若其达到全院平均水平，全院结案率将由87.50%变为89.")
    assert all(a.rank is None for a in lines)  # no ranking unless asked (SPC 2024-09)
    harmful = attribute(0.875, 175, 200, UNITS, name="结案率", unit="rate", direction="higher", rank=True)
    assert [(a.unit, a.rank) for a in harmful] == [("A", 1)]


def test_lower_better_and_complement():
    # 平均审理天数 (lower better): days 600/10 = 60, 200/10 = 20 → court 800/20 = 40
    units = [{"unit": "J1", "value": 60, "numerator": 600, "denominator": 10},
             {"unit": "J2", "value": 20, "numerator": 200, "denominator": 10}]
    lines = attribute(40, 800, 20, units, name="平均审理天数", unit="days", direction="lower")
    # J1 at the average: (800 − 600 + 10 × 40) / 20 = 30 → 10 days better
    assert [(a.unit, a.value_without, a.harm) for a in lines] == [("J1", 30, 10)]
    # 服判息诉率 = 1 − appeals/closed: 20 appeals of 100 and 0 of 100 → court 1 − 20/200 = 0.9
    units = [{"unit": "J1", "value": 0.8, "numerator": 20, "denominator": 100},
             {"unit": "J2", "value": 1.0, "numerator": 0, "denominator": 100}]
    lines = attribute(0.9, 20, 200, units, name="服判息诉率", unit="rate", direction="higher",
                      to_value=lambda raw: 1 - raw)
    # J1 at the average raw 0.1: (20 − 20 + 100 × 0.1) / 200 = 0.05 → value 0.95
    assert [(a.unit, a.value_without) for a in lines] == [("J1", pytest.approx(0.95))]


def test_count_analogue():
    units = [{"unit": "A", "value": 10}, {"unit": "B", "value": 20}, {"unit": "C", "value": 60}]
    lines = attribute(90, 90, None, units, name="未结", unit="count", direction="lower")
    # C at the mean of the units (30): 90 − 60 + 30 = 60 → 30 fewer pending
    assert [(a.unit, a.value_without, a.harm) for a in lines] == [("C", 60, 30)]
    assert "各部门平均数" in lines[0].explanation


def _row(ind, value, rng=None, direction="higher", improved=None, previous=None, unit="rate", court=None):
    return Row(group={"court_code": court} if court else {}, indicator=ind, name=ind, group_name="效率", line="all",
               unit=unit, direction=direction, range=rng, value=value, numerator=None, denominator=None,
               previous=previous, improved=improved)


def test_find_weak_reasons():
    court = [_row("closure_rate", 0.80, (0.93, 1.0), improved=False, previous=0.85),
             _row("clearance_ratio", 1.1, (1.0, 1.5), improved=True, previous=1.0),
             _row("closed", 500, unit="count", improved=True)]
    city = {"closure_rate": _row("closure_rate", 0.88), "clearance_ratio": _row("clearance_ratio", 1.05),
            "closed": _row("closed", 5000, unit="count")}
    peers = [_row("closure_rate", 0.90), _row("closure_rate", 0.86), _row("clearance_ratio", 1.2),
             _row("closed", 9000, unit="count")]
    weak = find_weak(court, city, peers)
    # clearance 1.1 is in range and better than the city but worse than the peers' 1.2;
    # counts are never compared across courts
    assert [w.indicator for w in weak] == ["closure_rate", "clearance_ratio"]
    assert [r.kind for r in weak[0].reasons] == ["out_of_range", "worse_than_city", "worse_than_peers", "worsening"]
    assert weak[0].peers == pytest.approx(0.88)
    assert weak[0].reasons[0].text == "closure_rate80.00%，低于区间（合理区间93.00%～100.00%）"
    assert [r.kind for r in weak[1].reasons] == ["worse_than_peers"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """冀0102: 民一庭 (J1) closes 4 of 10, 民二庭 (J2) 9 of 10 in 2025; in 2024 it closed all 10.
    冀0103 closes all 10 in 2025."""
    rows, seq = [], 0

    def add(court, year, n, closed, judge, div):
        nonlocal seq
        for i in range(n):
            seq += 1
            rows.append(case(court, year, seq, date(year, 2, 1), date(year, 3, 1) if i < closed else None,
                             judge, judge + "名", div))

    add("冀0102", 2025, 10, 4, "J1", "民一庭")
    add("冀0102", 2025, 10, 9, "J2", "民二庭")
    add("冀0102", 2024, 10, 10, "J2", "民二庭")
    add("冀0103", 2025, 10, 10, "K1", "民一庭")
    return connect(write(tmp_path_factory.mktemp("tiny"), rows).root)


def test_weak_indicators_end_to_end(tiny):
    weak = weak_indicators(tiny, "court-classic", date(2025, 1, 1), date(2025, 12, 31), "冀0102",
                           indicators=["closure_rate", "pending"])
    by_id = {w.indicator: w for w in weak}
    cr = by_id["closure_rate"]
    assert (cr.numerator, cr.denominator, cr.value) == (13, 20, pytest.approx(0.65))
    assert cr.city == pytest.approx(23 / 30) and cr.peers == pytest.approx(1.0)
    assert [r.kind for r in cr.reasons] == ["out_of_range", "worse_than_city", "worse_than_peers", "worsening"]
    # 民一庭 at the court average 0.65: (13 − 4 + 10 × 0.65) / 20 = 0.775
    (div,) = cr.attribution["division"]
    assert (div.unit, div.value_without, div.harm) == ("民一庭", pytest.approx(0.775), pytest.approx(0.125))
    assert [a.unit_name for a in cr.attribution["judge"]] == ["J1名"]
    # 未结 7 vs 0 a year earlier: worsening; 民一庭 holds 6 of 7, at the mean (3.5) the court would hold 4.5
    pend = by_id["pending"]
    assert pend.value == 7 and [r.kind for r in pend.reasons] == ["worsening"]
    assert [(a.unit, a.value_without) for a in pend.attribution["division"]] == [("民一庭", 4.5)]
