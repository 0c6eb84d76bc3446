"""Drill-down: the cases (or roster entries) behind any figure the evaluator prints."""

from __future__ import annotations

from datetime import date

import pandas as pd

from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import get
from zhixiao.metrics.evaluate import origin_rows, prepared_cases
from zhixiao.metrics.filters import Compiler, Period
from zhixiao.metrics.grouping import apply_filters, month_periods, with_group_columns

CASE_COLUMNS = [
    "case_id", "court_code", "court_name", "division", "judge_id", "judge_name", "type_code", "cause",
    "procedure", "filing_date", "closing_date", "closing_method", "appeal_result",
]
PARTS = {"numerator": "分子", "denominator": "分母", "excluded": "口径排除的案件"}
PEOPLE_COLUMNS = ["judge_id", "name", "court_code", "division", "post", "active_from", "active_to"]


def case_list(engine, indicator_id: str, profile: str, start: date, end: date, group: dict | None = None,
              part: str = "numerator", limit: int | None = None, *, as_of: date | None = None,
              filters: dict | None = None) -> pd.DataFrame:
    """Cases counted in ``part`` (numerator|denominator|excluded) of one indicator for one result-row group;
    ``excluded``: the cases the definition leaves out (e.g. closed cases without a statutory limit).

    ``group`` is a Row.group as returned by ``evaluate`` (may contain ``month``: 'YYYY-MM').
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
        t = prepared_cases(engine, [ind], period.as_of, filters)
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
