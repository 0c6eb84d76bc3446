"""Groupings (court, division, judge, 条线, case type, month) and user filters over canonical columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis

from zhixiao.errors import UserError
from zhixiao.metrics.filters import Period, add_months, line_expr
from zhixiao.store.schema import CASES, PEOPLE

# grouping name → the columns that identify a group (names shown to users come along with ids)
GROUP_KEYS: dict[str, tuple[str, ...]] = {
    "court": ("court_code", "court_name"),
    "division": ("division",),
    "judge": ("judge_id", "judge_name"),
    "line": ("line",),
    "type": ("type_code",),
    "month": ("month",),
}
PEOPLE_KEYS = ("court_code", "division", "judge_id")  # group columns the people roster also has
FILTERABLE = set(CASES.names) | {"line"}


def with_group_columns(t: ibis.Table, by: Sequence[str]) -> tuple[ibis.Table, list[str]]:
    cols: list[str] = []
    for b in by:
        cols += [c for c in GROUP_KEYS[b] if c not in cols]
    if "line" in cols:
        t = t.mutate(line=line_expr(t))
    return t, cols


def apply_filters(t: ibis.Table, filters: dict | None, people: bool = False) -> ibis.Table:
    """Keep rows whose columns equal the value (or one of the list). People: only columns it has."""
    for col, v in (filters or {}).items():
        if people:
            col = "name" if col == "judge_name" else col
            if col not in PEOPLE.names:
                continue
        elif col not in FILTERABLE:
            raise UserError(f"筛选列“{col}”不是案件表的列；可用列见 zhixiao/store/schema.py，例如 court_code、division。")
        c = line_expr(t) if col == "line" else t[col]
        t = t.filter(c.isin(list(v)) if isinstance(v, (list, tuple, set)) else c == v)
    return t


def month_periods(start: date, end: date) -> list[tuple[str, Period]]:
    """Calendar months cut to [start, end], labelled YYYY-MM."""
    out = []
    cur = date(start.year, start.month, 1)
    while cur <= end:
        nxt = add_months(cur, 1)
        s, e = max(cur, start), min(date.fromordinal(nxt.toordinal() - 1), end)
        out.append((f"{cur:%Y-%m}", Period(s, e, e)))
        cur = nxt
    return out
