"""Monthly cumulative closing curves (结案进度曲线) derived from a court's own history.

A curve says what share of the year's closings is normally done by the end of each month; the target
for a month is the annual closings target times the curve. Courts also publish fixed floors of
closings ÷ 受理 per month (REFERENCE §5.3); we show those beside ours for comparison only.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

# 2022 结案进度 floors (结案数 ÷ 受理数, cumulative) — source: REFERENCE §5.3, 乌拉特后旗法院 wlhtfy.nmgfy.gov.cn.
REFERENCE_FLOORS = {3: 0.18, 4: 0.29, 5: 0.42, 6: 0.55, 7: 0.63, 8: 0.70, 9: 0.76, 10: 0.82, 11: 0.88, 12: 0.93}


def mean_curve(curves: Sequence[Sequence[float]]) -> list[float]:
    """Average of several years' 12-month cumulative curves; a straight line when there is no history."""
    if not curves:
        return [(m + 1) / 12 for m in range(12)]
    return [sum(c[m] for c in curves) / len(curves) for m in range(12)]


def curve_at(curve: Sequence[float], on: date) -> float:
    """Share expected by the end of ``on``, interpolating linearly inside the month."""
    m = on.month
    before = curve[m - 2] if m > 1 else 0.0
    frac = on.day / calendar.monthrange(on.year, m)[1]
    return before + frac * (curve[m - 1] - before)


def closing_curve(seasons) -> list[float]:
    """Closings share curve (reaches 1.0 in December) averaged over the history years that closed cases."""
    return mean_curve([s.closing_share for s in seasons if s.closing_share[-1] > 0])


def progress_curve(seasons) -> list[float]:
    """Closings ÷ 受理 curve (ends at the year's 结案率), comparable with REFERENCE_FLOORS."""
    return mean_curve([s.progress for s in seasons]) if seasons else [REFERENCE_FLOORS.get(m, 0.0) for m in range(1, 13)]
