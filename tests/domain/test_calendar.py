"""WorkCalendar: official holidays and 调休 days, overrides, unknown years (provisional), the join table."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.domain.calendar import PACKAGE_YEARS, WorkCalendar, calendar_table, load_calendar

CAL = WorkCalendar()


def test_official_days_2026():
    # State Council 2026 notice (chinesecalendar 1.11.0): 春节 02-15..02-23 off, 02-14 (Sat) and 02-28 (Sat) work.
    assert CAL.is_workday(date(2026, 2, 14)) and CAL.is_adjusted_workday(date(2026, 2, 14))
    assert CAL.is_holiday(date(2026, 2, 16))
    assert CAL.next_workday(date(2026, 2, 15)) == date(2026, 2, 24)
    assert CAL.next_workday(date(2026, 2, 24)) == date(2026, 2, 24)  # a workday is its own next workday
    assert not CAL.is_provisional(date(2026, 12, 31))


def test_adjusted_workday_setting():
    # 2025-02-08 is a 调休 working Saturday; with the setting off it is a rest day and rolls to Monday 02-10.
    strict = WorkCalendar(roll_on_adjusted_workday=False)
    assert CAL.next_workday(date(2025, 2, 8)) == date(2025, 2, 8)
    assert strict.next_workday(date(2025, 2, 8)) == date(2025, 2, 10)


def test_unknown_year_is_weekends_only_and_provisional():
    d = date(2027, 1, 4)  # Monday; chinesecalendar itself raises NotImplementedError here
    assert 2027 not in PACKAGE_YEARS
    assert CAL.is_workday(d) and CAL.is_provisional(d)
    assert CAL.next_workday(date(2027, 1, 2)) == date(2027, 1, 4)  # Sat → Mon
    assert CAL.is_workday(date(2099, 6, 1)) is True  # never raises


def test_overrides_make_a_year_known_and_add_closures():
    cal = WorkCalendar({
        "closure": [{"date": date(2026, 7, 21), "name": "台风停工"}],
        "workday": [{"date": "2026-07-25", "name": "补班"}],
        "year": {"2027": {"holidays": ["2027-02-06..2027-02-12"], "workdays": ["2027-02-14"]}},
    })
    assert cal.is_holiday(date(2026, 7, 21)) and cal.is_workday(date(2026, 7, 25))  # Tue closed, Sat open
    assert not cal.is_provisional(date(2027, 2, 8)) and 2027 in cal.known_years
    assert cal.next_workday(date(2027, 2, 6)) == date(2027, 2, 14)  # Sat 06 … Fri 12 off, Sun 14 works


def test_workday_counting():
    # 2025-09-29 (Mon) .. 2025-10-12 (Sun): 09-29, 09-30, 10-09, 10-10, 10-11 (调休 Sat) = 5 working days.
    assert CAL.workdays_between(date(2025, 9, 29), date(2025, 10, 12)) == 5
    assert CAL.workdays_between(date(2025, 10, 2), date(2025, 10, 1)) == 0
    assert CAL.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert CAL.add_workdays(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert CAL.add_workdays(date(2025, 10, 4), 0) == date(2025, 10, 9)


def test_calendar_table():
    t = calendar_table(date(2026, 12, 30), date(2027, 1, 3)).to_pylist()
    assert [r["date"] for r in t] == [date(2026, 12, 30) + timedelta(days=i) for i in range(5)]
    jan2 = t[3]  # 2027-01-02 is a Saturday in an unknown year → rolls to Monday, provisional
    assert jan2["is_workday"] is False and jan2["next_workday"] == date(2027, 1, 4) and jan2["provisional"]
    assert t[0]["provisional"] is False and t[0]["next_workday"] == date(2026, 12, 30)


def test_load_calendar_reads_override_file(tmp_path):
    f = tmp_path / "calendar_overrides.toml"
    f.write_text('[[closure]]\ndate = 2026-03-03\nname = "停电"\n[year.2027]\nholidays = ["2027-01-01"]\n', "utf-8")

    class S:
        calendar_overrides = f
        rules = {"calendar": {"roll_on_adjusted_workday": False}}

    cal = load_calendar(S())
    assert cal.is_holiday(date(2026, 3, 3)) and not cal.roll_on_adjusted_workday
    assert not cal.is_provisional(date(2027, 5, 1))
    S.calendar_overrides = tmp_path / "missing.toml"
    with pytest.raises(FileNotFoundError):
        load_calendar(S())


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2004, 1, 1), date(2035, 12, 31)), st.booleans())
def test_next_workday_is_first_workday_on_or_after(d, roll):
    cal = WorkCalendar(roll_on_adjusted_workday=roll)
    n = cal.next_workday(d)
    assert n >= d and cal.is_workday(n)
    assert all(not cal.is_workday(d + timedelta(days=i)) for i in range((n - d).days))
    if d.year in PACKAGE_YEARS and roll:
        import chinese_calendar

        assert cal.is_workday(d) == chinese_calendar.is_workday(d)


@settings(max_examples=100, deadline=None)
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 40))
def test_add_workdays_counts_match(d, n):
    end = CAL.add_workdays(d, n)
    if n > 0:
        assert CAL.workdays_between(d + timedelta(days=1), end) == n and CAL.is_workday(end)
