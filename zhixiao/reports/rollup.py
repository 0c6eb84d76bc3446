"""The basic courts' annual targets rolled up for the city briefing: per indicator, how many courts set one,
how many are on course (at the year end: met it) and which are not. The city itself has no target of its
own and none is made up from the courts' ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from zhixiao.analysis.peers import level_of
from zhixiao.analysis.targets import TARGET_INDICATORS, list_targets, progress_with
from zhixiao.reports.figures import ops_ready

ON_COURSE = ("可达标", "需关注")  # analysis.targets._status: the forecast point reaches the target


@dataclass
class CourtTarget:
    court_code: str
    court_name: str
    target: float
    value: float | None  # the year-end actual, or in-year the year-end forecast (YTD value without one)
    status: str  # 已完成 | 未完成 at the year end; analysis.targets' 可达标 | 需关注 | 落后 | 无测算 in the year


@dataclass
class IndicatorRollup:
    indicator: str
    name: str
    unit: str  # rate | days | count
    courts: list[CourtTarget] = field(default_factory=list)

    @property
    def on_course(self) -> list[CourtTarget]:
        return [c for c in self.courts if c.status in ("已完成", *ON_COURSE)]

    @property
    def behind(self) -> list[CourtTarget]:
        return [c for c in self.courts if c.status not in ("已完成", *ON_COURSE)]


@dataclass
class CityTargets:
    year: int
    year_end: bool
    basic_courts: int
    indicators: list[IndicatorRollup]


def short_name(name: str) -> str:
    """"石家庄市长安区人民法院" → "长安区法院", as a city's briefing names its basic courts in a list."""
    core = name.split("省", 1)[-1]
    if "市" in core and "中级" not in core and core.split("市", 1)[1]:
        core = core.split("市", 1)[1]
    return core.replace("人民法院", "法院")


def _met(indicator: str, value: float | None, target: float) -> str:
    direction = TARGET_INDICATORS.get(indicator, ("", "", "higher"))[2]
    if value is None:
        return "无数据"
    return "已完成" if (value >= target if direction == "higher" else value <= target) else "未完成"


def city_targets(settings, ev, court_codes: list[str], names: dict[str, str], end: date) -> CityTargets | None:
    """None without an operational database or when no basic court set a target for ``end``'s year.
    Year-end values are the evaluator's year-to-date figures; in the year, each court's status is
    ``analysis.targets.progress_with`` (its own year-end forecast)."""
    if not ops_ready(settings):
        return None
    basic = sorted(c for c in court_codes if level_of(c) == "basic")
    stored = {c: list_targets(settings.ops_url, c, end.year) for c in basic}
    if not any(stored.values()):
        return None
    year_end = end >= date(end.year, 12, 31)
    ids = sorted({t["indicator"] for ts in stored.values() for t in ts})
    rows = ev.rows(("court",), ids, filters={}, compare=None, start=date(end.year, 1, 1))
    values = {(r.group.get("court_code"), r.indicator): r.value for r in rows}
    out: dict[str, IndicatorRollup] = {}
    for code in basic:
        if not stored[code]:
            continue
        progress = {} if year_end else {p["indicator"]: p for p in progress_with(
            settings, ev.engine, code, end.year, end, values={i: values.get((code, i)) for i in ids})}
        for t in stored[code]:
            ind = t["indicator"]
            name, unit, _ = TARGET_INDICATORS.get(ind, (ind, "count", "higher"))
            roll = out.setdefault(ind, IndicatorRollup(ind, name, "days" if ind == "avg_days" else unit))
            if year_end:
                value = values.get((code, ind))
                roll.courts.append(CourtTarget(code, names.get(code, code), t["value"], value,
                                               _met(ind, value, t["value"])))
            else:
                p = progress.get(ind, {})
                roll.courts.append(CourtTarget(code, names.get(code, code), t["value"], p.get("forecast"),
                                               p.get("status", "无测算")))
    order = list(TARGET_INDICATORS)
    return CityTargets(end.year, year_end, len(basic),
                       sorted(out.values(), key=lambda r: order.index(r.indicator) if r.indicator in order else 99))
