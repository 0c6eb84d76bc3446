"""Working days and filing seasonality for the demo city (State Council holiday calendar via chinesecalendar).

Filing falls in the Spring Festival weeks and in December (courts slow intake before the year-end
结案 push); closings surge in December. Days are ints counted from 1970-01-01 for vectorised use.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import chinese_calendar as cc
import numpy as np

EPOCH = date(1970, 1, 1)
# Lunar new year dates for years the installed chinesecalendar does not cover yet.
_SPRING_FESTIVAL_FALLBACK = {2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
                             2030: date(2030, 2, 3)}


def day(d: date) -> int:
    return (d - EPOCH).days


def to_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def is_workday(d: date) -> bool:
    try:
        return cc.is_workday(d)
    except NotImplementedError:  # year not in the installed calendar: weekdays only
        return d.weekday() < 5


@cache
def spring_festival(year: int) -> date:
    """First day of the 春节 holiday block (除夕 or 初一) from the State Council calendar."""
    if year in _SPRING_FESTIVAL_FALLBACK:
        return _SPRING_FESTIVAL_FALLBACK[year]
    try:
        days = [d for d in cc.get_holidays(date(year, 1, 15), date(year, 2, 25))
                if cc.get_holiday_detail(d)[1] == "Spring Festival"]
    except NotImplementedError:
        days = []
    if not days:
        raise ValueError(f"{year} 年春节日期未知")
    return days[0]  # the holiday block starts on 除夕 or 春节 itself; a day either way is fine for seasonality


@cache
def workdays(y0: int, y1: int) -> np.ndarray:
    """Boolean array, one entry per day from y0-01-01 to y1-12-31."""
    start, end = date(y0, 1, 1), date(y1, 12, 31)
    return np.array([is_workday(start + timedelta(days=i)) for i in range((end - start).days + 1)])


@cache
def next_workday_map(y0: int, y1: int) -> np.ndarray:
    """``m[i]`` = index of the first workday ≥ i (days from y0-01-01); the last days map to themselves."""
    w = workdays(y0, y1)
    n = len(w)
    out = np.arange(n)
    nxt = n - 1
    for i in range(n - 1, -1, -1):
        if w[i]:
            nxt = i
        out[i] = nxt
    return out


@cache
def filing_weights(year: int) -> np.ndarray:
    """Probability of a filing on each day of ``year``: workdays, a Spring Festival dip, a December lull."""
    w = workdays(year, year).astype(float)
    w[w == 0] = 0.04  # online filings on rest days
    start = day(date(year, 1, 1))
    sf = day(spring_festival(year)) - start
    lo, hi = max(0, sf - 10), min(len(w), sf + 14)
    w[lo:hi] *= 0.45
    dec = day(date(year, 12, 1)) - start
    w[dec:] *= 0.70
    mar = day(date(year, 3, 1)) - start
    w[mar:mar + 31] *= 1.12  # the post-festival rebound
    return w / w.sum()
