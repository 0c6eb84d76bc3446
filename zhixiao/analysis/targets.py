"""Annual targets (年度目标): storage, decomposition by workload, progress against the curve, and
closings needed per remaining working day.

Rate targets turn into closings through the year's expected workload (结案率 × 受理, 结收比 × 新收);
count targets are shared by workload. Workload of a unit = its pending at the start of the year plus
its expected filings (the court's expected filings × the unit's share of the last twelve months).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select

from zhixiao.analysis import flows
from zhixiao.analysis.curves import REFERENCE_FLOORS, closing_curve, curve_at
from zhixiao.analysis.forecast import Forecast, forecast_year_end, history_seasons
from zhixiao.analysis.models import Target
from zhixiao.domain.calendar import WorkCalendar
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.ops import session_factory

# id → (中文名, kind, better direction). kind: rate (fraction) | count. Extra ids come from the catalogue.
TARGET_INDICATORS: dict[str, tuple[str, str, str]] = {
    "closure_rate": ("结案率", "rate", "higher"),
    "clearance_ratio": ("结收比", "rate", "higher"),
    "closed": ("结案", "count", "higher"),
    "new_cases": ("新收", "count", "info"),
    "pending": ("未结", "count", "lower"),
    "long_pending_12m": ("超12个月未结", "count", "lower"),
    "on_time_rate": ("审限内结案率", "rate", "higher"),
    "avg_days": ("平均审理天数", "count", "lower"),
}


def _check(indicator: str, value: float) -> None:
    if indicator not in TARGET_INDICATORS:
        raise UserError(f"指标“{indicator}”不能设目标：可选 {', '.join(TARGET_INDICATORS)}。")
    kind = TARGET_INDICATORS[indicator][1]
    if kind == "rate" and indicator != "clearance_ratio" and not 0 < value <= 1:
        raise UserError(f"指标“{indicator}”的目标值 {value} 不是比率：请写成 0 到 1 之间的小数（如 0.93）或百分数（如 93%）。")
    if value < 0:
        raise UserError(f"指标“{indicator}”的目标值 {value} 不能为负数。")


def set_target(url: str, court_code: str, year: int, indicator: str, value: float, *,
               note: str | None = None, user: str | None = None) -> dict:
    """Insert or replace the court's target for one indicator and year."""
    _check(indicator, value)
    with session_factory(url)() as s, s.begin():
        row = s.scalar(select(Target).where(Target.court_code == court_code, Target.year == year,
                                            Target.indicator == indicator))
        if row is None:
            row = Target(court_code=court_code, year=year, indicator=indicator, value=value)
            s.add(row)
        row.value, row.note, row.created_by = value, note, user
    return {"court_code": court_code, "year": year, "indicator": indicator, "value": value, "note": note}


def list_targets(url: str, court_code: str, year: int) -> list[dict]:
    with session_factory(url)() as s:
        rows = s.scalars(select(Target).where(Target.court_code == court_code, Target.year == year)
                         .order_by(Target.indicator)).all()
        return [{"court_code": r.court_code, "year": r.year, "indicator": r.indicator, "value": r.value,
                 "note": r.note} for r in rows]


def unit_workload(engine, court_code: str, as_of: date, by: str, annual_filings: float) -> pd.DataFrame:
    """Per unit (division or judge): carried_over, filings/closings so far, pending now, expected
    filings for the whole year, workload = carried_over + expected filings."""
    y = as_of.year
    key = flows.UNIT_COLUMNS[by]
    start = date(y, 1, 1)
    carried = flows.pending_at(engine, court_code, start - timedelta(days=1), by=[by]).rename(
        columns={"pending": "carried_over"})
    now = flows.pending_at(engine, court_code, as_of, by=[by]).rename(columns={"pending": "pending_now"})
    ytd = flows.monthly(engine, court_code, start, as_of, by=[by]).groupby(key)[["filings", "closings"]].sum()
    last12 = flows.monthly(engine, court_code, max(as_of - timedelta(days=365), date(y - 1, 1, 1)), as_of, by=[by])
    hist = last12.groupby(key)["filings"].sum().rename("filings_12m")
    df = (carried.set_index(key).join(now.set_index(key), how="outer")
          .join(ytd.rename(columns={"filings": "filings_ytd", "closings": "closed_ytd"}), how="outer")
          .join(hist, how="outer").fillna(0))
    total12 = df["filings_12m"].sum()
    share = df["filings_12m"] / total12 if total12 else df["filings_ytd"] / max(df["filings_ytd"].sum(), 1)
    f_ytd_total = df["filings_ytd"].sum()
    rest = max(annual_filings - f_ytd_total, 0.0)
    df["expected_filings"] = df["filings_ytd"] + rest * share
    df["workload"] = df["carried_over"] + df["expected_filings"]
    df = df.reset_index().rename(columns={key: "unit"})
    names = _names(engine, court_code, key)
    df["unit_name"] = df["unit"].map(names).fillna(df["unit"]) if names else df["unit"]
    if by == "judge":
        df["division"] = df["unit"].map(_names(engine, court_code, key, "division"))
    return df[df["unit"].notnull()].sort_values("unit").reset_index(drop=True)


def _names(engine, court_code: str, key: str, col: str = "judge_name") -> dict:
    if key != "judge_id":
        return {}
    t = flows.scope(engine, court_code)
    frame = t.group_by(t.judge_id).agg(name=t[col].max()).to_pandas()
    return dict(zip(frame["judge_id"], frame["name"], strict=True))


def _annual_filings(fc: Forecast) -> float:
    return float(fc.new_cases.point or 0)


def decompose(engine, court_code: str, year: int, indicator: str, value: float, as_of: date | None = None,
              by: str = "judge", forecast: Forecast | None = None) -> list[dict]:
    """Split a court target into each unit's annual closings and monthly cumulative milestones."""
    as_of = as_of or date(year, 1, 1)
    fc = forecast or forecast_year_end(engine, court_code, as_of)
    wl = unit_workload(engine, court_code, as_of, by, _annual_filings(fc))
    curve = closing_curve(history_seasons(engine, court_code, year))
    total = wl["workload"].sum()
    out = []
    for r in wl.itertuples():
        if indicator == "closure_rate":
            closings = value * r.workload
        elif indicator == "clearance_ratio":
            closings = value * r.expected_filings
        elif indicator == "closed":
            closings = value * r.workload / total if total else 0.0
        else:
            raise UserError(f"指标“{indicator}”不按工作量分解：可分解的有 closure_rate、clearance_ratio、closed。")
        out.append({"unit": r.unit, "unit_name": r.unit_name, "carried_over": int(r.carried_over),
                    "expected_filings": round(r.expected_filings, 1), "workload": round(r.workload, 1),
                    "target_closings": math.ceil(closings - 1e-9),
                    "monthly": [math.ceil(closings * c - 1e-9) for c in curve]})
    return out


def _required_closings(indicator: str, value: float, fc: Forecast) -> float | None:
    if indicator == "closure_rate":
        return value * (fc.received.point or 0)
    if indicator == "clearance_ratio":
        return value * (fc.new_cases.point or 0)
    if indicator == "closed":
        return value
    return None


def _status(direction: str, target: float, point, low, high) -> str:
    if point is None:
        return "无测算"
    if direction == "info":
        return "—"
    ok = (lambda v: v >= target) if direction == "higher" else (lambda v: v <= target)
    worst = low if direction == "higher" else high
    if ok(point):
        return "可达标" if worst is None or ok(worst) else "需关注"
    return "落后"


def targets_progress(settings, engine, court_code: str, year: int, as_of: date) -> list[dict]:
    """Each stored target beside the year-end forecast and, for closing targets, the curve milestone."""
    return progress_with(settings, engine, court_code, year, as_of)


def progress_with(settings, engine, court_code: str, year: int, as_of: date, *, forecast: Forecast | None = None,
                  values: dict[str, float | None] | None = None) -> list[dict]:
    """``targets_progress`` reusing what the caller already has: the year-end ``forecast`` at ``as_of`` and
    the year-to-date ``values`` of indicators the forecast does not cover (平均审理天数, 审限内结案率), so a
    briefing forecasts and evaluates once."""
    targets = list_targets(settings.ops_url, court_code, year)
    if not targets:
        return []
    as_of = min(as_of, date(year, 12, 31))
    fc = forecast or forecast_year_end(engine, court_code, as_of)
    curve = closing_curve(history_seasons(engine, court_code, year))
    share_now = curve_at(curve, as_of)
    out = []
    for t in targets:
        name, _, direction = TARGET_INDICATORS.get(t["indicator"], (t["indicator"], "count", "higher"))
        est = getattr(fc, t["indicator"], None)
        point, low, high = (est.point, est.low, est.high) if est is not None else (None, None, None)
        if est is None:
            point = (values[t["indicator"]] if values is not None and t["indicator"] in values
                     else _evaluated(settings, engine, court_code, t["indicator"], date(year, 1, 1), as_of))
        row = {"indicator": t["indicator"], "name": name, "target": t["value"], "forecast": point,
               "low": low, "high": high, "status": _status(direction, t["value"], point, low, high),
               "closed_ytd": fc.closed_ytd, "expected_closed_by_now": None, "gap": None,
               "curve_share": round(share_now, 4),
               # the §5.3 floors are 结案 ÷ 受理, i.e. a 结案率 path: shown on that row only
               "reference_floor": REFERENCE_FLOORS.get(as_of.month) if t["indicator"] == "closure_rate" else None}
        need = _required_closings(t["indicator"], t["value"], fc)
        if need is not None:
            row["required_closings"] = math.ceil(need - 1e-9)
            row["expected_closed_by_now"] = math.ceil(need * share_now - 1e-9)
            row["gap"] = fc.closed_ytd - row["expected_closed_by_now"]
        out.append(row)
    return out


def _evaluated(settings, engine, court_code: str, indicator: str, start: date, end: date):
    """Year-to-date value from the indicator evaluator; None for an indicator the court's profile lacks."""
    if indicator not in {i.id for i in load_profile(settings.profile, end, data_dir=engine.store.root)}:
        return None
    res = evaluate(engine, settings.profile, start, end, by=("court",), indicators=[indicator])
    for r in res.rows:
        if r.indicator == indicator and r.group.get("court") in (court_code, None):
            return r.value
    return None


def remaining_workdays(as_of: date, year_end: date, calendar: WorkCalendar | None = None) -> int:
    """Working days after ``as_of`` up to and including ``year_end`` (the day of as_of is already spent), on
    ``calendar`` (default: the package's, State Council notices via chinesecalendar)."""
    return (calendar or WorkCalendar()).workdays_between(as_of + timedelta(days=1), year_end)


def closings_needed(engine, court_code: str, as_of: date, target_rate: float, *, by: str = "judge",
                    forecast: Forecast | None = None, calendar=None) -> list[dict]:
    """Per judge: closings still needed for 结案率 ≥ target_rate by 31 December, and per remaining working day."""
    _check("closure_rate", target_rate)
    fc = forecast or forecast_year_end(engine, court_code, as_of)
    wl = unit_workload(engine, court_code, as_of, by, _annual_filings(fc))
    days = remaining_workdays(as_of, date(as_of.year, 12, 31), calendar or engine.calendar)
    out = []
    for r in wl.itertuples():
        need = max(0, math.ceil(target_rate * r.workload - r.closed_ytd - 1e-9))
        out.append({"judge_id" if by == "judge" else by: r.unit, "name": r.unit_name,
                    **({"division": r.division} if by == "judge" else {}),
                    "carried_over": int(r.carried_over), "closed_ytd": int(r.closed_ytd),
                    "pending_now": int(r.pending_now), "expected_received": round(r.workload, 1),
                    "needed": need, "workdays_left": days,
                    "per_workday": round(need / days, 2) if days else (None if need else 0.0)})
    # Listed by judge id, not by load: SPC 2024-09 rules forbid 排名排序 in circulars (REFERENCE §1.1).
    return out


def court_summary(rows: Sequence[dict]) -> dict:
    need = sum(r["needed"] for r in rows)
    days = rows[0]["workdays_left"] if rows else 0
    return {"needed": need, "workdays_left": days, "per_workday": round(need / days, 2) if days else None}


# ---- decomposition of a court's targets to its divisions and judges (会商 briefing) --------------------------

# What a unit does to move a target indicator: the cases its numerator counts.
UNIT_WORDS = {"closure_rate": "结案", "clearance_ratio": "结案", "on_time_rate": "审限内结案",
              "long_pending_12m": "超12个月未结案件", "avg_days": ""}


@dataclass(frozen=True)
class UnitTarget:
    """One unit's share of a court target over the year to date: its own value beside the court's target and
    the figure it needs (``needed`` in ``need_unit``: 件 more of the numerator, 件 to clear, or 天 less)."""

    indicator: str
    name: str
    unit: str
    unit_name: str
    value: float | None
    target: float
    needed: float
    need_unit: str  # 件 | 天
    what: str  # the cases counted by ``needed`` (结案, 审限内结案, 超12个月未结案件), "" for 天
    met: bool | None  # None: the unit has no cases in the indicator


def _shares(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` in whole cases (largest remainder: the shares add up)."""
    s = sum(weights)
    if total <= 0 or s <= 0:
        return [0] * len(weights)
    raw = [total * w / s for w in weights]
    out = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))[: total - sum(out)]:
        out[i] += 1
    return out


def unit_targets(targets: Sequence[dict], rows: Sequence, key: str, name_key: str | None = None) -> list[UnitTarget]:
    """Each unit's part of the court's ``targets`` (``list_targets`` dicts) from evaluator rows of the year to
    date grouped by ``key`` (``division`` | ``judge_id``). A rate target applies to every unit as it stands:
    a unit below it needs ceil(target × 分母 − 分子) more of the numerator over its current denominator (the
    same rule as the court's figure); 平均审理天数 the days above the target; 超12个月未结 (a court count) is
    shared out by each unit's own backlog, so the units' figures add up to the court's excess."""
    out: list[UnitTarget] = []
    by_ind: dict[str, list] = {}
    for r in rows:
        if r.group.get(key) is not None:
            by_ind.setdefault(r.indicator, []).append(r)
    for t in targets:
        ind, goal = t["indicator"], float(t["value"])
        name = TARGET_INDICATORS.get(ind, (ind,))[0]
        units = sorted(by_ind.get(ind, []), key=lambda r: str(r.group.get(key)))
        if ind in ("closure_rate", "clearance_ratio", "on_time_rate"):
            for r in units:
                if not r.denominator:
                    continue
                n = max(0, math.ceil(goal * r.denominator - (r.numerator or 0) - 1e-9))
                out.append(UnitTarget(ind, name, r.group[key], r.group.get(name_key or key) or r.group[key], r.value,
                                      goal, n, "件", UNIT_WORDS[ind], r.value is not None and r.value >= goal - 1e-12))
        elif ind == "avg_days":
            for r in units:
                if r.value is None:
                    continue
                gap = round(max(0.0, r.value - goal), 2)
                out.append(UnitTarget(ind, name, r.group[key], r.group.get(name_key or key) or r.group[key], r.value,
                                      goal, gap, "天", "", r.value <= goal))
        elif ind == "long_pending_12m":
            have = [r for r in units if r.value]
            excess = int(sum(r.value for r in have) - goal)
            for r, n in zip(have, _shares(excess, [r.value for r in have]), strict=True):
                out.append(UnitTarget(ind, name, r.group[key], r.group.get(name_key or key) or r.group[key], r.value,
                                      goal, n, "件", UNIT_WORDS[ind], n == 0))
    return out
