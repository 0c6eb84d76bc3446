"""Distinct counts (案-件比) in their own query per counted column, their conditions in its WHERE.

A distinct count needs the values themselves, which a scan of boolean sums cannot carry. One query per
counted column keeps only rows some item counts: the parts every item shares and any item's other parts are
plain conjunctions DuckDB pushes into the scan. Each item is one ``COUNT(DISTINCT CASE WHEN … THEN value
END)``, cheaper than grouping by the value with a flag per item. With ``hash_keys`` (DuckDB) the value is its
64-bit hash: two different values of one group would have to share all 64 bits, about one chance in 10^7 for
2 million values in one group; Spark's hash is 32-bit, so there the values are counted.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.datatypes as dt

from zhixiao.metrics.filters import Compiler, Period

# one distinct or paired count: (aggregate name, its condition parts as (key, expression), is a paired count)
Item = tuple[str, list[tuple[str, ibis.Value]], bool]


@ibis.udf.scalar.builtin(name="hash")
def duckdb_hash(value: str) -> dt.uint64:  # type: ignore[empty-body]
    """DuckDB's 64-bit ``hash``."""


def items_by_column(src: ibis.Table, kind: str, source: dict, paired: dict[str, str], periods: dict[str, Period],
                    names: dict[str, str]) -> dict[str, list[Item]]:
    """The distinct counts of ``source`` (and the counts paired with them) grouped by the column they read."""
    by_col: dict[str, list[Item]] = {}
    for tag, period in periods.items():
        comp = Compiler(src, period, kind)
        for key, (spec, ind) in source.items():
            col = spec["distinct"] if "distinct" in spec else paired[key]
            parts = comp.atoms(spec, ind.line, ind.exclusion_rules)
            by_col.setdefault(col, []).append((f"{names[key]}_{tag}", parts, key in paired))
    return by_col


def query(src: ibis.Table, gcols: Sequence[str], col: str, items: list[Item], hash_keys: bool) -> ibis.Table:
    """Per group, every item's count over ``src``: ``WHERE col IS NOT NULL AND (shared parts) AND (any item's
    other parts)``; every counted row is in some base set, so no row pruning is needed first."""
    keys = [[k for k, _e in parts] for _n, parts, _p in items]
    common = [k for k in keys[0] if all(k in ks for ks in keys[1:])]
    anyw = ibis.literal(False)
    flags = []  # each item's parts beyond the common ones (which the WHERE already holds)
    for _n, parts, _p in items:
        flag = src[col].notnull()  # true on every row kept
        for k, e in parts:
            if k not in common:
                flag = flag & e
        flags.append(flag)
        anyw = anyw | flag
    exprs = dict(p for _n, parts, _p in items for p in parts)
    cond = src[col].notnull()
    for k in common:
        cond = cond & exprs[k]
    if any(len(ks) > len(common) for ks in keys):
        cond = cond & anyw
    q = src.filter(cond)
    value = duckdb_hash(q[col]) if hash_keys else q[col]
    none = ibis.null(value.type())
    aggs = {name: ibis.ifelse(w, 1, 0).sum().cast("int64") if is_paired else ibis.ifelse(w, value, none).nunique()
            for (name, _parts, is_paired), w in zip(items, flags, strict=True)}
    return q.group_by(list(gcols)).aggregate(**aggs) if gcols else q.aggregate(**aggs)


def queries(src: ibis.Table, gcols: Sequence[str], kind: str, source: dict, paired: dict[str, str],
            periods: dict[str, Period], names: dict[str, str], hash_keys: bool) -> list[ibis.Table]:
    """One query per counted column for the distinct counts of ``source`` and the counts ``paired`` with them."""
    by_col = items_by_column(src, kind, source, paired, periods, names)
    return [query(src, gcols, col, items, hash_keys) for col, items in by_col.items()]
