"""Pre-aggregation: group the cases by what the count and sum conditions read, then evaluate the conditions
over that small table.

Grouped by the group columns and every column the conditions read, with dates coarsened to their cut points
(``cuts``), each condition is true for all rows of a combination or for none: the catalogue's conditions,
compiled over the pre-aggregate, give exactly the counts and sums of the full scan, at the cost of one hash
aggregation instead of dozens of predicates per row. A condition that reads what cannot be coarsened (a
measure such as ``duration_days``, a substring of a free-text column) but does not move with the period is
grouped by as its own truth value (a flag column).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import ibis

from zhixiao.metrics.filters import Compiler, Period
from zhixiao.metrics.plan.cuts import SAMPLE, Shape, coarsened, shape


def sum_name(vkey: str) -> str:
    """The pre-aggregate's column of a summed value (by the value's key)."""
    return "_s" + uuid.uuid5(uuid.NAMESPACE_OID, vkey).hex[:12]


def preaggregated(src: ibis.Table, table: str, gcols: Sequence[str], source: dict,
                  periods: dict[str, Period]) -> tuple[ibis.Table, dict[str, str]] | None:
    """``src`` grouped as above: one row per combination, ``_n`` rows and ``_s*`` sums of each summed value;
    with {condition's atom key → its flag column}. ``None`` when some condition cannot be kept exact (an age
    against the as-of date, an exclusion on a free-text column): the caller scans row by row."""
    if table != "cases":
        return None
    schema = src.schema()
    how = shape(schema, source, periods)
    if how is None:
        return None
    keys = _grouping_keys(src, gcols, how)
    flags = {akey: f"_f{i}" for i, akey in enumerate(sorted(how.flagged))}
    comp = Compiler(src, next(iter(periods.values())))
    for akey, col in flags.items():
        keys[col] = comp.cond(how.flagged[akey]).fill_null(False)
    pre = src.group_by(**keys).aggregate(_n=src.count(), **{k: v.sum() for k, v in _sums(src, source, periods).items()})
    stand_in = {c: ibis.ifelse(pre["_nn_" + c], ibis.literal(SAMPLE[type(schema[c]).__name__.lower()], schema[c]),
                               ibis.null(schema[c])) for c in sorted(how.nulls - set(gcols) - how.keep - how.coarse)}
    return (pre.mutate(**stand_in) if stand_in else pre), flags


def _grouping_keys(src: ibis.Table, gcols: Sequence[str], how: Shape) -> dict[str, ibis.Value]:
    """Group columns as they are, date columns coarsened, kept columns as they are, null-tested ones as
    their nullness (``_nn_*``)."""
    keys: dict[str, ibis.Value] = {c: src[c] for c in gcols}
    for c in sorted(how.coarse - set(gcols)):
        keys[c] = coarsened(src[c], how.dates.get(c, set()))
    for c in sorted(how.keep - set(keys)):
        keys[c] = src[c]
    for c in sorted(how.nulls - set(keys)):
        keys["_nn_" + c] = src[c].notnull()
    return keys


def _sums(src: ibis.Table, source: dict, periods: dict[str, Period]) -> dict[str, ibis.Value]:
    """Every summed value of ``source``, per period where it depends on one, by its pre-aggregate column."""
    values: dict[str, ibis.Value] = {}
    for spec, _ind in source.values():
        if "sum" in spec and "distinct" not in spec:
            for period in periods.values():
                vkey, vexpr = Compiler(src, period).value_column(spec)
                values.setdefault(sum_name(vkey), vexpr)
    return values


def reaggregate(pre: ibis.Table, source: dict, periods: dict[str, Period], flags: dict[str, str],
                names: dict[str, str]) -> tuple[ibis.Table, dict[str, ibis.Value]]:
    """The counts and sums of ``source`` over ``pre``: a count adds up ``_n``, a sum its ``_s*``. Each distinct
    condition part becomes one boolean column first (shared by many aggregates), which keeps the SQL, and so
    its compile and plan time, small. A per-row condition is read from its flag column."""
    parts: dict[str, tuple[str, ibis.Value]] = {}  # condition part → (column, expression)
    wanted: list[tuple[str, list[str], str, bool]] = []
    for tag, period in periods.items():
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
            vcol = sum_name(comp.value_key(spec)) if "sum" in spec else "_n"
            wanted.append((f"{names[key]}_{tag}", cols, vcol, "sum" in spec))
    pre = pre.mutate(**dict(parts.values())) if parts else pre
    aggs: dict[str, ibis.Value] = {}
    for name, cols, vcol, is_sum in wanted:
        w = ibis.literal(True)
        for c in cols:
            w = w & pre[c]
        v = pre[vcol]
        # a sum over no row of the group is null, as the plain path's filtered SUM gives
        aggs[name] = ibis.ifelse(w, v, ibis.null(v.type()) if is_sum else 0).sum()
    return pre, aggs
