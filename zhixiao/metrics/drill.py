"""Drill-down: the cases (or roster entries) behind any figure the evaluator prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from zhixiao.deadlines import COMPUTED
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import Indicator, get
from zhixiao.metrics.cube import AS_OF_FREE, CLOSED_FREE, _in_exclusions
from zhixiao.metrics.evaluate import origin_rows, prepared_cases, suspension_join
from zhixiao.metrics.filters import Compiler, Period, needs_suspension, with_derived
from zhixiao.metrics.grouping import apply_filters, month_periods, with_group_columns
from zhixiao.metrics.plan.columns import deadline_columns

CASE_COLUMNS = [
    "case_id", "court_code", "court_name", "division", "judge_id", "judge_name", "type_code", "cause",
    "procedure", "filing_date", "closing_date", "closing_method", "appeal_result",
]
PARTS = {"numerator": "分子", "denominator": "分母", "excluded": "口径排除的案件"}
PEOPLE_COLUMNS = ["judge_id", "name", "court_code", "division", "post", "active_from", "active_to"]


@dataclass(frozen=True)
class StoredDeadlines:
    """A stored 审限 table (``deadlines.deadline_table``'s columns, unprefixed) computed at ``as_of``: ``table``
    returns it (called only when a list uses it); ``same`` names the columns computed as the evaluator's
    ``with_deadlines`` computes them (same calendar and roll-forward rule; ``status`` only with its 临近 share)."""

    table: Callable[[], Any]
    as_of: date
    same: frozenset[str]


def case_list(engine, indicator_id: str, profile: str, start: date, end: date, group: dict | None = None,
              part: str = "numerator", limit: int | None = None, *, as_of: date | None = None,
              filters: dict | None = None, deadlines: StoredDeadlines | None = None) -> pd.DataFrame:
    """Cases counted in ``part`` (numerator|denominator|excluded) of one indicator for one result-row group;
    ``excluded``: the cases the definition leaves out (e.g. closed cases without a statutory limit).

    ``group`` is a Row.group as returned by ``evaluate`` (may contain ``month``: 'YYYY-MM'). ``deadlines``: the
    snapshot's stored 审限 table; the list joins its columns by case id instead of building the 审限 expression
    when they equal the evaluator's for every row listed (``_stored_deadlines``).
    """
    if part not in PARTS:
        raise UserError(f"part 只能是 numerator（分子）、denominator（分母）或 excluded（口径排除的案件），收到“{part}”。")
    ind = get(indicator_id, profile, end, data_dir=getattr(engine.store, "root", None))
    if ind.unavailable:
        raise UserError(f"指标 {indicator_id}（{ind.name}）暂不计算：{ind.unavailable}。")
    spec = {"numerator": ind.numerator, "denominator": ind.denominator, "excluded": ind.excluded}[part]
    if spec is None:
        raise UserError(f"指标 {indicator_id}（{ind.name}）没有{PARTS[part]}，请查看分子（--part numerator）。")
    group = dict(group or {})
    period = Period(start, end, as_of or end)
    if "month" in group:
        label = group.pop("month")
        period = dict(month_periods(start, end))[label]
    is_people = spec.get("table") == "people" or spec["set"] == "judges"
    if is_people:
        t = apply_filters(engine.people, {**(filters or {}), **group}, people=True)
        cols = PEOPLE_COLUMNS
    else:
        t = _cases(engine, ind, spec, period, filters, deadlines)
        t, _ = with_group_columns(t, ["line"] if "line" in group else [])
        t = apply_filters(t, group)
        if spec.get("attribute") == "origin":  # the appeals whose 原审 case is in this cell
            t = origin_rows(engine.cases, t, [])
        cols = CASE_COLUMNS + ["origin_case_id"] + [c for c in t.columns if c.startswith("dl_")]
    comp = Compiler(t, period, "people" if is_people else "cases")
    sel = t.filter(comp.where(spec, ind.line, ind.exclusion_rules)).select(*[c for c in cols if c in t.columns])
    sel = sel.order_by([sel[cols[0]].asc(nulls_first=False)])
    if limit:
        sel = sel.limit(limit)
    df = sel.execute()
    for c in df.columns:  # DATE stays a date (engines return timestamps), so JSON/CSV show 2025-01-20
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = df[c].dt.date
    return df


def _cases(engine, ind: Indicator, spec: dict, period: Period, filters: dict | None,
           deadlines: StoredDeadlines | None):
    """The prepared cases of ``ind`` (as ``prepared_cases``), the 审限 columns read from the stored table when
    ``_stored_deadlines`` allows it: one join instead of compiling the 审限 expression for every list."""
    specs = ind.specs()
    names = [c for c in COMPUTED if c in deadline_columns(specs)]
    stored = _stored_deadlines(ind, spec, period, names, deadlines)
    if stored is None:
        return prepared_cases(engine, [ind], period.as_of, filters)
    t = with_derived(apply_filters(engine.cases, filters), specs)
    dl = stored.select(_dl_case_id=stored.case_id, **{"dl_" + c: stored[c] for c in names})
    t = t.left_join(dl, t.case_id == dl._dl_case_id).drop("_dl_case_id")
    if any(needs_suspension(s) for s in specs):
        t = suspension_join(engine, t, period.as_of)
    return t


def _stored_deadlines(ind: Indicator, spec: dict, period: Period, names: list[str],
                      deadlines: StoredDeadlines | None):
    """The stored 审限 table when its columns ``names`` equal the ones computed at the question's as-of date on
    every row the list shows, else None: at the same date always; at a later one only columns that do not move
    with the date (不计审限), or 审限内结案 of a closed set of a period ending by both dates (a closed case's
    deadline runs to its closing day: ``metrics.cube``'s ``CLOSED_FREE``), not read by an exclusion."""
    if not names or deadlines is None:
        return None
    if not set(names) <= deadlines.same:
        return None
    at = deadlines.as_of
    if at == period.as_of:
        return deadlines.table()
    if period.end > at or period.as_of > at or period.end > period.as_of:
        return None
    for c in ("dl_" + n for n in names):
        if c in AS_OF_FREE:
            continue
        if c in CLOSED_FREE and spec["set"] == "closed" and not _in_exclusions(ind, c):
            continue
        return None
    return deadlines.table()
