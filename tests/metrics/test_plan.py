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


def run(engine, passes: frozenset[str], by=("court", "division"), as_of=None) -> dict[str, str]:
    return dump(evaluate_profiles(engine, PROFILES, *PERIOD, by=by, compare="yoy", as_of=as_of, passes=passes))


@pytest.fixture(scope="module")
def plain(duck):
    return run(duck, plan.PLAIN)


def alone(name: str) -> frozenset[str]:
    return plan.passes({name, plan.NEEDS.get(name, name)})


@pytest.mark.parametrize("name", plan.PASSES)
def test_each_pass_alone_gives_the_plain_answer(duck, plain, name):
    assert run(duck, alone(name)) == plain


def test_all_passes_give_the_plain_answer(duck, plain):
    assert run(duck, plan.ALL) == plain


@pytest.mark.parametrize("by", [(), ("judge",), ("line",)])
def test_all_passes_other_groupings(duck, by):
    """Ungrouped (one record even where a query has no row), per judge (people roster), per 条线 (a derived
    group column)."""
    assert run(duck, plan.ALL, by=by) == run(duck, plan.PLAIN, by=by)


def test_the_plain_path_is_the_hand_worked_answer(duck):
    """The reference itself is right (the numbers of test_golden, worked out there by hand)."""
    res = evaluate_profiles(duck, PROFILES, *PERIOD, compare="yoy", passes=plan.PLAIN)
    assert res["court-classic"].get("closed").numerator == 14
    ratio = res["spc-2024"].get("case_dispute_ratio")  # C1 C23 (D1), C2 (D2), C3 (D3), C24 (D9), C30 (D10)
    assert (ratio.numerator, ratio.denominator) == (6, 5)


def test_a_misspelt_pass_is_refused():
    with pytest.raises(ValueError, match="unknown planner passes"):
        plan.passes({"preaggregated"})
