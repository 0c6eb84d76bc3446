"""数据测算: year-end forecast of a court's caseload with a stock-flow model and history seasonality.

pending[t+1] = pending[t] + filings[t] − closings[t] (NCSC backlog simulator, MEASURES_AND_STACK §1.2).
Filings follow each month's share of the year seen in earlier years, scaled to this year's filings so
far; closings are a monthly hazard (closings ÷ (pending at month start + filings)) from earlier years,
scaled by how this year's closings so far compare with that hazard. The interval comes from a bootstrap
that draws each month's factors from one of the earlier years at random and adds the sampling error
of this year's filing level and closing pace and each month's Poisson noise.
"""

from __future__ import annotations

import calendar
import math
import random
from dataclasses import asdict, dataclass, field
from datetime import date

import pandas as pd

from zhixiao.analysis import flows

HISTORY_YEARS = 3
DRAWS = 400
MIN_CLOSURE = 0.25  # real courts close 80–95% of 受理 a year (REFERENCE §5.3); far less means missing data
MIN_VOLUME = 0.5  # a history year with under half the busiest year's filings is a partial extract
K_BOUNDS = (0.5, 2.0)  # how far this year's closing pace may depart from history's before we distrust it


@dataclass(frozen=True)
class Season:
    """One earlier year's monthly pattern (index 0 = January)."""

    year: int
    filing_share: tuple[float, ...]
    hazard: tuple[float, ...]
    closing_share: tuple[float, ...]  # cumulative share of the year's closings done by each month end
    progress: tuple[float, ...]  # cumulative closings ÷ 受理 (opening stock + the year's filings)
    filings_total: int = 0


def season_of(year: int, filings: list[int], closings: list[int], opening: int) -> Season:
    total_f, total_c = sum(filings), sum(closings)
    received = opening + total_f
    p, hazard, cum, shares, progress = opening, [], 0, [], []
    for f, c in zip(filings, closings, strict=True):
        hazard.append(c / (p + f) if p + f > 0 else 0.0)
        p += f - c
        cum += c
        shares.append(cum / total_c if total_c else 0.0)
        progress.append(cum / received if received else 0.0)
    share = [f / total_f if total_f else 1 / 12 for f in filings]
    return Season(year, tuple(share), tuple(hazard), tuple(shares), tuple(progress), total_f)


@dataclass
class Estimate:
    point: float | None
    low: float | None
    high: float | None


@dataclass
class Forecast:
    court_code: str | None
    as_of: date
    year: int
    history_years: list[int]
    carried_over: int
    new_cases_ytd: int
    closed_ytd: int
    pending_now: int
    new_cases: Estimate
    closed: Estimate
    pending: Estimate
    received: Estimate
    clearance_ratio: Estimate
    closure_rate: Estimate
    long_pending_12m: Estimate
    closing_pace: float  # k: this year's closings so far ÷ what history's hazard would have closed
    path: list[dict] = field(default_factory=list)  # month, filings, closings, pending (point forecast)
    note: str = ""

    def rows(self) -> list[dict]:
        """One row per forecast quantity, for tables and JSON."""
        out = []
        for key, name in FORECAST_NAMES.items():
            e: Estimate = getattr(self, key)
            out.append({"indicator": key, "name": name, **asdict(e)})
        return out


FORECAST_NAMES = {
    "new_cases": "新收", "closed": "结案", "received": "受理", "pending": "未结",
    "clearance_ratio": "结收比", "closure_rate": "结案率", "long_pending_12m": "超12个月未结",
}


def _elapsed(as_of: date) -> tuple[int, float]:
    """(month of as_of, fraction of that month elapsed at its end)."""
    days = calendar.monthrange(as_of.year, as_of.month)[1]
    return as_of.month, as_of.day / days


def project(carried_over: int, filings_ytd: list[int], closings_ytd: list[int], as_of: date,
            share: list[float], hazard: list[float], annual_hint: float | None = None,
            noise: random.Random | None = None) -> dict:
    """Run the stock-flow model to 31 December with one set of monthly factors (pure; no I/O).

    ``filings_ytd``/``closings_ytd`` hold this year's actual counts for months 1..as_of.month (the
    last one partial when as_of is not a month end). ``annual_hint`` (history's mean yearly filings)
    is used when nothing has been filed yet this year to scale from. With ``noise`` the run is one
    random draw: the filing level and closing pace get their sampling error (a Poisson count n has
    relative error 1/√n) and each month's flows their Poisson noise.
    """
    month, frac = _elapsed(as_of)
    complete = month if frac >= 1 else month - 1
    f_ytd, c_ytd = sum(filings_ytd), sum(closings_ytd)
    seen = sum(share[:complete]) + (0 if frac >= 1 else frac * share[month - 1])
    if f_ytd > 0 and seen > 0:
        annual = f_ytd / seen
    elif annual_hint is not None:
        annual = annual_hint
    else:
        annual = f_ytd * 12 / max(month - 1 + frac, 1e-9)
    # Closing pace: actual closings in complete months against history's hazard on the actual stock.
    p, model, actual = carried_over, 0.0, 0
    for m in range(complete):
        model += hazard[m] * (p + filings_ytd[m])
        actual += closings_ytd[m]
        p += filings_ytd[m] - closings_ytd[m]
    k = min(max(actual / model, K_BOUNDS[0]), K_BOUNDS[1]) if model > 0 else 1.0
    if noise is not None:
        annual *= math.exp(noise.gauss(0, 1 / math.sqrt(f_ytd))) if f_ytd else 1.0
        k *= math.exp(noise.gauss(0, 1 / math.sqrt(actual))) if actual else 1.0
    pending = carried_over + f_ytd - c_ytd
    f_rest = c_rest = 0.0
    path = []
    for m in range(month - 1, 12):
        w = (1 - frac) if m == month - 1 else 1.0
        if w <= 0:
            continue
        f = annual * share[m] * w
        if noise is not None:
            f = max(0.0, noise.gauss(f, math.sqrt(max(f, 0.0))))
        c = min(1.0, k * hazard[m]) * w * (pending + f)
        if noise is not None:
            c = min(max(0.0, noise.gauss(c, math.sqrt(max(c, 0.0)))), max(pending + f, 0.0))
        pending += f - c
        f_rest += f
        c_rest += c
        path.append({"month": m + 1, "filings": f, "closings": c, "pending": pending})
    new_cases, closed = f_ytd + f_rest, c_ytd + c_rest
    received = carried_over + new_cases
    return {
        "new_cases": new_cases, "closed": closed, "pending": pending, "received": received,
        "clearance_ratio": closed / new_cases if new_cases else None,
        "closure_rate": closed / received if received else None,
        "k": k, "path": path,
    }


def _mean(vectors: list[tuple[float, ...]]) -> list[float]:
    return [sum(v[i] for v in vectors) / len(vectors) for i in range(12)]


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    i = (len(s) - 1) * q
    lo, hi = math.floor(i), math.ceil(i)
    return s[lo] + (s[hi] - s[lo]) * (i - lo)


def forecast_from_flows(carried_over: int, filings_ytd: list[int], closings_ytd: list[int], as_of: date,
                        seasons: list[Season], long_cohort: int = 0, long_survival: list[float] | None = None,
                        *, draws: int = DRAWS, seed: int = 0, court_code: str | None = None) -> Forecast:
    """The forecast from plain numbers, so it can be checked on synthetic series (pure)."""
    note = ""
    if not seasons:  # no earlier year: flat filings, this year's own average hazard
        month, frac = _elapsed(as_of)
        h = season_of(as_of.year, list(filings_ytd) + [0] * (12 - len(filings_ytd)),
                      list(closings_ytd) + [0] * (12 - len(closings_ytd)), carried_over)
        done = max(month - (0 if frac >= 1 else 1), 1)
        avg = sum(h.hazard[:done]) / done
        seasons = [Season(as_of.year, tuple([1 / 12] * 12), tuple([avg] * 12), h.closing_share, h.progress)]
        note = "无往年数据，按本年已过月份的平均结案速度和均匀收案测算，区间不可用。"
    hint = sum(s.filings_total for s in seasons) / len(seasons) if seasons[0].filings_total else None
    point = project(carried_over, filings_ytd, closings_ytd, as_of,
                    _mean([s.filing_share for s in seasons]), _mean([s.hazard for s in seasons]), hint)
    rng = random.Random(seed)
    runs = []
    for _ in range(draws if not note else 0):
        pick = [rng.choice(seasons) for _ in range(12)]
        share = [pick[i].filing_share[i] for i in range(12)]
        tot = sum(share)
        share = [x / tot for x in share] if tot else [1 / 12] * 12
        runs.append(project(carried_over, filings_ytd, closings_ytd, as_of, share,
                            [pick[i].hazard[i] for i in range(12)], hint, rng))

    def est(key: str) -> Estimate:
        vals = [r[key] for r in runs if r[key] is not None]
        if point[key] is None:
            return Estimate(None, None, None)
        if not vals:
            return Estimate(point[key], point[key], point[key])
        return Estimate(point[key], min(point[key], _pct(vals, 0.05)), max(point[key], _pct(vals, 0.95)))

    surv = long_survival or []
    if surv:
        ps = sum(surv) / len(surv)
        spread = 1.645 * math.sqrt(long_cohort * ps * (1 - ps))  # binomial noise on top of year-to-year spread
        long = Estimate(long_cohort * ps, max(0.0, long_cohort * min(surv) - spread),
                        min(float(long_cohort), long_cohort * max(surv) + spread))
    else:
        long = Estimate(float(long_cohort), None, float(long_cohort))
    return Forecast(
        court_code=court_code, as_of=as_of, year=as_of.year, history_years=[s.year for s in seasons],
        carried_over=carried_over, new_cases_ytd=sum(filings_ytd), closed_ytd=sum(closings_ytd),
        pending_now=carried_over + sum(filings_ytd) - sum(closings_ytd),
        new_cases=est("new_cases"), closed=est("closed"), pending=est("pending"), received=est("received"),
        clearance_ratio=est("clearance_ratio"), closure_rate=est("closure_rate"), long_pending_12m=long,
        closing_pace=point["k"], path=point["path"], note=note,
    )


def minus_12_months(d: date) -> date:
    """Same day twelve months earlier (29 Feb → 28 Feb)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def _series(frame: pd.DataFrame, year: int, col: str, months: int = 12) -> list[int]:
    sub = frame[frame["year"] == year].set_index("month")[col]
    return [int(sub.get(m, 0)) for m in range(1, months + 1)]


def history_seasons(engine, court_code: str | None, year: int, history: int = HISTORY_YEARS,
                    filters: dict | None = None) -> list[Season]:
    """Seasons of up to ``history`` full years before ``year`` (a year needs filings to count).

    The first year on record is used only if nothing else exists: its opening stock may be incomplete.
    """
    first = flows.first_year(engine, court_code)
    if first is None:
        return []
    years = [y for y in range(year - history, year) if y > first] or [y for y in range(year - history, year) if y >= first]
    if not years:
        return []
    frame = flows.monthly(engine, court_code, date(min(years), 1, 1), date(max(years), 12, 31), filters=filters)
    out = []
    biggest = max((sum(_series(frame, y, "filings")) for y in years), default=0)
    for y in years:
        f, c = _series(frame, y, "filings"), _series(frame, y, "closings")
        opening = flows.pending_count(engine, court_code, date(y - 1, 12, 31), filters=filters)
        # A year with under MIN_VOLUME of the busiest year's filings, or closings under MIN_CLOSURE of its
        # 受理, is an incomplete extract (e.g. only cases still pending at its end were loaded), not a
        # pattern to learn from.
        if sum(f) == 0 or sum(f) < MIN_VOLUME * biggest or sum(c) < MIN_CLOSURE * (opening + sum(f)):
            continue
        out.append(season_of(y, f, c, opening))
    return out


def forecast_year_end(engine, court_code: str | None, as_of: date, *, history: int = HISTORY_YEARS,
                      filters: dict | None = None, draws: int = DRAWS, seed: int = 0) -> Forecast:
    """Forecast 31 December of ``as_of.year`` from what the store knew on ``as_of`` (later dates are ignored)."""
    y = as_of.year
    seasons = history_seasons(engine, court_code, y, history, filters)
    frame = flows.monthly(engine, court_code, date(y, 1, 1), as_of, filters=filters)
    f_ytd, c_ytd = _series(frame, y, "filings", as_of.month), _series(frame, y, "closings", as_of.month)
    carried = flows.pending_count(engine, court_code, date(y - 1, 12, 31), filters=filters)
    year_end = date(y, 12, 31)
    boundary = minus_12_months(year_end)
    cohort, _ = flows.survivors(engine, court_code, as_of, year_end, boundary, filters)
    surv = []
    for s in seasons:
        on = as_of.replace(year=s.year) if not (as_of.month == 2 and as_of.day == 29) else date(s.year, 2, 28)
        n, alive = flows.survivors(engine, court_code, on, date(s.year, 12, 31),
                                   minus_12_months(date(s.year, 12, 31)), filters)
        if n:
            surv.append(alive / n)
    return forecast_from_flows(carried, f_ytd, c_ytd, as_of, seasons, cohort, surv, draws=draws, seed=seed,
                               court_code=court_code)
