"""The figures step of a briefing: typed numbers fetched from metrics, analysis, supervision and services —
no sentences. ``figures.collect`` gathers them into one ``BriefingFigures``; ``reports.sections`` turn that
into sections (the narrative step) without touching an engine; the slides read the same objects.
``figures.cases`` holds the case-level fetches (审限 at the period end, the monthly trend, the roster).

Every figure here is a module's own result (``hotline_stats``, ``suggestion_stats``, ``deadline_table`` …);
this module only selects the period, the court and the operational database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from zhixiao.analysis.forecast import Forecast, forecast_year_end
from zhixiao.analysis.peers import peer_group, pooled
from zhixiao.analysis.targets import UnitTarget, closings_needed, list_targets, progress_with, unit_targets
from zhixiao.analysis.weak import Basis
from zhixiao.metrics.evaluate import Row, evaluate
from zhixiao.metrics.tracks import FLOW, TRACKS
from zhixiao.services.hotline import hotline_stats
from zhixiao.services.ledgers import admin_resolution, enforcement_hard, minsheng_cases, petition_stats
from zhixiao.services.satisfaction import satisfaction_stats
from zhixiao.services.suggestions import is_overdue, list_suggestions, suggestion_stats
from zhixiao.store.ops import migrate, session_factory


def ops_ready(settings) -> bool:
    """Whether an operational database exists (a briefing never creates an empty SQLite file); an existing
    one is brought to the current schema, so a missing table is a bug that fails, not a note."""
    if settings is None:
        return False
    url = settings.ops_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return False
    migrate(url)
    return True


@dataclass
class Suggestions:
    """司法建议 sent in the period, one definition for every figure: 回复率 = replied ÷ issued; 逾期 split into
    replied late and still unanswered past the due date."""

    issued: int
    replied: int
    adopted: int
    replied_late: int
    overdue_unanswered: int
    reply_rate: float | None
    adoption_rate: float | None


@dataclass
class Services:
    hotline: dict[str, Any]
    satisfaction: dict[str, Any]
    suggestions: Suggestions
    petitions: dict[str, Any]
    minsheng: dict[str, Any]
    admin_resolution: list[dict]

    def empty(self) -> bool:
        """Nothing recorded in the operational database for the period (the ledgers read case data, which
        every court has: they alone do not make a section)."""
        return not (self.hotline.get("tickets") or self.satisfaction.get("ratings") or self.suggestions.issued
                    or self.petitions.get("petitions"))


def services(settings, engine, court_code: str | None, start: date, end: date) -> Services | None:
    """诉讼服务 figures of the period (None without an operational database)."""
    if not ops_ready(settings):
        return None
    with session_factory(settings.ops_url)() as session:
        h = hotline_stats(session, court_code, start, end, settings)
        s = satisfaction_stats(session, court_code, start, end, settings)
        g = suggestion_stats(session, court_code, start, end)
        sent = [x for x in list_suggestions(session, court_code) if x.sent_on and start <= x.sent_on <= end]
        late = sum(1 for x in sent if x.reply_on and is_overdue(x, end))
        unanswered = sum(1 for x in sent if not x.reply_on and is_overdue(x, end))
        p = petition_stats(session, court_code, end)
    sug = Suggestions(g["issued"], g["replied"], g["adopted"], late, unanswered, g["reply_rate"], g["adoption_rate"])
    return Services(h, s, sug, p, minsheng_cases(engine, start, end, court_code, settings),
                    admin_resolution(engine, start, end, court_code, settings))


@dataclass
class Need:
    """What moving one indicator to a reference takes: ``amount`` more of the numerator (closings, cases …)
    over a fixed denominator, or ``amount`` less of a count or of days."""

    indicator: str
    reference: float
    reference_label: str
    amount: float
    unit_word: str  # 件 | 天 | 个百分点
    by: date  # the end of the month after the period: the next 会商


def next_meeting(end: date) -> date:
    """The last day of the month after ``end`` (the 会商 after this one)."""
    first_next = date(end.year + (end.month // 12), end.month % 12 + 1, 1)
    after = date(first_next.year + (first_next.month // 12), first_next.month % 12 + 1, 1)
    return after - timedelta(days=1)


def need(indicator: str, unit: str, direction: str, value: float, numerator: float | None,
         denominator: float | None, reference: float, reference_label: str, end: date) -> Need | None:
    """The figure a 下一步 proposal names. Higher-is-better value = num ÷ den with den fixed in the period
    (结案率: 受理; 人均结案数: 员额法官): ceil(ref × den − num) more; a count that should fall: value − ref
    fewer; days: the gap in 天; a lower-is-better rate: the numerator cases beyond the reference."""
    by = next_meeting(end)
    if direction == "higher" and numerator is not None and denominator:
        n = math.ceil(reference * denominator - numerator - 1e-9)
        return Need(indicator, reference, reference_label, max(n, 0), "件", by) if n > 0 else None
    if unit == "count" and direction == "lower":
        n = math.ceil(value - reference)
        return Need(indicator, reference, reference_label, n, "件", by) if n > 0 else None
    if unit == "days" and direction == "lower":
        gap = round(value - reference, 2)
        return Need(indicator, reference, reference_label, gap, "天", by) if gap > 0 else None
    if unit == "rate" and direction == "lower" and numerator is not None and denominator:
        n = math.ceil(numerator - reference * denominator - 1e-9)
        return Need(indicator, reference, reference_label, n, "件", by) if n > 0 else None
    return None


# ---- evaluations: every indicator figure of a briefing, fetched once -----------------------------------------

class Evaluator:
    """The evaluator over one period and scope, for a profile that may lack the glossary ids (收结存, 长期未结,
    taken from ``base_profile``): each call evaluates the profile's own ids and the base profile's apart."""

    def __init__(self, engine, profile: str, base_profile: str, own: set[str], known: set[str], start: date,
                 end: date, compare: str | None, filters: dict | None):
        self.engine, self.profile, self.base_profile, self.own, self.known = engine, profile, base_profile, own, known
        self.start, self.end, self.compare, self.filters = start, end, compare, filters

    def rows(self, by: Sequence[str], ids: Sequence[str], *, filters: dict | None = None, compare: str | None = "default",
             start: date | None = None, end: date | None = None) -> list[Row]:
        kw = {"by": by, "compare": self.compare if compare == "default" else compare,
              "filters": self.filters if filters is None else filters}
        start, end = start or self.start, end or self.end
        own = [i for i in dict.fromkeys(ids) if i in self.own]
        base = [i for i in dict.fromkeys(ids) if i not in self.own and i in self.known]
        out = evaluate(self.engine, self.profile, start, end, indicators=own, **kw).rows if own else []
        if base:
            out += evaluate(self.engine, self.base_profile, start, end, indicators=base, **kw).rows
        return out


@dataclass
class Evaluations:
    """The evaluator's rows a briefing reads — each grouping evaluated once, for every indicator any section
    uses, instead of once per section: by court (this court, its peers, the city), the court or city itself,
    by 条线, by division and by judge (no 同比), 收结存 per track, and the pooled 全市基层法院平均."""

    by_court: list[Row]
    top: list[Row]
    by_line: list[Row]
    by_division: list[Row]
    by_judge: list[Row]
    tracks: dict[str, list[Row]]
    pool: dict[str, Any]
    basis: Basis | None


def evaluations(ev: Evaluator, catalogue: dict, court_code: str, scope: str, ids: Sequence[str]) -> Evaluations:
    """The court-level evaluations of the briefing (``ids``: the indicators of its sections); the division and
    judge rows come from ``unit_evaluations`` once the 短板 are known."""
    by_court = ev.rows(("court",), ids, filters={})
    pool: dict[str, Any] = {}
    basis = None
    if scope == "city":
        top = ev.rows((), ids)
    else:
        top = [r for r in by_court if r.group.get("court_code") == court_code]
        basis = Basis.of(peer_group(court_code, {r.group.get("court_code") for r in by_court}))
        if basis.city_courts:
            pool = pooled(by_court, catalogue, basis.city_courts,
                          lambda ids_, courts: ev.rows((), ids_, filters={"court_code": courts}, compare=None))
    has_cases = any(r.value for r in top if r.indicator in ("received", "new_cases"))
    by_line = ev.rows(("line",), ids) if has_cases else []
    # 收结存 per track (metrics.tracks.TRACKS) with the track's own 结案率 and 结收比 as the profile defines them,
    # evaluated as the whole's are (own ids by the profile, the rest by the base profile)
    tracks = {track: ev.rows((), (*FLOW, "closure_rate", "clearance_ratio"),
                             filters={**(ev.filters or {}), "category": list(categories)})
              for track, categories in TRACKS.items()}
    return Evaluations(by_court, top, by_line, [], [], tracks, pool, basis)


def unit_evaluations(ev: Evaluator, evs: Evaluations, unit_ids: Sequence[str]) -> None:
    """By division and by judge, once each, for every indicator a section needs at that level (the 短板's
    attribution, the annex, 长期未结, the targets); no 同比."""
    if any(r.value for r in evs.top if r.indicator in ("received", "new_cases")):
        evs.by_division = ev.rows(("division",), unit_ids, compare=None)
        evs.by_judge = ev.rows(("judge",), unit_ids, compare=None)



@dataclass
class Targets:
    """目标完成进度 of a court: each target beside the year-end forecast (``progress``) and its decomposition.
    Before the year end the 结案率 target is an annual one: it is shared out as the closings each division
    and judge still needs by 31 December (``closings_by_division``, ``closings``: workload shares); the other
    targets (审限内结案率, 平均审理天数, 超12个月未结) hold at any date and are decomposed over the year to date
    (``by_division``, ``by_judge``); at the year end every target is."""

    year: int
    year_end: bool
    progress: list[dict]
    by_division: list[UnitTarget]
    by_judge: list[UnitTarget]
    closings: list[dict]
    closings_by_division: list[dict]


ANNUAL_ONLY = ("closure_rate", "clearance_ratio")  # judged over a whole year; in-year: closings still needed


def targets(settings, ev: Evaluator, court_code: str, evs: Evaluations, forecast: Forecast) -> Targets | None:
    """None without an operational database or without targets for the year."""
    end = ev.end
    if not ops_ready(settings):
        return None
    stored = list_targets(settings.ops_url, court_code, end.year)
    if not stored:
        return None
    year_end = end >= date(end.year, 12, 31)
    ids = [t["indicator"] for t in stored]
    if ev.start == date(end.year, 1, 1):  # the period is the year to date: its rows serve
        top, divs, judges = evs.top, evs.by_division, evs.by_judge
    else:
        year_start = date(end.year, 1, 1)
        top = ev.rows((), ids, compare=None, start=year_start)
        divs = ev.rows(("division",), ids, compare=None, start=year_start)
        judges = ev.rows(("judge",), ids, compare=None, start=year_start)
    values = {r.indicator: r.value for r in top if r.indicator in ids}
    progress = progress_with(settings, ev.engine, court_code, end.year, end, forecast=forecast, values=values)
    rate = next((t["value"] for t in stored if t["indicator"] == "closure_rate"), None)
    closings = by_div = []
    if rate is not None and not year_end:
        closings = closings_needed(ev.engine, court_code, end, rate, forecast=forecast)
        by_div = closings_needed(ev.engine, court_code, end, rate, by="division", forecast=forecast)
    decomposed = [t for t in stored if year_end or t["indicator"] not in ANNUAL_ONLY]
    return Targets(end.year, year_end, progress, unit_targets(decomposed, divs, "division"),
                   unit_targets(decomposed, judges, "judge_id", "judge_name"), closings, by_div)


def year_end_forecast(engine, court_code: str | None, end: date) -> Forecast:
    """The stock-flow forecast at ``end`` (the 数据测算 and every target read the same one)."""
    return forecast_year_end(engine, court_code, end)


@dataclass
class Enforcement:
    """执行 figures beside the profile's 执行 indicators (which come with the evaluations): the 执行 track's
    收结存 and the 执行难 / 终本 ledger at the period end (``services.ledgers.enforcement_hard``)."""

    flow: list[Row]
    ledger: dict[str, Any]
    outside_flow: dict[str, int] = field(default_factory=dict)  # ledger cases 收结存's 未结 leaves out, by 字号


def enforcement(settings, engine, court_code: str | None, end: date, evs: Evaluations,
                pending_rules: dict[str, list] | None = None) -> Enforcement:
    """``pending_rules``: the exclusions of the 未结 indicator (its ``exclusion_rules``); the ledger's pending
    cases of a 字号 they leave out (执恢, 执保) are counted apart, so the two figures reconcile."""
    ledger = enforcement_hard(engine, end, court_code, settings)
    return Enforcement(evs.tracks.get("执行", []), ledger, outside_flow(ledger["by_type"], pending_rules or {}))


def outside_flow(by_type: dict[str, int], exclusion_rules: dict[str, list]) -> dict[str, int]:
    """{字号: cases} of ``by_type`` whose 字号 an exclusion leaves out on its own (a rule ``type_code eq X``)."""
    excluded = {rule[0]["eq"] for rule in exclusion_rules.values()
                if len(rule) == 1 and rule[0].get("col") == "type_code" and "eq" in rule[0]}
    return {code: n for code, n in by_type.items() if code in excluded and n}
