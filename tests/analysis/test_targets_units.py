"""A court's targets shared out to its divisions and judges (``analysis.targets.unit_targets``), by hand."""

from __future__ import annotations

from types import SimpleNamespace

from zhixiao.analysis.targets import _shares, unit_targets


def row(indicator, unit, value, num=None, den=None):
    return SimpleNamespace(indicator=indicator, value=value, numerator=num, denominator=den,
                           group={"division": unit})


TARGETS = [{"indicator": "closure_rate", "value": 0.9}, {"indicator": "avg_days", "value": 70.0},
           {"indicator": "long_pending_12m", "value": 3.0}, {"indicator": "on_time_rate", "value": 0.97}]
ROWS = [
    row("closure_rate", "民一庭", 3 / 6, 3, 6),      # ceil(0.9 × 6 − 3) = ceil(2.4) = 3 more closings
    row("closure_rate", "刑庭", 1.0, 1, 1),          # 100% ≥ 90%: met, 0
    row("closure_rate", "执行局", 1 / 2, 1, 2),      # ceil(1.8 − 1) = 1
    row("closure_rate", None, 0.0, 0, 4),            # no division: not a unit
    row("avg_days", "民一庭", 82.5),                 # 12.50 days above 70
    row("avg_days", "刑庭", 41.0),                   # met
    row("long_pending_12m", "民一庭", 5),            # court excess 5 + 2 + 0 − 3 = 4, shared 5:2 →
    row("long_pending_12m", "执行局", 2),            # 4 × 5/7 = 2.86 → 3, 4 × 2/7 = 1.14 → 1 (largest remainder)
    row("long_pending_12m", "刑庭", 0),
    row("on_time_rate", "执行局", 0.95, 19, 20),     # ceil(0.97 × 20 − 19) = ceil(0.4) = 1
    row("on_time_rate", "刑庭", None, 0, 0),         # no closed case: left out
]


def test_unit_targets_by_hand():
    got = {(u.indicator, u.unit): (u.needed, u.need_unit, u.met) for u in unit_targets(TARGETS, ROWS, "division")}
    assert got == {
        ("closure_rate", "刑庭"): (0, "件", True), ("closure_rate", "执行局"): (1, "件", False),
        ("closure_rate", "民一庭"): (3, "件", False),
        ("avg_days", "刑庭"): (0.0, "天", True), ("avg_days", "民一庭"): (12.5, "天", False),
        ("long_pending_12m", "执行局"): (1, "件", False), ("long_pending_12m", "民一庭"): (3, "件", False),
        ("on_time_rate", "执行局"): (1, "件", False),
    }
    # the units' shares of a count target add up to the court's excess over the target
    assert sum(u.needed for u in unit_targets(TARGETS, ROWS, "division") if u.indicator == "long_pending_12m") == 4


def test_shares_add_up_and_follow_the_weights():
    assert _shares(4, [5, 2]) == [3, 1]
    assert _shares(10, [1, 1, 1]) == [4, 3, 3]  # equal remainders: the first unit first
    assert _shares(0, [3, 1]) == [0, 0] and _shares(5, [0, 0]) == [0, 0]
    assert sum(_shares(7, [3, 2, 2, 1])) == 7


def test_a_target_already_met_needs_nothing():
    rows = [row("long_pending_12m", "民一庭", 1)]
    (u,) = unit_targets([{"indicator": "long_pending_12m", "value": 2.0}], rows, "division")
    assert (u.needed, u.met) == (0, True)
