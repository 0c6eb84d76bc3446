"""Every figure of one briefing, fetched once into a ``BriefingFigures``: after ``gather`` the narrative
(``reports.sections``) reads these objects and never touches an engine.

Comparisons are the analysis layer's (``analysis.peers``, ``weak``, ``city``, ``ranges``): a basic court
against the basic courts, an annual 合理区间 judging only a year unless its entry says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from zhixiao.analysis import ranges
from zhixiao.analysis.city import CityMatrix, attribute_to_basic_courts, city_matrix
from zhixiao.analysis.forecast import Forecast
from zhixiao.analysis.targets import TARGET_INDICATORS
from zhixiao.analysis.weak import COMPARABLE_UNITS, Basis, Weak, attribute_weak, find_weak
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import _files as catalogue_files
from zhixiao.metrics.catalogue import load_profile
from zhixiao.quality import Report as QualityReport
from zhixiao.quality import run_checks
from zhixiao.reports import figures as fg
from zhixiao.reports import rollup
from zhixiao.reports.figures import cases

CASELOAD = ("carried_over", "new_cases", "received", "closed", "pending", "closure_rate", "clearance_ratio")
LONG_PENDING = ("long_pending_12m", "long_pending_24m", "long_pending_36m")
ANNEX = ("new_cases", "closed", "pending", "closure_rate", "on_time_rate", "avg_days", "long_pending_12m")
QUALITY_GROUPS = ("质量", "效率", "效果")
BASE_PROFILE = "court-classic"  # the profile that defines the glossary ids (DESIGN.md)
TOP_ATTRIBUTION = 5  # units kept per 短板 and level (the .docx shows fewer, the .xlsx all of these)


@dataclass
class Context:
    """What a briefing is about and the catalogue it reads (no engine): the court or city, the period, the
    profile and, for a profile without the glossary ids (spc-2024, courtools), the base profile that
    supplies 收结存, 长期未结 and the annex while its own indicators fill the 质量/效率/效果 sections."""

    court_code: str
    court_name: str
    scope: str  # court | city
    start: date
    end: date
    compare: str | None
    profile: str
    profile_name: str
    base_profile: str
    catalogue: dict  # the profile's own indicators
    ind: dict  # base and own together
    reference_only: set  # ids whose annual 合理区间 only informs a shorter period (issue 13 §4)
    measures: dict

    @property
    def city(self) -> bool:
        return self.scope == "city"

    @property
    def code_filter(self) -> str | None:
        """The court the figures are narrowed to (None: the whole city)."""
        return None if self.city else self.court_code

    @property
    def whole(self) -> str:
        return "全市" if self.city else "全院"

    @property
    def year_end(self) -> bool:
        return self.end >= date(self.end.year, 12, 31)

    def quality_ids(self) -> list[str]:
        return [i for i, ind in self.catalogue.items() if ind.group in QUALITY_GROUPS]

    def enforcement_ids(self) -> list[str]:
        """The profile's 执行 indicators (执行完毕率, 执行到位率, 首执 …, 执行异议), by their catalogue line."""
        return [i for i in self.quality_ids() if self.ind[i].line == "执行"]


@dataclass
class BriefingFigures:
    ctx: Context
    evaluations: fg.Evaluations
    weak: list[Weak]  # with their attribution (court scope: division, judge; city scope: basic court)
    basis: Basis  # what the court is compared with (city scope: no peer comparison)
    forecast: Forecast
    targets: fg.Targets | None
    city_targets: rollup.CityTargets | None
    enforcement: fg.Enforcement
    services: fg.Services | None
    month_on_month: cases.MonthOnMonth | None
    trend: list[dict]
    city: CityMatrix | None
    deadlines: cases.Deadlines
    data_quality: QualityReport
    roster: dict[str, tuple]
    court_names: dict[str, str]


def profile_name(profile: str, data_dir) -> str:
    """The Chinese name of a profile (``[profile] name`` of its TOML): documents never show the id."""
    for _path, raw in catalogue_files(data_dir):
        meta = raw.get("profile", {})
        if meta.get("id") == profile and meta.get("name"):
            return str(meta["name"])
    return profile


def context(engine, court_code: str, start: date, end: date, scope: str, compare: str | None,
            profile: str) -> Context:
    if scope not in ("court", "city"):
        raise UserError(f"范围“{scope}”无效：--scope 只能是 court（本院）或 city（全市，须为中级法院）。")
    if start > end:
        raise UserError(f"统计期间起始日 {start} 晚于截止日 {end}，请调换 --from 与 --to。")
    root = engine.store.root
    catalogue = {i.id: i for i in load_profile(profile, end, data_dir=root)}
    base_profile = profile if set(CASELOAD) <= set(catalogue) else BASE_PROFILE
    base = catalogue if base_profile == profile else {i.id: i for i in load_profile(base_profile, end, data_dir=root)}
    ind = {**base, **catalogue}
    return Context(court_code, cases.court_name(engine, court_code), scope, start, end, compare, profile,
                   profile_name(profile, root), base_profile, catalogue, ind,
                   ranges.reference_only(ind.values(), start, end), {i: ranges.measure(x) for i, x in ind.items()})


def gather(engine, ctx: Context, settings=None, timings: dict | None = None) -> BriefingFigures:
    """Each grouping evaluated once, for every indicator any section uses (``figures.evaluations``), then the
    court's 短板, the units that move them, the forecast, targets, 执行, 诉讼服务, 审限 and data quality."""
    code = ctx.code_filter
    filters = None if ctx.city else {"court_code": ctx.court_code}
    ev = fg.Evaluator(engine, ctx.profile, ctx.base_profile, set(ctx.catalogue), set(ctx.ind), ctx.start, ctx.end,
                      ctx.compare, filters)
    ids = list(dict.fromkeys([*CASELOAD, *LONG_PENDING, *ctx.quality_ids()]))
    fx = fg.evaluations(ev, ctx.ind, ctx.court_code, ctx.scope, ids)
    _require_cases(engine, ctx, fx)
    weak, basis = _weak(ctx, fx)
    unit_ids = [i for i in dict.fromkeys([*ANNEX, "pending", *LONG_PENDING, *TARGET_INDICATORS,
                                          *(w.indicator for w in weak if not ctx.city)]) if i in ctx.ind]
    fg.unit_evaluations(ev, fx, unit_ids)
    if not ctx.city and weak:  # attribution reads the division and judge rows just evaluated
        attribute_weak(weak, fx.by_division, "division", ctx.ind, top=TOP_ATTRIBUTION)
        attribute_weak(weak, fx.by_judge, "judge", ctx.ind, top=TOP_ATTRIBUTION)
    forecast = fg.year_end_forecast(engine, code, ctx.end)
    names = cases.court_names(engine, code)
    dl = cases.deadlines(engine, code, ctx.start, ctx.end, ctx.ind["pending"])
    if ctx.city:
        dl.by_court_division = ev.rows(("court", "division"), ["pending", *LONG_PENDING], compare=None)
    return BriefingFigures(
        ctx, fx, weak, basis, forecast,
        fg.targets(settings, ev, ctx.court_code, fx, forecast) if not ctx.city else None,
        rollup.city_targets(settings, ev, sorted({r.group.get("court_code") for r in fx.by_court
                                                  if r.group.get("court_code")}), names, ctx.end)
        if ctx.city else None,
        fg.enforcement(settings, engine, code, ctx.end, fx, pending_rules=ctx.ind["pending"].exclusion_rules),
        fg.services(settings, engine, code, ctx.start, ctx.end),
        cases.month_on_month(engine, ctx.base_profile, ctx.start, ctx.end, filters),
        cases.trend(engine, ctx.start, ctx.end, filters, ctx.base_profile, bool(ctx.compare)),
        city_matrix(engine, ctx.court_code, ctx.start, ctx.end, profile=ctx.profile, compare=None,
                    indicators=[i for i in ctx.quality_ids() if ctx.ind[i].unit in COMPARABLE_UNITS])
        if ctx.city else None,
        dl, run_checks(engine, ctx.court_code, ctx.start, ctx.end), cases.roster(engine, code, names), names)


def _require_cases(engine, ctx: Context, fx: fg.Evaluations) -> None:
    """A period without a single case makes no briefing: say which court, which period and what the data holds."""
    val = {r.indicator: r.value or 0 for r in fx.top if r.indicator in ("received", "new_cases", "closed")}
    if not val.get("received") or not (val.get("new_cases") or val.get("closed")):
        where = "全市" if ctx.city else f"法院 {ctx.court_code}（{ctx.court_name}）"
        raise UserError(
            f"{where}在 {ctx.start} 至 {ctx.end} 期间没有任何案件（新收、结案均为0"
            f"{cases.coverage(engine, ctx.code_filter)}），"
            f"无法生成会商报告。请检查 --court、--from、--to 是否正确，或先用 zhixiao import 导入该院该期间的案件数据。")


def _weak(ctx: Context, fx: fg.Evaluations) -> tuple[list[Weak], Basis]:
    """The 短板 (``analysis.weak.find_weak``) over rows already evaluated by court, so the briefing evaluates
    each indicator once. A court: against the 全市基层法院平均 and its peers, before the division and judge
    evaluations (those then evaluate only the indicators some section needs). The city: against its ranges
    and 同比, attributed to its basic courts (``analysis.city``: the 中院 apart)."""
    quality = set(ctx.quality_ids())
    if ctx.city:
        weak = find_weak([r for r in fx.top if r.indicator in quality], reference_only=ctx.reference_only,
                         measures=ctx.measures)
        attribute_to_basic_courts(weak, [r for r in fx.by_court if r.indicator in quality], ctx.court_code, ctx.ind,
                                  top=TOP_ATTRIBUTION)
        return weak, Basis()
    rows = [r for r in fx.by_court if r.indicator in quality]
    basis = fx.basis
    weak = find_weak([r for r in rows if r.group.get("court_code") == ctx.court_code], fx.pool,
                     [r for r in rows if r.group.get("court_code") in basis.peer_courts], basis=basis,
                     reference_only=ctx.reference_only, measures=ctx.measures)
    return weak, basis
