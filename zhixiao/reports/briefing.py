"""Collect every number of a 数据会商 briefing once, from the engines, into one ``Briefing`` object.

Sections follow the published 质效通报 / 会商 structure (REFERENCE.md §5.1): 收结存 with 同比 → 质量/效率/效果
with 区间达标 → 审限 and 长期未结 → 短板弱项 with attribution → targets and 数据测算 → 12368 / satisfaction /
司法建议 → annex 员额法官审判质效统计表. Optional modules that are absent give "本节数据暂缺：…", never a crash.
Judges and divisions are listed by name, never ranked (2024-09 SPC rule: 杜绝排名排序, REFERENCE §1.1).
"""

from __future__ import annotations

import importlib
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from zhixiao.errors import UserError
from zhixiao.reports import narrative as nv
from zhixiao.reports.model import Briefing, Chart, Column, Section, Table

CASELOAD = ("carried_over", "new_cases", "received", "closed", "pending", "closure_rate", "clearance_ratio")
LONG_PENDING = ("long_pending_12m", "long_pending_24m", "long_pending_36m")
ANNEX = ("new_cases", "closed", "pending", "closure_rate", "on_time_rate", "avg_days", "long_pending_12m")
LINES = ("刑事", "民事", "行政", "执行")
QUALITY_GROUPS = ("质量", "效率", "效果")
PENDING_STATUSES = ("正常", "临近", "超审限", "扣除中", "中止中", "不计审限")


def _optional(module: str, attr: str) -> Callable | None:
    """An API of a module another engineer may not have written yet (None when absent)."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise
    return getattr(mod, attr, None)


def _rowdict(r) -> dict[str, Any]:
    return {"indicator": r.indicator, "name": r.name, "unit": r.unit, "line": r.line, "group_name": r.group_name,
            "value": r.value, "numerator": r.numerator, "denominator": r.denominator, "previous": r.previous,
            "yoy": r.yoy, "yoy_unit": r.yoy_unit, "range": r.range, "in_range": r.in_range,
            "improved": r.improved, "direction": r.direction}


def _court_name(engine, court_code: str) -> str:
    fn = _optional("zhixiao.domain.courts", "court_name")
    if fn:
        try:
            name = fn(court_code)
            if name:
                return name
        except Exception:  # noqa: BLE001 — unknown code: fall back to the name in the data
            pass
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
        from zhixiao.metrics.catalogue import load_profile

        self.catalogue = {i.id: i for i in load_profile(profile, end, data_dir=engine.store.root)}

    # -- helpers ------------------------------------------------------------------------------------
    def evaluate(self, by=(), indicators=None, filters=None, compare="default"):
        from zhixiao.metrics.evaluate import evaluate

        ids = [i for i in indicators if i in self.catalogue] if indicators else None
        if indicators and not ids:
            return []
        return evaluate(self.engine, self.profile, self.start, self.end, by=by,
                        compare=self.compare if compare == "default" else compare,
                        filters=filters if filters is not None else self.filters, indicators=ids).rows

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
                     title, subject)
        totals = self._timed("totals", self.evaluate, (), list(CASELOAD))
        b.figures = {r.indicator: _rowdict(r) for r in totals}
        val = {k: (b.figures.get(k) or {}).get("value") or 0 for k in ("received", "new_cases", "closed")}
        if not val["received"] or not (val["new_cases"] or val["closed"]):
            where = "全市" if city else f"法院 {self.court_code}（{court_name}）"
            raise UserError(
                f"{where}在 {self.start} 至 {self.end} 期间没有任何案件（新收、结案均为0{self._coverage()}），"
                f"无法生成会商报告。请检查 --court、--from、--to 是否正确，或先用 zhixiao import 导入该院该期间的案件数据。")
        b.sections.append(self._timed("caseload", self.caseload, b))
        b.sections.append(self._timed("quality", self.quality, b))
        b.sections.append(self._timed("deadlines", self.deadlines, b))
        b.sections.append(self._timed("weak", self.weak, b))
        b.sections.append(self._timed("targets", self.targets, b))
        services = self._timed("services", self.services)
        if services is not None:
            b.sections.append(services)
        b.annex = self._timed("annex", self.annex)
        b.timings = self.timings
        return b

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
        by_line = self.evaluate(("line",), list(CASELOAD))
        lines: dict[str, dict[str, dict]] = defaultdict(dict)
        for r in by_line:
            lines[r.group.get("line") or "其他"][r.indicator] = _rowdict(r)
        parts = []
        for line in LINES + tuple(sorted(set(lines) - set(LINES))):
            if line in lines and lines[line].get("received", {}).get("value"):
                d = lines[line]
                parts.append(f"{line}案件新收{nv.fmt_count(d['new_cases']['value'])}件、"
                             f"结案{nv.fmt_count(d['closed']['value'])}件、未结{nv.fmt_count(d['pending']['value'])}件")
        if parts:
            sec.paragraphs.append("其中，" + "；".join(parts) + "。")
        rows = [{"label": "合计", **_flat(f)}] + [
            {"label": line, **_flat(lines[line])} for line in LINES + tuple(sorted(set(lines) - set(LINES)))
            if line in lines]
        sec.tables.append(Table("收结存情况（按条线）", self._caseload_columns("条线"), rows))
        if self.scope == "city":
            by_court = self.evaluate(("court",), list(CASELOAD))
            courts: dict[tuple, dict] = defaultdict(dict)
            for r in by_court:
                courts[(r.group.get("court_code"), r.group.get("court_name"))][r.indicator] = _rowdict(r)
            crow = [{"label": f"{name or code}", **_flat(d)} for (code, name), d in sorted(courts.items())]
            sec.tables.append(Table("收结存情况（按法院）", self._caseload_columns("法院"), crow))
        sec.charts.append(self._trend())
        return sec

    def _caseload_columns(self, label: str) -> list[Column]:
        cols = [Column("label", label), Column("carried_over", "旧存", "count"), Column("new_cases", "新收", "count")]
        if self.compare:
            cols.append(Column("new_cases_yoy", "新收同比", "yoy"))
        cols += [Column("received", "受理", "count"), Column("closed", "结案", "count")]
        if self.compare:
            cols.append(Column("closed_yoy", "结案同比", "yoy"))
        cols += [Column("pending", "未结", "count"), Column("closure_rate", "结案率", "rate")]
        if self.compare:
            cols.append(Column("closure_rate_yoy", "结案率同比", "yoy"))
        unit = self.catalogue.get("clearance_ratio")
        cols.append(Column("clearance_ratio", "结收比", unit.unit if unit else "ratio"))
        return cols

    def _trend(self) -> Chart:
        months = _months(self.start, self.end)
        cur = self._monthly(self.start, self.end)
        series: dict[str, list] = {"新收": [cur.get(m, {}).get("new_cases") for m in months],
                                   "结案": [cur.get(m, {}).get("closed") for m in months],
                                   "未结": [cur.get(m, {}).get("pending_end") for m in months]}
        if self.compare:
            ps, pe = _shift_year(self.start), _shift_year(self.end)
            prev = self._monthly(ps, pe)
            pmonths = _months(ps, pe)
            for key, name in (("new_cases", "新收"), ("closed", "结案"), ("pending_end", "未结")):
                series[f"{name}（上年同期）"] = [prev.get(m, {}).get(key) for m in pmonths]
        cats = [f"{int(m[5:])}月" if self.start.year == self.end.year else m for m in months]
        return Chart("trend", "逐月收结存走势（与上年同期对比）", cats, series, key="trend")

    def _monthly(self, start: date, end: date) -> dict[str, dict]:
        monthly = _optional("zhixiao.metrics.series", "monthly")
        if monthly:
            rows = monthly(self.engine, start, end, self.filters)
            return {str(r["month"])[:7]: r for r in rows}
        from zhixiao.metrics.evaluate import evaluate

        res = evaluate(self.engine, self.profile, start, end, by=("month",), filters=self.filters,
                       indicators=[i for i in ("new_cases", "closed", "pending") if i in self.catalogue])
        out: dict[str, dict] = defaultdict(dict)
        for r in res.rows:
            out[r.group["month"]]["pending_end" if r.indicator == "pending" else r.indicator] = r.value
        return out

    # -- 二、质量 / 效率 / 效果 ------------------------------------------------------------------------
    def quality(self, b: Briefing) -> Section:
        sec = Section("quality", "审判质量、效率、效果指标")
        ids = [i for i, ind in self.catalogue.items() if ind.group in QUALITY_GROUPS]
        rows = [_rowdict(r) for r in self.evaluate((), ids)]
        b.figures.update({r["indicator"]: r for r in rows})
        assessed = [r for r in rows if r["in_range"] is not None]
        improved = sum(1 for r in rows if r["improved"]) if self.compare else None
        sentence = nv.summary_sentence(len(assessed), sum(1 for r in assessed if r["in_range"]), improved)
        sec.paragraphs.append(sentence)
        per_line = []
        for line in LINES + ("all",):
            lr = [r for r in assessed if r["line"] == line]
            if lr:
                per_line.append(f"{'综合' if line == 'all' else line}条线{len(lr)}项有合理区间的指标中"
                                f"{sum(1 for r in lr if r['in_range'])}项达标")
        if per_line:
            sec.paragraphs.append("分条线看，" + "，".join(per_line) + "。")
        for g in QUALITY_GROUPS:
            gr = sorted((r for r in rows if r["group_name"] == g),
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
                        r["previous"] if self.compare else None, r["range"], r["in_range"]))
            if not sub.paragraphs:
                sub.paragraphs.append(f"{g}类{len(gr)}项指标均处于合理区间或同比未变差。")
            sub.tables.append(self._indicator_table(f"{g}指标（按条线）", gr))
            ranged = [r for r in gr if r["range"] and r["value"] is not None and r["unit"] == "rate"]
            if ranged:
                sub.charts.append(Chart("range", f"{g}指标与合理区间", [_ind_label(r) for r in ranged],
                                        {"数值": [r["value"] for r in ranged]}, [tuple(r["range"]) for r in ranged],
                                        unit="rate", key=f"range_{g}"))
            sec.subsections.append(sub)
        return sec

    def _indicator_table(self, title: str, rows: list[dict]) -> Table:
        cols = [Column("name", "指标"), Column("line_label", "条线"), Column("value", "数值", "value"),
                Column("range_label", "合理区间"), Column("flag", "是否达标", "flag")]
        if self.compare:
            cols += [Column("previous", "上年同期", "value"), Column("yoy", "同比", "yoy"),
                     Column("trend", "同比趋势")]
        out = []
        for r in rows:
            out.append({**r, "line_label": "综合" if r["line"] == "all" else r["line"],
                        "range_label": nv.fmt_range(r["range"], r["unit"]),
                        "flag": {True: "是", False: "否", None: "—"}[r["in_range"]],
                        "trend": {True: "趋优", False: "趋差", None: "持平/无可比"}[r["improved"]]})
        return Table(title, cols, out, flag_key="flag")

    # -- 三、审限与长期未结 ------------------------------------------------------------------------------
    def deadlines(self, b: Briefing) -> Section:
        sec = Section("deadlines", "审限管理与长期未结案件")
        lp = {r.indicator: _rowdict(r) for r in self.evaluate((), list(LONG_PENDING))}
        b.figures.update(lp)
        if lp:
            tiers = "、".join(f"超{i[13:15]}个月未结{nv.fmt_count(lp[i]['value'])}件" for i in LONG_PENDING if i in lp)
            sec.paragraphs.append(f"截至{self.end.month}月{self.end.day}日，{b.subject}{tiers}。")
            by_div = self.evaluate(("court", "division") if self.scope == "city" else ("division",),
                                   ["pending", *LONG_PENDING], compare=None)
            divs: dict[tuple, dict] = defaultdict(dict)
            for r in by_div:
                divs[(r.group.get("court_name") or "", r.group.get("division") or "（未分配）")][r.indicator] = r.value
            cols = ([Column("court", "法院")] if self.scope == "city" else []) + [
                Column("division", "承办部门"), Column("pending", "未结", "count")] + [
                Column(i, f"超{i[13:15]}个月未结", "count") for i in LONG_PENDING if i in lp]
            rows = [{"court": c, "division": d, **v} for (c, d), v in sorted(divs.items())
                    if v.get("pending")]
            sec.tables.append(Table("未结及长期未结案件（按部门）", cols, rows))
        else:
            sec.paragraphs.append(nv.missing_note("长期未结案件", f"指标体系“{self.profile}”未定义 long_pending_12m"))
        deadline_table = _optional("zhixiao.supervision.deadlines", "deadline_table")
        if deadline_table is None:
            sec.paragraphs.append(nv.missing_note("审限状态分布", "审限模块 zhixiao.supervision.deadlines 尚未安装"))
        else:
            sec.subsections.append(self._deadline_status(deadline_table, b))
        four = self._four_pending()
        if four is not None:
            sec.subsections.append(four)
        return sec

    def _deadline_status(self, deadline_table, b: Briefing) -> Section:
        sub = Section("deadline_status", "未结案件审限状态")
        t = deadline_table(self.engine, self.end)
        if self.filters:
            t = t.filter(t.court_code == self.court_code)
        t = t.filter(t.filing_date <= self.end)
        t = t.filter(t.closing_date.isnull() | (t.closing_date > self.end))
        df = t.group_by("status").aggregate(n=t.count()).execute()
        counts = {str(s): int(n) for s, n in zip(df["status"], df["n"], strict=True)}
        b.figures["deadline_status"] = counts
        total = sum(counts.values())
        order = [s for s in PENDING_STATUSES if s in counts] + sorted(set(counts) - set(PENDING_STATUSES))
        sub.paragraphs.append(f"截至{self.end.month}月{self.end.day}日，未结案件{total}件，其中"
                              + "、".join(f"{s}{counts[s]}件" for s in order) + "。")
        rows = [{"status": s, "count": counts[s], "share": counts[s] / total if total else None} for s in order]
        sub.tables.append(Table("未结案件审限状态", [Column("status", "审限状态"), Column("count", "件数", "count"),
                                               Column("share", "占比", "rate")], rows))
        return sub

    def _four_pending(self) -> Section | None:
        fn = _optional("zhixiao.supervision.ledger", "four_pending")
        if fn is None:
            return Section("four_pending", "四项未结案件",
                           missing=nv.missing_note("四项未结清单", "审限监管模块 zhixiao.supervision.ledger 尚未安装"))
        return None

    # -- 四、短板弱项 ----------------------------------------------------------------------------------
    def weak(self, b: Briefing) -> Section:
        sec = Section("weak", "短板弱项分析")
        rows = [r for r in b.figures.values() if isinstance(r, dict) and r.get("group_name") in QUALITY_GROUPS]
        out = [r for r in rows if r.get("in_range") is False]
        worse = [r for r in rows if r.get("improved") is False and r.get("in_range") is not False]
        fn = _optional("zhixiao.analysis", "weak_indicators")
        if fn is None:
            sec.paragraphs.append(nv.missing_note("短板归因到部门和法官", "分析模块 zhixiao.analysis 尚未提供 weak_indicators"))
        if out:
            sec.paragraphs.append("未处于合理区间的指标：" + "；".join(
                nv.indicator_sentence(_ind_label(r), r["value"], r["unit"], None, r["range"], False).rstrip("。")
                for r in out) + "。")
        if worse:
            sec.paragraphs.append("同比趋差的指标：" + "；".join(
                nv.indicator_sentence(_ind_label(r), r["value"], r["unit"], r["previous"]).rstrip("。")
                for r in worse) + "。")
        if not out and not worse:
            sec.paragraphs.append("本期各项指标均处于合理区间且同比未变差，未发现短板弱项。")
        return sec

    # -- 五、目标与数据测算 ------------------------------------------------------------------------------
    def targets(self, b: Briefing) -> Section:
        sec = Section("targets", "目标进度与数据测算")
        fn = _optional("zhixiao.analysis", "forecast_year_end")
        if fn is None:
            sec.missing = nv.missing_note("年末数据测算", "分析模块 zhixiao.analysis 尚未提供 forecast_year_end")
        return sec

    # -- 六、诉讼服务 ----------------------------------------------------------------------------------
    def services(self) -> Section | None:
        fns = {k: _optional(f"zhixiao.services.{m}", f"{k}_stats")
               for k, m in (("hotline", "hotline"), ("satisfaction", "satisfaction"), ("suggestion", "suggestions"))}
        if not any(fns.values()):
            return Section("services", "诉讼服务与司法建议",
                           missing=nv.missing_note("12368热线、满意度和司法建议", "诉讼服务模块 zhixiao.services 尚未安装"))
        return None

    # -- 附件：员额法官审判质效统计表 ---------------------------------------------------------------------
    def annex(self) -> list[Table]:
        ids = [i for i in ANNEX if i in self.catalogue]
        rows = self.evaluate(("court", "division", "judge"), ids, compare=None)
        roster = self._judges()
        per: dict[tuple, dict] = defaultdict(dict)
        for r in rows:
            g = r.group
            if roster is not None and g.get("judge_id") not in roster:
                continue
            if not g.get("judge_id"):
                continue
            key = (g.get("court_code"), g.get("court_name"), g.get("division") or "（未分配）",
                   g.get("judge_id"), g.get("judge_name"))
            per[key][r.indicator] = r.value
        cols = [Column("judge_name", "员额法官")] + [
            Column(i, self.catalogue[i].name, self.catalogue[i].unit) for i in ids]
        tables: dict[tuple, list] = defaultdict(list)
        for (code, cname, div, jid, jname), vals in sorted(per.items(), key=lambda kv: tuple(map(str, kv[0]))):
            tables[(code, cname, div)].append({"judge_id": jid, "judge_name": jname or jid, **vals})
        out = []
        for (_code, cname, div), trs in tables.items():
            prefix = f"{cname}" if self.scope == "city" else ""
            trs.sort(key=lambda r: r["judge_id"])  # stable order by id, not a ranking
            out.append(Table(f"员额法官审判质效统计表（{prefix}{div}）", cols, trs,
                             note="按法官编号排列，不作排名（最高人民法院2024年9月：杜绝排名排序）。"))
        return out

    def _judges(self) -> set[str] | None:
        p = self.engine.people
        p = p.filter(p.post == "员额法官")
        if self.filters:
            p = p.filter(p.court_code == self.court_code)
        ids = set(p.select("judge_id").distinct().execute()["judge_id"].dropna())
        return ids or None


def _flat(d: dict[str, dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v["value"]
        out[f"{k}_yoy"] = v["yoy"]
        out[f"{k}_yoy_unit"] = v["yoy_unit"]
    return out


def _ind_label(r: dict) -> str:
    return r["name"] if r["line"] in ("all", None) or r["name"].startswith(r["line"]) else f"{r['line']}{r['name']}"


def _months(start: date, end: date) -> list[str]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _shift_year(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year - 1, day=28)


def collect(engine, court_code: str, start: date, end: date, *, scope: str = "court", compare: str | None = "yoy",
            profile: str = "court-classic", settings=None) -> Briefing:
    """Every number of the briefing, computed once (the builders only render this object)."""
    return Collector(engine, court_code, start, end, scope=scope, compare=compare, profile=profile,
                     settings=settings).collect()


def write_briefing(settings, court_code: str, start: date, end: date, out_dir, **kw):
    """Collect and write .docx/.xlsx/.pdf; see ``zhixiao.reports.render.write_briefing`` (iterable of paths)."""
    from zhixiao.reports.render import write_briefing as _write

    return _write(settings, court_code, start, end, out_dir, **kw)
