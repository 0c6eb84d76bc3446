"""Targets in the ops DB (SQLite and PostgreSQL), decomposition, progress and closings per workday."""

from __future__ import annotations

import math
from datetime import date
from types import SimpleNamespace

import pytest

from tests.analysis._synth import case, make_cases, write
from zhixiao.analysis.forecast import Estimate, forecast_year_end
from zhixiao.analysis.targets import (
    closings_needed,
    court_summary,
    decompose,
    list_targets,
    remaining_workdays,
    set_target,
    targets_progress,
)
from zhixiao.domain.calendar import WorkCalendar
from zhixiao.engine import connect
from zhixiao.errors import UserError


def test_set_and_list_targets(sql_url):
    set_target(sql_url, "冀0102", 2025, "closure_rate", 0.90)
    set_target(sql_url, "冀0102", 2025, "closure_rate", 0.93, note="院党组确定")  # replaces, no duplicate
    set_target(sql_url, "冀0102", 2025, "long_pending_12m", 0)
    set_target(sql_url, "冀0103", 2025, "closure_rate", 0.95)
    rows = list_targets(sql_url, "冀0102", 2025)
    assert [(r["indicator"], r["value"], r["note"]) for r in rows] == [
        ("closure_rate", 0.93, "院党组确定"), ("long_pending_12m", 0.0, None)]
    assert list_targets(sql_url, "冀0102", 2024) == []


def test_target_validation(sql_url):
    with pytest.raises(UserError, match="0 到 1 之间"):
        set_target(sql_url, "冀0102", 2025, "closure_rate", 93)
    with pytest.raises(UserError, match="不能设目标"):
        set_target(sql_url, "冀0102", 2025, "no_such", 1)


def test_remaining_workdays_on_the_chinese_calendar():
    # 2025 H2: Jul 23 + Aug 21 + Sep 22 (+ Sun 28 Sep 调休上班) + Oct 23 − 6 (国庆中秋 1–8 Oct) + Sat 11 Oct
    # + Nov 20 + Dec 23 = 128
    assert remaining_workdays(date(2025, 6, 30), date(2025, 12, 31)) == 128
    assert remaining_workdays(date(2025, 12, 31), date(2025, 12, 31)) == 0


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """J1: 10 carried over from Dec 2024, 20 filed and 10 closed in H1 2025; J2: 10 filed, 5 closed."""
    rows, seq = [], 0

    def add(n, filed, closed, judge):
        nonlocal seq
        for i in range(n):
            seq += 1
            rows.append(case("冀0102", filed.year, seq, filed, closed if i < (n if closed else 0) else None,
                             judge, judge + "名", "民一庭" if judge == "J1" else "民二庭"))

    add(10, date(2024, 12, 1), None, "J1")
    add(10, date(2025, 1, 10), date(2025, 3, 1), "J1")
    add(10, date(2025, 2, 10), None, "J1")
    add(5, date(2025, 1, 10), date(2025, 4, 1), "J2")
    add(5, date(2025, 3, 10), None, "J2")
    return connect(write(tmp_path_factory.mktemp("small"), rows).root)


def test_closings_needed_by_hand(small):
    fc = SimpleNamespace(new_cases=Estimate(60, 60, 60))  # the court expects 60 filings in 2025
    rows = closings_needed(small, "冀0102", date(2025, 6, 30), 0.9, forecast=fc)
    # filings in the last 12 months: J1 30, J2 10 → shares 0.75 / 0.25 of the 30 still to come
    # J1: 10 carried + 20 filed + 22.5 expected = 52.5 受理 → ⌈0.9 × 52.5 − 10⌉ = 38
    # J2: 0 + 10 + 7.5 = 17.5 → ⌈15.75 − 5⌉ = 11; 128 working days remain
    assert [(r["judge_id"], r["expected_received"], r["needed"], r["per_workday"]) for r in rows] == [
        ("J1", 52.5, 38, round(38 / 128, 2)), ("J2", 17.5, 11, round(11 / 128, 2))]
    assert rows[0]["name"] == "J1名" and rows[0]["division"] == "民一庭" and rows[0]["pending_now"] == 20
    assert court_summary(rows) == {"needed": 49, "workdays_left": 128, "per_workday": round(49 / 128, 2)}


def test_closings_needed_counts_on_the_courts_calendar(small, monkeypatch):
    """Without ``calendar=``, the working days left are the engine's court calendar (its override file):
    a court closure on Tue 2025-12-30 leaves 127 of the 128 (the old code counted on the package calendar)."""
    fc = SimpleNamespace(new_cases=Estimate(60, 60, 60))
    monkeypatch.setattr(small, "calendar", WorkCalendar({"closure": [{"date": date(2025, 12, 30), "name": "闭院"}]}))
    rows = closings_needed(small, "冀0102", date(2025, 6, 30), 0.9, forecast=fc)
    assert {r["workdays_left"] for r in rows} == {127}
    assert rows[0]["per_workday"] == round(38 / 127, 2)  # J1 still needs 38 (see the test above)


def test_decompose_by_workload(small):
    fc = SimpleNamespace(new_cases=Estimate(60, 60, 60))
    rows = decompose(small, "冀0102", 2025, "closure_rate", 0.9, date(2025, 6, 30), by="judge", forecast=fc)
    assert [(r["unit"], r["workload"], r["target_closings"]) for r in rows] == [("J1", 52.5, 48), ("J2", 17.5, 16)]
    assert rows[0]["monthly"][-1] == 48  # the curve ends at the annual target
    by_div = decompose(small, "冀0102", 2025, "closed", 100, date(2025, 6, 30), by="division", forecast=fc)
    # 100 closings shared 52.5 : 17.5 → 75 and 25
    assert [(r["unit"], r["target_closings"]) for r in by_div] == [("民一庭", 75), ("民二庭", 25)]


def test_targets_progress(tmp_path):
    d = tmp_path / "store"
    write(d, make_cases("冀0102", range(2022, 2026), 1200, 75, 3, date(2025, 12, 31)))
    settings = SimpleNamespace(ops_url=f"sqlite:///{tmp_path / 'ops.sqlite'}", profile="court-classic")
    set_target(settings.ops_url, "冀0102", 2025, "closure_rate", 0.80)
    set_target(settings.ops_url, "冀0102", 2025, "pending", 100)
    engine = connect(d)
    rows = {r["indicator"]: r for r in targets_progress(settings, engine, "冀0102", 2025, date(2025, 6, 30))}
    cr = rows["closure_rate"]
    # the synthetic court closes ~84% a year: an 80% target is within reach, 100 pending is not
    assert cr["status"] == "可达标" and 0.8 < cr["forecast"] < 0.9
    fc = forecast_year_end(engine, "冀0102", date(2025, 6, 30))
    assert cr["forecast"] == fc.closure_rate.point
    assert cr["required_closings"] == math.ceil(0.8 * fc.received.point)  # 结案率 target × expected 受理
    assert cr["expected_closed_by_now"] == pytest.approx(cr["required_closings"] * cr["curve_share"], abs=1)
    assert cr["gap"] == cr["closed_ytd"] - cr["expected_closed_by_now"]
    assert cr["reference_floor"] == 0.55  # REFERENCE §5.3: June ≥ 55%
    assert rows["pending"]["status"] == "落后" and "required_closings" not in rows["pending"]
