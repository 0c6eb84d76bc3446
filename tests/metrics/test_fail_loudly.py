"""A failure of the 审限 engine fails the evaluation: it never becomes a note saying the indicator is not computed."""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.metrics import evaluate


def test_a_deadline_engine_bug_is_raised_not_noted(duck, monkeypatch):
    def broken(*_a, **_k):
        raise ZeroDivisionError("bug in the 审限 engine")

    monkeypatch.setattr(evaluate, "with_deadlines", broken)
    with pytest.raises(ZeroDivisionError):
        evaluate.evaluate(duck, "court-classic", date(2024, 1, 1), date(2024, 12, 31))


def test_indicators_without_deadlines_still_evaluate_without_the_engine(duck, monkeypatch):
    """Only indicators that read 审限 columns call the engine: 结案率 alone does not touch it."""
    monkeypatch.setattr(evaluate, "with_deadlines", lambda *_a, **_k: pytest.fail("审限 engine called"))
    res = evaluate.evaluate(duck, "court-classic", date(2024, 1, 1), date(2024, 12, 31), indicators=["closure_rate"])
    assert [r.indicator for r in res.rows] == ["closure_rate"]
