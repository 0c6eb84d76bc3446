"""Month series of 收结存 for trend charts: one scan, one filtered count per month and measure."""

from __future__ import annotations

import calendar
import json
from datetime import date
from typing import Any

import ibis

from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.evaluate import _Plan
from zhixiao.metrics.filters import Compiler, Period
from zhixiao.metrics.grouping import apply_filters, month_periods

SERIES_IDS = {"new_cases": "new_cases", "closed": "closed", "pending_end": "pending"}


def monthly(engine, start: date, end: date, filters: dict | None = None, profile: str = "court-classic",
            previous_year: bool = False, cube: Any = None) -> list[dict]:
    """[{month, new_cases, closed, pending_end}] per calendar month in [start, end] (pending at month end),
    with the profile's exclusions; ``previous_year`` adds ``*_last_year`` values for the same months.
    ``cube``: a stored indicator cube (``metrics.cube.Cube``) that answers when its ``why_not`` accepts."""
    inds = {i.id: i for i in load_profile(profile, end, data_dir=getattr(engine.store, "root", None))}
    months = month_periods(start, end)
    shifts = [0, -1] if previous_year else [0]
    periods = {f"m{i}_{-shift}": p.shifted_years(shift) if shift else p
               for i, (_label, p) in enumerate(months) for shift in shifts}
    rec = _from_cube(cube, inds, periods, filters) if cube is not None else None
    if rec is None:
        t = apply_filters(engine.cases, filters)
        exprs: dict[str, ibis.Value] = {}
        for tag, p in periods.items():
            comp = Compiler(t, p)
            for out, iid in SERIES_IDS.items():
                ind = inds[iid]
                exprs[f"{tag}_{out}"] = comp.aggregate(ind.numerator, ind.line, ind.exclusion_rules)
        rec = t.aggregate(**exprs).execute().to_dict("records")[0]
    rows = []
    for i, (label, _p) in enumerate(months):
        row: dict = {"month": label}
        for out in SERIES_IDS:
            row[out] = int(rec[f"m{i}_0_{out}"] or 0)
            if previous_year:
                row[f"{out}_last_year"] = int(rec[f"m{i}_1_{out}"] or 0)
        rows.append(row)
    return rows


def definitions(profile: str, on: date, data_dir: Any = None) -> str:
    """The series' three counts as defined on ``on`` (numerator, 条线, exclusions' conditions). Equal on two
    dates, a full month's figures do not depend on which of the two a series was asked up to."""
    inds = {i.id: i for i in load_profile(profile, on, data_dir=data_dir)}
    return json.dumps([(inds[iid].numerator, inds[iid].line, inds[iid].exclusion_rules) for iid in SERIES_IDS.values()],
                      sort_keys=True, ensure_ascii=False, default=str)


def is_month_end(d: date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def _from_cube(cube, inds: dict[str, Indicator], periods: dict[str, Period], filters: dict | None) -> dict | None:
    """The series' counts from the cube, named as the scan names them; ``None`` when the cube cannot answer
    (a month cut mid-month, a filter on another column …)."""
    held = [inds[iid] for iid in SERIES_IDS.values()]
    plan = _Plan(held, periods)
    if cube.why_not(plan, periods, (), filters) is not None:
        return None
    recs, _ = cube.records(plan, periods, (), filters)
    return {f"{tag}_{out}": recs[0].get(plan.col(inds[iid].numerator, inds[iid], tag))
            for tag in periods for out, iid in SERIES_IDS.items()}
