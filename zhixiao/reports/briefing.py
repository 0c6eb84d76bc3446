"""Collect every number of a 数据会商 briefing once, from the engines, into one ``Briefing`` object.

Sections follow the published 质效通报 / 会商 structure (REFERENCE.md §5.1): 收结存 with 同比 → 质量/效率/效果
with 区间达标 → 审限 and 长期未结 → 短板弱项 with attribution → targets and 数据测算 → 12368 / satisfaction /
司法建议 → annex 员额法官审判质效统计表. Judges and divisions are listed by name, never ranked (2024-09 SPC
rule: 杜绝排名排序, REFERENCE §1.1). Comparisons are the analysis layer's (``analysis.peers``, ``ranges``):
a basic court against the basic courts, an annual 合理区间 judging only a year unless its entry says otherwise.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from zhixiao.analysis import ranges
from zhixiao.analysis.attribution import attribute
from zhixiao.analysis.city import AVERAGE_LABEL, city_matrix
from zhixiao.analysis.compare import summarize
from zhixiao.analysis.peers import LEVEL_NAMES, court_list, peer_group
from zhixiao.analysis.targets import TARGET_INDICATORS
from zhixiao.analysis.weak import COMPARABLE_UNITS, Basis, find_weak, to_value
from zhixiao.deadlines import deadline_table
from zhixiao.domain.courts import court_name as registry_court_name
from zhixiao.errors import UserError
from zhixiao.metrics.card import card
from zhixiao.metrics.catalogue import _files as catalogue_files
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.evaluate import evaluate
from zhixiao.metrics.filters import Compiler, Period
from zhixiao.metrics.series import monthly
from zhixiao.quality import CHECK_NAMES, run_checks
from zhixiao.reports import figures as fg
from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.model import Briefing, Chart, Column, Section, Table
from zhixiao.supervision.pending import FOUR_FLAGS, four_pending

CASELOAD = ("carried_over", "new_cases", "received", "closed", "pending", "closure_rate", "clearance_ratio")
LONG_PENDING = ("long_pending_12m", "long_pending_24m", "long_pending_36m")
ANNEX = ("new_cases", "closed", "pending", "closure_rate", "on_time_rate", "avg_days", "long_pending_12m")
LINES = ("刑事", "民事", "行政", "执行")
QUALITY_GROUPS = ("质量", "效率", "效果")
UNIT_KINDS = {"court": "法院", "division": "部门", "judge": "法官"}
BASE_PROFILE = "court-classic"  # the profile that defines the glossary ids (DESIGN.md)
PENDING_STATUSES = ("正常", "临近", "超审限", "扣除中", "中止中", "不计审限")
LONG_PENDING_LABELS = {"long_pending_12m": "超12个月未结", "long_pending_24m": "超24个月未结",
                       "long_pending_36m": "超36个月未结"}
REFERENCE_NOTE = "年度区间，仅供参考"
# What a 下一步 proposal asks for, by indicator: the cases its numerator counts (an id not listed: "分子案件")
NUMERATOR_WORDS = {"closure_rate": "结案", "clearance_ratio": "结案", "closed_per_judge": "结案",
                   "on_time_rate": "审限内结案", "acceptance_rate": "服判息诉案件",
                   "reversal_rate": "发改案件", "mediation_withdrawal_rate": "调解、撤诉结案",
                   "simplified_rate": "适用简易程序案件", "small_claims_rate": "适用小额诉讼程序案件",
                   "ruled_in_court_rate": "当庭裁判案件", "long_pending_12m": "超12个月未结案件",
                   "long_pending_24m": "超24个月未结案件", "long_pending_36m": "超36个月未结案件",
                   "enforcement_completion_rate": "执行完毕案件", "actual_enforcement_rate": "实际执结案件",
                   "termination_rate": "首执终本案件", "termination_compliance_rate": "合格终本案件",
                   "resumption_rate": "恢复执行案件", "objection_on_time_rate": "审限内审结的执行异议案件",
                   "objection_changed_rate": "被改变的执行异议裁定"}
# rates whose numerator is a sum of money (court-classic: sum = enforcement_collected_amount, in 元)
AMOUNT_WORDS = {"enforcement_collection_rate": "执行到位金额", "enforcement_target_rate": "到位标的金额"}
TOP_CONTRIBUTORS = 3  # per 短板 and level in the .docx; the .xlsx holds every unit


def profile_name(profile: str, data_dir) -> str:
    """The Chinese name of a profile (``[profile] name`` of its TOML): documents never show the id."""
    for _path, raw in catalogue_files(data_dir):
        meta = raw.get("profile", {})
        if meta.get("id") == profile and meta.get("name"):
            return str(meta["name"])
    return profile


def _court_name(engine, court_code: str) -> str:
    """The registry's name (法院代字表); a code the registry cannot name keeps the name in the data."""
    name = registry_court_name(court_code)
    if name:
        return name
    t = engine.cases
    df = t.filter(t.court_code == court_code).select("court_name").limit(1).execute()
    return str(df["court_name"].iloc[0]) if len(df) and df["court_name"].iloc[0] else court_code


class Collector:
    def __init__(self, engine, court_code: str, start: date, end: date, *, scope: str = "court",
                 compare: str | None = "yoy", profile: str = "court-classic", settings=None):
        if scope not in ("court", "city"):
            raise UserError(f"范围“{scope}”无效：--scope 只能是 court（本院）或 city（全市，须为中级法院）。")
        if start > end:
            raise UserError(f"统计期间起始日 {start} 晚于截止日 {end}，请调换 --from 与 --to。")
        self.engine, self.court_code, self.start, self.end = engine, court_code, start, end
        self.scope, self.compare, self.profile, self.settings = scope, compare, profile, settings
        self.filters = None if scope == "city" else {"court_code": court_code}
        self.timings: dict[str, float] = {}
        self._pending_df = None
        self._by_court: list = []
        self._line_cells: dict = {}
        self._judge_cache: list = []
        self._div_cache: list = []
        self._top: list = []  # Row objects of the court (or the city) for every indicator used
        self._by_line: list = []
        self._weak_list: list | None = None
        self._pool: dict = {}  # id → the pooled value of this court's level (全市基层法院平均)
        self._basis = None
        self._weak_found: list = []
        root = engine.store.root
        self.catalogue = {i.id: i for i in load_profile(profile, end, data_dir=root)}
        # 收结存, 长期未结 and the annex use the glossary ids; a profile without them (spc-2024, courtools)
        # takes them from court-classic, while its own indicators fill the 质量/效率/效果 sections.
        self.base_profile = profile if set(CASELOAD) <= set(self.catalogue) else BASE_PROFILE
        base = self.catalogue if self.base_profile == profile else {
            i.id: i for i in load_profile(self.base_profile, end, data_dir=root)}
        self.ind = {**base, **self.catalogue}
        # ids whose 合理区间 is annual while the period is shorter: shown, never judged (issue 13 §4)
        self.reference_only = ranges.reference_only(self.ind.values(), start, end)
        self.measures = {i: ranges.measure(ind) for i, ind in self.ind.items()}
        self.ev = fg.Evaluator(engine, profile, self.base_profile, set(self.catalogue), set(self.ind), start, end,
                               compare, self.filters)
        self.fx: fg.Evaluations | None = None
        self.forecast = None
        self.target_fx: fg.Targets | None = None

    def _rowdict(self, r) -> dict[str, Any]:
        applies = r.indicator not in self.reference_only
        return {"indicator": r.indicator, "name": r.name, "unit": r.unit, "line": r.line,
                "group_name": r.group_name, "value": r.value, "numerator": r.numerator,
                "denominator": r.denominator, "previous": r.previous, "yoy": r.yoy, "yoy_unit": r.yoy_unit,
                "range": r.range, "range_applies": applies, "in_range": r.in_range if applies else None,
                "improved": r.improved, "direction": r.direction, "measure": self.measures.get(r.indicator, "")}

    def _judged(self, r) -> bool | None:
        """A Row's 区间达标 for this period (None where the range is only a reference)."""
        return None if r.indicator in self.reference_only else r.in_range

    def _range_label(self, r: dict) -> str:
        label = nv.fmt_range(r["range"], r["unit"])
        return label if not r["range"] or r["range_applies"] else f"{label}（{REFERENCE_NOTE}）"

    # -- helpers ------------------------------------------------------------------------------------
    def evaluate(self, by=(), indicators=(), filters=None, compare="default"):
        return self.ev.rows(by, indicators, filters=filters, compare=compare)

    def _timed(self, key: str, fn: Callable, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[key] = round(time.perf_counter() - t0, 3)

    # -- the whole briefing -------------------------------------------------------------------------
    def collect(self) -> Briefing:
        court_name = _court_name(self.engine, self.court_code)
        city = self.scope == "city"
        subject = "全市法院" if city else "全院"
        label = nv.period_label(self.start, self.end)
        title = f"{court_name}{'（全市）' if city else ''}{label}审判执行质效数据会商报告"
        b = Briefing(self.court_code, court_name, self.scope, self.start, self.end, self.compare, self.profile,
                     title, subject, profile_name=profile_name(self.profile, self.engine.store.root),
                     office=f"{court_name}审判管理办公室", issued=date.today())
        self._timed("totals", self._evaluate_main)
        b.figures = {r.indicator: self._rowdict(r) for r in self._top}
        val = {k: (b.figures.get(k) or {}).get("value") or 0 for k in ("received", "new_cases", "closed")}
        if not val["received"] or not (val["new_cases"] or val["closed"]):
            where = "全市" if city else f"法院 {self.court_code}（{court_name}）"
            raise UserError(
                f"{where}在 {self.start} 至 {self.end} 期间没有任何案件（新收、结案均为0{self._coverage()}），"
                f"无法生成会商报告。请检查 --court、--from、--to 是否正确，或先用 zhixiao import 导入该院该期间的案件数据。")
        b.sections.append(self._timed("caseload", self.caseload, b))
        b.sections.append(self._timed("quality", self.quality, b))
        b.sections.append(self._timed("enforcement", self.enforcement, b))
        weak = self._timed("weak", self.weak, b)  # before 审限: its attribution shares the division rows
        b.sections.append(self._timed("deadlines", self.deadlines, b))
        b.sections.append(weak)
        b.sections.append(self._timed("targets", self.targets, b))
        services = self._timed("services", self.services, b)  # None: no ops DB or nothing in the period
        if services is not None:
            b.sections.append(services)
        b.sections.append(self._timed("proposals", self.proposals, b))
        b.annex = self._timed("annex", self.annex)
        b.appendices = [self._timed("long_pending", self.long_pending_annex, b),
                        self._timed("data_quality", self.quality_annex, b), self.cards_annex(b)]
        b.timings = self.timings
        return b

    def _quality_ids(self) -> list[str]:
        return [i for i, ind in self.catalogue.items() if ind.group in QUALITY_GROUPS]

    def _evaluate_main(self) -> None:
        """The figures step (``reports.figures``): every evaluation, the forecast and the targets, once; the
        sections below only read them."""
        ids = list(dict.fromkeys([*CASELOAD, *LONG_PENDING, *self._quality_ids()]))
        fx = self.fx = fg.evaluations(self.ev, self.ind, self.court_code, self.scope, ids)
        self._by_court, self._top, self._by_line, self._pool, self._basis = (
            fx.by_court, fx.top, fx.by_line, fx.pool, fx.basis)
        self._weak_found_court = self._find_weak_court() if self.scope == "court" else []
        unit_ids = [i for i in dict.fromkeys([*ANNEX, "pending", *LONG_PENDING, *TARGET_INDICATORS,
                                              *(w.indicator for w in self._weak_found_court)]) if i in self.ind]
        fg.unit_evaluations(self.ev, fx, unit_ids)
        self._div_cache, self._judge_cache = fx.by_division, fx.by_judge
        code = None if self.scope == "city" else self.court_code
        self.forecast = fg.year_end_forecast(self.engine, code, self.end)
        if self.scope == "court":
            self.target_fx = fg.targets(self.settings, self.ev, self.court_code, fx, self.forecast)
        self.enforcement_fx = fg.enforcement(self.settings, self.engine, code, self.end, fx,
                                             pending_rules=self.ind["pending"].exclusion_rules)

    def _coverage(self) -> str:
        t = self.engine.cases
        if self.filters:
            t = t.filter(t.court_code == self.court_code)
        df = t.aggregate(lo=t.filing_date.min(), hi=t.filing_date.max()).execute()
        lo, hi = df["lo"].iloc[0], df["hi"].iloc[0]
        if lo is None or lo != lo:
            return "；数据中没有该院的任何案件"
        return f"；现有数据的立案日期范围为 {str(lo)[:10]} 至 {str(hi)[:10]}"

    # -- 一、收结存 ------------------------------------------------------------------------------------
    def caseload(self, b: Briefing) -> Section:
        sec = Section("caseload", "收结存情况")
        f = b.figures
        sec.paragraphs.append(nv.caseload_sentence(b.subject, self.start, self.end, {
            k: {"value": v["value"], "previous": v["previous"] if self.compare else None, "unit": v["unit"]}
            for k, v in f.items()}))
        lines: dict[str, dict[str, dict]] = defaultdict(dict)
        for r in (r for r in self._by_line if r.indicator in CASELOAD):
            lines[r.group.get("line") or "其他"][r.indicator] = self._rowdict(r)
        parts = []
        for line in LINES + tuple(sorted(set(lines) - set(LINES))):
            if line in lines and lines[line].get("received", {}).get("value"):
                d = lines[line]
                parts.append(f"{line}案件新收{nv.fmt_count(d['new_cases']['value'])}件、"
                             f"结案{nv.fmt_count(d['closed']['value'])}件、未结{nv.fmt_count(d['pending']['value'])}件")
        if parts:
            sec.paragraphs.append("其中，" + "；".join(parts) + "。")
        rows = [{"label": "合计", **_flat(f)}] + [  # lines without a single case are left out
            {"label": line, **_flat(lines[line])} for line in LINES + tuple(sorted(set(lines) - set(LINES)))
            if line in lines and (lines[line].get("received", {}).get("value") or lines[line].get("closed", {}).get("value"))]
        sec.tables.append(Table("收结存情况（按条线）", self._caseload_columns("条线"), rows,
                                ranges=self._caseload_ranges()))
        sec.tables.append(self._caseload_by_track())
        if self.scope == "city":
            courts: dict[tuple, dict] = defaultdict(dict)
            for r in (r for r in self._by_court if r.indicator in CASELOAD):
                courts[(r.group.get("court_code"), r.group.get("court_name"))][r.indicator] = self._rowdict(r)
            crow = [{"label": f"{name or code}", **_flat(d)}
                    for (code, name), d in sorted(courts.items(), key=lambda kv: tuple(map(str, kv[0])))
                    if (d.get("received") or {}).get("value") or (d.get("closed") or {}).get("value")]
            sec.tables.append(Table("收结存情况（按法院）", self._caseload_columns("法院"), crow,
                                    ranges=self._caseload_ranges()))
        mom = self._month_on_month(b)
        if mom:
            sec.paragraphs.append(mom)
        sec.charts.append(self._trend())
        return sec

    def _caseload_by_track(self) -> Table:
        """审判、执行 and 非诉保全 apart, as courts report 审执结 (metrics.tracks; the three add up to 合计)."""
        rows = []
        for track, track_rows in self.fx.tracks.items():
            d = {r.indicator: self._rowdict(r) for r in track_rows}
            if (d.get("received") or {}).get("value") or (d.get("closed") or {}).get("value"):
                rows.append({"label": track, **_flat(d)})
        return Table("收结存情况（审判、执行、非诉保全）", self._caseload_columns("类别"), rows,
                     ranges=self._caseload_ranges())

    def _month_on_month(self, b: Briefing) -> str | None:
        """环比 of a year-to-date report: the figures at the end of the previous month, same start."""
        last = self.end.replace(day=1) - timedelta(days=1)
        ytd = self.start == date(self.end.year, 1, 1) and (self.end + timedelta(days=1)).day == 1
        if not ytd or last < self.start:
            return None
        prev = {
            r.indicator: r for r in evaluate(self.engine, self.base_profile, self.start, last,
                                             indicators=["closure_rate", "clearance_ratio", "pending"],
                                             filters=self.filters, compare=None).rows}
        b.figures["month_on_month"] = {k: r.value for k, r in prev.items()}
        parts = []
        for key, what in (("closure_rate", "结案率"), ("clearance_ratio", "结收比")):
            cur, old = (b.figures.get(key) or {}).get("value"), prev.get(key) and prev[key].value
            if cur is not None and old is not None:
                d = round((cur - old) * 100, 2)
                parts.append(f"{what}{'上升' if d > 0 else '下降'}{abs(d):.2f}个百分点" if d else f"{what}持平")
        cur, old = (b.figures.get("pending") or {}).get("value"), prev.get("pending") and prev["pending"].value
        if cur is not None and old is not None:
            parts.append(f"未结{'增加' if cur > old else '减少'}{abs(int(cur - old))}件" if cur != old else "未结持平")
        return f"与截至{last.month}月底的累计数相比（环比），" + "，".join(parts) + "。" if parts else None

    def _caseload_ranges(self) -> dict[str, tuple]:
        return {i: self.ind[i].range for i in CASELOAD
                if i in self.ind and self.ind[i].range and i not in self.reference_only}

    def _caseload_columns(self, label: str) -> list[Column]:
        cols = [Column("label", label), Column("carried_over", "旧存", "count"), Column("new_cases", "新收", "count")]
        if self.compare:
            cols.append(Column("new_cases_yoy", "新收同比（%）", "yoy", bare=True))
        cols += [Column("received", "受理", "count"), Column("closed", "结案", "count")]
        if self.compare:
            cols.append(Column("closed_yoy", "结案同比（%）", "yoy", bare=True))
        cols += [Column("pending", "未结", "count"), Column("closure_rate", "结案率", "rate")]
        if self.compare:
            cols.append(Column("closure_rate_yoy", "结案率同比（百分点）", "yoy", bare=True))
        unit = self.ind.get("clearance_ratio")
        cols.append(Column("clearance_ratio", "结收比", unit.unit if unit else "ratio"))
        return cols

    def _trend(self) -> Chart:
        """Monthly 新收/结案/未结 and, with 同比, the same months a year earlier (one engine query)."""
        rows = monthly(self.engine, self.start, self.end, self.filters, profile=self.base_profile,
                       previous_year=bool(self.compare))
        flows = [(k, n) for k, n in _TREND if k != "pending_end"]
        series: dict[str, list] = {name: [r[key] for r in rows] for key, name in flows}
        stock: dict[str, list] = {"月末未结": [r["pending_end"] for r in rows]}
        if self.compare:
            for key, name in flows:
                series[f"{name}（上年同期）"] = [r[f"{key}_last_year"] for r in rows]
            stock["月末未结（上年同期）"] = [r["pending_end_last_year"] for r in rows]
        months = [str(r["month"])[:7] for r in rows]
        cats = [f"{int(m[5:])}月" if self.start.year == self.end.year else m for m in months]
        title = "逐月新收、结案与月末未结（与上年同期对比）" if self.compare else "逐月新收、结案与月末未结"
        return Chart("trend", title, cats, series, key="trend", stock=stock)

    # -- 二、质量 / 效率 / 效果 ------------------------------------------------------------------------
    def quality(self, b: Briefing) -> Section:
        sec = Section("quality", "审判质量、效率、效果指标")
        ids = [i for i, ind in self.catalogue.items() if ind.group in QUALITY_GROUPS]
        raw = [r for r in self._top if r.indicator in set(ids)]
        rows = [self._rowdict(r) for r in raw]
        b.figures.update({r["indicator"]: r for r in rows})
        if raw:
            sec.paragraphs.append(summarize(raw, reference_only=self.reference_only).sentence())
        else:
            sec.paragraphs.append(nv.summary_sentence(0, 0, 0 if self.compare else None))
        cells: dict[str, dict[str, Any]] = defaultdict(dict)
        for r in (r for r in self._by_line if r.indicator in set(ids)):
            cells[r.indicator][r.group.get("line")] = r
        b.figures["by_line"] = {i: {ln: r.value for ln, r in d.items()} for i, d in cells.items()}
        per_line = []
        for line in LINES:
            lr = [d[line] for d in cells.values() if line in d and self._judged(d[line]) is not None]
            if lr:
                per_line.append(f"{line}条线{len(lr)}项有合理区间的指标中{sum(1 for r in lr if r.in_range)}项达标")
        if per_line:
            sec.paragraphs.append("分条线看，" + "，".join(per_line) + "。")
        self._line_cells = cells
        if self.scope == "city":
            sec.subsections.append(self._city_courts())
        enforcement = set(self._enforcement_ids())  # shown in the 执行 section of their own
        for g in QUALITY_GROUPS:
            gr = sorted((r for r in rows if r["group_name"] == g and r["indicator"] not in enforcement),
                        key=lambda r: ((LINES + ("all",)).index(r["line"]) if r["line"] in LINES + ("all",) else 9))
            sub = Section(f"quality_{g}", f"{g}指标")
            if not gr:
                sub.missing = nv.missing_note(f"{g}指标", f"指标体系“{self.profile}”中没有{g}类指标")
                sec.subsections.append(sub)
                continue
            for r in gr:
                if r["value"] is not None and (r["in_range"] is False or r["improved"] is False):
                    sub.paragraphs.append(nv.indicator_sentence(
                        f"{'' if r['line'] == 'all' else r['line']}{r['name']}", r["value"], r["unit"],
                        r["previous"] if self.compare else None, r["range"], r["in_range"], measure=r["measure"]))
            if not sub.paragraphs:
                listed = "，".join(f"{_ind_label(r)}{_fmt(r['value'], r['unit'], r['measure'])}"
                                  + (f"（{nv.yoy_phrase(r['value'], r['previous'], r['unit'], r['measure'])}）"
                                     if self.compare and r["previous"] is not None else "")
                                  for r in gr if r["value"] is not None)
                sub.paragraphs.append(f"{g}类{len(gr)}项指标：{listed}，均处于合理区间或同比未变差。")
            sub.tables.append(self._indicator_table(f"{g}指标", gr))
            sub.tables.append(self._line_table(f"{g}指标（按条线）", gr))
            ranged = [r for r in gr if r["range"] and r["range_applies"] and r["value"] is not None
                      and r["unit"] == "rate"]
            if ranged:
                sub.charts.append(Chart("range", f"{g}指标与合理区间", [_ind_label(r) for r in ranged],
                                        {"数值": [r["value"] for r in ranged]}, [tuple(r["range"]) for r in ranged],
                                        unit="rate", key=f"range_{g}"))
            sec.subsections.append(sub)
        return sec

    def _city_courts(self) -> Section:
        """Each basic court's core indicators beside the 全市基层法院平均, the intermediate court apart
        (``analysis.city.city_matrix``: like with like)."""
        m = city_matrix(self.engine, self.court_code, self.start, self.end, profile=self.profile, compare=None,
                        indicators=[i for i in self._quality_ids() if self.ind[i].unit in COMPARABLE_UNITS])
        sub = Section("city_courts", "各法院核心指标")
        weak = [f"{ln.court_name}{len(ln.weak)}项" for ln in m.basic if ln.weak]
        sub.paragraphs.append(f"全市{len(m.basic)}家基层法院与{AVERAGE_LABEL}比较"
                              + (f"，短板弱项：{'、'.join(weak)}" if weak else "，均未发现短板弱项")
                              + (f"；{m.intermediate.court_name}审理二审、再审等案件，与基层法院不同级，单独列示"
                                 if m.intermediate else "") + "。")
        per_table = 6
        for k in range(0, len(m.columns), per_table):
            cols = m.columns[k:k + per_table]
            table_cols = [Column("court", "法院")] + [Column(c.indicator, c.name, c.unit) for c in cols]
            rows = [{"court": ln.court_name, **{c.indicator: (ln.cells.get(c.indicator).value
                                                             if ln.cells.get(c.indicator) else None) for c in cols}}
                    for ln in m.basic]
            rows.append({"court": AVERAGE_LABEL, **{c.indicator: (m.average[c.indicator].value
                                                                  if c.indicator in m.average else None) for c in cols}})
            if m.intermediate:
                rows.append({"court": f"{m.intermediate.court_name}（单列）", **{
                    c.indicator: (m.intermediate.cells[c.indicator].value if c.indicator in m.intermediate.cells
                                  else None) for c in cols}})
            sub.tables.append(Table(f"各法院核心指标（{k // per_table + 1}）", table_cols, rows,
                                    ranges={c.indicator: c.range for c in cols if c.range and c.range_applies}))
        return sub

    def _line_table(self, title: str, rows: list[dict]) -> Table:
        """Indicator × 条线 matrix; a cell is "—" where the indicator has no cases of that line."""
        cols = [Column("name", "指标"), Column("all", "全院" if self.scope == "court" else "全市", "value")] + [
            Column(line, line, "value") for line in LINES] + [Column("range_label", "合理区间"),
                                                              Column("flags", "未达标条线")]
        out = []
        for r in rows:
            d = self._line_cells.get(r["indicator"], {})
            vals = {line: d[line].value if line in d else None for line in LINES}
            bad = [line for line in LINES if line in d and self._judged(d[line]) is False]
            out.append({"name": _ind_label(r), "unit": r["unit"], "range": r["range"] if r["range_applies"] else None,
                        "all": r["value"], **vals, "range_label": self._range_label(r), "flags": "、".join(bad) or "—"})
        return Table(title, cols, out)

    def _indicator_table(self, title: str, rows: list[dict]) -> Table:
        cols = [Column("name", "指标"), Column("line_label", "条线"), Column("value", "数值", "value"),
                Column("range_label", "合理区间"), Column("flag", "是否达标", "flag")]
        if self._pool:
            cols.append(Column("city", f"{self._basis.city_label}平均", "value"))
        if self.compare:
            cols += [Column("previous", "上年同期", "value"), Column("change", "同比增减", "delta"),
                     Column("yoy", "同比（%）", "yoy"), Column("trend", "同比趋势")]
        out = []
        for r in rows:
            change = None if r["value"] is None or r["previous"] is None else r["value"] - r["previous"]
            pool = self._pool.get(r["indicator"])
            out.append({**r, "change": change * 100 if change is not None and r["unit"] == "rate" else change,
                        "city": pool.value if pool is not None else None,
                        "line_label": "综合" if r["line"] == "all" else r["line"],
                        "range": r["range"] if r["range_applies"] else None,  # no red cell for a reference
                        "range_label": self._range_label(r),
                        "flag": {True: "是", False: "否", None: "—"}[r["in_range"]],
                        # 同比 in % only where it says more than 同比增减: not for a rate (the same 个百分点
                        # twice) nor for a count on a small base (issue 17 §1: "增加26件", not "+866.67%")
                        "yoy": None if r["unit"] == "rate" or (r["unit"] == "count" and r["previous"] is not None
                                                               and abs(r["previous"]) < nv.SMALL_BASE) else r["yoy"],
                        "trend": _trend_word(r["improved"], change)})
        if all(r["yoy"] is None for r in out):  # a table of rates: 同比增减 already says it in 个百分点
            cols = [c for c in cols if c.key != "yoy"]
        return Table(title, cols, out, flag_key="flag")

    # -- 执行工作 ------------------------------------------------------------------------------------
    def _enforcement_ids(self) -> list[str]:
        """The profile's 执行 indicators (执行完毕率, 执行到位率, 首执 …, 执行异议), by their catalogue line."""
        return [i for i in self._quality_ids() if self.ind[i].line == "执行"]

    def enforcement(self, b: Briefing) -> Section:
        """执行: the 执行 track's 收结存, the profile's 执行 indicators with 同比 and the 全市基层法院平均, and the
        执行难 / 终本 ledger at the period end (issue 16 §2, issue 17 §2)."""
        sec = Section("enforcement", "执行工作情况")
        fx = self.enforcement_fx
        flow = {r.indicator: r for r in fx.flow}
        ids = set(self._enforcement_ids())
        rows = [self._rowdict(r) for r in self._top if r.indicator in ids]
        led = fx.ledger
        b.figures["enforcement"] = {
            "flow": {k: r.value for k, r in flow.items()}, "indicators": {r["indicator"]: r["value"] for r in rows},
            "ledger": {"pending": led["pending_enforcement"], "no_property": len(led["no_property"]),
                       "long_running": len(led["long_running"]), "zhongben_candidates": len(led["zhongben_candidates"]),
                       "zhongben_to_verify": len(led["zhongben_to_verify"]), "outside_flow": fx.outside_flow}}
        if flow.get("received") and flow["received"].value:
            def clause(key: str, what: str) -> str:
                r = flow[key]
                text = f"{what}{nv.fmt_count(r.value)}件"
                return text + (f"，{nv.yoy_phrase(r.value, r.previous, 'count', '件')}"
                               if self.compare and r.previous is not None and key != "carried_over" else "")
            sec.paragraphs.append(f"{nv.short_period(self.start, self.end)}，{b.subject}执行案件" + "；".join(
                clause(k, w) for k, w in (
                                      ("carried_over", "旧存"), ("new_cases", "新收"), ("received", "受理"),
                                      ("closed", "执结"), ("pending", "未结")) if k in flow) + "。")
        else:
            sec.paragraphs.append(f"本期{b.subject}没有执行案件。")
        shown = [r for r in rows if r["value"] is not None]
        if shown:
            parts = []
            for r in shown:
                text = f"{r['name']}{_fmt(r['value'], r['unit'], r['measure'])}"
                extra = []
                if self.compare and r["previous"] is not None:
                    extra.append(nv.yoy_phrase(r["value"], r["previous"], r["unit"], r["measure"]))
                pool = self._pool.get(r["indicator"])
                if pool is not None and pool.value is not None and r["unit"] in COMPARABLE_UNITS:
                    extra.append(f"{self._basis.city_label}平均{_fmt(pool.value, r['unit'], r['measure'])}")
                parts.append("，".join([text, *extra]))  # no brackets: a 同比 phrase carries its own
            sec.paragraphs.append("执行质效指标：" + "；".join(parts) + "。")
            sec.tables.append(self._indicator_table("执行质效指标", rows))
            rates = [r for r in shown if r["unit"] == "rate"]
            if rates:
                sec.charts.append(Chart("range", "执行质效指标（比率）", [r["name"] for r in rates],
                                        {"数值": [r["value"] for r in rates]},
                                        [tuple(r["range"]) if r["range"] and r["range_applies"] else None
                                         for r in rates], unit="rate", key="range_enforcement"))
        elif ids:
            sec.paragraphs.append("本期执行质效指标均无可计算的案件。")
        lf = b.figures["enforcement"]["ledger"]
        if lf["pending"]:
            sec.paragraphs.append(
                f"执行难案件台账：截至{_cn(self.end)}在办的执行案件{lf['pending']}件{_outside_flow(lf['outside_flow'])}，"
                f"其中无财产可供执行{lf['no_property']}件、长期未结{lf['long_running']}件；"
                f"终本五项条件均有记录且满足的{lf['zhongben_candidates']}件，其余条件满足、尚待核实的"
                f"{lf['zhongben_to_verify']}件。")
            sec.tables.append(Table("执行难案件与终本台账", [Column("item", "项目"), Column("n", "件数", "count")], [
                {"item": "台账在办执行案件", "n": lf["pending"]}, {"item": "无财产可供执行", "n": lf["no_property"]},
                {"item": "长期未结", "n": lf["long_running"]},
                {"item": "符合终本条件（五项均有记录）", "n": lf["zhongben_candidates"]},
                {"item": "终本条件待核实", "n": lf["zhongben_to_verify"]}]))
        return sec

    # -- 三、审限与长期未结 ------------------------------------------------------------------------------
    def deadlines(self, b: Briefing) -> Section:
        sec = Section("deadlines", "审限管理与长期未结案件")
        lp = {i: b.figures[i] for i in LONG_PENDING if i in b.figures}
        if lp:
            tiers = "、".join(f"{LONG_PENDING_LABELS[i]}{nv.fmt_count(lp[i]['value'])}件" for i in LONG_PENDING if i in lp)
            sec.paragraphs.append(f"截至{self.end.month}月{self.end.day}日，{b.subject}{tiers}。")
            by_div = (self.evaluate(("court", "division"), ["pending", *LONG_PENDING], compare=None)
                      if self.scope == "city" else self._division_rows(["pending", *LONG_PENDING]))
            divs: dict[tuple, dict] = defaultdict(dict)
            for r in by_div:
                divs[(r.group.get("court_name") or "", r.group.get("division") or "（未分配）")][r.indicator] = r.value
            cols = ([Column("court", "法院")] if self.scope == "city" else []) + [
                Column("division", "承办部门"), Column("pending", "未结", "count")] + [
                Column(i, LONG_PENDING_LABELS[i], "count") for i in LONG_PENDING if i in lp]
            rows = [{"court": c, "division": d, **v} for (c, d), v in sorted(divs.items())
                    if v.get("pending")]
            sec.tables.append(Table("未结及长期未结案件（按部门）", cols, rows))
        else:
            sec.paragraphs.append(nv.missing_note("长期未结案件", f"指标体系“{self.profile}”未定义 long_pending_12m"))
        sec.subsections.append(self._deadline_status(b))
        sec.subsections.append(self._four_pending())
        return sec

    def _deadline_status(self, b: Briefing) -> Section:
        sub = Section("deadline_status", "未结案件审限状态")
        df = self._pending_deadlines()
        counts = {str(k): int(v) for k, v in df["status"].value_counts().items()}
        b.figures["deadline_status"] = counts
        total = sum(counts.values())
        order = [s for s in PENDING_STATUSES if s in counts] + sorted(set(counts) - set(PENDING_STATUSES))
        sub.paragraphs.append(f"截至{self.end.month}月{self.end.day}日，未结案件{total}件，其中"
                              + "、".join(f"{s}{counts[s]}件" for s in order) + "。")
        rows = [{"status": s, "count": counts[s], "share": counts[s] / total if total else None} for s in order]
        sub.tables.append(Table("未结案件审限状态", [Column("status", "审限状态"), Column("count", "件数", "count"),
                                               Column("share", "占比", "rate")], rows))
        return sub

    def _four_pending(self) -> Section:
        """四项未结: pending cases in 延长 / 中止 / 中断 / 扣除审限 status (REFERENCE §2.2), from the
        supervision module's list over the 审限 table, counted per division."""
        df = four_pending(self._pending_scope(self._deadlines())).execute()
        names = {k: f"{v}审限未结" if v in ("延长", "扣除") else f"{v}未结" for k, v in FOUR_FLAGS.items()}
        keys = ["court_code", "division"] if self.scope == "city" else ["division"]
        df["division"] = df["division"].fillna("（未分配）")
        for k in names:
            df[k] = df[k].fillna(False).astype(int)
        agg = df.groupby(keys, dropna=False)[list(names)].sum().reset_index() if len(df) else df
        rows = [{"court": rec.get("court_code", ""), "division": rec["division"], **{k: int(rec[k]) for k in names}}
                for rec in agg.to_dict("records")]
        rows.sort(key=lambda r: (str(r["court"]), str(r["division"])))
        totals = {k: sum(r[k] for r in rows) for k in names}
        b_total = len(df)
        sub = Section("four_pending", "四项未结案件")
        sub.paragraphs.append(f"四项未结案件{b_total}件，其中" + "、".join(f"{names[k]}{totals[k]}件" for k in names)
                              + "（同一案件可同时属于多项）。")
        cols = ([Column("court", "法院")] if self.scope == "city" else []) + [Column("division", "承办部门")] + [
            Column(k, v, "count") for k, v in names.items()]
        sub.tables.append(Table("四项未结案件（按部门）", cols, rows))
        self._four_total = b_total
        return sub

    def _deadlines(self):
        """The 审限 table at the period end, of this court only when the briefing is one court's."""
        return deadline_table(self.engine, self.end, courts=[self.court_code] if self.filters else None)

    def _pending_scope(self, t):
        """Rows of the 审限 table that are in the 未结 figure: this court, pending at the period end, with the
        indicator's own exclusions (诉前调确, 执保 …) — so the 审限 counts add up to the 未结 of 收结存."""
        if self.filters:
            t = t.filter(t.court_code == self.court_code)
        pend = self.ind["pending"]
        comp = Compiler(t, Period(self.start, self.end, self.end), "cases")
        return t.filter(comp.where(pend.numerator, pend.line, pend.exclusion_rules))

    def _pending_deadlines(self):
        """Pending cases at the period end with their 审限 columns (one engine query, cached)."""
        if self._pending_df is None:
            t = self._pending_scope(self._deadlines())
            self._pending_df = t.select("case_id", "court_code", "division", "status", "pending_months",
                                        "extension_days", "deducted_days").execute()
        return self._pending_df

    # -- 四、短板弱项 ----------------------------------------------------------------------------------
    def weak(self, b: Briefing) -> Section:
        sec = Section("weak", "短板弱项分析")
        quality = set(self._quality_ids())
        reference = [i for i in self._quality_ids() if i in self.reference_only]
        if self.scope == "city":
            weak, basis = self._weak_city(), Basis()
        else:
            weak, basis = self._weak()
        b.figures["weak"] = {"indicators": [w.indicator for w in weak], "city_courts": list(basis.city_courts),
                             "peer_courts": list(basis.peer_courts), "reference_only": reference}
        whole = "全市" if self.scope == "city" else "全院"
        refs = (["合理区间"] if any(self.ind[i].range and i not in self.reference_only for i in quality) else [])
        if basis.city_courts:
            refs.append(f"{basis.city_label}平均")
        if basis.peer_courts:
            refs.append(f"{basis.peer_label}平均")
        if self.compare:
            refs.append("上年同期")
        if self.scope == "court":
            sec.paragraphs.append(self._basis_sentence(basis))
        if reference:
            sec.paragraphs.append(
                f"本期不足一个自然年度，{'、'.join(self.ind[i].name for i in reference)}的合理区间为年度区间，"
                f"仅供参考，不据以认定短板；本期与上年同期比较。")
        if not weak:
            sec.paragraphs.append(f"经比对{_and(refs) or '现有参照'}，本期未发现短板弱项。")
            return sec
        sec.paragraphs.append(f"经比对{_and(refs)}，本期共有{len(weak)}项短板弱项指标："
                              + "、".join(_ind_label(self._weak_dict(w)) for w in weak) + "。")
        self._weak_found = weak
        rows, top = [], []
        for n, w in enumerate(weak, start=1):
            reasons = "；".join(_reason_text(r, w) for r in w.reasons)
            label = _ind_label(self._weak_dict(w))
            if not reasons.startswith(w.name):
                reasons = f"{label}为{_fmt(w.value, w.unit, w.measure)}" + (f"，{reasons}" if reasons else "")
            sec.paragraphs.append(f"{n}.{reasons}。")
            for kind, lines in w.attribution.items():
                for k, a in enumerate(lines):
                    row = {"indicator_name": label, "kind": UNIT_KINDS[kind], "unit_name": a.unit_name or a.unit,
                           "value": a.value, "unit": w.unit, "value_without": a.value_without,
                           "impact": a.impact, "impact_unit": w.unit, "explanation": a.explanation}
                    rows.append(row)
                    if k < TOP_CONTRIBUTORS and a.harm > 0:
                        top.append(row)
        sec.paragraphs += self._who_moves(weak)
        cols = [Column("indicator_name", "短板指标"), Column("kind", "归因层级"), Column("unit_name", "部门/法官"),
                Column("value", "本单位数值", "value"), Column("value_without", f"该单位按{whole}平均时{whole}数值", "value")]
        note = "按影响大小列示，不作排名（最高人民法院2024年9月：杜绝排名排序）。"
        sec.tables.append(Table(f"短板指标主要影响单位（每项前{TOP_CONTRIBUTORS}个，完整测算见Excel工作簿）", cols, top,
                                note=note))
        sec.tables.append(Table(f"短板指标归因（对{whole}数值的影响，全部单位）", cols, rows, note=note, where="xlsx"))
        panels = []
        for w in weak:
            kind, lines = next(((k, ls) for k, ls in w.attribution.items() if ls), (None, []))
            if not lines:
                continue
            shown = lines[:5]
            scale = 100 if w.unit == "rate" else 1
            unit = {"rate": "个百分点", "days": "天"}.get(w.unit, w.measure)
            panels.append(Chart("bars", f"{_ind_label(self._weak_dict(w))}：各{UNIT_KINDS[kind]}的影响",
                                [a.unit_name or a.unit for a in shown],
                                {(f"影响（{unit}）" if unit else "影响"): [a.harm * scale for a in shown]},
                                key=f"attribution_{w.indicator}"))
        if panels:  # one chart per 短板, set as small multiples in one figure
            sec.charts.append(Chart("panels", "各短板指标的主要影响单位（正值拉低、负值拉高全院数值）", [], {},
                                    key="attribution", panels=panels))
        return sec

    def _who_moves(self, weak: list) -> list[str]:
        """The units behind several 短板, grouped: one sentence per level naming each unit once with the
        indicators it weighs on most (instead of one "影响较大的" line per indicator)."""
        out = []
        for kind, opener in (("division", "从部门看"), ("judge", "从法官看")):
            units: dict[str, list[str]] = defaultdict(list)
            for w in weak:
                for a in [a for a in w.attribution.get(kind, []) if a.harm > 0][:TOP_CONTRIBUTORS]:
                    units[a.unit_name or a.unit].append(_ind_label(self._weak_dict(w)))
            if not units:
                continue
            ordered = sorted(units.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            shown = ordered[:5] if kind == "division" else ordered[:6]
            parts = [f"{u}涉及{'、'.join(ids[:3])}{'等' if len(ids) > 3 else ''}{len(ids)}项" if len(ids) > 1
                     else f"{u}影响{ids[0]}" for u, ids in shown]
            rest = len(ordered) - len(shown)
            out.append(f"{opener}，" + "；".join(parts) + (f"；另有{rest}个{UNIT_KINDS[kind]}各影响1项" if rest else "")
                       + "。")
        return out

    def _basis_sentence(self, basis: Basis) -> str:
        """Which courts every reference contains (like with like: a court against its own level)."""
        names = {r.group.get("court_code"): r.group.get("court_name") for r in self._by_court}
        group = peer_group(self.court_code, names)
        level = LEVEL_NAMES[group.level]
        if not basis.city_courts:
            text = f"比较口径：数据中没有与本院同级的其他{level}，本期不与其他法院比较"
        else:
            text = (f"比较口径：{basis.city_label}平均为{len(basis.city_courts)}家{level}"
                    f"（{court_list(basis.city_courts, names)}）案件合并计算的数值；{basis.peer_label}平均为本院以外"
                    f"{len(basis.peer_courts)}家{level}各自数值的算术平均")
        if group.apart:
            text += f"；{court_list(group.apart, names)}与本院不同级，数据单独列示，不计入任何平均"
        return text + "。"

    def _weak(self) -> tuple[list, Basis]:
        """``zhixiao.analysis.weak.weak_indicators`` composed from its pure parts over rows already
        evaluated (the by-court evaluation of the quality section), so the briefing evaluates each
        indicator once; attribution evaluates only the weak indicators, by division and by judge."""
        weak, basis = self._weak_found_court, self._basis
        wids = [w.indicator for w in weak]
        for kind, key, name_key in (("division", "division", "division"), ("judge", "judge_id", "judge_name")):
            if not wids:
                break
            res = (self._judge_rows(wids) if kind == "judge"
                   else self._division_rows([*wids, "pending", *LONG_PENDING]))
            for w in weak:
                units = [{"unit": r.group.get(key), "unit_name": r.group.get(name_key), "value": r.value,
                          "numerator": r.numerator, "denominator": r.denominator}
                         for r in res if r.indicator == w.indicator and r.group.get(key) is not None]
                w.attribution[kind] = self._attribute(w, units, kind)
        return weak, basis

    def _find_weak_court(self) -> list:
        """The court's 短板 (``analysis.weak.find_weak``) over the by-court rows of the figures step, before the
        division and judge evaluations, so those evaluate only the indicators some section needs."""
        quality = set(self._quality_ids())
        rows = [r for r in self._by_court if r.indicator in quality]
        basis = self._basis
        return find_weak([r for r in rows if r.group.get("court_code") == self.court_code], self._pool,
                         [r for r in rows if r.group.get("court_code") in basis.peer_courts], basis=basis,
                         reference_only=self.reference_only, measures=self.measures)

    def _attribute(self, w, units: list[dict], kind: str) -> list:
        return attribute(w.value, w.numerator, w.denominator, units, name=w.name, unit=w.unit, direction=w.direction,
                         rng=w.range, unit_kind=kind, to_value=to_value(self.ind[w.indicator]),
                         measure=w.measure)[:5]

    def _weak_city(self) -> list:
        """City scope: the city's weak indicators (range, 同比) attributed to its courts — from the rows
        already evaluated by court, so no further evaluation."""
        quality = set(self._quality_ids())
        weak = find_weak([r for r in self._top if r.indicator in quality], reference_only=self.reference_only,
                         measures=self.measures)
        for w in weak:
            units = [{"unit": r.group.get("court_code"), "unit_name": r.group.get("court_name"), "value": r.value,
                      "numerator": r.numerator, "denominator": r.denominator}
                     for r in self._by_court if r.indicator == w.indicator]
            w.attribution["court"] = self._attribute(w, units, "court")
        return weak

    def _weak_dict(self, w) -> dict:
        ind = self.ind.get(w.indicator)
        return {"name": w.name, "line": ind.line if ind else "all"}

    # -- 五、目标与数据测算 ------------------------------------------------------------------------------
    def targets(self, b: Briefing) -> Section:
        sec = Section("targets", "目标进度与数据测算")
        year_end = self.end >= date(self.end.year, 12, 31)
        if year_end:
            sec.paragraphs.append(f"统计期已至{self.end.year}年年末，年末数据以本报告实际数为准，不再测算。")
        else:
            self._forecast(b, sec)
        progress = self._targets_progress()
        if progress and year_end:
            self._targets_met(b, sec, progress)
            sec.subsections.append(self._decomposition(b))
        elif progress:
            units = _target_units()
            sec.paragraphs.append("年度目标进度：" + "；".join(
                f"{p['name']}目标{_fmt(p['target'], units.get(p['indicator'], 'count'), '件')}，"
                f"预计年末{_fmt(p['forecast'], units.get(p['indicator'], 'count'), '件')}（{p['status']}）"
                for p in progress) + "。")
            cols = [Column("name", "目标指标"), Column("target", "年度目标", "value"),
                    Column("forecast", "预计年末", "value"), Column("low", "区间下限", "value"),
                    Column("high", "区间上限", "value"), Column("status", "判断"),
                    Column("closed_ytd", "年内已结", "count"), Column("expected_closed_by_now", "按进度应结", "count")]
            sec.tables.append(Table(f"{self.end.year}年度目标进度", cols, [
                {**p, "unit": units.get(p["indicator"], "count")} for p in progress]))
            rate = next((p["target"] for p in progress if p["indicator"] == "closure_rate"), None)
            if rate is not None:
                sec.subsections.append(self._closings_needed(rate))
            sec.subsections.append(self._decomposition(b))
        elif self.scope == "city" and (roll := self._city_targets()) is not None:
            self._city_rollup(b, sec, roll)
        else:
            sec.paragraphs.append(("全市" if self.scope == "city" else "本院")
                                  + f"尚未设定{self.end.year}年度目标"
                                  + ("。" if year_end else "，本节只作年末测算。"))
        return sec

    def _targets_met(self, b: Briefing, sec: Section, progress: list[dict]) -> None:
        """At the year end a target is met or not: 年度目标, the year's actual figure (the evaluator's, as in
        the other sections — not the forecast) and the gap; no 预计年末 or 按进度应结 once the year is over."""
        units = _target_units()
        rows = []
        for p in progress:
            ind, unit = p["indicator"], units.get(p["indicator"], "count")
            actual = (b.figures.get(ind) or {}).get("value", p["forecast"])
            direction = TARGET_INDICATORS.get(ind, ("", "", "higher"))[2]
            met = None if actual is None else (actual >= p["target"] if direction == "higher" else actual <= p["target"])
            rows.append({"name": p["name"], "unit": unit, "target": p["target"], "actual": actual,
                         "gap": _gap(actual, p["target"], unit) if met is False else "—", "status": "—" if met is None else
                         ("已完成" if met else "未完成")})
        done = [r for r in rows if r["status"] == "已完成"]
        sec.paragraphs.append(f"年度目标完成情况：共{len(rows)}项，完成{len(done)}项。" + "；".join(
            f"{r['name']}目标{_fmt(r['target'], r['unit'], '件')}，年末实际{_fmt(r['actual'], r['unit'], '件')}，"
            f"{r['status']}" + ("" if r["status"] == "已完成" or not r["gap"] else f"（差距{r['gap']}）")
            for r in rows) + "。")
        b.figures["targets_met"] = rows
        cols = [Column("name", "目标指标"), Column("target", "年度目标", "value"), Column("actual", "实际", "value"),
                Column("gap", "差距"), Column("status", "完成情况")]
        sec.tables.append(Table(f"{self.end.year}年度目标完成情况", cols, rows))

    def _city_targets(self):
        return rollup.city_targets(self.settings, self.ev, sorted({r.group.get("court_code") for r in self._by_court
                                                                  if r.group.get("court_code")}),
                                   self._court_names(), self.end)

    def _city_rollup(self, b: Briefing, sec: Section, roll) -> None:
        """The basic courts' own targets, counted per indicator (no city target is made up from them)."""
        units = _target_units()
        met_word = "已完成" if roll.year_end else "预计可达标"
        behind_word = "未完成" if roll.year_end else "预计未达标"
        n_set = len({c.court_code for r in roll.indicators for c in r.courts})
        sec.paragraphs.append(f"全市未设定统一的{roll.year}年度目标；{roll.basic_courts}家基层法院中"
                              + (f"{n_set}家" if n_set < roll.basic_courts else "各院均")
                              + f"设定了本院年度目标，{'完成情况' if roll.year_end else '进度（按各院年末测算）'}如下。")
        rows = []
        for r in roll.indicators:
            unit = units.get(r.indicator, "count")
            if not r.behind:
                tail = f"均{met_word}"
            elif len(r.behind) == len(r.courts):
                tail = f"均{behind_word}（各院数值见下表）"
            else:
                tail = f"{met_word}{len(r.on_course)}家，{behind_word}{len(r.behind)}家：" + "、".join(
                    f"{rollup.short_name(c.court_name)}（{_fmt(c.value, unit, '件')}）" for c in r.behind)
            target = {_fmt(c.target, unit, "件") for c in r.courts}
            head = f"{r.name}（目标{target.pop()}）" if len(target) == 1 else r.name
            sec.paragraphs.append(f"{head}：{len(r.courts)}家法院设定目标，{tail}。")
            rows.append({"name": r.name, "set": len(r.courts), "on_course": len(r.on_course),
                         "behind": len(r.behind),
                         "courts": "、".join(f"{rollup.short_name(c.court_name)}{_fmt(c.value, unit, '件')}"
                                             for c in r.behind) or "—"})
        b.figures["city_targets"] = rows
        cols = [Column("name", "目标指标"), Column("set", "设定目标法院", "count"),
                Column("on_course", met_word, "count"), Column("behind", behind_word, "count"),
                Column("courts", f"{behind_word}的法院")]
        sec.tables.append(Table(f"基层法院{roll.year}年度目标{'完成情况' if roll.year_end else '进度'}（按指标）",
                                cols, rows))

    def _target_text(self, indicator: str, value: float | None) -> str:
        ind = self.ind.get(indicator)
        unit = ind.unit if ind else _target_units().get(indicator, "count")
        return _fmt(value, unit, "件" if unit == "count" else "")

    def _need_text(self, u) -> str:
        """What a unit needs for a target: "再结案4件", "再审限内结案2件", "压减15.20天", "清结3件"; at the
        year end, what it fell short by: "差结案4件", "超出15.20天", "多3件"."""
        done = self.target_fx is not None and self.target_fx.year_end
        if u.need_unit == "天":
            return f"{'超出' if done else '压减'}{u.needed:.2f}天"
        if u.indicator == "long_pending_12m":
            return f"{'多' if done else '清结'}{int(u.needed)}件"
        return f"{'差' if done else '再'}{u.what}{int(u.needed)}件"

    def _decomposition(self, b: Briefing) -> Section:
        """目标分解: each target's figure per division (and per judge in the table), from the figures step."""
        tf = self.target_fx
        sub = Section("target_units", "目标分解到部门和法官")
        targets = {p["indicator"]: p["target"] for p in tf.progress}
        b.figures["target_units"] = {"division": [vars(u) for u in tf.by_division],
                                     "judge": [vars(u) for u in tf.by_judge],
                                     "closings_by_division": {r["division"]: r["needed"] for r in tf.closings_by_division},
                                     # the court's figure, as the 尚需结案 (按法官) paragraph states it
                                     "closings_total": sum(r["needed"] for r in tf.closings)}
        if tf.closings_by_division:
            parts = "、".join(f"{r['name']}{r['needed']}件" for r in tf.closings_by_division if r["needed"])
            sub.paragraphs.append(
                f"结案率目标{nv.fmt_percent(targets['closure_rate'])}按各部门旧存与预计新收的工作量分摊，至12月31日尚需结案："
                + (parts or "各部门均已达到") + "（逐部门取整，与按法官分摊之和略有差异）。")
        for ind in dict.fromkeys(u.indicator for u in tf.by_division):
            units = [u for u in tf.by_division if u.indicator == ind]
            behind = [u for u in units if u.needed]
            head = f"{units[0].name}目标{self._target_text(ind, units[0].target)}"
            if ind == "long_pending_12m":
                have = sum(int(u.value or 0) for u in units)
                head += f"（各部门现有{have}件）"
            if not behind:
                sub.paragraphs.append(f"{head}：各部门均已达到。")
                continue
            sub.paragraphs.append(f"{head}：" + "、".join(
                f"{u.unit_name}（{self._target_text(ind, u.value)}）{'' if tf.year_end else '需'}{self._need_text(u)}"
                for u in behind)
                + ("。" if len(behind) == len(units) else f"；其余{len(units) - len(behind)}个部门已达到。"))
        cols = [Column("name", "目标指标"), Column("unit_name", "部门"), Column("value", "本部门数值", "value"),
                Column("target", "目标", "value"), Column("need", "尚需")]
        rows = [{"name": "结案率（至年末）", "unit_name": r["name"], "unit": "count", "value": r["closed_ytd"],
                 "target": None, "need": f"再结案{r['needed']}件" if r["needed"] else "已达到"}
                for r in tf.closings_by_division]
        rows += [{"name": u.name, "unit_name": u.unit_name, "unit": self.ind[u.indicator].unit, "value": u.value,
                  "target": u.target, "need": self._need_text(u) if u.needed else "已达到"} for u in tf.by_division]
        note = ("“结案率（至年末）”一行的本部门数值为年内已结案件数。" if tf.closings_by_division else None)
        sub.tables.append(Table("年度目标分解（按部门，年内累计）", cols, rows, note=note))
        judges: dict[str, dict] = {}
        for u in tf.by_judge:
            j = judges.setdefault(u.unit, {"judge_name": u.unit_name})
            j[u.indicator] = u.value
            j[f"{u.indicator}_need"] = self._need_text(u) if u.needed else "已达到"
        ids = list(dict.fromkeys(u.indicator for u in tf.by_judge))
        if judges:
            jcols = [Column("judge_name", "法官")]
            for i in ids:
                jcols += [Column(i, self.ind[i].name, self.ind[i].unit), Column(f"{i}_need", "尚需")]
            sub.tables.append(Table("年度目标分解（按法官编号排列，不作排名）", jcols,
                                    [judges[k] for k in sorted(judges)], where="xlsx"))
            behind = sorted({u.unit for u in tf.by_judge if u.needed})
            sub.paragraphs.append(f"分解到法官：{len(judges)}名法官中，{len(behind)}名至少有一项目标未达到，"
                                  "各法官的数值与尚需数量见Excel工作簿。" if behind else
                                  f"分解到法官：{len(judges)}名法官均已达到各项目标。")
        return sub

    def _forecast(self, b: Briefing, sec: Section) -> None:
        """Year-end 数据测算 from the stock-flow forecast of the analysis module."""
        fc = self.forecast
        b.figures["forecast"] = {k: getattr(fc, k).point for k in ("new_cases", "closed", "pending", "closure_rate",
                                                                   "clearance_ratio")}

        def est(e, unit: str) -> str:
            m = "件" if unit == "count" else ""
            text = f"{nv.fmt_value(e.point, unit)}{m}"
            if e.low is not None and e.high is not None:
                text += f"（区间{nv.fmt_value(e.low, unit)}{m}～{nv.fmt_value(e.high, unit)}{m}）"
            return text

        sec.paragraphs.append(
            f"按{'、'.join(map(str, fc.history_years)) or '往年'}年的收结案季节规律测算，预计{fc.year}年末"
            f"{b.subject}全年新收{est(fc.new_cases, 'count')}，结案{est(fc.closed, 'count')}，"
            f"未结{est(fc.pending, 'count')}，结案率{est(fc.closure_rate, 'rate')}，"
            f"结收比{est(fc.clearance_ratio, 'rate')}。" + (fc.note or ""))
        cols = [Column("name", "指标"), Column("point", "预测值", "value"), Column("low", "区间下限", "value"),
                Column("high", "区间上限", "value")]
        rows = [{"name": name, "unit": unit, "point": e.point, "low": e.low, "high": e.high}
                for name, unit, e in (("新收", "count", fc.new_cases), ("结案", "count", fc.closed),
                                      ("未结", "count", fc.pending), ("结案率", "rate", fc.closure_rate),
                                      ("结收比", "rate", fc.clearance_ratio))]
        sec.tables.append(Table(f"{fc.year}年末数据测算", cols, rows))

    def _closings_needed(self, rate: float) -> Section:
        """Per judge: closings still needed for the 结案率 target and per remaining working day."""
        sub = Section("closings_needed", "实现结案率目标尚需结案（按法官）")
        rows = self.target_fx.closings if self.target_fx else []
        need = sum(r["needed"] for r in rows)
        days = rows[0]["workdays_left"] if rows else 0
        sub.paragraphs.append(f"按结案率目标{nv.fmt_percent(rate)}测算，全院年内尚需结案{need}件，"
                              f"剩余{days}个工作日。")
        cols = [Column("name", "法官"), Column("division", "部门"), Column("closed_ytd", "年内已结", "count"),
                Column("pending_now", "当前未结", "count"), Column("needed", "尚需结案", "count"),
                Column("per_workday", "每工作日需结", "ratio")]
        sub.tables.append(Table("实现结案率目标尚需结案（按法官编号排列，不作排名）", cols, rows))
        return sub

    def _targets_progress(self) -> list[dict]:
        return self.target_fx.progress if self.target_fx else []

    # -- 六、诉讼服务 ----------------------------------------------------------------------------------
    def services(self, b: Briefing) -> Section | None:
        """12368 by category and department, 联系法官成功率, 立案满意度 and 差评督办, 司法建议 with replies, and the
        民生小案, 信访积案, 执行难 and 行政争议实质性化解 ledgers — only with an operational database."""
        code = None if self.scope == "city" else self.court_code
        f = fg.services(self.settings, self.engine, code, self.start, self.end)
        if f is None or f.empty():
            return None
        b.figures["services"] = {"hotline": f.hotline, "satisfaction": f.satisfaction,
                                 "suggestions": vars(f.suggestions), "petitions": f.petitions}
        sec = Section("services", "诉讼服务与专项工作")
        h, s_, g, p = f.hotline, f.satisfaction, f.suggestions, f.petitions
        if h.get("tickets"):
            sub = Section("hotline", "12368诉讼服务热线")
            cats = "、".join(f"{k}{v}件" for k, v in h["by_category"].items())
            text = (f"受理工单{h['tickets']}件（{cats}），已答复{h['responded']}件，按期答复率"
                    f"{nv.fmt_percent(h['on_time_rate'])}，逾期未答复{h['overdue_open']}件")
            if h.get("contact_judge"):
                text += (f"；联系法官类工单已办结{h['contact_judge']}件，联系法官成功率"
                         f"{nv.fmt_percent(h['contact_judge_success_rate'])}")
            sub.paragraphs.append(text + "。")
            sub.tables.append(Table("12368工单（按承办部门）", [Column("division", "承办部门"), Column("n", "工单", "count")],
                                    [{"division": k, "n": v} for k, v in h["by_division"].items()]))
            sec.subsections.append(sub)
        if s_.get("ratings"):
            sub = Section("satisfaction", "立案与诉讼服务满意度")
            sub.paragraphs.append(
                f"当事人评价{s_['ratings']}次，满意{s_['satisfied']}次，满意率{nv.fmt_percent(s_['satisfaction_rate'])}；"
                f"差评{s_['negative']}次，均已督办，已整改回访{s_['followups_resolved']}次，其中按期"
                f"{s_['followups_resolved_on_time']}次。")
            sub.tables.append(Table("满意度评价（按服务事项）", [
                Column("item", "服务事项"), Column("ratings", "评价", "count"), Column("satisfied", "满意", "count"),
                Column("rate", "满意率", "rate")], [
                {"item": k, "ratings": v["ratings"], "satisfied": v["satisfied"], "rate": v["satisfaction_rate"]}
                for k, v in s_["by_item"].items()]))
            sec.subsections.append(sub)
        if g.issued:
            sub = Section("suggestions", "司法建议")
            text = (f"发出司法建议{g.issued}件，已收到回复{g.replied}件，回复率{nv.fmt_percent(g.reply_rate)}"
                    f"（回复数÷发出数），被采纳{g.adopted}件")
            if g.replied_late:
                text += f"；其中逾期回复{g.replied_late}件"
            text += f"；尚未回复且已超过回复期限{g.overdue_unanswered}件。" if g.overdue_unanswered else "；无逾期未复。"
            sub.paragraphs.append(text)
            sec.subsections.append(sub)
        ledgers = Section("ledgers", "专项台账")
        m = f.minsheng
        if m.get("received"):
            ledgers.paragraphs.append(f"民生小案受理{m['received']}件，结案{m['closed']}件，未结{m['pending']}件"
                                      + (f"，其中超审限{m['overdue']}件" if m.get("overdue") else "") + "。")
        if p.get("petitions"):
            ledgers.paragraphs.append(f"信访案件{p['petitions']}件，已化解{p['resolved']}件，在办{p['open']}件，其中"
                                      f"超过1年的信访积案{p['open_over_1y']}件。")
        adm = f.admin_resolution
        if adm:
            closed = sum(r.get("closed", 0) for r in adm)
            resolved = sum(r.get("resolved", 0) for r in adm)
            ledgers.paragraphs.append(f"行政一审结案{closed}件，行政机关自行纠正后原告撤诉（行政争议实质性化解）"
                                      f"{resolved}件。")
        if ledgers.paragraphs:
            sec.subsections.append(ledgers)
        return sec

    # -- 七、下一步工作建议 -------------------------------------------------------------------------------
    def proposals(self, b: Briefing) -> Section:
        """One proposal per 短板: the indicator, its unit and the figure needed to reach the reference
        (合理区间 when it judges the period, else the 全市基层法院平均, else last year), and the division
        that moves it most."""
        sec = Section("proposals", "下一步工作建议")
        year_end = self.end >= date(self.end.year, 12, 31)
        props = []
        for w in self._weak_found:
            ref, ref_label = self._reference(w)
            if ref is None:
                continue
            n = fg.need(w.indicator, w.unit, w.direction, w.value, w.numerator, w.denominator, ref, ref_label, self.end)
            if n is None:
                continue
            label = _ind_label(self._weak_dict(w))
            # a year that is over is not caught up in it: the proposal speaks of the next year's first quarter
            when = f"{self.end.year + 1}年一季度" if year_end else f"{n.by.month}月底前"
            target = _fmt(ref, w.unit, w.measure)
            what = NUMERATOR_WORDS.get(w.indicator, "分子案件")
            if n.unit_word == "天":
                act = f"压减{n.amount:.2f}天"
            elif w.indicator in AMOUNT_WORDS:  # a rate of sums of money: the figure is in 万元, not 件
                act = f"再增加{AMOUNT_WORDS[w.indicator]}{n.amount / 10000:.2f}万元"
            elif w.direction == "higher":
                act = f"再{'' if what == '结案' else '增加'}{what}{int(n.amount)}件"
            elif w.unit == "count":
                act = f"清结{what}{int(n.amount)}件"
            else:
                act = f"少出现{what}{int(n.amount)}件（按本期分母测算）"
            whole = "全市" if self.scope == "city" else "全院"
            if year_end:
                text = (f"{label}{self.end.year}年为{_fmt(w.value, w.unit, w.measure)}，{self.end.year + 1}年{whole}"
                        f"应着力改进：按{self.end.year}年同等规模测算，需在{when}{act}，方可达到{ref_label}{target}")
            else:
                text = f"{label}为{_fmt(w.value, w.unit, w.measure)}，{whole}需在{when}{act}，方可达到{ref_label}{target}"
            if w.unit == "count" and ref == 0 and ref_label == "合理区间上限":  # a nil range reads "应为0件"
                text = text.replace(f"方可达到{ref_label}{target}", "方可符合应为0件的要求")
            div = self._division_need(w, ref)
            if div:
                text += f"；{div}"
            props.append((w.indicator, text + "。"))
        props = self._merge_target_proposals(props)
        if props:
            sec.paragraphs += [f"{i}.{t}" for i, t in enumerate(props, start=1)]
        else:
            sec.paragraphs.append("本期未发现需要专项整改的短板弱项，各部门继续保持。")
        b.figures["proposals"] = props
        return sec

    def _merge_target_proposals(self, props: list[tuple[str, str]]) -> list[str]:
        """The 短板 proposals, each followed by its indicator's target figure when it has one; targets of other
        indicators as proposals of their own."""
        extra = dict(self._target_proposals())
        out = []
        for ind, text in props:
            if ind in extra:
                text = text[:-1] + "；" + extra.pop(ind)
            out.append(text)
        return out + list(extra.values())

    def _target_proposals(self) -> list[tuple[str, str]]:
        """One proposal per annual target not yet met, naming the divisions that carry it and their figure
        (the decomposition of the figures step); 平均审理天数 and counts: the divisions above the target."""
        tf = self.target_fx
        if tf is None or tf.year_end:
            return []
        out = []
        targets = {p["indicator"]: p for p in tf.progress}
        if tf.closings_by_division and targets.get("closure_rate", {}).get("status") != "可达标":
            big = sorted((r for r in tf.closings_by_division if r["needed"]), key=lambda r: (-r["needed"], r["division"]))
            if big:
                names = "、".join(f"{r['name']}{r['needed']}件" for r in big[:3])
                cr = targets["closure_rate"]
                out.append(("closure_rate", f"结案率年度目标{nv.fmt_percent(cr['target'])}，预计年末"
                            f"{nv.fmt_percent(cr['forecast'])}，按工作量分摊，12月31日前{names}"
                            f"{'等部门' if len(big) > 3 else ''}须再结案。"))
        for ind in dict.fromkeys(u.indicator for u in tf.by_division):
            behind = sorted((u for u in tf.by_division if u.indicator == ind and u.needed),
                            key=lambda u: (-u.needed, u.unit))
            if not behind:
                continue
            when = f"{fg.next_meeting(self.end).month}月底前"
            names = "、".join(f"{u.unit_name}{self._need_text(u)}" for u in behind[:3])
            out.append((ind, f"{behind[0].name}目标{self._target_text(ind, behind[0].target)}：{when}{names}"
                        f"{'等' if len(behind) > 3 else ''}。"))
        return out

    def _reference(self, w) -> tuple[float | None, str]:
        if w.range and w.range_applies:
            lo, hi = w.range
            return (lo, "合理区间下限") if w.direction == "higher" and lo is not None else (hi, "合理区间上限")
        if w.city is not None and w.unit in COMPARABLE_UNITS:  # counts of different courts do not compare
            return w.city, f"{self._basis.city_label if self._basis else '全市'}平均"
        if w.previous is not None:
            return w.previous, "上年同期水平"
        return None, ""

    def _division_need(self, w, ref: float) -> str:
        """The division that weighs most on ``w``: what it alone needs to reach ``ref``."""
        lines = [a for a in w.attribution.get("division", []) if a.harm > 0]
        if not lines:
            return ""
        a = lines[0]
        rows = [r for r in self._division_rows([w.indicator]) if r.indicator == w.indicator
                and (r.group.get("division") == a.unit)]
        if not rows:
            return ""
        r = rows[0]
        if w.unit == "count":  # a division's share of a count to clear: its own cases, at most the court's need
            court = fg.need(w.indicator, w.unit, w.direction, w.value, w.numerator, w.denominator, ref, "", self.end)
            share = min(int(r.value or 0), int(court.amount)) if court else 0
            what = NUMERATOR_WORDS.get(w.indicator, "分子案件")
            return f"其中{a.unit_name or a.unit}有{what}{int(r.value or 0)}件，需清结{share}件" if share else ""
        n = fg.need(w.indicator, w.unit, w.direction, r.value, r.numerator, r.denominator, ref, "", self.end)
        if n is None:
            return ""
        who = f"其中{a.unit_name or a.unit}（{_fmt(r.value, w.unit, w.measure)}）"
        what = NUMERATOR_WORDS.get(w.indicator, "分子案件")
        if n.unit_word == "天":
            return f"{who}需压减{n.amount:.2f}天"
        if w.indicator in AMOUNT_WORDS:
            return f"{who}需再增加{AMOUNT_WORDS[w.indicator]}{n.amount / 10000:.2f}万元"
        if w.direction == "higher":
            return f"{who}需再{'' if what == '结案' else '增加'}{what}{int(n.amount)}件"
        return f"{who}需{'清结' if w.unit == 'count' else '少出现'}{what}{int(n.amount)}件"

    # -- 附件：长期未结案件清单、指标口径 --------------------------------------------------------------------
    def long_pending_annex(self, b: Briefing) -> Section:
        sec = Section("long_pending_list", "长期未结案件清单（立案已超过12个月）")
        rows = fg.long_pending_cases(self._pending_scope(self._deadlines()), self.end)
        b.figures["long_pending_list"] = len(rows)
        sec.paragraphs.append(f"截至{_cn(self.end)}，立案已超过12个月的未结案件{len(rows)}件，按立案日期排列。")
        cols = [Column("case_id", "案号"), Column("judge_name", "承办人"), Column("division", "部门"),
                Column("age_days", "案龄（天）", "count"), Column("status", "审限状态"), Column("reason", "原因")]
        sec.tables.append(Table("长期未结案件清单", cols, rows))
        return sec

    def quality_annex(self, b: Briefing) -> Section:
        """数据质量体检 of the period (``zhixiao.quality``): per court, the cases checked, those with a finding,
        the 断号 and the score, and the count of every check that found something."""
        sec = Section("data_quality", "数据质量体检")
        rep_ = run_checks(self.engine, self.court_code, self.start, self.end)
        found = [k for k in CHECK_NAMES if rep_.total(k)]
        b.figures["data_quality"] = {c.court_code: {"score": c.score, "flagged": c.flagged, "missing": c.missing,
                                                    **c.counts} for c in rep_.courts}
        total = sum(c.checked for c in rep_.courts)
        sec.paragraphs.append(
            f"对{nv.period_label(self.start, self.end)}{len(rep_.courts)}家法院的{total}件案件进行数据质量体检，"
            + ("发现问题：" + "、".join(f"{CHECK_NAMES[k]}{rep_.total(k)}件" for k in found) if found
               else "未发现问题") + "。问题案件请承办部门核实、更正后重新导入。")
        cols = [Column("court", "法院"), Column("checked", "检查案件", "count"), Column("flagged", "问题案件", "count"),
                Column("missing", "断号", "count"), Column("score", "得分", "ratio")] + [
            Column(k, CHECK_NAMES[k], "count") for k in found]
        sec.tables.append(Table("数据质量体检结果", cols, [
            {"court": c.court_name, "checked": c.checked, "flagged": c.flagged, "missing": c.missing, "score": c.score,
             **{k: c.counts.get(k, 0) for k in found}} for c in rep_.courts]))
        return sec

    def cards_annex(self, b: Briefing) -> Section:
        """指标口径说明: each indicator of the briefing in words, from ``metrics.card``."""
        sec = Section("cards", "指标口径说明")
        ids = [i for i in dict.fromkeys([*CASELOAD, *LONG_PENDING, *self._quality_ids()]) if i in self.ind]
        rows = []
        for i in ids:
            c = card(self.ind[i])
            rows.append({"name": c.name, "formula": c.formula, "numerator": _plain(c.numerator),
                         "denominator": _plain(c.denominator) if c.denominator else "—",
                         "range": nv.fmt_range(c.range, c.unit) if c.range else "—",
                         "exclusions": "；".join(x.split("：")[0] for x in c.exclusions) or "—"})
        sec.tables.append(Table("指标口径", [Column("name", "指标"), Column("formula", "计算方法"),
                                         Column("numerator", "分子"), Column("denominator", "分母"),
                                         Column("range", "合理区间"), Column("exclusions", "不计入")], rows))
        return sec

    # -- 附件：员额法官审判质效统计表 ---------------------------------------------------------------------
    def annex(self) -> list[Table]:
        """员额法官审判质效统计表 per division: judge-level figures, divisions from the 员额法官 roster."""
        ids = [i for i in ANNEX if i in self.ind]
        rows = self._judge_rows(ids)
        roster = self._roster()
        per: dict[str, dict] = defaultdict(dict)
        for r in rows:
            jid = r.group.get("judge_id")
            if jid in roster and r.indicator in ids:
                per[jid][r.indicator] = r.value
        cols = [Column("judge_name", "员额法官")] + [
            Column(i, self.ind[i].name, self.ind[i].unit) for i in ids]
        tables: dict[tuple, list] = defaultdict(list)
        for jid in sorted(per):  # by judge id: a stable order, not a ranking
            code, cname, div, name = roster[jid]
            tables[(code, cname, div)].append({"judge_id": jid, "judge_name": name, **per[jid]})
        totals = self._division_totals(ids) if self.scope == "court" else {}
        out = []
        for (_code, cname, div) in sorted(tables):
            prefix = f"{cname}" if self.scope == "city" else ""
            note = None if out else ("各表按法官编号排列，不作排名（最高人民法院2024年9月：杜绝排名排序）；"
                                     "“部门合计”为该部门全部案件，与各员额法官之和的差额为非员额法官承办、未登记承办人"
                                     "或由其他部门法官承办的案件。")
            body = tables[(_code, cname, div)]
            if div in totals:
                body = body + self._total_rows(body, totals[div], ids)
            out.append(Table(f"员额法官审判质效统计表（{prefix}{div}）", cols, body,
                             note=note,
                             ranges={i: self.ind[i].range for i in ids
                                     if self.ind[i].range and i not in self.reference_only}))
        return out

    def _division_totals(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Division → indicator → value over all the division's cases (the figure judge rows add up to)."""
        out: dict[str, dict[str, Any]] = defaultdict(dict)
        for r in self._division_rows(ids):
            if r.indicator in ids:
                out[r.group.get("division") or "（未分配）"][r.indicator] = r.value
        return out

    def _total_rows(self, judges: list[dict], total: dict[str, Any], ids: list[str]) -> list[dict]:
        """部门合计 and, for the counts, the difference from the judges' sum (cases no 员额法官 of the division
        handled), so every count column adds up to its division total."""
        counts = [i for i in ids if self.ind[i].unit == "count"]
        diff = {i: (total.get(i) or 0) - sum(j.get(i) or 0 for j in judges) for i in counts}
        rows = []
        if any(diff.values()):
            rows.append({"judge_name": "其他承办人及差额", **diff})
        rows.append({"judge_name": "部门合计", **total})
        return rows

    def _judge_rows(self, _ids: list[str]) -> list:
        """Judge-level rows (the figures step evaluated every indicator the sections use by judge)."""
        return self._judge_cache

    def _division_rows(self, _ids: list[str]) -> list:
        """Division-level rows (the figures step evaluated every indicator the sections use by division)."""
        return self._div_cache

    def _roster(self) -> dict[str, tuple]:
        """员额法官 judge_id → (court_code, court_name, division, name), from the latest roster year."""
        p = self.engine.people
        p = p.filter(p.post == "员额法官")
        if self.filters:
            p = p.filter(p.court_code == self.court_code)
        df = p.select("judge_id", "name", "court_code", "division", "year").execute()
        df = df.sort_values(["judge_id", "year"]).drop_duplicates("judge_id", keep="last")
        names = self._court_names()
        return {r.judge_id: (r.court_code, names.get(r.court_code, r.court_code), r.division or "（未分配）",
                             r.name or r.judge_id) for r in df.itertuples()}

    def _court_names(self) -> dict[str, str]:
        t = self.engine.cases
        if self.filters:
            t = t.filter(t.court_code == self.court_code)
        df = t.select("court_code", "court_name").distinct().execute()
        return {c: n for c, n in zip(df["court_code"], df["court_name"], strict=True) if n}


_TREND = (("new_cases", "新收"), ("closed", "结案"), ("pending_end", "未结"))


def _target_units() -> dict[str, str]:
    """Unit per target id; 平均审理天数 is kept as a count by the targets module but reads in 天."""
    return {k: ("days" if k == "avg_days" else v[1]) for k, v in TARGET_INDICATORS.items()}


def _trend_word(improved: bool | None, change: float | None) -> str:
    """趋优 / 趋劣 (one word for getting worse); 持平 for no change; 不评价 for an indicator without a better
    direction; — without a comparison."""
    if improved is not None:
        return "趋优" if improved else "趋劣"
    if change is None:
        return "—"
    return "持平" if abs(change) < 1e-12 else "不评价"


def _reason_text(r, w) -> str:
    """analysis.weak's reason as a document says it: a count that should be nil "应为0件" (not "合理区间0～0");
    a count's change on a small base without its percentage (issue 17 §1)."""
    if r.kind == "out_of_range" and w.unit == "count" and tuple(w.range or ()) == (0, 0):
        return f"{w.name}{int(w.value)}件，不符合要求（应为0件）"
    if r.kind == "worsening" and w.unit == "count" and w.previous is not None and abs(w.previous) < nv.SMALL_BASE:
        return re.sub(r"，[+−]\d+(\.\d+)?%）$", "）", r.text)
    return r.text


def _gap(actual: float | None, target: float, unit: str) -> str:
    """The distance from a target in the target's own unit: "7.09个百分点", "8件", "1.35天"; "" when none."""
    if actual is None or actual == target:
        return ""
    d = abs(actual - target)
    if unit == "rate":
        return f"{d * 100:.2f}个百分点"
    return f"{d:.2f}天" if unit == "days" else f"{int(round(d))}件"


def _flat(d: dict[str, dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v["value"]
        out[f"{k}_yoy"] = v["yoy"]
        out[f"{k}_yoy_unit"] = v["yoy_unit"]
    return out


def _plain(text: str) -> str:
    """A card's sentence for a court document: the parameter name the CLI takes is left out."""
    return text.replace("（as_of，默认期末）", "")


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _outside_flow(outside: dict[str, int]) -> str:
    """"（含收结存“未结”不计的执恢47件、执保4件）": why the ledger's pending exceeds the 执行 未结."""
    if not outside:
        return ""
    return "（含收结存“未结”不计的" + "、".join(f"{k}{n}件" for k, n in outside.items()) + "）"


def _and(items: list[str]) -> str:
    """"A、B和C"."""
    return "、".join(items[:-1]) + "和" + items[-1] if len(items) > 1 else "".join(items)


def _fmt(v: Any, unit: str, measure: str) -> str:
    """A value with the word it is counted in (件 for counts and 人均结案数)."""
    text = nv.fmt_value(v, unit)
    return text + measure if unit in ("count", "ratio") and text != "—" else text


def _ind_label(r: dict) -> str:
    return r["name"] if r["line"] in ("all", None) or r["line"] in r["name"] else f"{r['line']}{r['name']}"


def collect(engine, court_code: str, start: date, end: date, *, scope: str = "court", compare: str | None = "yoy",
            profile: str = "court-classic", settings=None) -> Briefing:
    """Every number of the briefing, computed once (the builders only render this object)."""
    # The 审限 table is materialised once per engine by ``deadline_table`` itself (engine.cache).
    return Collector(engine, court_code, start, end, scope=scope, compare=compare, profile=profile,
                     settings=settings).collect()
