"""Row pruning: before the main scan, drop cases that no base set of any period can count.

Every base set but ``cases`` is a date window (filed, closed, open, appealed or transferred in or after the
period), so a case closed years before the earliest period counts nowhere; dropping it costs five comparisons
a row and spares every condition after it.
"""

from __future__ import annotations

import ibis

from zhixiao.metrics.filters import Period


def relevant(t: ibis.Table, periods: dict[str, Period]) -> ibis.Value:
    """A superset of every date-based base set of every period: open, or closed, filed, appealed or
    transferred on or after the earliest date any period looks at."""
    lo = ibis.literal(min(min(p.start, p.as_of) for p in periods.values()))
    return (t.closing_date.isnull() | (t.closing_date >= lo) | (t.filing_date >= lo) | (t.appeal_date >= lo)
            | (t.transfer_date >= lo))


def pruned(t: ibis.Table, source: dict, periods: dict[str, Period]) -> ibis.Table:
    """``t`` without the rows no aggregate of ``source`` counts; ``t`` itself when one counts all cases."""
    if any(spec["set"] == "cases" for spec, _ind in source.values()):
        return t
    return t.filter(relevant(t, periods))
