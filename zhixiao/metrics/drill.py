"""Drill-down: the cases (or roster entries) behind any figure the evaluator prints."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import pandas as pd

from zhixiao.deadlines import COMPUTED
from zhixiao.errors import UserError
from zhixiao.metrics import statements
from zhixiao.metrics.catalogue import Indicator, get
from zhixiao.metrics.cube import AS_OF_FREE, CLOSED_FREE, _in_exclusions, full_key
from zhixiao.metrics.evaluate import origin_rows, prepared_cases, suspension_join
from zhixiao.metrics.filters import Compiler, Period, needs_deadlines, needs_suspension, with_derived
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
    if spec.get("table") == "people" or spec["set"] == "judges":
        t = apply_filters(engine.people, {**(filters or {}), **group}, people=True)
        comp = Compiler(t, period, "people")
        sel = t.filter(comp.where(spec, ind.line, ind.exclusion_rules)).select(*[c for c in PEOPLE_COLUMNS
                                                                               if c in t.columns])
        sel = sel.order_by([sel[PEOPLE_COLUMNS[0]].asc(nulls_first=False)])
        df = (sel.limit(limit) if limit else sel).execute()
    else:
        df = _listed(engine, ind, spec, period, filters, group, deadlines, limit)
    for c in df.columns:  # DATE stays a date (engines return timestamps), so JSON/CSV show 2025-01-20
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            df[c] = df[c].dt.date
    return df


def _listed(engine, ind: Indicator, spec: dict, period: Period, filters: dict | None, group: dict,
            deadlines: StoredDeadlines | None, limit: int | None) -> pd.DataFrame:
    """The cases listed, in case id order. On DuckDB, when no 审限 expression is compiled (the list reads no 审限
    column, or reads them from the stored table), through the kept statement of the list's shape with the scope's
    values and the period's dates as its parameters (``metrics.statements``): the scopes and periods of one figure
    share one compile."""
    specs = ind.specs()
    names = [c for c in COMPUTED if c in deadline_columns(specs)]
    stored = _stored_deadlines(ind, spec, period, names, deadlines)
    computed = stored is None and any(needs_deadlines(s) for s in specs)
    joined = () if stored is None else (stored,)
    if computed or spec.get("attribute") == "origin" or not statements.keepable(engine.cases, [filters, group],
                                                                                  *joined):
        rows = apply_filters(apply_filters(engine.cases, filters), group)
        return _query(engine, rows, ind, spec, period, filters, group, names, stored, limit).execute()
    shaped = statements.shape([filters, group])
    # the period's dates are parameters; the 中止 join's date is not (evaluate.suspension_join writes it out)
    suspended = period.as_of if any(needs_suspension(s) for s in specs) else None
    key = (*((statements.named(t), t.schema()) for t in (engine.cases, *joined)),
           tuple(full_key(s, ind) for s in specs), json.dumps(spec, sort_keys=True, default=str), suspended, limit,
           shaped)

    def make() -> statements.Statement:
        rows = statements.stand_in(engine.cases)  # filtered by the parameters in the statement
        return statements.compile_over(engine.cases, _query(engine, rows, ind, spec, period, filters, group, names,
                                                            stored, limit), shaped)

    st = statements.kept(key, make, [period])
    return statements.frame(engine.cases, st, st.params([filters, group], [period]))


def _query(engine, rows, ind: Indicator, spec: dict, period: Period, filters: dict | None, group: dict,
           names: list[str], stored, limit: int | None) -> ibis.Table:
    """The listed cases over ``rows``: the cases filtered by ``filters`` and the scope ``group`` (a case's own
    columns, so before the joins), or a kept statement's stand-in for them; the 审限 columns from the stored table
    when given, else computed at the question's as-of date (over the cases table, ``rows`` unused)."""
    specs = ind.specs()
    if stored is None and any(needs_deadlines(s) for s in specs):
        t = prepared_cases(engine, [ind], period.as_of, filters)
        t, _ = with_group_columns(t, ["line"] if "line" in group else [])
        t = apply_filters(t, group)
    else:
        t = with_derived(rows, specs)
        if stored is not None:
            dl = stored.select(_dl_case_id=stored.case_id, **{"dl_" + c: stored[c] for c in names})
            t = t.left_join(dl, t.case_id == dl._dl_case_id).drop("_dl_case_id")
        if any(needs_suspension(s) for s in specs):
            t = suspension_join(engine, t, period.as_of)
    if spec.get("attribute") == "origin":  # the appeals whose 原审 case is in this cell
        t = origin_rows(engine.cases, t, [])
    cols = CASE_COLUMNS + ["origin_case_id"] + [c for c in t.columns if c.startswith("dl_")]
    comp = Compiler(t, period, "cases")
    sel = t.filter(comp.where(spec, ind.line, ind.exclusion_rules)).select(*[c for c in cols if c in t.columns])
    sel = sel.order_by([sel[cols[0]].asc(nulls_first=False)])
    return sel.limit(limit) if limit else sel


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
