"""Working days on the Chinese calendar for "closings per remaining working day".

Prefers the project's ``zhixiao.domain.calendar.WorkCalendar`` (court overrides included); falls back
to ``chinesecalendar`` (State Council holiday notices, 2004–2026) when that module is not there yet.
"""

from __future__ import annotations

from datetime import date, timedelta

from zhixiao.errors import UserError


class _ChineseCalendarAdapter:
    """Minimal stand-in with the WorkCalendar methods this package uses."""

    def is_workday(self, d: date) -> bool:
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            raise UserError(
                f"工作日历缺少 {d.year} 年的节假日数据：请升级 chinesecalendar，或在 calendar_overrides 中录入该年安排。"
            ) from None

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in the closed interval [a, b] (0 when b < a)."""
        n, d = 0, a
        while d <= b:
            n += self.is_workday(d)
            d += timedelta(days=1)
        return n


def work_calendar(settings=None):
    """The project's WorkCalendar (with the court's overrides when ``settings`` is given), else the adapter."""
    try:
        from zhixiao.domain.calendar import WorkCalendar, load_calendar
    except ImportError:
        return _ChineseCalendarAdapter()
    return load_calendar(settings) if settings is not None else WorkCalendar()


def remaining_workdays(as_of: date, year_end: date, calendar=None) -> int:
    """Working days after ``as_of`` up to and including ``year_end`` (the day of as_of is already spent)."""
    cal = calendar or work_calendar()
    start = as_of + timedelta(days=1)
    # Count with is_workday only: the one method every calendar here is sure to share.
    return sum(1 for i in range((year_end - start).days + 1) if cal.is_workday(start + timedelta(days=i)))
