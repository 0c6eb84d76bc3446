"""Every planner pass gives the plain compile path's answer, cell for cell, on the hand-made court (30 cases
that reach each pass: empty groups, 原审 links, 纠纷编号, 审限 columns, 中止, decimal sums).

A pass is tested on its own (only the pass it refines besides) and all together, for both shipped catalogues
at once (``evaluate_profiles`` shares their aggregates, as the briefing does)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from zhixiao.metrics import plan
from zhixiao.metrics.evaluate import evaluate_profiles

PROFILES = ["court-classic", "spc-2024"]
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))


def dump(results: dict) -> dict[str, str]:
    return {p: json.dumps(r.to_dict(), ensure_ascii=False, sort_keys=True, default=repr) for p, r in results.items()}


def run(engine, passes: frozenset[str], by=("court", "division"), period=PERIOD) -> dict[str, str]:
    return dump(evaluate_profiles(engine, PROFILES, *period, by=by, compare="yoy", passes=passes))


@pytest.fixture(scope="module")
def plain(duck):
    """The plain path's answer per grouping, computed once."""
    cache: dict[tuple, dict[str, str]] = {}
    return lambda by: cache.setdefault(by, run(duck, plan.PLAIN, by=by))


def alone(name: str) -> frozenset[str]:
    return plan.passes({name, plan.NEEDS.get(name, name)})


# each pass per court and division (empty groups: 立案庭 has only a case closed in 2023); the distinct counts
# also ungrouped (one record even where a query has no row; 案件比 counts 6 cases of 5 disputes only here, D1
# being in both courts)
CASES_RUN = [(name, ("court", "division")) for name in plan.PASSES] + [(n, ()) for n in ("distinct", "hash", "paired")]
GROUPINGS = [("court", "division"), ()]


@pytest.mark.parametrize(("name", "by"), CASES_RUN, ids=[f"{n}-{'_'.join(b) or 'ungrouped'}" for n, b in CASES_RUN])
def test_each_pass_alone_gives_the_plain_answer(duck, plain, name, by):
    assert run(duck, alone(name), by=by) == plain(by)


@pytest.mark.parametrize("by", GROUPINGS, ids=["court_division", "ungrouped"])
def test_all_passes_give_the_plain_answer(duck, plain, by):
    assert run(duck, plan.ALL, by=by) == plain(by)


@pytest.mark.parametrize("by", [("judge",), ("line",)])
def test_all_passes_other_groupings(duck, plain, by):
    """Per judge (people roster), per 条线 (a derived group column)."""
    assert run(duck, plan.ALL, by=by) == plain(by)


@pytest.mark.parametrize("name", ["origin", "rows", "preaggregate"])
def test_passes_with_the_fixture_as_the_previous_year(duck, name):
    """2026 against 2025: the 同比 side carries the fixture's 原审 links (C23 → C1, C28 → C16), so a pass that
    looks at the current period only is caught."""
    period = (date(2026, 1, 1), date(2026, 12, 31))
    res = evaluate_profiles(duck, PROFILES, *period, by=("court", "division"), compare="yoy", passes=plan.PLAIN)
    assert res["court-classic"].get("reversal_rate", court_code="冀0123", division="民一庭").previous  # C23 → C1
    assert run(duck, alone(name), period=period) == dump(res)


def test_the_plain_path_is_the_hand_worked_answer(duck):
    """The reference itself is right (the numbers of test_golden, worked out there by hand)."""
    res = evaluate_profiles(duck, PROFILES, *PERIOD, compare="yoy", passes=plan.PLAIN)
    assert res["court-classic"].get("closed").numerator == 14
    ratio = res["spc-2024"].get("case_dispute_ratio")  # C1 C23 (D1), C2 (D2), C3 (D3), C24 (D9), C30 (D10)
    assert (ratio.numerator, ratio.denominator) == (6, 5)


def test_a_misspelt_pass_is_refused():
    with pytest.raises(ValueError, match="unknown planner passes"):
        plan.passes({"preaggregated"})
