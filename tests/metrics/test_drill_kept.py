"""Case lists through kept statements (``metrics.statements``): the scopes of one figure share one compiled
statement with their values as parameters, each list is its own scope's, and the frame is the one the ibis
expression gives (dtypes, nulls, dates)."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

import pandas as pd
import pytest

from tests.metrics.conftest import BASIC, END, MID, START
from zhixiao.metrics import statements
from zhixiao.metrics.drill import case_list


@pytest.fixture
def compiles(monkeypatch):
    """The filter shapes compiled from here on (the kept statements emptied first)."""
    monkeypatch.setattr(statements, "_KEPT", OrderedDict())
    seen: list[tuple] = []
    real = statements.compile_over
    monkeypatch.setattr(statements, "compile_over", lambda t, q, shaped, names=(): seen.append(shaped)
                        or real(t, q, shaped, names))
    return seen


def test_two_divisions_share_one_statement(duck, compiles):
    """结案 in 2025 without 执保/执恢/诉前调: 冀0123 民一庭 C1 (20 Jan) C2 C3 C4 C30 (31 Dec) — C8 closed 2024, C9 in
    2026, C11 is a 诉前调书; 冀01 民二庭 C23 C24 C25 C28 — C26 closed 2024. One compile for both scopes."""
    civil = case_list(duck, "closed", "court-classic", START, END, {"court_code": BASIC, "division": "民一庭"})
    second = case_list(duck, "closed", "court-classic", START, END, {"court_code": MID, "division": "民二庭"})
    assert list(civil.case_id) == ["C1", "C2", "C3", "C30", "C4"]
    assert list(second.case_id) == ["C23", "C24", "C25", "C28"]
    assert compiles == [((), (("court_code", "eq"), ("division", "eq")))]


def test_one_statement_serves_every_period(duck, compiles):
    """结案 of 冀0123 民一庭 without 诉前调书 (C11, closed 2 April): 2025 H1 C1 (20 Jan) C2 (3 Mar); Q3 C4 (10 Jul)
    C3 (29 Aug); 2024 C8 (31 Dec). 未结 at 31 March 2025: C6 C7 C10, C3 (filed 1 March, closed 29 Aug) and C30 (closed
    31 Dec); C5 and C4 are filed later, C1 and C2 closed by then — the as-of date is a parameter as well. One compile per list, every period bound to its own dates."""
    civil = {"court_code": BASIC, "division": "民一庭"}
    closed = [list(case_list(duck, "closed", "court-classic", s, e, civil).case_id) for s, e in (
        (date(2025, 1, 1), date(2025, 6, 30)), (date(2025, 7, 1), date(2025, 9, 30)), (date(2024, 1, 1), date(2024, 12, 31)))]
    assert closed == [["C1", "C2"], ["C3", "C4"], ["C8"]]
    assert len(compiles) == 1
    pending = case_list(duck, "pending", "court-classic", date(2025, 1, 1), date(2025, 3, 31), civil)
    assert list(pending.case_id) == ["C10", "C3", "C30", "C6", "C7"]
    assert len(compiles) == 2


@pytest.mark.parametrize(("ind", "part", "group"), [
    ("closed", "numerator", {"court_code": BASIC}),
    ("pending", "numerator", {"court_code": BASIC}),  # open cases: null closing dates and methods
    ("new_cases", "numerator", {"division": ["民一庭", "刑庭"]}),
    ("new_cases", "numerator", {"judge_id": None}),  # C12 C13 filed in 2025 with no judge (excluded: 民诉前调)
    ("closure_rate", "denominator", {"court_code": []}),
], ids=["closed", "pending_nulls", "list", "null", "empty_list"])
def test_a_kept_list_is_the_expressions_frame(duck, monkeypatch, compiles, ind, part, group):
    kept = case_list(duck, ind, "court-classic", START, END, group, part=part)
    assert len(compiles) == 1
    monkeypatch.setattr(statements, "keepable", lambda *a, **k: False)
    built = case_list(duck, ind, "court-classic", START, END, group, part=part)
    assert len(compiles) == 1
    pd.testing.assert_frame_equal(kept, built)
