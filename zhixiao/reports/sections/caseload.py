"""一、收结存: the period's flows and stock with 同比, by 条线, by track (审判、执行、非诉保全), by court in a
city briefing, the 环比 of a year-to-date report and the monthly trend."""

from __future__ import annotations

from collections import defaultdict

from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import CASELOAD, BriefingFigures
from zhixiao.reports.model import Briefing, Chart, Column, Section, Table
from zhixiao.reports.sections.common import LINES, flat, rowdict

_TREND = (("new_cases", "新收"), ("closed", "结案"), ("pending_end", "未结"))


def build(f: BriefingFigures, b: Briefing) -> Section:
    ctx = f.ctx
    sec = Section("caseload", "收结存情况")
    figs = b.figures
    sec.paragraphs.append(nv.caseload_sentence(b.subject, ctx.start, ctx.end, {
        k: {"value": v["value"], "previous": v["previous"] if ctx.compare else None, "unit": v["unit"]}
        for k, v in figs.items()}))
    lines: dict[str, dict[str, dict]] = defaultdict(dict)
    for r in (r for r in f.evaluations.by_line if r.indicator in CASELOAD):
        lines[r.group.get("line") or "其他"][r.indicator] = rowdict(ctx, r)
    order = LINES + tuple(sorted(set(lines) - set(LINES)))
    parts = []
    for line in order:
        if line in lines and lines[line].get("received", {}).get("value"):
            d = lines[line]
            parts.append(f"{line}案件新收{nv.fmt_count(d['new_cases']['value'])}件、"
                         f"结案{nv.fmt_count(d['closed']['value'])}件、未结{nv.fmt_count(d['pending']['value'])}件")
    if parts:
        sec.paragraphs.append("其中，" + "；".join(parts) + "。")
    rows = [{"label": "合计", **flat(figs)}] + [  # lines without a single case are left out
        {"label": line, **flat(lines[line])} for line in order
        if line in lines and (lines[line].get("received", {}).get("value") or lines[line].get("closed", {}).get("value"))]
    sec.tables.append(Table("收结存情况（按条线）", columns(f, "条线"), rows, ranges=caseload_ranges(f)))
    sec.tables.append(_by_track(f))
    if ctx.city:
        sec.tables.append(_by_court(f))
    mom = month_on_month(f, b)
    if mom:
        sec.paragraphs.append(mom)
    sec.charts.append(trend_chart(f))
    return sec


def _by_court(f: BriefingFigures) -> Table:
    courts: dict[tuple, dict] = defaultdict(dict)
    for r in (r for r in f.evaluations.by_court if r.indicator in CASELOAD):
        courts[(r.group.get("court_code"), r.group.get("court_name"))][r.indicator] = rowdict(f.ctx, r)
    rows = [{"label": rollup.short_name(name) if name else f"{code}", **flat(d)}
            for (code, name), d in sorted(courts.items(), key=lambda kv: tuple(map(str, kv[0])))
            if (d.get("received") or {}).get("value") or (d.get("closed") or {}).get("value")]
    return Table("收结存情况（按法院）", columns(f, "法院"), rows, ranges=caseload_ranges(f))


def _by_track(f: BriefingFigures) -> Table:
    """审判、执行 and 非诉保全 apart, as courts report 审执结 (metrics.tracks; the three add up to 合计); each
    track's 结案率 and 结收比 are the evaluator's own, by the profile's definition (not derived from the counts)."""
    rows = []
    for track, track_rows in f.evaluations.tracks.items():
        d = {r.indicator: rowdict(f.ctx, r) for r in track_rows}
        if (d.get("received") or {}).get("value") or (d.get("closed") or {}).get("value"):
            rows.append({"label": track, **flat(d)})
    return Table("收结存情况（审判、执行、非诉保全）", columns(f, "类别"), rows, ranges=caseload_ranges(f))


def month_on_month(f: BriefingFigures, b: Briefing) -> str | None:
    """环比 of a year-to-date report: against the figures at the end of the previous month, same start."""
    mom = f.month_on_month
    if mom is None:
        return None
    prev = mom.rows
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
    return f"与截至{mom.last.month}月底的累计数相比（环比），" + "，".join(parts) + "。" if parts else None


def caseload_ranges(f: BriefingFigures) -> dict[str, tuple]:
    ind = f.ctx.ind
    return {i: ind[i].range for i in CASELOAD if i in ind and ind[i].range and i not in f.ctx.reference_only}


def columns(f: BriefingFigures, label: str) -> list[Column]:
    compare = f.ctx.compare
    cols = [Column("label", label), Column("carried_over", "旧存", "count"), Column("new_cases", "新收", "count")]
    if compare:
        cols.append(Column("new_cases_yoy", "新收同比（%）", "yoy", bare=True))
    cols += [Column("received", "受理", "count"), Column("closed", "结案", "count")]
    if compare:
        cols.append(Column("closed_yoy", "结案同比（%）", "yoy", bare=True))
    cols += [Column("pending", "未结", "count"), Column("closure_rate", "结案率", "rate")]
    if compare:
        cols.append(Column("closure_rate_yoy", "结案率同比（百分点）", "yoy", bare=True))
    unit = f.ctx.ind.get("clearance_ratio")
    cols.append(Column("clearance_ratio", "结收比", unit.unit if unit else "ratio"))
    return cols


def trend_chart(f: BriefingFigures) -> Chart:
    """Monthly 新收/结案/未结 and, with 同比, the same months a year earlier."""
    ctx, rows = f.ctx, f.trend
    flows = [(k, n) for k, n in _TREND if k != "pending_end"]
    series: dict[str, list] = {name: [r[key] for r in rows] for key, name in flows}
    stock: dict[str, list] = {"月末未结": [r["pending_end"] for r in rows]}
    if ctx.compare:
        for key, name in flows:
            series[f"{name}（上年同期）"] = [r[f"{key}_last_year"] for r in rows]
        stock["月末未结（上年同期）"] = [r["pending_end_last_year"] for r in rows]
    months = [str(r["month"])[:7] for r in rows]  # YYYY-MM
    cats = [f"{int(m[5:])}月" if ctx.start.year == ctx.end.year else m for m in months]
    title = "逐月新收、结案与月末未结（与上年同期对比）" if ctx.compare else "逐月新收、结案与月末未结"
    return Chart("trend", title, cats, series, key="trend", stock=stock)
