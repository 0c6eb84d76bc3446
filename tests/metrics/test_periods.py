"""Date arithmetic behind periods, 超N个月 and 同比 (property tests)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from zhixiao.metrics.filters import Period, add_months
from zhixiao.metrics.grouping import month_periods

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def test_add_months_examples():
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)  # 同比 of a leap day
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 31), -12) == date(2024, 12, 31)
    assert add_months(date(2025, 1, 15), 13) == date(2026, 2, 15)


@given(dates, st.integers(min_value=-480, max_value=480))
def test_add_months_properties(d, n):
    r = add_months(d, n)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == n
    assert r.day == d.day or (r.day < d.day and (r + timedelta(days=1)).day == 1)  # clamped to month end
    if d.day <= 28:
        assert add_months(r, -n) == d


@given(dates, st.integers(min_value=0, max_value=800))
def test_month_periods_tile_the_range(start, length):
    end = start + timedelta(days=length)
    parts = month_periods(start, end)
    assert parts[0][1].start == start and parts[-1][1].end == end
    for (_, a), (_, b) in zip(parts, parts[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)
    assert all(p.start.month == p.end.month and label == f"{p.start:%Y-%m}" for label, p in parts)


@given(dates)
def test_previous_year_period_is_one_year_back(d):
    p = Period(d, d, d).shifted_years(-1)
    assert p.start.year == d.year - 1 and p.start.month == d.month
