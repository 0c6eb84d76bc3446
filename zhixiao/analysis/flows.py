"""Case flows for one court as small pandas frames: monthly filings/closings and stock on a date.

Everything downstream (curves, forecast, targets, signals) works on these aggregates, so the heavy
lifting stays in the engine (DuckDB or Spark) and only month × unit rows come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import ibis
import pandas as pd

# Not counted in workload or 结案率 (诉前调确/诉前调书 are outside civil statistics; 执保/执恢 are not
# new enforcement work). Source: REFERENCE §3.2 and §5.3 (乌拉特后旗法院 2022 规则; 法〔2021〕诉前调解统计通知).
EXCLUDED_TYPE_CODES = ("诉前调确", "诉前调书", "执保", "执恢")

UNIT_COLUMNS = {"court": "court_code", "division": "division", "judge": "judge_id"}


def scope(engine, court_code: str | None = None, filters: dict | None = None) -> ibis.Table:
    """Cases that count as workload, optionally for one court and with column → value(s) filters."""
    t = engine.cases
    if court_code:
        t = t.filter(t.court_code == court_code)
    t = t.filter(t.type_code.isnull() | ~t.type_code.isin(EXCLUDED_TYPE_CODES))
    for col, val in (filters or {}).items():
        t = t.filter(t[col].isin(list(val)) if isinstance(val, (list, tuple, set)) else t[col] == val)
    return t


def _unit_cols(by: Sequence[str]) -> list[str]:
    return [UNIT_COLUMNS.get(b, b) for b in by]


def monthly(engine, court_code: str | None, start: date, end: date, by: Sequence[str] = (),
            filters: dict | None = None) -> pd.DataFrame:
    """Filings and closings per calendar month in [start, end]: columns ``*by, year, month, filings, closings``."""
    t = scope(engine, court_code, filters)
    keys = _unit_cols(by)
    frames = []
    for col, name in (("filing_date", "filings"), ("closing_date", "closings")):
        d = t[col]
        sub = t.filter(d.notnull() & (d >= start) & (d <= end))
        agg = sub.group_by([*(sub[k] for k in keys), d.year().name("year"), d.month().name("month")]).agg(
            **{name: sub.count()}
        )
        frames.append(agg.to_pandas().set_index([*keys, "year", "month"]))
    out = frames[0].join(frames[1], how="outer").fillna(0).astype("int64").reset_index()
    return out.sort_values([*keys, "year", "month"], na_position="last").reset_index(drop=True)


def pending_at(engine, court_code: str | None, on: date, by: Sequence[str] = (), filed_before: date | None = None,
               filters: dict | None = None) -> pd.DataFrame:
    """Cases pending at the end of ``on`` (filed on or before it, not closed by it): ``*by, pending``.

    ``filed_before`` keeps only cases filed strictly before that date (the 超12个月 cohort).
    """
    t = scope(engine, court_code, filters)
    cond = t.filing_date.notnull() & (t.filing_date <= on) & (t.closing_date.isnull() | (t.closing_date > on))
    if filed_before is not None:
        cond = cond & (t.filing_date < filed_before)
    sub = t.filter(cond)
    keys = _unit_cols(by)
    if not keys:
        return pd.DataFrame({"pending": [int(sub.count().to_pyarrow().as_py())]})
    return sub.group_by([sub[k] for k in keys]).agg(pending=sub.count()).to_pandas()


def pending_count(engine, court_code: str | None, on: date, filed_before: date | None = None,
                  filters: dict | None = None) -> int:
    return int(pending_at(engine, court_code, on, filed_before=filed_before, filters=filters)["pending"].iloc[0])


def survivors(engine, court_code: str | None, on: date, until: date, filed_before: date,
              filters: dict | None = None) -> tuple[int, int]:
    """(cohort, survivors): cases filed before ``filed_before`` pending at ``on``, and those still pending at ``until``."""
    t = scope(engine, court_code, filters)
    sub = t.filter(t.filing_date.notnull() & (t.filing_date < filed_before)
                   & (t.closing_date.isnull() | (t.closing_date > on)))
    row = sub.agg(cohort=sub.count(),
                  alive=(sub.closing_date.isnull() | (sub.closing_date > until)).sum()).to_pandas().iloc[0]
    alive = row["alive"]
    return int(row["cohort"]), 0 if alive is None or pd.isna(alive) else int(alive)  # SUM of nothing is NULL


def first_year(engine, court_code: str | None) -> int | None:
    t = scope(engine, court_code)
    v = t.filing_date.min().to_pyarrow().as_py()
    return v.year if v else None
