"""A case list reads the 审限 columns from a stored 审限 table (joined by case id) only where they equal the
evaluator's, and then lists exactly the cases of the figure — the same ids as the list that builds the 审限
expression itself."""

from __future__ import annotations

from datetime import date

import pytest

from tests.metrics.conftest import BASIC, END, START
from zhixiao.deadlines import COMPUTED, deadline_table
from zhixiao.metrics.catalogue import get
from zhixiao.metrics.drill import StoredDeadlines, _stored_deadlines, case_list
from zhixiao.metrics.evaluate import evaluate
from zhixiao.metrics.filters import Period

QUESTIONS = [("closed", "numerator"), ("new_cases", "numerator"), ("pending", "numerator"),
             ("on_time_rate", "numerator"), ("on_time_rate", "denominator"), ("on_time_rate", "excluded")]


def _stored(duck, at: date, same=frozenset(COMPUTED)) -> tuple[StoredDeadlines, list]:
    used: list[date] = []

    def table():
        used.append(at)
        return deadline_table(duck, at)
    return StoredDeadlines(table, at, same), used


@pytest.mark.parametrize("at", [END, date(2026, 3, 31)])  # the question's own date; the data's, later
@pytest.mark.parametrize("group", [{}, {"court_code": BASIC, "division": "民一庭"}, {"month": "2025-06"}])
def test_stored_list_equals_the_figure_and_the_built_list(duck, at, group):
    stored, used = _stored(duck, at)
    by = ("month",) if "month" in group else ("division",) if group else ()
    res = evaluate(duck, "court-classic", START, END, indicators=["closed", "new_cases", "pending", "on_time_rate"],
                   by=by, filters={"court_code": BASIC} if "court_code" in group else None)
    rows = {r.indicator: r for r in res.rows if all(r.group.get(k) == group[k] for k in by)}
    for ind, part in QUESTIONS:
        new = case_list(duck, ind, "court-classic", START, END, group, part=part, deadlines=stored)
        old = case_list(duck, ind, "court-classic", START, END, group, part=part)
        assert list(new.case_id) == list(old.case_id), (ind, part)
        assert new.drop(columns=["case_id"]).equals(old.drop(columns=["case_id"])), (ind, part)
        if part != "excluded":
            row = rows[ind]
            figure = row.value if row.unit == "count" else getattr(row, part)
            assert len(new) == figure, (ind, part, group)
    # only on_time_rate reads 审限 columns: three parts, each read from the stored table
    assert len(used) == 3


def test_the_whole_year_is_the_hand_counted_figure(duck):
    stored, used = _stored(duck, date(2026, 3, 31))
    num = case_list(duck, "on_time_rate", "court-classic", START, END, {}, deadlines=stored)
    den = case_list(duck, "on_time_rate", "court-classic", START, END, {}, part="denominator", deadlines=stored)
    # 14 closed with a limit; late: C24 (civil_second_ruling, 30-day limit, 61 days) and C30 (civil_ordinary, 609)
    assert (len(num), len(den)) == (12, 14)
    assert set(den.case_id) - set(num.case_id) == {"C24", "C30"}
    assert len(used) == 2


def test_the_stored_table_is_refused_where_it_could_differ(duck):
    ind = get("on_time_rate", "court-classic", END)
    later = date(2026, 3, 31)
    calls: list[int] = []
    stored = StoredDeadlines(lambda: calls.append(1) or "table", later, frozenset(COMPUTED))
    closed = Period(START, END, END)
    assert _stored_deadlines(ind, ind.numerator, closed, ["no_limit", "closed_within_limit"], stored) == "table"
    # a pending set at an earlier date: 审限内结案 (and the status) move with the date until the case is closed
    pending = {"set": "pending", "where": [{"col": "deadline.closed_within_limit", "eq": True}]}
    assert _stored_deadlines(ind, pending, closed, ["closed_within_limit"], stored) is None
    assert _stored_deadlines(ind, ind.numerator, closed, ["status"], stored) is None
    # a period ending after the stored table's date
    assert _stored_deadlines(ind, ind.numerator, Period(START, date(2026, 6, 30), date(2026, 6, 30)),
                             ["closed_within_limit"], stored) is None
    # a column the stored table computes otherwise (another 临近 share): never, not even at the same date
    other = StoredDeadlines(stored.table, END, frozenset(COMPUTED) - {"status"})
    assert _stored_deadlines(ind, pending, closed, ["status"], other) is None
    assert _stored_deadlines(ind, pending, closed, ["closed_within_limit"], other) == "table"
    assert len(calls) == 2
