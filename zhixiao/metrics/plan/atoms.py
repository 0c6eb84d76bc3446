"""Shared condition parts: each distinct part of a row condition computed once per row, as a boolean column.

Dozens of indicators share parts (结案 in the period, 民事, not 诉前调解 …); as columns of one projection each is
evaluated once per row, and each aggregate only ANDs its columns. The aggregates are ``SUM(CAST(bool))`` and
``SUM(CASE WHEN … THEN value END)``, which DuckDB runs cheaper than ``FILTER (WHERE …)`` clauses.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis

from zhixiao.metrics.filters import Compiler, Period


def scan(src: ibis.Table, gcols: Sequence[str], kind: str, source: dict, periods: dict[str, Period],
         names: dict[str, str]) -> tuple[ibis.Table, dict[str, ibis.Value]]:
    """The projection of parts and summed values, and each count's or sum's aggregate over it (no distinct
    counts: they need the values)."""
    parts: dict[str, str] = {}  # part key → its column
    proj: dict[str, ibis.Value] = {}
    values: dict[str, str] = {}  # value key → its column
    wanted: list[tuple[str, list[str], str | None]] = []
    for tag, period in periods.items():
        comp = Compiler(src, period, kind)
        for key, (spec, ind) in source.items():
            cols = []
            for akey, expr in comp.atoms(spec, ind.line, ind.exclusion_rules):
                if akey not in parts:
                    parts[akey] = f"_b{len(parts)}"
                    proj[parts[akey]] = expr.fill_null(False)
                cols.append(parts[akey])
            vcol = None
            if "sum" in spec:
                vkey, vexpr = comp.value_column(spec)
                if vkey not in values:
                    values[vkey] = f"_v{len(values)}"
                    proj[values[vkey]] = vexpr
                vcol = values[vkey]
            wanted.append((f"{names[key]}_{tag}", cols, vcol))
    p = src.select(*gcols, **proj)
    aggs: dict[str, ibis.Value] = {}
    for name, cols, vcol in wanted:
        w = p[cols[0]]
        for c in cols[1:]:
            w = w & p[c]
        # a sum over no row of the group is null, as the plain path's filtered SUM gives
        aggs[name] = (w.cast("int64").sum() if vcol is None else ibis.ifelse(w, p[vcol], ibis.null(p[vcol].type())).sum())
    return p, aggs
