"""Property tests: the deadline never precedes filing + base limit, never decreases when an extension or a
deduction is added, and falls on a working day unless roll-forward is off."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.domain.calendar import WorkCalendar
from zhixiao.domain.time_limits import LIMITS, add_months, compute_deadline, merge_intervals, pending_months

CODES = sorted(c for c, lim in LIMITS.items() if not lim.no_limit)
dates = st.dates(date(2004, 1, 1), date(2032, 12, 31))
intervals = st.lists(
    st.tuples(dates, st.integers(0, 120), st.booleans()).map(
        lambda t: (t[0], None if t[2] else t[0] + timedelta(days=t[1]))
    ),
    max_size=4,
)
extensions = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 60)), max_size=2)
CALS = {True: WorkCalendar(), False: WorkCalendar(roll_on_adjusted_workday=False)}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES), dates, extensions, intervals, st.integers(0, 800), st.booleans(), st.booleans())
def test_deadline_properties(code, filed, exts, deds, age, adjusted, roll):
    as_of = filed + timedelta(days=age)
    cal = CALS[adjusted]
    r = compute_deadline(code, filed, extensions=exts, deductions=deds, as_of=as_of, calendar=cal, roll_forward=roll)
    lim = LIMITS[code]
    floor = add_months(filed, lim.months) + timedelta(days=lim.period_days)  # an hour limit as ⌈hours/24⌉ days
    assert r.base_deadline == floor and r.deadline >= floor  # never before filing + base limit
    if roll and lim.rolls:
        assert cal.is_workday(r.deadline)
        assert (r.deadline - r.raw_deadline).days < 15  # the longest rest run is 春节 (9 days in 2026)
    else:
        assert r.deadline == r.raw_deadline
    # an hour limit never rolls, so it does not depend on the holiday arrangement
    assert r.provisional == (lim.rolls and (cal.is_provisional(r.raw_deadline) or cal.is_provisional(r.deadline)))

    # adding an extension or a deduction never moves the deadline earlier
    more_ext = compute_deadline(code, filed, extensions=[*exts, (1, 0)], deductions=deds, as_of=as_of,
                                calendar=cal, roll_forward=roll)
    more_ded = compute_deadline(code, filed, extensions=exts, deductions=[*deds, (filed + timedelta(days=3), None)],
                                as_of=as_of, calendar=cal, roll_forward=roll)
    assert more_ext.deadline >= r.deadline and more_ded.deadline >= r.deadline
    assert r.open_deduction == any(e is None for _, e in deds)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(dates, st.integers(0, 60)), max_size=6))
def test_merged_days_equal_the_union(raw):
    spans = [(s, s + timedelta(days=n)) for s, n in raw]
    union = {s + timedelta(days=i) for s, e in spans for i in range((e - s).days + 1)}
    merged = merge_intervals(spans)
    assert sum((e - s).days + 1 for s, e in merged) == len(union)
    assert all(a[1] + timedelta(days=1) < b[0] for a, b in zip(merged, merged[1:], strict=False))


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(0, 1200))
def test_pending_months_is_the_largest_reached_month(filed, age):
    as_of = filed + timedelta(days=age)
    m = pending_months(filed, as_of)
    assert add_months(filed, m) <= as_of < add_months(filed, m + 1)


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(0, 40))
def test_add_months_day_is_corresponding_or_month_end(d, n):
    r = add_months(d, n)
    assert (r.year - d.year) * 12 + r.month - d.month == n
    assert r.day == d.day or (r.day < d.day and (r + timedelta(days=1)).day == 1)
