"""Case lists through kept statements (``metrics.statements``): the scopes of one figure share one compiled
statement with their values as parameters, each list is its own scope's, and the frame is the one the ibis
expression gives (dtypes, nulls, dates)."""

from __future__ import annotations

from collections import OrderedDict

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
