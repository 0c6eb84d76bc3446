"""Date coarsening: which columns a pre-aggregate must keep, and the dates at which each date column's
comparisons change their truth.

A comparison ``x < d`` is true for every date of ``[cut_i, cut_i+1)`` or for none, when the cuts are all the
dates the catalogue compares ``x`` with; so ``x`` may be replaced by the cut below it. Exact cuts (not each
date and the day after) give half the buckets: fewer CASE branches per row and fewer groups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import ibis

from zhixiao.metrics.filters import DEADLINE_PREFIX, Compiler, Period, add_months

# Columns few enough in distinct values to group by as they are (besides booleans and the group columns).
LOW_CARDINALITY = {"court_code", "court_name", "year", "specialized_code", "type_code", "category", "stage",
                   "procedure", "closing_method", "division", "appeal_result", "judge_id", "judge_name"}
# a value of each type that is not null, standing in for a column only tested for null
SAMPLE = {"string": "", "boolean": True, "int8": 0, "int16": 0, "int32": 0, "int64": 0, "float32": 0.0,
          "float64": 0.0, "date": date(2000, 1, 1)}

# Compiler.base's comparisons, as the cuts they need: (s(tart), e(nd) or a(s of), days after it). x < d,
# x >= d and BETWEEN's lower end change at d; x <= d, x > d and BETWEEN's upper end at d + 1.
_S0, _E1, _A1 = ("s", 0), ("e", 1), ("a", 1)
BASE_CUTS = {"new_cases": {"filing_date": (_S0, _E1)}, "carried_over": {"filing_date": (_S0,), "closing_date": (_S0,)},
             "received": {"filing_date": (_E1,), "closing_date": (_S0,)}, "closed": {"closing_date": (_S0, _E1)},
             "pending_end": {"filing_date": (_A1,), "closing_date": (_A1,)},
             "appealed": {"appeal_date": (_S0, _E1)}, "transferred": {"transfer_date": (_S0, _E1)}, "cases": {}}


@dataclass
class Shape:
    """What the count and sum conditions read, as the pre-aggregate's grouping keys."""

    dates: dict[str, set[date]] = field(default_factory=dict)  # date column → its cuts
    keep: set[str] = field(default_factory=set)  # grouped by as they are
    nulls: set[str] = field(default_factory=set)  # only tested for null
    coarse: set[str] = field(default_factory=set)  # date columns, coarsened
    flagged: dict[str, dict] = field(default_factory=dict)  # per-row condition's atom key → the condition


def day_after(d: date, days: int = 1) -> date:
    return date.fromordinal(d.toordinal() + days)


def shape(schema, source: dict, periods: dict[str, Period]) -> Shape | None:
    """The grouping keys that keep every count/sum condition of ``source`` exact, or ``None`` when some
    condition reads what cannot be coarsened and depends on the period (an age against the as-of date) or is
    an exclusion on such a column."""
    out = Shape()
    for spec, ind in source.values():
        if "distinct" in spec:
            continue
        if spec["set"] not in BASE_CUTS:
            return None
        _base_cuts(out, spec["set"], periods)
        if ind.line != "all":
            out.keep.add("category")
        conds = [(c, True) for c in spec.get("where", [])] + [(c, False) for r in ind.exclusion_rules.values()
                                                                for c in r]
        if not all(_condition(out, schema, c, own, periods) for c, own in conds):
            return None
    if any(c not in schema or not schema[c].is_date() for c in out.coarse):
        return None
    return out


def _base_cuts(out: Shape, base: str, periods: dict[str, Period]) -> None:
    for col, which in BASE_CUTS[base].items():
        out.coarse.add(col)
        for p in periods.values():
            out.dates.setdefault(col, set()).update(day_after({"s": p.start, "e": p.end, "a": p.as_of}[at], days)
                                                    for at, days in which)


def _condition(out: Shape, schema, c: dict, own: bool, periods: dict[str, Period]) -> bool:
    """Record what condition ``c`` needs; False when the pre-aggregate cannot keep its truth. A spec's own
    condition (``own``, not an exclusion's) that does not move with the period may be a per-row flag."""
    parts: list[tuple[str, str, Any]] = []
    _cond_columns(c, parts)
    how = [_coarsening(schema, col, op, v, periods) for col, op, v in parts]
    if all(x is not None for x in how):
        for kind, name, cuts in how:  # type: ignore[misc]
            {"keep": out.keep, "nulls": out.nulls, "coarse": out.coarse}[kind].add(name)
            if kind == "coarse":
                out.dates.setdefault(name, set()).update(cuts)
        return True
    if own and not _period_dependent(c):
        out.flagged[Compiler.cond_key("cases", c)] = c
        return True
    return False


def _cond_columns(c: dict, out: list[tuple[str, str, Any]]) -> None:
    for combinator in ("any", "not"):
        if combinator in c:
            for x in c[combinator]:
                _cond_columns(x, out)
            return
    op, v = next((k, v) for k, v in c.items() if k != "col")
    out.append((c["col"], op, v))


def _coarsening(schema, col: str, op: str, v: Any, periods: dict[str, Period]) -> tuple[str, str, set] | None:
    """How a comparison's column enters the pre-aggregate: ("coarse", date column, its cuts), ("keep", column,
    ∅) grouped as it is, ("nulls", column, ∅) only its nullness; ``None`` if none of these keeps its truth."""
    name = {"line": "category", "suspended": "_suspended"}.get(col, col)
    if name.startswith(DEADLINE_PREFIX):
        name = "dl_" + name[len(DEADLINE_PREFIX):]
    if name not in schema:
        return None
    dtype = schema[name]
    if dtype.is_date():
        cuts = date_cuts(op, v, periods)
        return None if cuts is None else ("coarse", name, cuts)
    if name in LOW_CARDINALITY or dtype.is_boolean():
        return "keep", name, set()
    if op == "is_null" and type(dtype).__name__.lower() in SAMPLE:
        return "nulls", name, set()
    return None


def date_cuts(op: str, v: Any, periods: dict[str, Period]) -> set[date] | None:
    """The dates where ``x op v`` changes its truth, or ``None`` for a comparison with no literal date."""
    if op == "older_than_months":  # x < as_of − N months
        return {add_months(p.as_of, -int(v)) for p in periods.values()}
    if op == "is_null":
        return set()
    if op in ("in", "not_in") and all(isinstance(x, date) for x in v):
        return set(v) | {day_after(x) for x in v}
    if op in ("eq", "ne") and isinstance(v, date):
        return {v, day_after(v)}
    if op in ("lt", "ge") and isinstance(v, date):
        return {v}
    if op in ("le", "gt") and isinstance(v, date):
        return {day_after(v)}
    return None


def _period_dependent(c: dict) -> bool:
    """Whether a condition's truth moves with the period (ages against the as-of date)."""
    text = json.dumps(c, ensure_ascii=False, default=str)
    return "older_than_months" in text or "age_days" in text


def coarsened(x: ibis.Value, cuts: set[date]) -> ibis.Value:
    """``x`` replaced by the cut at or below it (the day before the first cut when below them all; null
    stays null)."""
    ordered = sorted(cuts)
    below = ibis.literal(date.fromordinal(ordered[0].toordinal() - 1) if ordered else date(2000, 1, 1))
    rest = ibis.ifelse(x.isnull(), ibis.null("date"), below)
    if not ordered:
        return rest
    return ibis.cases(*[(x >= ibis.literal(d), ibis.literal(d)) for d in reversed(ordered)], else_=rest)
