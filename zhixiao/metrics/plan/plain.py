"""The plain compile path: every aggregate as the filtered reduction ``Compiler.aggregate`` writes for it.

The readable reference every pass is tested against: a count, sum or distinct count over the rows its spec
describes, per period, nothing shared and nothing rewritten.
"""

from __future__ import annotations

import ibis

from zhixiao.metrics.filters import Compiler, Period


def aggregates(t: ibis.Table, kind: str, source: dict, periods: dict[str, Period],
               names: dict[str, str]) -> dict[str, ibis.Value]:
    """Aggregate name (``names[spec key]_period tag``) → its reduction over ``t``."""
    out: dict[str, ibis.Value] = {}
    for tag, period in periods.items():
        comp = Compiler(t, period, kind)
        for key, (spec, ind) in source.items():
            out[f"{names[key]}_{tag}"] = comp.aggregate(spec, ind.line, ind.exclusion_rules)
    return out
