"""执行工作: the 执行 track's 收结存, the profile's 执行 indicators with 同比 and the 全市基层法院平均, and the
执行难 / 终本 ledger at the period end (issue 16 §2, issue 17 §2)."""

from __future__ import annotations

from zhixiao.analysis.weak import COMPARABLE_UNITS
from zhixiao.reports import narrative as nv
from zhixiao.reports.figures.collect import BriefingFigures
from zhixiao.reports.model import Briefing, Chart, Column, Section, Table
from zhixiao.reports.sections.common import cn_date, fmt, indicator_table, rowdict

FLOW_WORDS = (("carried_over", "旧存"), ("new_cases", "新收"), ("received", "受理"), ("closed", "执结"),
              ("pending", "未结"))


def build(f: BriefingFigures, b: Briefing) -> Section:
    ctx = f.ctx
    sec = Section("enforcement", "执行工作情况")
    fx = f.enforcement
    flow = {r.indicator: r for r in fx.flow}
    ids = set(ctx.enforcement_ids())
    rows = [rowdict(ctx, r) for r in f.evaluations.top if r.indicator in ids]
    led = fx.ledger
    b.figures["enforcement"] = {
        "flow": {k: r.value for k, r in flow.items()}, "indicators": {r["indicator"]: r["value"] for r in rows},
        "ledger": {"pending": led["pending_enforcement"], "no_property": len(led["no_property"]),
                   "long_running": len(led["long_running"]), "zhongben_candidates": len(led["zhongben_candidates"]),
                   "zhongben_to_verify": len(led["zhongben_to_verify"]), "outside_flow": fx.outside_flow}}
    sec.paragraphs.append(_flow_sentence(f, b, flow))
    shown = [r for r in rows if r["value"] is not None]
    if shown:
        sec.paragraphs.append("执行质效指标：" + "；".join(_indicator_clause(f, r) for r in shown) + "。")
        sec.tables.append(indicator_table(f, "执行质效指标", rows))
        rates = [r for r in shown if r["unit"] == "rate"]
        if rates:
            sec.charts.append(Chart("range", "执行质效指标（比率）", [r["name"] for r in rates],
                                    {"数值": [r["value"] for r in rates]},
                                    [tuple(r["range"]) if r["range"] and r["range_applies"] else None
                                     for r in rates], unit="rate", key="range_enforcement"))
    elif ids:
        sec.paragraphs.append("本期执行质效指标均无可计算的案件。")
    _ledger(f, b, sec)
    return sec


def _flow_sentence(f: BriefingFigures, b: Briefing, flow: dict) -> str:
    ctx = f.ctx
    if not (flow.get("received") and flow["received"].value):
        return f"本期{b.subject}没有执行案件。"

    def clause(key: str, what: str) -> str:
        r = flow[key]
        text = f"{what}{nv.fmt_count(r.value)}件"
        return text + (f"，{nv.yoy_phrase(r.value, r.previous, 'count', '件')}"
                       if ctx.compare and r.previous is not None and key != "carried_over" else "")

    return (f"{nv.short_period(ctx.start, ctx.end)}，{b.subject}执行案件"
            + "；".join(clause(k, w) for k, w in FLOW_WORDS if k in flow) + "。")


def _indicator_clause(f: BriefingFigures, r: dict) -> str:
    text = f"{r['name']}{fmt(r['value'], r['unit'], r['measure'])}"
    extra = []
    if f.ctx.compare and r["previous"] is not None:
        extra.append(nv.yoy_phrase(r["value"], r["previous"], r["unit"], r["measure"]))
    pool = f.evaluations.pool.get(r["indicator"])
    if pool is not None and pool.value is not None and r["unit"] in COMPARABLE_UNITS:
        extra.append(f"{f.evaluations.basis.city_label}平均{fmt(pool.value, r['unit'], r['measure'])}")
    return "，".join([text, *extra])  # no brackets: a 同比 phrase carries its own


def _ledger(f: BriefingFigures, b: Briefing, sec: Section) -> None:
    lf = b.figures["enforcement"]["ledger"]
    if not lf["pending"]:
        return
    sec.paragraphs.append(
        f"执行难案件台账：截至{cn_date(f.ctx.end)}在办的执行案件{lf['pending']}件{_outside_flow(lf['outside_flow'])}，"
        f"其中无财产可供执行{lf['no_property']}件、长期未结{lf['long_running']}件；"
        f"终本五项条件均有记录且满足的{lf['zhongben_candidates']}件，其余条件满足、尚待核实的"
        f"{lf['zhongben_to_verify']}件。")
    sec.tables.append(Table("执行难案件与终本台账", [Column("item", "项目"), Column("n", "件数", "count")], [
        {"item": "台账在办执行案件", "n": lf["pending"]}, {"item": "无财产可供执行", "n": lf["no_property"]},
        {"item": "长期未结", "n": lf["long_running"]},
        {"item": "符合终本条件（五项均有记录）", "n": lf["zhongben_candidates"]},
        {"item": "终本条件待核实", "n": lf["zhongben_to_verify"]}]))


def _outside_flow(outside: dict[str, int]) -> str:
    """"（含收结存“未结”不计的执恢47件、执保4件）": why the ledger's pending exceeds the 执行 未结."""
    if not outside:
        return ""
    return "（含收结存“未结”不计的" + "、".join(f"{k}{n}件" for k, n in outside.items()) + "）"
