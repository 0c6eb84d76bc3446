"""The per-snapshot indicator cube: the evaluator's own pre-aggregate (``plan.preaggregate``) of the cases,
built once per snapshot and kept as Parquet beside it, so that an indicator question over any month-aligned
period is answered by re-aggregating a small table instead of compiling and running the 审限 scan again.

The cube groups the prepared cases (审限 columns at the data's as-of date) by court × division × judge (ids and
names) and by whatever the counted conditions read, with every date column coarsened to the union of the cuts
of all month-aligned periods of the last two years and their 同比 periods (every month start, the day after the
as-of date, the 12-month ages at month ends …). A comparison with a date that is one of those cuts has the same
truth on every date of a bucket, so the cube's counts and sums equal the full scan's for any question whose cuts
are all cube cuts.

``Cube.why_not`` is the explicit check of that (and of the rest: the group and filter columns are cube columns,
the aggregates are the cube's own, no distinct count, no per-judge roster, no 原审 join, no column that moves
with the as-of date); a question it refuses goes to the normal evaluator. ``tests/metrics/test_cube.py`` compares
the cube's answers with the plain path cell for cell.

On DuckDB a question's SQL is compiled once per (cube, aggregates, period shape, grouping, filtered columns) and
kept (``metrics.statements``): the filter values and the period dates are bound as its parameters, so the
dashboard's scopes (every court, division and judge) and periods share one compile per grouping, and a question
costs one query of the small table.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from zhixiao.aggregates import cube_path, stored_cube
from zhixiao.metrics import statements, tracks
from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.evaluate import NAME_OF, _key, _Plan, _records, prepared_cases
from zhixiao.metrics.filters import DEADLINE_PREFIX, Compiler, Period, add_months, spec_key
from zhixiao.metrics.grouping import GROUP_KEYS, apply_filters
from zhixiao.metrics.plan import preaggregate
from zhixiao.metrics.plan.cuts import shape

# The cube's group columns: the dashboard's scopes and drill-down levels (names follow their ids), and the
# category the 收结存 by track filters on (metrics.tracks: 审判, 执行, 非诉保全 are sets of categories).
COLUMNS = ("court_code", "court_name", "division", "judge_id", "judge_name", "category")
# 审限 columns whose value does not depend on the as-of date they were computed at: 不计审限 follows from the
# procedure and tags alone (deadlines._before_calendar: no_limit).
AS_OF_FREE = frozenset({"dl_no_limit"})
# ... or does not once the case is closed by both dates: a closed case's deadline runs to its closing day, not to
# the as-of date (deadlines._deducted_total: stop), so 审限内结案 is the same at every as-of after the closing.
CLOSED_FREE = frozenset({"dl_closed_within_limit"})
META = b"zhixiao.cube"  # the Parquet schema metadata key of the cube's description
YEARS = 2  # month-aligned periods of this many calendar years up to the as-of date (and their 同比)


def full_key(spec: dict, ind: Indicator) -> str:
    """An aggregate's identity including its exclusions' conditions (a court may edit those)."""
    rules = json.dumps(ind.exclusion_rules, sort_keys=True, ensure_ascii=False, default=str)
    return spec_key(spec, ind.line, ind.exclusions) + "|" + rules


def periods_of(as_of: date) -> dict[str, Period]:
    """Every period the cube is cut for: each month and each 1 January → month end of the last ``YEARS`` years
    up to ``as_of`` (the last month ending at ``as_of``), each as of its end, and each one a year earlier."""
    out: dict[str, Period] = {}
    for year in range(as_of.year - YEARS + 1, as_of.year + 1):
        for month in range(1, 13 if year < as_of.year else as_of.month + 1):
            first = date(year, month, 1)
            end = min(date.fromordinal(add_months(first, 1).toordinal() - 1), as_of)
            for start in (first, date(year, 1, 1)):
                p = Period(start, end, end)
                out[f"{start}_{end}"] = p
                out[f"{start}_{end}_prev"] = p.shifted_years(-1)
    return out


def _reads(c: dict, out: set[str]) -> None:
    for combinator in ("any", "not"):
        if combinator in c:
            for x in c[combinator]:
                _reads(x, out)
            return
    name = c["col"]
    out.add("dl_" + name[len(DEADLINE_PREFIX):] if name.startswith(DEADLINE_PREFIX) else
            {"suspended": "_suspended", "age_days": "_age"}.get(name, name))


def as_of_columns(spec: dict, ind: Indicator) -> set[str]:
    """The columns of a spec's conditions (exclusions included) computed at an as-of date (审限, 中止, ages)."""
    cols: set[str] = set()
    for c in [*spec.get("where", []), *(c for r in ind.exclusion_rules.values() for c in r)]:
        _reads(c, cols)
    if spec.get("sum") == "age_days":
        cols.add("_age")
    return {c for c in cols if c.startswith("dl_") or c in ("_suspended", "_age")}


def build(engine, inds: Sequence[Indicator], as_of: date) -> tuple[pa.Table, dict] | None:
    """The cube of ``inds`` at ``as_of`` (Arrow) and its description, over the indicators the cube can hold
    (counts and sums over cases whose conditions the pre-aggregate keeps exact); ``None`` if none can."""
    periods = periods_of(as_of)
    schema = prepared_cases(engine, inds, as_of, None).schema()
    held = [i for i in inds if not i.unavailable and _cubable(i, periods, schema)]
    if not held:
        return None
    plan = _Plan(held, periods)
    src = prepared_cases(engine, held, as_of, None)
    how = shape(src.schema(), plan.cases, periods)
    made = preaggregate.preaggregated(src, "cases", COLUMNS, plan.cases, periods)
    if how is None or made is None:  # _cubable checked each indicator alone; together they must hold too
        raise AssertionError("立方体：单项可预聚合的指标合起来不能预聚合")
    pre, flags = made
    table = pre.to_pyarrow()
    meta = {"as_of": as_of.isoformat(), "keys": sorted({full_key(s, i) for s, i in plan.cases.values()}),
            "dates": {c: sorted(d.isoformat() for d in how.dates.get(c, set())) for c in sorted(how.coarse)},
            "keep": sorted(how.keep), "nulls": sorted(how.nulls), "coarse": sorted(how.coarse), "flags": flags,
            "schema": {k: str(v) for k, v in src.schema().items()}, "columns": table.column_names}
    return table, meta


def _cubable(ind: Indicator, periods: dict[str, Period], schema: ibis.Schema) -> bool:
    plan = _Plan([ind], periods)
    if plan.people or plan.origin or any("distinct" in s for s, _i in plan.cases.values()):
        return False
    return shape(schema, plan.cases, periods) is not None


class Cube:
    """A stored cube registered on one engine (``table``) with its description (``meta``, see ``build``)."""

    def __init__(self, table: ibis.Table, meta: dict):
        self.table, self.meta = table, meta
        self.as_of = date.fromisoformat(meta["as_of"])
        self.keys = frozenset(meta["keys"])
        self.schema = ibis.schema(meta["schema"])
        self.dates = {c: {date.fromisoformat(d) for d in ds} for c, ds in meta["dates"].items()}

    def why_not(self, plan: _Plan, periods: dict[str, Period], by: Sequence[str], filters: dict | None) -> str | None:
        """Why the cube cannot answer this question exactly (``None``: it can)."""
        gcols = {c for b in by for c in GROUP_KEYS[b]}
        if not gcols <= set(COLUMNS):
            return f"grouping {sorted(gcols - set(COLUMNS))} is not a cube column"
        if not set(filters or {}) <= set(COLUMNS):
            return f"filter {sorted(set(filters or {}) - set(COLUMNS))} is not a cube column"
        if plan.people or plan.origin:
            return "per-judge roster or 原审 aggregates"
        if any("distinct" in s for s, _i in plan.cases.values()):
            return "distinct count"
        missing = {full_key(s, i) for s, i in plan.cases.values()} - self.keys
        if missing:
            return f"{len(missing)} aggregate(s) not in the cube"
        asked = _asked(periods)
        if any(p.end > p.as_of or p.end > asked for p in periods.values()) or asked > self.as_of:
            return "a period ends after its as-of date or the cube's"
        return self._cuts(plan, periods) or self._as_of(plan, asked) or self._sums(plan, periods)

    def _cuts(self, plan: _Plan, periods: dict[str, Period]) -> str | None:
        how = shape(self.schema, plan.cases, periods)
        if how is None:
            return "the conditions cannot be pre-aggregated"
        if not how.coarse <= set(self.meta["coarse"]):
            return f"date columns {sorted(how.coarse - set(self.meta['coarse']))} not coarsened in the cube"
        for col in how.coarse:
            extra = how.dates.get(col, set()) - self.dates.get(col, set())
            if extra:
                return f"{col}: cuts {sorted(extra)[:3]} not in the cube"
        kept = set(self.meta["keep"]) | set(COLUMNS)
        if not how.keep <= kept or not how.nulls <= kept | set(self.meta["nulls"]):
            return "a condition reads a column the cube does not keep"
        if not set(how.flagged) <= set(self.meta["flags"]):
            return "a per-row condition the cube has no flag for"
        return None

    def _as_of(self, plan: _Plan, asked: date) -> str | None:
        """The cube's 审限/中止 columns are computed at its as-of date; the evaluator computes them at the
        question's. Equal at both only for the columns above, or when the two dates are the same."""
        if asked == self.as_of:
            return None
        for spec, ind in plan.cases.values():
            for col in as_of_columns(spec, ind):
                if col in AS_OF_FREE:
                    continue
                # a closed set of a period ending by the question's as-of date: closed at both dates
                if col in CLOSED_FREE and spec["set"] == "closed" and not _in_exclusions(ind, col):
                    continue
                return f"{col} depends on the as-of date"
        return None

    def _sums(self, plan: _Plan, periods: dict[str, Period]) -> str | None:
        cols = set(self.meta["columns"])
        for spec, _ind in plan.cases.values():
            if "sum" in spec:
                for p in periods.values():
                    if preaggregate.sum_name(Compiler(self.table, p).value_key(spec)) not in cols:
                        return f"sum of {spec['sum']} not in the cube"
        return None

    def records(self, plan: _Plan, periods: dict[str, Period], by: Sequence[str], filters: dict | None,
                ) -> tuple[list[dict], list[str]]:
        """The evaluator's records (one per group, aggregate name → value) and group columns, from the cube.
        Call only when ``why_not`` is ``None``."""
        gcols: list[str] = []
        for b in by:
            gcols += [c for c in GROUP_KEYS[b] if c not in gcols]
        got, names = self._rows(plan, periods, gcols, filters)
        ids = [c for c in gcols if c not in NAME_OF]
        out: dict[tuple, dict] = {}
        # grouped by ids and names in one query, then added up per id: the name is the evaluator's (the first
        # (ids, names) in its order), and a sum stays null only where every part is null
        for rec in sorted(got, key=lambda r: str(_key(r, gcols))):
            k = _key(rec, ids)
            if k not in out:
                out[k] = rec
                continue
            have = out[k]
            for name in names:
                a, b = have[name], rec[name]
                have[name] = a if b is None else b if a is None else a + b
        if not out and not gcols:
            out[()] = {}
        return list(out.values()), gcols

    def _rows(self, plan: _Plan, periods: dict[str, Period], gcols: list[str], filters: dict | None,
              ) -> tuple[list[dict], list[str]]:
        """The re-aggregation's rows and aggregate names: on DuckDB through the kept statement of the question's
        shape (``metrics.statements``) with the filter values as its parameters, elsewhere through the expression."""
        flags = self.meta["flags"]
        if not statements.keepable(self.table, [filters]):
            q, names = _question(apply_filters(self.table, filters), plan, periods, gcols, flags)
            return _records(q), names
        shaped = statements.shape([filters])
        listed = list(periods.values())
        # the periods by their shape (their dates are parameters), and the sums' columns (an age's is per as-of)
        sums = tuple(Compiler(self.table, p).value_key(s) for p in listed for s, _i in plan.cases.values() if "sum" in s)
        key = ("cube", self.table.get_name(), self.meta["as_of"], tuple(self.meta["columns"]), tuple(gcols), shaped,
               tuple(periods), statements.period_shape(listed), sums,
               tuple((plan.keys[k], full_key(s, i)) for k, (s, i) in plan.cases.items()))

        def make() -> statements.Statement:
            q, names = _question(statements.stand_in(self.table), plan, periods, gcols, flags)
            return statements.compile_over(self.table, q, shaped, names)

        st = statements.kept(key, make, listed)
        return statements.arrow(self.table, st, st.params([filters], listed)).to_pylist(), list(st.names)


def _question(t: ibis.Table, plan: _Plan, periods: dict[str, Period], gcols: list[str], flags: dict[str, str],
              ) -> tuple[ibis.Table, list[str]]:
    """The re-aggregation of the plan's counts and sums over the cube rows ``t``, one row per group."""
    pre, aggs = preaggregate.reaggregate(t, plan.cases, periods, flags, plan.keys)
    return (pre.group_by(gcols).aggregate(**aggs) if gcols else pre.aggregate(**aggs)), list(aggs)


def _asked(periods: dict[str, Period]) -> date:
    """The as-of date the question computes its 审限 columns at: the evaluator's current period's (its 同比
    period reads the same columns); a question of several periods without one (a month series) reads none."""
    return periods["cur"].as_of if "cur" in periods else max(p.as_of for p in periods.values())


def _in_exclusions(ind: Indicator, col: str) -> bool:
    cols: set[str] = set()
    for rule in ind.exclusion_rules.values():
        for c in rule:
            _reads(c, cols)
    return col in cols


def attach(engine, path: Any, meta: dict) -> Cube:
    """The stored cube at ``path`` registered on ``engine`` (once per engine)."""
    name = f"_zx_cube_{abs(hash(str(path))):x}"
    if name not in engine.tables:
        engine.tables[name] = engine.con.read_parquet(str(path), table_name=name)
    return Cube(engine.tables[name], meta)


_LOCK = threading.Lock()  # one build per cube file in this process; readers of other cubes wait briefly
_METAS: dict[str, dict | None] = {}
_PATHS: dict[tuple, tuple[Path, list[Indicator]]] = {}


def for_snapshot(engine, version: int, profile: str, ids: Sequence[str], as_of: date) -> Cube | None:
    """The cube of ``profile``'s indicators ``ids`` at ``as_of`` for the snapshot ``version`` the engine reads,
    registered on ``engine``: read from ``<data_dir>/aggregates/<version>/`` or built and kept there first.
    ``None`` when none of the indicators can be held (every question then goes to the evaluator). The cube also
    holds the 收结存 and 结案率 by track (``tracks.flow_definitions``): every 总览 shows them beside ``ids``."""
    root = engine.store.root
    cal = getattr(engine, "calendar", None)
    fp = cal.fingerprint() if cal is not None else None
    # the court's indicator files, as DataHub.config_stamp: an edit is another cube (its keys change)
    d = Path(root) / "indicators"
    stamp = tuple((f.name, f.stat().st_mtime_ns) for f in sorted(d.glob("*.toml"))) if d.is_dir() else ()
    memo = (str(root), version, profile, tuple(ids), as_of, fp, stamp, engine.backend)
    if memo not in _PATHS:  # reading the catalogue costs more than answering from the cube
        wanted = set(ids)
        inds = [i for i in load_profile(profile, as_of, data_dir=root) if i.id in wanted]
        have = {(i.profile, i.id) for i in inds}
        inds += [i for i in tracks.flow_definitions(profile, as_of, root).values() if (i.profile, i.id) not in have]
        key = (as_of, profile, sorted(full_key(s, i) for i in inds for s in i.specs()), fp, YEARS, engine.backend)
        _PATHS[memo] = (cube_path(root, version, key), inds)
    path, inds = _PATHS[memo]
    with _LOCK:
        if str(path) not in _METAS or (_METAS[str(path)] is not None and not path.is_file()):  # pruned: again
            _METAS[str(path)] = stored_cube(path, lambda: build(engine, inds, as_of))
        meta = _METAS[str(path)]
    return attach(engine, path, meta) if meta is not None else None
