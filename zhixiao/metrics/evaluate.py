"""The one evaluator: every indicator of a profile, for a period (and 同比), per grouping, in one scan.

All distinct numerators/denominators of all indicators, for the current and the previous-year period,
are aggregates over ``cases`` (plus ``people`` when a per-judge indicator asks for it, and the 原审 join for
发改率). The plain compile path writes each as a filtered reduction of one ``GROUP BY``; the planner passes
of ``metrics.plan`` rewrite that plan for speed, never its answer. Values are divided in Python, so a zero
denominator gives ``None`` on every engine (DuckDB would give ``inf``) and DuckDB and Spark agree to the
last digit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import ibis

from zhixiao.deadlines import COMPUTED, with_deadlines
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.filters import (
    Period,
    needs_deadlines,
    needs_suspension,
    spec_key,
    with_derived,
)
from zhixiao.metrics.grouping import GROUP_KEYS, PEOPLE_KEYS, apply_filters, month_periods, with_group_columns
from zhixiao.metrics.plan import ALL, atoms, columns, distinct, origin, plain, preaggregate, rows
from zhixiao.metrics.plan.paired import paired_counts


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
    """Which aggregates the selected indicators need, per table and period, and the queries that compute them
    with the planner passes ``passes`` on (``metrics.plan``)."""

    def __init__(self, indicators: Sequence[Indicator], periods: dict[str, Period], passes: frozenset[str] = ALL):
        self.periods = periods
        self.passes = passes
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
        self.hash_keys = False  # distinct counts over a 64-bit hash of the value (DuckDB, ``hash`` pass)
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
            raw = self.raw
            if "origin" in self.passes:
                raw = raw.filter(origin.counted_somewhere(raw, self.origin, self.periods))
            for rec in self._run(origin_rows(raw, base, ids), "origin", ids):
                out.setdefault(_key(rec, ids), {}).update(rec)
        if named:
            names: dict[tuple, dict] = {}
            for rec in sorted(_records(base.select(*gcols).distinct()), key=lambda r: str(_key(r, gcols))):
                names.setdefault(_key(rec, ids), {c: rec[c] for c in gcols if c in NAME_OF})
            for k, nm in names.items():
                out.setdefault(k, dict(zip(ids, k, strict=True))).update(nm)
        return list(out.values())

    def _run(self, t: ibis.Table, table: str, gcols: Sequence[str], groups: ibis.Table | None = None) -> list[dict]:
        """Every aggregate of ``table`` per group, as records (one per group) keyed by aggregate name;
        ``groups``, when given, is scanned for the list of groups so that empty ones are kept (they show zeros
        rather than vanish)."""
        source = {"cases": self.cases, "people": self.people, "origin": self.origin}[table]
        if not source:
            return []
        out: dict[tuple, dict] = {}
        for q in self.queries(t, table, gcols, source):
            for rec in _records(q):
                k = _key(rec, gcols)
                out.setdefault(k, dict(zip(gcols, k, strict=True))).update(rec)
        if gcols and groups is not None:
            for rec in _records(groups.select(*gcols).distinct()):
                out.setdefault(_key(rec, gcols), dict(zip(gcols, _key(rec, gcols), strict=True)))
        elif not out and not gcols:  # ungrouped: one record of zeros. Grouped: no rows, no group — an
            out[()] = {}  # empty 原审 join (a cases-only import) must not invent a group of None
        return list(out.values())

    def queries(self, t: ibis.Table, table: str, gcols: Sequence[str], source: dict) -> list[ibis.Table]:
        """The planner: the queries (each one row per group) that compute every aggregate of ``source``. With
        no pass on, one plain ``GROUP BY`` of filtered reductions (``plan.plain``)."""
        on = self.passes
        kind = "people" if table == "people" else "cases"
        paired = _paired_counts(source) if {"distinct", "paired"} <= on and table == "cases" else {}
        apart = {k: v for k, v in source.items() if "distinct" in on and ("distinct" in v[0] or k in paired)}
        rest = {k: v for k, v in source.items() if k not in apart}
        out = self._scans(t, table, kind, gcols, rest) if rest else []
        if apart:
            specs = [spec for spec, _ind in apart.values()]
            dsrc = columns.without_joins(t, self.base, specs) if "columns" in on and table == "cases" else t
            out += distinct.queries(dsrc, gcols, kind, apart, paired, self.periods, self.keys, self.hash_keys)
        return out

    def _scans(self, t: ibis.Table, table: str, kind: str, gcols: Sequence[str], source: dict) -> list[ibis.Table]:
        """The counts and sums of ``source`` (and its distinct counts, when they are not apart) over the rows:
        pre-aggregated when the conditions allow, else through shared parts, else plain."""
        on = self.passes
        src = rows.pruned(t, source, self.periods) if "rows" in on and table == "cases" else t
        counted = {k: v for k, v in source.items() if "distinct" not in v[0]}
        out: list[ibis.Table] = []
        if counted and ("preaggregate" in on or "atoms" in on):
            pre = _preaggregated(src, table, gcols, counted, self.periods) if "preaggregate" in on else None
            if pre is not None:
                out.append(_grouped(*preaggregate.reaggregate(pre[0], counted, self.periods, pre[1], self.keys),
                                    gcols))
            elif "atoms" in on:
                out.append(_grouped(*atoms.scan(src, gcols, kind, counted, self.periods, self.keys), gcols))
            else:
                counted = {}
            source = {k: v for k, v in source.items() if k not in counted}
        if source:
            out.append(_grouped(src, plain.aggregates(src, kind, source, self.periods, self.keys), gcols))
        return out


def _grouped(t: ibis.Table, aggs: dict[str, ibis.Value], gcols: Sequence[str]) -> ibis.Table:
    return t.group_by(list(gcols)).aggregate(**aggs) if gcols else t.aggregate(**aggs)


NAME_OF = {"court_name": "court_code", "judge_name": "judge_id"}  # name columns follow their id

# The two passes the older tests replace by name (``monkeypatch.setattr(evaluate, "_preaggregated", …)``):
# looked up here, at call time, by ``_Plan``.
_preaggregated = preaggregate.preaggregated
_paired_counts = paired_counts


def origin_rows(raw: ibis.Table, t: ibis.Table, ids: Sequence[str]) -> ibis.Table:
    """Cases that have a 原审 case among ``t`` (already filtered and grouped), carrying the 原审 case's
    group columns: 发改率 counts the appeal's result against the court/division/judge that decided first."""
    o = t.select(_o_id=t.case_id, **{f"_g{i}": t[c] for i, c in enumerate(ids)})
    r = raw.filter(raw.origin_case_id.notnull())
    j = r.inner_join(o, r.origin_case_id == o._o_id)
    j = j.drop(*[c for c in ids if c in raw.columns], "_o_id")
    return j.rename(**{c: f"_g{i}" for i, c in enumerate(ids)})


def suspension_join(engine, t: ibis.Table, as_of: date) -> ibis.Table:
    """Mark cases suspended (中止) on ``as_of``: CourTools counts only *active* pending cases."""
    ev = engine.case_events
    a = ibis.literal(as_of)
    sus = ev.filter((ev.kind == "suspension") & (ev.start_date <= a) & (ev.end_date.isnull() | (ev.end_date > a)))
    sus = sus.select(sus_case_id=sus.case_id).distinct()
    j = t.left_join(sus, t.case_id == sus.sus_case_id)
    return j.mutate(_suspended=j.sus_case_id.notnull()).drop("sus_case_id")


def prepared_cases(engine, indicators: Iterable[Indicator], as_of: date, filters: dict | None, *,
                   passes: frozenset[str] = ALL) -> ibis.Table:
    """The cases table with only the joins the indicators need (a failure of the 审限 engine fails here too);
    the 审限 columns as ``dl_*``, computed on the same rows (each case carries its timeline), so no join."""
    specs = [s for ind in indicators for s in ind.specs()]
    t = with_derived(apply_filters(engine.cases, filters), specs)
    if any(needs_deadlines(s) for s in specs):
        only = [c for c in COMPUTED if c in columns.deadline_columns(specs)] if "columns" in passes else None
        t = with_deadlines(engine, t, as_of, prefix="dl_", only=only)
    if any(needs_suspension(s) for s in specs):
        t = suspension_join(engine, t, as_of)
    return t


def _records(expr: ibis.Table) -> list[dict]:
    return expr.to_pyarrow().to_pylist()  # small results: no pandas frame in between


def _key(rec: dict, cols: Sequence[str]) -> tuple:
    return tuple(None if (v is None or (isinstance(v, float) and v != v)) else v for v in (rec.get(c) for c in cols))


def evaluate(engine, profile: str, start: date, end: date, *, by: Sequence[str] = (), compare: str | None = None,
             filters: dict | None = None, indicators: Sequence[str] | None = None,
             as_of: date | None = None, data_dir=None, passes: frozenset[str] = ALL, cube: Any = None) -> Result:
    """Evaluate ``profile`` on [start, end] grouped by ``by`` (court|division|judge|line|type|month).

    ``compare="yoy"`` adds the same period a year earlier; ``as_of`` is the date pending/ages refer to
    (default ``end``); ``filters`` maps canonical columns to a value or a list of values; ``passes`` the
    planner passes to use (``metrics.plan``; the answer is the same with any of them). ``cube``: a stored
    indicator cube (``metrics.cube.Cube``) that answers the questions its ``why_not`` accepts.
    """
    by = _check_args(start, end, by, compare)
    inds = _select(engine, profile, end, indicators, data_dir)
    period = Period(start, end, as_of or end)
    if "month" in by:
        rest = tuple(b for b in by if b != "month")
        out = Result(profile, period, period.shifted_years(-1) if compare else None, by)
        for label, mp in month_periods(start, end):
            sub = evaluate(engine, profile, mp.start, mp.end, by=rest, compare=compare, filters=filters,
                           indicators=[i.id for i in inds], as_of=min(mp.end, period.as_of), data_dir=data_dir,
                           passes=passes, cube=cube)
            for r in sub.rows:
                r.group = {"month": label, **r.group}
            out.rows += sub.rows
        return out
    periods = {"cur": period}
    if compare == "yoy":
        periods["prev"] = period.shifted_years(-1)
    return _evaluate_flat(engine, profile, inds, periods, by, filters, passes, cube)


def evaluate_profiles(engine, profiles: Sequence[str], start: date, end: date, *, by: Sequence[str] = (),
                      compare: str | None = None, filters: dict | None = None,
                      indicators: dict[str, Sequence[str]] | None = None, as_of: date | None = None,
                      data_dir=None, passes: frozenset[str] = ALL) -> dict[str, Result]:
    """Several profiles in one pass: numerators/denominators they share are computed once."""
    by = _check_args(start, end, by, compare)
    if "month" in by:
        return {p: evaluate(engine, p, start, end, by=by, compare=compare, filters=filters, as_of=as_of,
                            indicators=(indicators or {}).get(p), data_dir=data_dir, passes=passes) for p in profiles}
    inds = [i for p in profiles for i in _select(engine, p, end, (indicators or {}).get(p), data_dir)]
    period = Period(start, end, as_of or end)
    periods = {"cur": period, **({"prev": period.shifted_years(-1)} if compare == "yoy" else {})}
    both = _evaluate_flat(engine, "+".join(profiles), inds, periods, by, filters, passes)
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


def _evaluate_flat(engine, profile, inds: list[Indicator], periods: dict[str, Period], by, filters,
                   passes: frozenset[str], cube: Any = None) -> Result:
    unavailable = {i.id: i.unavailable for i in inds if i.unavailable}
    plan = _Plan([i for i in inds if i.id not in unavailable], periods, passes)
    if cube is not None and cube.why_not(plan, periods, by, filters) is None:
        recs, gcols = cube.records(plan, periods, by, filters)
    else:
        recs, gcols = _scanned(engine, plan, inds, periods, by, filters, passes)
    pkeys = [c for c in gcols if c in PEOPLE_KEYS]
    people_ok = all(c in PEOPLE_KEYS or c in ("court_name", "judge_name") for c in gcols)
    people: dict[tuple, dict] = {}
    if plan.people and people_ok:
        pt = apply_filters(engine.people, filters, people=True)
        people = {_key(r, pkeys): r for r in plan.run(pt, "people", pkeys)}
    result = Result(profile, periods["cur"], periods.get("prev"), tuple(by))
    recs.sort(key=lambda r: tuple((v is None, str(v)) for v in _key(r, gcols)))
    for rec in recs:
        group = dict(zip(gcols, _key(rec, gcols), strict=True))
        prec = people.get(_key(rec, pkeys), {})
        for ind in inds:
            result.rows.append(_row(ind, plan, rec, prec, group, periods, unavailable.get(ind.id), people_ok))
    return result


def _scanned(engine, plan: _Plan, inds: list[Indicator], periods: dict[str, Period], by, filters,
             passes: frozenset[str]) -> tuple[list[dict], list[str]]:
    """The records of ``plan`` (one per group) from the cases: the evaluator's scan."""
    t = prepared_cases(engine, inds, periods["cur"].as_of, filters, passes=passes)
    plan.hash_keys = engine.backend == "duckdb" and {"distinct", "hash"} <= passes
    plan.raw = engine.cases
    t, gcols = with_group_columns(t, by)
    base, _ = with_group_columns(with_derived(apply_filters(engine.cases, filters), [s for i in inds for s in i.specs()]),
                                 by)
    recs = plan.run(t, "cases", gcols, base)
    if not recs and gcols and not plan.cases:
        recs = _records(t.select(*gcols).distinct())
    if not recs and not gcols:
        recs = [{}]
    return recs, gcols


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
