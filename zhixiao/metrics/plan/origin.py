"""原审 pruning: join to the 原审 case only the cases that some 原审-attributed aggregate counts.

发改率 counts an appeal's result against the court that decided first, which needs a join of the cases with
themselves; most cases are no appeal of any kind, so filtering them out first keeps that join small.
"""

from __future__ import annotations

import ibis

from zhixiao.metrics.filters import Compiler, Period


def counted_somewhere(raw: ibis.Table, source: dict, periods: dict[str, Period]) -> ibis.Value:
    """Rows that count in some 原审-attributed aggregate of ``source`` in some period."""
    anyw = ibis.literal(False)
    for period in periods.values():
        comp = Compiler(raw, period, "cases")
        for spec, ind in source.values():
            anyw = anyw | comp.where(spec, ind.line, ind.exclusion_rules)
    return anyw
