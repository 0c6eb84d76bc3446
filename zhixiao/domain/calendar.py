"""The court's work calendar: official holidays and 调休 working weekends, plus court overrides.

``chinesecalendar`` only knows 2004–2026 and raises for any other year (MEASURES_AND_STACK §3.1), so it
is wrapped: a court-maintained override file adds closures and next year's State Council arrangement
before the package has it, and a year neither knows falls back to weekends-only with a ``provisional``
flag instead of crashing or silently looking ordinary.

Roll-forward rule (CPL 2023 art 85; SPC 2014 document, REFERENCE §2.2): a period whose last day is a
法定休假日 ends on the first working day after it. Whether a 调休 working weekend day counts as a working
day for that rule is not settled (REFERENCE §2.2 open question), hence ``roll_on_adjusted_workday``:
True (default) lets a deadline stay on (roll onto) a 调休 working Saturday/Sunday; False treats such days
as rest days for the calendar (weekends rest unless they are ordinary weekdays).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from chinese_calendar import constants as _cc

PACKAGE_YEARS: frozenset[int] = frozenset(d.year for d in _cc.holidays)
_ONE = timedelta(days=1)


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"日历覆盖表 {where} 中的日期“{value}”无效，请写成 YYYY-MM-DD。") from None


def _expand(values: Iterable[Any], where: str) -> set[date]:
    """Dates or 'YYYY-MM-DD..YYYY-MM-DD' ranges (both ends included)."""
    out: set[date] = set()
    for v in values:
        if isinstance(v, str) and ".." in v:
            a, b = (_as_date(x, where) for x in v.split("..", 1))
            while a <= b:
                out.add(a)
                a += _ONE
        else:
            out.add(_as_date(v, where))
    return out


class WorkCalendar:
    """Is a day a working day for the court, and how do periods roll forward over rest days."""

    def __init__(self, overrides: Mapping[str, Any] | None = None, roll_on_adjusted_workday: bool = True):
        overrides = overrides or {}
        self.roll_on_adjusted_workday = roll_on_adjusted_workday
        self.closures: dict[date, str] = {}  # extra rest days (court closures, holidays the package lacks)
        self.workdays: dict[date, str] = {}  # extra working days (调休 weekends)
        for item in overrides.get("closure", []) or []:
            self.closures[_as_date(item["date"], "[[closure]]")] = item.get("name", "闭院")
        for item in overrides.get("workday", []) or []:
            self.workdays[_as_date(item["date"], "[[workday]]")] = item.get("name", "调休上班")
        self.override_years: set[int] = set()
        for year, spec in (overrides.get("year", {}) or {}).items():
            y = int(year)
            self.override_years.add(y)
            for d in _expand(spec.get("holidays", []), f"[year.{y}] holidays"):
                self.closures.setdefault(d, "法定节假日")
            for d in _expand(spec.get("workdays", []), f"[year.{y}] workdays"):
                self.workdays.setdefault(d, "调休上班")

    def fingerprint(self) -> tuple:
        """Equal for calendars that answer every question alike (a cache key)."""
        # the known years too: a newer chinesecalendar package publishing a year changes every provisional answer
        return (tuple(sorted(self.closures)), tuple(sorted(self.workdays)), tuple(sorted(self.override_years)),
                self.roll_on_adjusted_workday, tuple(sorted(self.known_years)))

    @property
    def known_years(self) -> frozenset[int]:
        return PACKAGE_YEARS | frozenset(self.override_years)

    def is_provisional(self, d: date) -> bool:
        """The year is known neither to the package nor to the overrides: weekends-only guess."""
        return d.year not in self.known_years

    def _official_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.closures:
            return False
        if d.year in PACKAGE_YEARS:  # same lookups as chinese_calendar.is_workday, without its validation cost
            if d in _cc.workdays:
                return True
            if d in _cc.holidays:
                return False
        return d.weekday() < 5

    def is_workday(self, d: date) -> bool:
        if not self.roll_on_adjusted_workday and d.weekday() >= 5:
            return False  # 调休 weekends treated as rest days under this setting
        return self._official_workday(d)

    def is_holiday(self, d: date) -> bool:
        """A rest day (weekend or holiday) under this calendar's setting."""
        return not self.is_workday(d)

    def is_adjusted_workday(self, d: date) -> bool:
        """A 调休 working weekend day in the official arrangement."""
        return d.weekday() >= 5 and self._official_workday(d)

    def next_workday(self, d: date) -> date:
        """``d`` itself if a working day, else the first working day after it (roll-forward)."""
        while not self.is_workday(d):
            d += _ONE
        return d

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (n ≥ 0; n = 0 → next_workday(d)); negative counts back."""
        if n == 0:
            return self.next_workday(d)
        step = _ONE if n > 0 else -_ONE
        left = abs(n)
        while left:
            d += step
            if self.is_workday(d):
                left -= 1
        return d

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in [a, b], both ends included (0 when b < a)."""
        n = 0
        while a <= b:
            n += self.is_workday(a)
            a += _ONE
        return n

    def calendar_table(self, start: date, end: date):
        """One row per day for joins in the engine: date, is_workday, next_workday, provisional.

        ``provisional`` is true when the day or the day it rolls forward to lies in an unknown year.
        """
        import pyarrow as pa

        span = (end - start).days + 1
        pad = 60  # room for the roll-forward past ``end`` (the longest rest run is 9 days)
        all_days = [start + timedelta(days=i) for i in range(span + pad)]
        flags = [self.is_workday(x) for x in all_days]
        rolled: list[date] = [start] * len(all_days)
        following: date | None = None
        for i in range(len(all_days) - 1, -1, -1):  # walk backwards: next_workday is O(1) per day
            if flags[i]:
                following = all_days[i]
            rolled[i] = following if following is not None else self.next_workday(all_days[i])
        known = self.known_years
        days = all_days[:span]
        work = flags[:span]
        nxt = rolled[:span]
        prov = [d.year not in known or n.year not in known for d, n in zip(days, nxt, strict=True)]
        return pa.table(
            {
                "date": pa.array(days, pa.date32()),
                "is_workday": pa.array(work, pa.bool_()),
                "next_workday": pa.array(nxt, pa.date32()),
                "provisional": pa.array(prov, pa.bool_()),
            }
        )


def calendar_table(start: date, end: date, calendar: WorkCalendar | None = None):
    """Module-level shortcut: ``(calendar or WorkCalendar()).calendar_table(start, end)``."""
    return (calendar or WorkCalendar()).calendar_table(start, end)


def parse_overrides(text: str) -> dict:
    """Parse an override file's TOML text (``[[closure]]``, ``[[workday]]``, ``[year.YYYY]``)."""
    return tomllib.loads(text)


def load_calendar(settings: Any) -> WorkCalendar:
    """The calendar for a settings object: its override file (if any) and the roll-forward setting
    ``settings.rules["calendar"]["roll_on_adjusted_workday"]`` (default true)."""
    overrides: dict = {}
    path = getattr(settings, "calendar_overrides", None)
    if path:
        p = Path(path)
        if not p.is_file():
            raise FileNotFoundError(f"日历覆盖文件 {p} 不存在，请检查 zhixiao.toml 的 calendar_overrides 设置。")
        overrides = parse_overrides(p.read_text("utf-8"))
    rules = getattr(settings, "rules", {}) or {}
    roll = bool((rules.get("calendar") or {}).get("roll_on_adjusted_workday", True))
    return WorkCalendar(overrides, roll_on_adjusted_workday=roll)
