"""The indicator cube answers as the plain path does, cell for cell, for every HEADLINE indicator over
month-aligned periods × filters × groupings — on the hand-made court and on a generated demo city — and a
question it cannot answer exactly goes to the evaluator (and is still right).

Each comparison first asserts that the cube did serve the question (``why_not`` is None): a cube that refused
everything would pass the equality trivially.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import date

import pytest

from zhixiao.aggregates import cube_path, stored_cube
from zhixiao.metrics import cube as cubemod
from zhixiao.metrics import evaluate as ev
from zhixiao.metrics import plan, statements
from zhixiao.metrics.evaluate import _Plan, _select, evaluate
from zhixiao.metrics.filters import Period
from zhixiao.metrics.series import monthly

HEADLINE = ["new_cases", "closed", "pending", "closure_rate", "clearance_ratio", "on_time_rate", "avg_days",
            "long_pending_12m"]
PROFILE = "court-classic"
BASIC, MID = "冀0123", "冀01"
AS_OF = date(2025, 12, 31)  # the hand-made court's as-of date


def make_cube(engine, as_of: date, tmp_path) -> cubemod.Cube:
    inds = _select(engine, PROFILE, as_of, HEADLINE, None)
    path = tmp_path / f"cube_{as_of:%Y%m%d}.parquet"
    meta = stored_cube(path, lambda: cubemod.build(engine, inds, as_of))
    assert meta is not None
    return cubemod.attach(engine, path, meta)


def served(engine, cube, start, end, by, filters) -> str | None:
    inds = _select(engine, PROFILE, end, HEADLINE, None)
    periods = {"cur": Period(start, end, end), "prev": Period(start, end, end).shifted_years(-1)}
    return cube.why_not(_Plan(inds, periods), periods, by, filters)


def dump(res) -> str:
    return json.dumps(res.to_dict(), ensure_ascii=False, sort_keys=True, default=repr)


def both(engine, cube, start, end, by=(), filters=None) -> tuple[str, str]:
    why = served(engine, cube, start, end, by, filters)
    assert why is None, why
    kw = dict(by=by, compare="yoy", filters=filters, indicators=HEADLINE)
    return (dump(evaluate(engine, PROFILE, start, end, cube=cube, **kw)),
            dump(evaluate(engine, PROFILE, start, end, passes=plan.PLAIN, **kw)))


@pytest.fixture(scope="module")
def hand_cube(duck, tmp_path_factory):
    return make_cube(duck, AS_OF, tmp_path_factory.mktemp("cube"))


# 1 January to month ends (本年累计 as the dashboard asks it), single months, a quarter; each with 同比
PERIODS = [(date(2025, 1, 1), date(2025, m, d)) for m, d in ((1, 31), (2, 28), (3, 31), (6, 30), (9, 30), (12, 31))] + [
    (date(2025, 2, 1), date(2025, 2, 28)), (date(2025, 12, 1), date(2025, 12, 31)), (date(2025, 4, 1), date(2025, 6, 30))]
ALL_LEVELS = ("court", "division", "judge")


@pytest.mark.parametrize(("start", "end"), PERIODS, ids=[f"{s:%m%d}-{e:%m%d}" for s, e in PERIODS])
@pytest.mark.parametrize("by", [(), ALL_LEVELS], ids=["ungrouped", "court_division_judge"])
def test_cube_equals_plain_path_on_the_hand_made_court(duck, hand_cube, start, end, by):
    cube_answer, plain_answer = both(duck, hand_cube, start, end, by=by)
    assert cube_answer == plain_answer


FILTERS = [{"court_code": BASIC}, {"court_code": BASIC, "division": "民一庭"}, {"judge_id": "J1"},
           {"court_code": MID, "division": "民二庭"}]


@pytest.mark.parametrize("filters", FILTERS, ids=["court", "court_division", "judge", "mid_division"])
@pytest.mark.parametrize("by", [("division",), ("judge",)])
def test_cube_equals_plain_path_with_filters(duck, hand_cube, filters, by):
    cube_answer, plain_answer = both(duck, hand_cube, date(2025, 1, 1), date(2025, 5, 31), by=by, filters=filters)
    assert cube_answer == plain_answer


def test_a_hand_computed_value_from_the_cube(duck, hand_cube):
    """超12个月未结 at 2025-03-31: pending then and filed before 2024-03-31 — C6 (2023-06-30) and C10 (2021-05-01);
    C8 (2024-03-01) was closed on 2024-12-31, C30 (2024-05-01) is younger. A cut at a month end a year back.
    新收 in 2025 Q1 without the excluded 执保/执恢 (C14, C15): C2 C3 C16 C19 C20 C23 C24 = 7."""
    assert served(duck, hand_cube, date(2025, 1, 1), date(2025, 3, 31), (), None) is None
    res = evaluate(duck, PROFILE, date(2025, 1, 1), date(2025, 3, 31), compare="yoy", indicators=HEADLINE,
                   cube=hand_cube)
    assert res.get("long_pending_12m").value == 2
    assert res.get("new_cases").value == 7


def test_a_period_the_cube_cannot_serve_goes_to_the_engine(duck, hand_cube, monkeypatch):
    """Mid-month (1 January – 15 March): its cuts (16 March) are not cube cuts; the evaluator answers it."""
    start, end = date(2025, 1, 1), date(2025, 3, 15)
    why = served(duck, hand_cube, start, end, (), None)
    assert why is not None and ("filing_date" in why or "closing_date" in why), why
    calls = []
    scanned = ev._scanned
    monkeypatch.setattr(ev, "_scanned", lambda *a, **k: calls.append(1) or scanned(*a, **k))
    got = evaluate(duck, PROFILE, start, end, compare="yoy", indicators=HEADLINE, by=("court",), cube=hand_cube)
    assert calls == [1]
    want = evaluate(duck, PROFILE, start, end, compare="yoy", indicators=HEADLINE, by=("court",), passes=plan.PLAIN)
    assert dump(got) == dump(want)


def test_questions_the_cube_refuses(duck, hand_cube):
    """Each refusal is by the check, with its reason: a grouping, a filter, a distinct count, a later as-of."""
    s, e = date(2025, 1, 1), date(2025, 6, 30)
    assert "grouping" in served(duck, hand_cube, s, e, ("line",), None)
    assert "filter" in served(duck, hand_cube, s, e, (), {"type_code": "民初"})
    assert "after" in served(duck, hand_cube, date(2026, 1, 1), date(2026, 1, 31), (), None)
    inds = _select(duck, "spc-2024", e, None, None)
    periods = {"cur": Period(s, e, e)}
    assert hand_cube.why_not(_Plan(inds, periods), periods, (), None) is not None


def test_the_trend_series_from_the_cube(duck, hand_cube, monkeypatch):
    """收结存 per month with last year's months: the cube's one query gives the scan's numbers."""
    got = monthly(duck, date(2025, 1, 1), date(2025, 12, 31), previous_year=True, cube=hand_cube)
    want = monthly(duck, date(2025, 1, 1), date(2025, 12, 31), previous_year=True)
    assert got == want
    # January 2025: filed C16 C19; closed C1 C17; pending at 31 January C6 C7 C10 C16 C19 C21 C30.
    # January 2024: nothing filed or closed; pending C6 C10 (C29 closed in 2023)
    assert got[0] == {"month": "2025-01", "new_cases": 2, "closed": 2, "pending_end": 7,
                      "new_cases_last_year": 0, "closed_last_year": 0, "pending_end_last_year": 2}


def test_the_cube_is_kept_once_per_key(duck, tmp_path):
    """A second ask reads the stored file (its description travels inside the Parquet file)."""
    built = []
    path = cube_path(tmp_path, 7, ("key",))
    inds = _select(duck, PROFILE, AS_OF, HEADLINE, None)
    meta = stored_cube(path, lambda: built.append(1) or cubemod.build(duck, inds, AS_OF))
    again = stored_cube(path, lambda: built.append(1) or cubemod.build(duck, inds, AS_OF))
    assert built == [1] and meta == again and path.parent.name == "7"


# ── a generated demo city ───────────────────────────────────────────────────────────────────────────
DEMO_AS_OF = date(2025, 11, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from zhixiao.demo.generate import build_city
    from zhixiao.engine import connect

    d = tmp_path_factory.mktemp("demo_cube")
    build_city(d, DEMO_AS_OF, seed=5, scale=0.01, progress=False)
    eng = connect(d)
    return eng, make_cube(eng, DEMO_AS_OF, d)


DEMO_GRID = [
    (date(2025, 1, 1), date(2025, 11, 30), (), None),
    (date(2025, 1, 1), date(2025, 4, 30), ("court",), None),
    (date(2025, 1, 1), date(2025, 7, 31), ("division",), {"court_code": BASIC}),
    (date(2025, 8, 1), date(2025, 8, 31), ("judge",), {"court_code": BASIC}),
    (date(2024, 1, 1), date(2024, 12, 31), ALL_LEVELS, None),
]


@pytest.mark.parametrize(("start", "end", "by", "filters"), DEMO_GRID, ids=[f"{s:%Y%m%d}-{e:%m%d}-{'_'.join(b) or 'all'}"
                                                                            for s, e, b, _f in DEMO_GRID])
def test_cube_equals_plain_path_on_a_generated_city(demo, start, end, by, filters):
    eng, cube = demo
    cube_answer, plain_answer = both(eng, cube, start, end, by=by, filters=filters)
    assert cube_answer == plain_answer


def test_a_column_computed_at_the_as_of_date_is_served_only_at_the_cubes_date(duck, tmp_path, monkeypatch):
    """在办未结（不含中止） reads 中止 on the as-of date: C6 is suspended from 2025-01-01 to 2025-03-01, so on
    2025-02-28 it is pending and not active, on 2025-12-31 pending (filed 2023) and active. A cube built at
    2025-12-31 answers the year (its own date) and refuses February (another date); answering February anyway
    would count C6 once too often."""
    inds = _select(duck, "courtools", AS_OF, ["active_pending"], None)
    path = tmp_path / "active.parquet"
    cube = cubemod.attach(duck, path, stored_cube(path, lambda: cubemod.build(duck, inds, AS_OF)))
    kw = dict(by=("court",), indicators=["active_pending"])

    def why(end):
        periods = {"cur": Period(date(2025, 1, 1), end, end)}
        return cube.why_not(_Plan(inds, periods), periods, ("court",), None)

    def value(end, **how):
        return evaluate(duck, "courtools", date(2025, 1, 1), end, **how, **kw).get("active_pending", court_code=BASIC).value

    assert why(AS_OF) is None
    assert value(AS_OF, cube=cube) == value(AS_OF, passes=plan.PLAIN)
    feb = date(2025, 2, 28)
    assert "_suspended" in why(feb)
    assert value(feb, cube=cube) == value(feb, passes=plan.PLAIN)
    monkeypatch.setattr(cubemod.Cube, "_as_of", lambda self, plan, asked: None)  # the check left out
    assert value(feb, cube=cube) == value(feb, passes=plan.PLAIN) + 1


# ── kept statements: one compile per question shape, the filter values bound as parameters ──────────────────
Q1 = (date(2025, 1, 1), date(2025, 3, 31))


@pytest.fixture
def compiles(monkeypatch):
    """The shapes compiled from here on (the kept statements emptied first)."""
    monkeypatch.setattr(statements, "_KEPT", OrderedDict())
    seen: list[tuple] = []
    real = statements.compile_over
    monkeypatch.setattr(statements, "compile_over", lambda t, q, shaped, names=(): seen.append(shaped[0])
                        or real(t, q, shaped, names))
    return seen


def test_one_compile_serves_every_court(duck, hand_cube, compiles):
    """新收 in 2025 Q1 without 执保/执恢/诉前调 (C11 C12 C14 C15 left out): 冀0123 C2 C3 C16 C19 C20 = 5,
    冀01 C23 C24 = 2, both courts 7, 民一庭 of 冀0123 C2 C3 = 2. The two courts share one statement (their
    codes are its parameter), so the second court's answer is its own, not the first's."""
    def new_cases(f):
        assert served(duck, hand_cube, *Q1, (), f) is None
        return evaluate(duck, PROFILE, *Q1, compare="yoy", filters=f, indicators=HEADLINE, cube=hand_cube
                        ).get("new_cases").value

    assert new_cases({"court_code": BASIC}) == 5
    assert new_cases({"court_code": MID}) == 2
    assert compiles == [(("court_code", "eq"),)]
    assert new_cases({"court_code": [BASIC, MID]}) == 7
    assert new_cases({"court_code": [MID]}) == 2
    assert new_cases({"court_code": BASIC, "division": "民一庭"}) == 2
    assert new_cases({"court_code": MID, "division": "民一庭"}) == 0
    assert compiles == [(("court_code", "eq"),), (("court_code", 2),), (("court_code", 1),),
                        (("court_code", "eq"), ("division", "eq"))]


def test_one_compile_serves_every_period_of_a_shape(duck, hand_cube, compiles):
    """The same scope over Q1 and then H1 shares one statement, each answer bound to its own dates. 新收 of 冀0123:
    5, then 6 (C4 filed 10 June; C11 诉前调书, C12/C13 民诉前调 excluded). 超12个月未结 (pending at the as-of date and
    filed before it − 12 months): at 31 March C6 (filed 2023-06-30) and C10 (2021-05-01) = 2 — C30 (2024-05-01) is
    younger; at 30 June C6, C10 and C30 (filed before 2024-06-30, closed only on 2025-12-31) = 3, so the as-of − 12
    months cut is a parameter too. 同比 (2024 Q1): 新收 C8 (filed 1 March 2024) = 1. Without 同比 (one period) the question has another shape: a second compile."""
    f = {"court_code": BASIC}
    q1 = evaluate(duck, PROFILE, *Q1, compare="yoy", filters=f, indicators=HEADLINE, cube=hand_cube)
    h1 = evaluate(duck, PROFILE, date(2025, 1, 1), date(2025, 6, 30), compare="yoy", filters=f, indicators=HEADLINE,
                  cube=hand_cube)
    assert (q1.get("new_cases").value, h1.get("new_cases").value) == (5, 6)
    assert (q1.get("long_pending_12m").value, h1.get("long_pending_12m").value) == (2, 3)
    assert q1.get("new_cases").previous == 1
    assert len(compiles) == 1
    one = evaluate(duck, PROFILE, date(2025, 1, 1), date(2025, 6, 30), filters=f, indicators=HEADLINE, cube=hand_cube)
    assert one.get("new_cases").value == 6
    assert len(compiles) == 2


ODD_FILTERS = [{"court_code": []}, {"court_code": [BASIC]}, {"court_code": (MID, BASIC)}, {"judge_id": None},
               {"court_code": BASIC, "judge_id": None}, {"division": "没有这个庭"}]


@pytest.mark.parametrize("filters", ODD_FILTERS, ids=["empty_list", "list_of_one", "tuple", "null", "court_null",
                                                      "no_match"])
@pytest.mark.parametrize("by", [(), ("judge",)], ids=["ungrouped", "judge"])
def test_filter_values_as_parameters_select_what_apply_filters_selects(duck, hand_cube, filters, by):
    """A list is IN its values (none: no row), None is IS NULL (C12 C13 C29 have no judge), as
    ``grouping.apply_filters`` compiles them for the plain path."""
    cube_answer, plain_answer = both(duck, hand_cube, *Q1, by=by, filters=filters)
    assert cube_answer == plain_answer
