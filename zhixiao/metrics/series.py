"""Month series of 收结存 for trend charts: one scan, one filtered count per month and measure."""

from __future__ import annotations

from datetime import date

import ibis

from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.filters import Compiler
from zhixiao.metrics.grouping import apply_filters, month_periods

SERIES_IDS = {"new_cases": "new_cases", "closed": "closed", "pending_end": "pending"}


def monthly(engine, start: date, end: date, filters: dict | None = None, profile: str = "court-classic",
            previous_year: bool = False) -> list[dict]:
    """[{month, new_cases, closed, pending_end}] per calendar month in [start, end] (pending at month end),
    with the profile's exclusions; ``previous_year`` adds ``*_last_year`` values for the same months."""
    inds = {i.id: i for i in load_profile(profile, end, data_dir=getattr(engine.store, "root", None))}
    t = apply_filters(engine.cases, filters)
    months = month_periods(start, end)
    exprs: dict[str, ibis.Value] = {}
    shifts = [0, -1] if previous_year else [0]
    for i, (_label, p) in enumerate(months):
        for shift in shifts:
            comp = Compiler(t, p.shifted_years(shift) if shift else p)
            for out, iid in SERIES_IDS.items():
                ind = inds[iid]
                exprs[f"m{i}_{out}_{-shift}"] = comp.aggregate(ind.numerator, ind.line, ind.exclusion_rules)
    rec = t.aggregate(**exprs).execute().to_dict("records")[0]
    rows = []
    for i, (label, _p) in enumerate(months):
        row: dict = {"month": label}
        for out in SERIES_IDS:
            row[out] = int(rec[f"m{i}_{out}_0"] or 0)
            if previous_year:
                row[f"{out}_last_year"] = int(rec[f"m{i}_{out}_1"] or 0)
        rows.append(row)
    return rows
