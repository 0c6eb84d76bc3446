"""The one evaluator: every indicator of a profile, for a period (and 同比), per grouping, in one scan.

All distinct numerators/denominators of all indicators, for the current and the previous-year period,
become filtered reductions of a single ``GROUP BY`` over ``cases`` (plus one small one over ``people``
when a per-judge indicator asks for it). Values are divided in Python, so a zero denominator gives
``None`` on every engine (DuckDB would give ``inf``) and DuckDB and Spark agree to the last digit.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from zhixiao.deadlines import COMPUTED, with_deadlines
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.filters import (
    DEADLINE_PREFIX,
    Compiler,
    Period,
    add_months,
    needs_deadlines,
    needs_suspension,
    spec_key,
    with_derived,
)
from zhixiao.metrics.grouping import GROUP_KEYS, PEOPLE_KEYS, apply_filters, month_periods, with_group_columns


@dataclass
class Row:
    group: dict
    indicator: str
    name: str
    group_name: str
    line: str
    unit: str
    direction: str
    range: tuple | None
    value: float | None
    numerator: float | None
    denominator: float | None
    previous: float | None = None
    yoy: float | None = None
    yoy_unit: str | None = None
    improved: bool | None = None
    in_range: bool | None = None
    note: str = ""
    profile: str = ""
    excluded: float | None = None  # cases the definition leaves out (Indicator.excluded), when it has such

    def to_dict(self) -> dict:
        d = asdict(self)
        d["range"] = list(self.range) if self.range else None
        return d


@dataclass
class Result:
    profile: str
    period: Period
    previous: Period | None
    by: tuple[str, ...]
    rows: list[Row] = field(default_factory=list)

    def to_dict(self) -> dict:
        period = {"start": self.period.start, "end": self.period.end, "as_of": self.period.as_of}
        if self.previous:
            period["previous_start"], period["previous_end"] = self.previous.start, self.previous.end
        return {
            "period": {k: v.isoformat() for k, v in period.items()},
            "profile": self.profile,
            "by": list(self.by),
            "rows": [r.to_dict() for r in self.rows],
        }

    def get(self, indicator: str, **group: Any) -> Row:
        """The row of one indicator for one group (convenience for callers and tests)."""
        for r in self.rows:
            if r.indicator == indicator and all(r.group.get(k) == v for k, v in group.items()):
                return r
        raise KeyError((indicator, group))


def _num(v: Any) -> float | int | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return float(v)
    try:
        if v != v:  # NaN from pandas
            return None
    except TypeError:
        return None
    return int(v) if float(v).is_integer() and not isinstance(v, float) else float(v)


def compute_value(ind: Indicator, num: float | None, den: float | None) -> float | None:
    """value from numerator/denominator; no denominator → the numerator itself; zero → None."""
    if ind.denominator is None:
        return num if num is not None else 0
    if not den:
        return None
    v = (num or 0) / den
    return ind.scale * (1 - v if ind.complement else v)


def in_range(ind: Indicator, value: float | None, period: Period | None = None) -> bool | None:
    """Inside the 合理区间; None when there is no range, no value, or the range does not judge ``period``."""
    if ind.range is None or value is None or (period is not None and not ind.range_applies(period.start, period.end)):
        return None
    lo, hi = ind.range
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _distance(ind: Indicator, v: float) -> float:
    lo, hi = ind.range or (None, None)
    if lo is not None and v < lo:
        return lo - v
    if hi is not None and v > hi:
        return v - hi
    return 0.0


def compare_values(ind: Indicator, value: float | None, previous: float | None) -> tuple[float | None, str, bool | None]:
    """同比: rates in 百分点 (pp), everything else in % change; plus whether it moved the good way."""
    unit = "pp" if ind.unit == "rate" else "%"
    if value is None or previous is None:
        return None, unit, None
    if unit == "pp":
        yoy = round((value - previous) * 100, 10)
    else:
        yoy = None if previous == 0 else round((value - previous) / abs(previous) * 100, 10)
    if value == previous:
        return yoy, unit, None
    if ind.direction == "higher":
        improved = value > previous
    elif ind.direction == "lower":
        improved = value < previous
    else:
        dv, dp = _distance(ind, value), _distance(ind, previous)
        improved = None if dv == dp else dv < dp
    return yoy, unit, improved


class _Plan:
    """Which distinct aggregates the selected indicators need, per table and period."""

    def __init__(self, indicators: Sequence[Indicator], periods: dict[str, Period]):
        self.periods = periods
        self.cases: dict[str, tuple[dict, Indicator]] = {}
        self.people: dict[str, tuple[dict, Indicator]] = {}
        self.origin: dict[str, tuple[dict, Indicator]] = {}  # counted on the case, grouped by its 原审 case
        for ind in indicators:
            for spec in ind.specs():
                key = spec_key(spec, ind.line, ind.exclusions)
                if spec.get("table") == "people" or spec["set"] == "judges":
                    target = self.people
                elif spec.get("attribute") == "origin":
                    target = self.origin
                else:
                    target = self.cases
                target.setdefault(key, (spec, ind))
        self.keys = {k: f"a{i}" for i, k in enumerate(list(self.cases) + list(self.people) + list(self.origin))}
        self.hash_keys = False  # group distinct counts by a 64-bit hash of the value (DuckDB)
        self.raw: ibis.Table | None = None  # the unfiltered cases table, for origin attribution
        self.base: ibis.Table | None = None  # the cases as filtered and grouped, without 审限/中止 columns
        self._cols: dict[tuple, str] = {}
        self._held = list(indicators)  # keeps the specs alive, so their ids in _cols stay theirs

    def col(self, spec: dict, ind: Indicator, tag: str) -> str:
        memo = (id(spec), id(ind), tag)  # called per group × indicator: spec_key (JSON) once per spec
        if memo not in self._cols:
            self._cols[memo] = f"{self.keys[spec_key(spec, ind.line, ind.exclusions)]}_{tag}"
        return self._cols[memo]

    def run(self, t: ibis.Table, table: str, gcols: Sequence[str], base: ibis.Table | None = None) -> list[dict]:
        """Records per group (see ``_run``); names (court_name, judge_name) are looked up by id afterwards
        so the scans hash only id columns. ``base`` is ``t`` without the 审限 columns and the 中止 join, for the queries
        that need no joined column (group lists, 原审 lookup)."""
        base = t if base is None else base
        self.base = base if table == "cases" and base is not t else None
        ids = [c for c in gcols if c not in NAME_OF]
        named = len(ids) != len(gcols)  # the names query below also lists every group
        out = {_key(r, ids): r for r in self._run(t, table, ids, None if named else base)} if (ids or not gcols) else {}
        if table == "cases" and self.origin:
            for rec in self._run(origin_rows(self.raw.filter(self._any_origin(self.raw)), base, ids), "origin", ids):
                out.setdefault(_key(rec, ids), {}).update(rec)
        if named:
            names: dict[tuple, dict] = {}
            for rec in sorted(_records(base.select(*gcols).distinct()), key=lambda r: str(_key(r, gcols))):
                names.setdefault(_key(rec, ids), {c: rec[c] for c in gcols if c in NAME_OF})
            for k, nm in names.items():
                out.setdefault(k, dict(zip(ids, k, strict=True))).update(nm)
        return list(out.values())

    def _any_origin(self, raw: ibis.Table) -> ibis.Value:
        """Rows that count in some 原审-attributed aggregate (of any period): only they need the join."""
        anyw = ibis.literal(False)
        for period in self.periods.values():
            comp = Compiler(raw, period, "cases")
            for spec, ind in self.origin.values():
                anyw = anyw | comp.where(spec, ind.line, ind.exclusion_rules)
        return anyw

    def relevant(self, t: ibis.Table) -> ibis.Value:
        """A cheap superset of every date-based base set of every period (5 comparisons a row, for a WHERE):
        a row counts somewhere only if it was open, closed, filed, appealed or transferred on or after the
        earliest date any period looks at — e.g. a case closed years before it counts nowhere."""
        lo = ibis.literal(min(min(p.start, p.as_of) for p in self.periods.values()))
        return (t.closing_date.isnull() | (t.closing_date >= lo) | (t.filing_date >= lo) | (t.appeal_date >= lo)
                | (t.transfer_date >= lo))

    def _run(self, t: ibis.Table, table: str, gcols: Sequence[str], groups: ibis.Table | None = None) -> list[dict]:
        """Every aggregate of ``table`` per group, as records (one per group) keyed by aggregate name;
        ``groups``, when given, is scanned for the list of groups so that empty ones are kept.

        One scan does the heavy work. Rows that belong to no base set of any period are dropped first (a
        case closed years ago counts nowhere). Each distinct condition part (shared by many indicators)
        is computed once per row as a boolean column; each aggregate only ANDs them (SUM of a cast,
        measured ~2.5× cheaper on DuckDB than FILTER clauses). Distinct counts (案-件比) need the values
        themselves: a separate two-level GROUP BY. A DISTINCT over the group columns keeps groups without
        relevant rows (they show zeros rather than vanish).
        """
        source = {"cases": self.cases, "people": self.people, "origin": self.origin}[table]
        if not source:
            return []
        bits: dict[str, int] = {}  # condition part key → index in atoms
        atoms: list[ibis.Value] = []
        raw: list[ibis.Value] = []  # the same without COALESCE(…, FALSE): equal truth in WHERE/CASE WHEN
        values: dict[str, str] = {}  # value key → column name
        vexprs: dict[str, ibis.Value] = {}
        metrics: list[tuple[str, str, list[int], str | None, list[ibis.Value]]] = []
        distinct_specs: list[tuple[Period, dict, Indicator]] = []
        prefilter = table == "cases" and not any(spec["set"] == "cases" for spec, _ in source.values())
        src = t.filter(self.relevant(t)) if prefilter else t
        paired = _paired_counts(source) if table == "cases" else {}
        plain = {k: v for k, v in source.items() if "distinct" not in v[0] and k not in paired}
        pre = _preaggregated(src, table, gcols, plain, self.periods) if plain else None
        pre, flags = pre if pre is not None else (None, {})
        for tag, period in self.periods.items():
            comp = Compiler(t, period, "people" if table == "people" else "cases")
            for key, (spec, ind) in source.items():
                if pre is not None and key in plain:
                    continue  # counted and summed over ``pre`` (see _reaggregate)
                nums, exprs = [], []
                for akey, expr in comp.atoms(spec, ind.line, ind.exclusion_rules):
                    if akey not in bits:
                        bits[akey] = len(atoms)
                        atoms.append(expr.fill_null(False))
                        raw.append(expr)
                    nums.append(bits[akey])
                    exprs.append(atoms[bits[akey]])
                vcol = None
                if "sum" in spec:
                    vkey, vexpr = comp.value_column(spec)
                    if vkey not in values:
                        values[vkey] = f"_v{len(values)}"
                        vexprs[values[vkey]] = vexpr
                    vcol = values[vkey]
                elif "distinct" in spec:
                    vcol = spec["distinct"]
                elif key in paired:
                    vcol = paired[key]
                kind = ("sum" if "sum" in spec else "distinct" if "distinct" in spec else
                        "paired" if key in paired else "count")
                metrics.append((f"{self.keys[key]}_{tag}", kind, nums, vcol, exprs))
                if kind in ("distinct", "paired"):
                    distinct_specs.append((period, spec, ind))
        cols: dict[int, str] = {}
        proj: dict[str, ibis.Value] = {}
        plain_metrics = [m for m in metrics if m[1] not in ("distinct", "paired")]
        for _name, _kind, nums, _vcol, _e in plain_metrics:
            for b in nums:
                if b not in cols:
                    cols[b] = f"_b{b}"
                    proj[cols[b]] = atoms[b]
        p = src.select(*gcols, **proj, **vexprs) if plain_metrics else src
        aggs = {}
        for name, kind, nums, vcol, _e in plain_metrics:
            w = p[cols[nums[0]]]
            for b in nums[1:]:
                w = w & p[cols[b]]
            # SUM(CAST(bool)) and SUM(CASE …) measured ~2.5× cheaper on DuckDB than FILTER (WHERE …)
            if kind == "count":
                aggs[name] = w.cast("int64").sum()
            elif kind == "sum":
                aggs[name] = ibis.ifelse(w, p[vcol], ibis.literal(0).cast(p[vcol].type())).sum()
        out: dict[tuple, dict] = {}
        if pre is not None:  # the same sums over a small pre-aggregated table (see _preaggregated)
            p, aggs = self._reaggregate(pre, table, plain, flags)
        if aggs:
            main = p.group_by(list(gcols)).aggregate(**aggs) if gcols else p.aggregate(**aggs)
            for rec in _records(main):
                out.setdefault(_key(rec, gcols), {}).update(rec)
        by_col: dict[str, list[tuple[str, ibis.Value, list[int], bool]]] = {}
        for name, kind, nums, vcol, exprs in metrics:
            if kind in ("distinct", "paired"):
                w = exprs[0]
                for e in exprs[1:]:
                    w = w & e
                by_col.setdefault(vcol, []).append((name, w, nums, kind == "paired"))
        # The distinct counts read no 审限/中止 column: scan the cases without those (DuckDB cannot drop the
        # joined limit and calendar tables from a plan that does not use them).
        dsrc, draw = t, raw
        if by_col and table == "cases" and self.base is not None and not any(
                needs_deadlines(sp) or needs_suspension(sp) for _p, sp, _i in distinct_specs):
            dsrc, draw = self.base, list(raw)
            for period, spec, ind in distinct_specs:
                for akey, expr in Compiler(dsrc, period, "cases").atoms(spec, ind.line, ind.exclusion_rules):
                    draw[bits[akey]] = expr
        for vcol, items in by_col.items():  # per group: values of vcol with at least one qualifying row
            # WHERE (parts every item shares) AND (any item's other parts): plain conjunctions that DuckDB
            # pushes into the scan; every counted row is in some base set, so no ``relevant`` prefilter
            common = [b for b in items[0][2] if all(b in it[2] for it in items[1:])]
            anyw = ibis.literal(False)
            flags = []  # each item's parts beyond the common ones (which the WHERE already holds)
            for _n, _w, nums, _c in items:
                part = dsrc[vcol].notnull()  # true on every row kept (the WHERE holds it)
                for b in nums:
                    if b not in common:
                        part = part & draw[b]
                flags.append(part)
                anyw = anyw | part
            cond = dsrc[vcol].notnull()
            for b in common:
                cond = cond & draw[b]
            if any(len(it[2]) > len(common) for it in items):
                cond = cond & anyw
            q = dsrc.filter(cond)
            # One COUNT(DISTINCT CASE WHEN flag THEN key END) per item (~0.1 CPU-s less on DuckDB than grouping
            # by the key with a MAX(flag) per item, then summing). On DuckDB a 64-bit hash of the value is the
            # key (~0.3 CPU-s less on 2M disputes): two different values of one group would have to share all
            # 64 bits — for 2 million values in one group, about one chance in 10^7. Spark's hash is 32-bit:
            # it counts the values.
            key = _duckdb_hash(q[vcol]) if self.hash_keys else q[vcol]
            none = ibis.null(key.type())
            aggs = {n: ibis.ifelse(w, 1, 0).sum().cast("int64") if paired_count else ibis.ifelse(w, key, none).nunique()
                    for (n, _w, _b, paired_count), w in zip(items, flags, strict=True)}
            final = q.group_by(list(gcols)).aggregate(**aggs) if gcols else q.aggregate(**aggs)
            for rec in _records(final):
                out.setdefault(_key(rec, gcols), dict(zip(gcols, _key(rec, gcols), strict=True))).update(rec)
        if gcols and groups is not None:
            for rec in _records(groups.select(*gcols).distinct()):
                out.setdefault(_key(rec, gcols), dict(zip(gcols, _key(rec, gcols), strict=True)))
        elif not out and not gcols:  # ungrouped: one record of zeros. Grouped: no rows, no group — an
            out[()] = {}  # empty 原审 join (a cases-only import) must not invent a group of None
        return list(out.values())


    def _reaggregate(self, pre: ibis.Table, table: str, source: dict, flags: dict[str, str],
                     ) -> tuple[ibis.Table, dict[str, ibis.Value]]:
        """The count and sum aggregates of ``_run`` over ``pre``: a count adds up ``_n``, a sum its ``_s*``.
        Each distinct condition part becomes one boolean column first (shared by many aggregates): the SQL
        stays a fraction of the size, which is most of its compile and plan time. A per-row condition is
        read from its flag column (``flags``)."""
        parts: dict[str, tuple[str, ibis.Value]] = {}  # condition part → (column, expression)
        wanted: list[tuple[str, list[str], dict]] = []
        for tag, period in self.periods.items():
            comp = Compiler(pre, period, "cases")
            comp.preset({akey: pre[col] for akey, col in flags.items()})
            for key, (spec, ind) in source.items():
                if "distinct" in spec:
                    continue
                cols = []
                for akey, expr in comp.atoms(spec, ind.line, ind.exclusion_rules):
                    if akey not in parts:
                        parts[akey] = (f"_r{len(parts)}", expr.fill_null(False))
                    cols.append(parts[akey][0])
                vcol = _sum_name(comp.value_key(spec)) if "sum" in spec else "_n"
                wanted.append((f"{self.keys[key]}_{tag}", cols, {"v": vcol, "sum": "sum" in spec}))
        pre = pre.mutate(**dict(parts.values())) if parts else pre
        aggs: dict[str, ibis.Value] = {}
        for name, cols, how in wanted:
            w = ibis.literal(True)
            for c in cols:
                w = w & pre[c]
            v = pre[how["v"]]
            aggs[name] = ibis.ifelse(w, v, ibis.literal(0).cast(v.type()) if how["sum"] else 0).sum()
        return pre, aggs


@ibis.udf.scalar.builtin(name="hash")
def _duckdb_hash(value: str) -> dt.uint64:  # type: ignore[empty-body]
    """DuckDB's 64-bit ``hash``."""


NAME_OF = {"court_name": "court_code", "judge_name": "judge_id"}  # name columns follow their id


# Columns few enough in distinct values to group by as they are (besides booleans and the group columns).
LOW_CARDINALITY = {"court_code", "court_name", "year", "specialized_code", "type_code", "category", "stage",
                   "procedure", "closing_method", "division", "appeal_result", "judge_id", "judge_name"}
_SAMPLE = {"string": "", "boolean": True, "int8": 0, "int16": 0, "int32": 0, "int64": 0, "float32": 0.0,
           "float64": 0.0, "date": date(2000, 1, 1)}


def _paired_counts(source: dict) -> dict[str, str]:
    """Counts over exactly the rows of some distinct count (件 and 案 of 案-件比: cases and disputes of the same
    closed cases), by spec key → the distinct count's column. Counted in the distinct count's query, which reads
    that column anyway: the main scan need not read a long text column only to test it for null (~0.2 CPU-s
    on 10M cases). Only where the count's own conditions require the column to be present: the distinct
    query sees no row without a value."""
    rows = {spec_key({k: v for k, v in spec.items() if k != "distinct"}, ind.line, ind.exclusions): spec["distinct"]
            for spec, ind in source.values() if "distinct" in spec}
    return {key: rows[key] for key, (spec, _ind) in source.items()
            if "distinct" not in spec and "sum" not in spec and key in rows
            and {"col": rows[key], "is_null": False} in spec.get("where", [])}


def _day_after(d: date, days: int = 1) -> date:
    return date.fromordinal(d.toordinal() + days)


def _sum_name(vkey: str) -> str:
    return "_s" + uuid.uuid5(uuid.NAMESPACE_OID, vkey).hex[:12]


def _cond_columns(c: dict, out: list[tuple[str, str, Any]]) -> None:
    for combinator in ("any", "not"):
        if combinator in c:
            for x in c[combinator]:
                _cond_columns(x, out)
            return
    op, v = next((k, v) for k, v in c.items() if k != "col")
    out.append((c["col"], op, v))


def _preaggregated(src: ibis.Table, table: str, gcols: Sequence[str], source: dict,
                   periods: dict[str, Period]) -> tuple[ibis.Table, dict[str, str]] | None:
    """``src`` grouped by the group columns and by every column the count/sum conditions read, with dates
    coarsened to the interval between consecutive literal dates they are compared with: one row per
    combination, ``_n`` rows and ``_s*`` sums of each summed measure. Each condition is true for all rows
    of such a combination or for none, so the catalogue's conditions, compiled over this (small) table,
    give exactly the counts and sums of the full scan, at the cost of one hash aggregation instead of
    dozens of predicates per row. A condition that reads what cannot be coarsened (a measure such as
    ``duration_days``, a substring of a free-text or list column) but does not depend on the period is
    grouped by as its own truth value: returned with {condition's atom key → that boolean column}. ``None``
    when some condition is neither (an age against the as-of date, an exclusion on a free-text column):
    the caller scans row by row."""
    if table != "cases":
        return None
    schema = src.schema()
    dates: dict[str, set[date]] = {}  # date column → where a comparison of it can change its truth (its cuts)
    keep: set[str] = set()  # grouped by as they are
    nulls: set[str] = set()  # only tested for null
    coarse: set[str] = set()  # date columns, coarsened
    flagged: dict[str, dict] = {}  # per-row condition's atom key → the condition
    any_period = next(iter(periods.values()))
    # Compiler.base's comparisons, as the cuts they need: (s(tart), e(nd) or a(s of), days after it). x < d,
    # x >= d and BETWEEN's lower end change at d; x <= d, x > d and BETWEEN's upper end at d + 1.
    s0, e1, a1 = ("s", 0), ("e", 1), ("a", 1)
    base_cols = {"new_cases": {"filing_date": (s0, e1)}, "carried_over": {"filing_date": (s0,), "closing_date": (s0,)},
                 "received": {"filing_date": (e1,), "closing_date": (s0,)}, "closed": {"closing_date": (s0, e1)},
                 "pending_end": {"filing_date": (a1,), "closing_date": (a1,)},
                 "appealed": {"appeal_date": (s0, e1)}, "transferred": {"transfer_date": (s0, e1)}, "cases": {}}
    values: dict[str, ibis.Value] = {}
    for spec, ind in source.values():
        if "distinct" in spec:
            continue
        if spec["set"] not in base_cols:
            return None
        for col, which in base_cols[spec["set"]].items():
            coarse.add(col)
            for p in periods.values():
                dates.setdefault(col, set()).update(_day_after({"s": p.start, "e": p.end, "a": p.as_of}[at], days)
                                                    for at, days in which)
        if ind.line != "all":
            keep.add("category")
        conds = [(c, True) for c in spec.get("where", [])] + [(c, False) for r in ind.exclusion_rules.values()
                                                                for c in r]
        for c, own in conds:
            parts: list[tuple[str, str, Any]] = []
            _cond_columns(c, parts)
            plan = [_coarsening(schema, col, op, v, periods) for col, op, v in parts]
            if all(x is not None for x in plan):
                for how, name, cuts in plan:
                    {"keep": keep, "nulls": nulls, "coarse": coarse}[how].add(name)
                    if how == "coarse":
                        dates.setdefault(name, set()).update(cuts)
            elif own and not _period_dependent(c):
                flagged[Compiler.cond_key("cases", c)] = c
            else:
                return None
        if "sum" in spec:
            for period in periods.values():
                vkey, vexpr = Compiler(src, period).value_column(spec)
                values.setdefault(_sum_name(vkey), vexpr)
    if any(schema[c].is_date() is False for c in coarse if c in schema) or not all(c in schema for c in coarse):
        return None
    keys: dict[str, ibis.Value] = {c: src[c] for c in gcols}
    for c in sorted(coarse - set(gcols)):
        # every comparison of x depends only on which [cut_i, cut_i+1) holds x: x becomes cut_i (the day before
        # the first cut below it; null stays null). Exact cuts, not each date and the day after: half the
        # buckets, so fewer CASE branches per row and fewer groups
        cuts = sorted(dates.get(c, set()))
        x = src[c]
        below = ibis.literal(date.fromordinal(cuts[0].toordinal() - 1) if cuts else date(2000, 1, 1))
        rest = ibis.ifelse(x.isnull(), ibis.null("date"), below)
        keys[c] = ibis.cases(*[(x >= ibis.literal(d), ibis.literal(d)) for d in reversed(cuts)],
                             else_=rest) if cuts else rest
    for c in sorted(keep - set(keys)):
        keys[c] = src[c]
    for c in sorted(nulls - set(keys)):
        keys["_nn_" + c] = src[c].notnull()
    flags = {akey: f"_f{i}" for i, akey in enumerate(sorted(flagged))}
    comp = Compiler(src, any_period)
    for akey, col in flags.items():
        keys[col] = comp.cond(flagged[akey]).fill_null(False)
    pre = src.group_by(**keys).aggregate(_n=src.count(), **{k: v.sum() for k, v in values.items()})
    stand_in = {c: ibis.ifelse(pre["_nn_" + c], ibis.literal(_SAMPLE[type(schema[c]).__name__.lower()], schema[c]),
                               ibis.null(schema[c])) for c in sorted(nulls - set(gcols) - keep - coarse)}
    return (pre.mutate(**stand_in) if stand_in else pre), flags


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
        if op == "older_than_months":  # x < as_of − N months
            return "coarse", name, {add_months(p.as_of, -int(v)) for p in periods.values()}
        if op == "is_null":
            return "coarse", name, set()
        if op in ("in", "not_in") and all(isinstance(x, date) for x in v):
            return "coarse", name, set(v) | {_day_after(x) for x in v}
        if op in ("eq", "ne") and isinstance(v, date):
            return "coarse", name, {v, _day_after(v)}
        if op in ("lt", "ge") and isinstance(v, date):
            return "coarse", name, {v}
        if op in ("le", "gt") and isinstance(v, date):
            return "coarse", name, {_day_after(v)}
        return None
    if name in LOW_CARDINALITY or dtype.is_boolean():
        return "keep", name, set()
    if op == "is_null" and type(dtype).__name__.lower() in _SAMPLE:
        return "nulls", name, set()
    return None


def _period_dependent(c: dict) -> bool:
    """Whether a condition's truth moves with the period (ages against the as-of date)."""
    text = json.dumps(c, ensure_ascii=False, default=str)
    return "older_than_months" in text or "age_days" in text


def origin_rows(raw: ibis.Table, t: ibis.Table, ids: Sequence[str]) -> ibis.Table:
    """Cases that have a 原审 case among ``t`` (already filtered and grouped), carrying the 原审 case's
    group columns: 发改率 counts the appeal's result against the court/division/judge that decided first."""
    o = t.select(_o_id=t.case_id, **{f"_g{i}": t[c] for i, c in enumerate(ids)})
    r = raw.filter(raw.origin_case_id.notnull())
    j = r.inner_join(o, r.origin_case_id == o._o_id)
    j = j.drop(*[c for c in ids if c in raw.columns], "_o_id")
    return j.rename(**{c: f"_g{i}" for i, c in enumerate(ids)})


def _with_deadline_columns(engine, t: ibis.Table, as_of: date, columns: set[str] | None = None) -> ibis.Table:
    """``t`` with the 审限 columns as ``dl_*``: computed on the same rows (each case carries its timeline), so
    no join; only the ``columns`` asked for are kept."""
    return with_deadlines(engine, t, as_of, prefix="dl_",
                          only=None if columns is None else [c for c in COMPUTED if c in columns])


def suspension_join(engine, t: ibis.Table, as_of: date) -> ibis.Table:
    """Mark cases suspended (中止) on ``as_of``: CourTools counts only *active* pending cases."""
    ev = engine.case_events
    a = ibis.literal(as_of)
    sus = ev.filter((ev.kind == "suspension") & (ev.start_date <= a) & (ev.end_date.isnull() | (ev.end_date > a)))
    sus = sus.select(sus_case_id=sus.case_id).distinct()
    j = t.left_join(sus, t.case_id == sus.sus_case_id)
    return j.mutate(_suspended=j.sus_case_id.notnull()).drop("sus_case_id")


def prepared_cases(engine, indicators: Iterable[Indicator], as_of: date, filters: dict | None) -> ibis.Table:
    """The cases table with only the joins the indicators need (a failure of the 审限 engine fails here too)."""
    specs = [s for ind in indicators for s in ind.specs()]
    t = with_derived(apply_filters(engine.cases, filters), specs)
    if any(needs_deadlines(s) for s in specs):
        used = set(re.findall(r"deadline\.(\w+)", json.dumps(specs, ensure_ascii=False, default=str)))
        t = _with_deadline_columns(engine, t, as_of, used)
    if any(needs_suspension(s) for s in specs):
        t = suspension_join(engine, t, as_of)
    return t


def _records(expr: ibis.Table) -> list[dict]:
    return expr.to_pyarrow().to_pylist()  # small results: no pandas frame in between


def _key(rec: dict, cols: Sequence[str]) -> tuple:
    return tuple(None if (v is None or (isinstance(v, float) and v != v)) else v for v in (rec.get(c) for c in cols))


def evaluate(engine, profile: str, start: date, end: date, *, by: Sequence[str] = (), compare: str | None = None,
             filters: dict | None = None, indicators: Sequence[str] | None = None,
             as_of: date | None = None, data_dir=None) -> Result:
    """Evaluate ``profile`` on [start, end] grouped by ``by`` (court|division|judge|line|type|month).

    ``compare="yoy"`` adds the same period a year earlier; ``as_of`` is the date pending/ages refer to
    (default ``end``); ``filters`` maps canonical columns to a value or a list of values.
    """
    by = _check_args(start, end, by, compare)
    inds = _select(engine, profile, end, indicators, data_dir)
    period = Period(start, end, as_of or end)
    if "month" in by:
        rest = tuple(b for b in by if b != "month")
        out = Result(profile, period, period.shifted_years(-1) if compare else None, by)
        for label, mp in month_periods(start, end):
            sub = evaluate(engine, profile, mp.start, mp.end, by=rest, compare=compare, filters=filters,
                           indicators=[i.id for i in inds], as_of=min(mp.end, period.as_of), data_dir=data_dir)
            for r in sub.rows:
                r.group = {"month": label, **r.group}
            out.rows += sub.rows
        return out
    periods = {"cur": period}
    if compare == "yoy":
        periods["prev"] = period.shifted_years(-1)
    return _evaluate_flat(engine, profile, inds, periods, by, filters)


def evaluate_profiles(engine, profiles: Sequence[str], start: date, end: date, *, by: Sequence[str] = (),
                      compare: str | None = None, filters: dict | None = None,
                      indicators: dict[str, Sequence[str]] | None = None, as_of: date | None = None,
                      data_dir=None) -> dict[str, Result]:
    """Several profiles in one pass: numerators/denominators they share are computed once."""
    by = _check_args(start, end, by, compare)
    if "month" in by:
        return {p: evaluate(engine, p, start, end, by=by, compare=compare, filters=filters, as_of=as_of,
                            indicators=(indicators or {}).get(p), data_dir=data_dir) for p in profiles}
    inds = [i for p in profiles for i in _select(engine, p, end, (indicators or {}).get(p), data_dir)]
    period = Period(start, end, as_of or end)
    periods = {"cur": period, **({"prev": period.shifted_years(-1)} if compare == "yoy" else {})}
    both = _evaluate_flat(engine, "+".join(profiles), inds, periods, by, filters)
    out = {p: Result(p, both.period, both.previous, both.by) for p in profiles}
    for r in both.rows:
        out[r.profile].rows.append(r)
    return out


def _check_args(start: date, end: date, by: Sequence[str], compare: str | None) -> tuple[str, ...]:
    if start > end:
        raise UserError(f"统计期间起始日 {start} 晚于截止日 {end}，请调换 --from 与 --to。")
    if compare not in (None, "yoy"):
        raise UserError(f"不支持的对比方式“{compare}”，目前只支持 yoy（同比）。")
    for b in by:
        if b not in GROUP_KEYS:
            raise UserError(f"分组“{b}”无效；可用：{', '.join(GROUP_KEYS)}。")
    return tuple(by)


def _select(engine, profile: str, end: date, indicators: Sequence[str] | None, data_dir) -> list[Indicator]:
    inds = load_profile(profile, end, data_dir=data_dir if data_dir is not None else _data_dir(engine))
    if indicators:
        wanted = set(indicators)
        missing = wanted - {i.id for i in inds}
        if missing:
            raise UserError(f"指标体系“{profile}”中没有指标：{', '.join(sorted(missing))}。")
        inds = [i for i in inds if i.id in wanted]
    return inds


def _data_dir(engine):
    store = getattr(engine, "store", None)
    return getattr(store, "root", None)


def _evaluate_flat(engine, profile, inds: list[Indicator], periods: dict[str, Period], by, filters) -> Result:
    t = prepared_cases(engine, inds, periods["cur"].as_of, filters)
    unavailable = {i.id: i.unavailable for i in inds if i.unavailable}
    plan = _Plan([i for i in inds if i.id not in unavailable], periods)
    plan.hash_keys = engine.backend == "duckdb"
    plan.raw = engine.cases
    t, gcols = with_group_columns(t, by)
    base, _ = with_group_columns(with_derived(apply_filters(engine.cases, filters), [s for i in inds for s in i.specs()]),
                                 by)
    rows = plan.run(t, "cases", gcols, base)
    if not rows and gcols and not plan.cases:
        rows = _records(t.select(*gcols).distinct())
    if not rows and not gcols:
        rows = [{}]
    pkeys = [c for c in gcols if c in PEOPLE_KEYS]
    people_ok = all(c in PEOPLE_KEYS or c in ("court_name", "judge_name") for c in gcols)
    people: dict[tuple, dict] = {}
    if plan.people and people_ok:
        pt = apply_filters(engine.people, filters, people=True)
        people = {_key(r, pkeys): r for r in plan.run(pt, "people", pkeys)}
    result = Result(profile, periods["cur"], periods.get("prev"), tuple(by))
    rows.sort(key=lambda r: tuple((v is None, str(v)) for v in _key(r, gcols)))
    for rec in rows:
        group = dict(zip(gcols, _key(rec, gcols), strict=True))
        prec = people.get(_key(rec, pkeys), {})
        for ind in inds:
            result.rows.append(_row(ind, plan, rec, prec, group, periods, unavailable.get(ind.id), people_ok))
    return result


def _part(plan: _Plan, ind: Indicator, spec: dict | None, rec: dict, prec: dict, tag: str, people_ok: bool):
    if spec is None:
        return None
    is_people = spec.get("table") == "people" or spec["set"] == "judges"
    if is_people and not people_ok:
        return None
    v = _num((prec if is_people else rec).get(plan.col(spec, ind, tag)))
    return 0 if v is None else v


def _row(ind: Indicator, plan: _Plan, rec: dict, prec: dict, group: dict, periods: dict[str, Period],
         unavailable: str | None, people_ok: bool) -> Row:
    yoy = "prev" in periods
    base = dict(group=group, indicator=ind.id, name=ind.name, group_name=ind.group, line=ind.line, unit=ind.unit,
                direction=ind.direction, range=ind.range, profile=ind.profile)
    if unavailable:
        return Row(**base, value=None, numerator=None, denominator=None, note=unavailable)
    num = _part(plan, ind, ind.numerator, rec, prec, "cur", people_ok)
    den = _part(plan, ind, ind.denominator, rec, prec, "cur", people_ok)
    value = compute_value(ind, num, den) if num is not None else None
    row = Row(**base, value=value, numerator=num, denominator=den, in_range=in_range(ind, value, periods["cur"]), note=ind.note,
              excluded=_part(plan, ind, ind.excluded, rec, prec, "cur", people_ok))
    if yoy:
        pn = _part(plan, ind, ind.numerator, rec, prec, "prev", people_ok)
        pd_ = _part(plan, ind, ind.denominator, rec, prec, "prev", people_ok)
        row.previous = compute_value(ind, pn, pd_) if pn is not None else None
        row.yoy, row.yoy_unit, row.improved = compare_values(ind, value, row.previous)
    return row
