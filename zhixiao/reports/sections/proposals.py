"""七、下一步工作建议: one proposal per 短板 naming the indicator, its unit and the figure needed to reach the
reference (合理区间 when it judges the period, else the 全市基层法院平均, else last year) and the division
that moves it most; then each annual target not yet met, by the divisions that carry it."""

from __future__ import annotations

from zhixiao.analysis.weak import COMPARABLE_UNITS
from zhixiao.reports import figures as fg
from zhixiao.reports import narrative as nv
from zhixiao.reports.figures.collect import BriefingFigures
from zhixiao.reports.model import Briefing, Section
from zhixiao.reports.sections.common import fmt, weak_label
from zhixiao.reports.sections.targets import need_text, target_text

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


def build(f: BriefingFigures, b: Briefing) -> Section:
    sec = Section("proposals", "下一步工作建议")
    props = []
    for w in f.weak:
        text = _weak_proposal(f, w)
        if text is not None:
            props.append((w.indicator, text))
    props = _merge_target_proposals(f, props)
    if props:
        sec.paragraphs += [f"{i}.{t}" for i, t in enumerate(props, start=1)]
    else:
        sec.paragraphs.append("本期未发现需要专项整改的短板弱项，各部门继续保持。")
    b.figures["proposals"] = props
    return sec


def _act(w, n: fg.Need) -> str:
    what = NUMERATOR_WORDS.get(w.indicator, "分子案件")
    if n.unit_word == "天":
        return f"压减{n.amount:.2f}天"
    if w.indicator in AMOUNT_WORDS:  # a rate of sums of money: the figure is in 万元, not 件
        return f"再增加{AMOUNT_WORDS[w.indicator]}{n.amount / 10000:.2f}万元"
    if w.direction == "higher":
        return f"再{'' if what == '结案' else '增加'}{what}{int(n.amount)}件"
    if w.unit == "count":
        return f"清结{what}{int(n.amount)}件"
    return f"少出现{what}{int(n.amount)}件（按本期分母测算）"


def _weak_proposal(f: BriefingFigures, w) -> str | None:
    ctx = f.ctx
    ref, ref_label = _reference(f, w)
    if ref is None:
        return None
    n = fg.need(w.indicator, w.unit, w.direction, w.value, w.numerator, w.denominator, ref, ref_label, ctx.end)
    if n is None:
        return None
    label = weak_label(ctx, w)
    # a year that is over is not caught up in it: the proposal speaks of the next year's first quarter
    when = f"{ctx.end.year + 1}年一季度" if ctx.year_end else f"{n.by.month}月底前"
    target = fmt(ref, w.unit, w.measure)
    act = _act(w, n)
    if ctx.year_end:
        text = (f"{label}{ctx.end.year}年为{fmt(w.value, w.unit, w.measure)}，{ctx.end.year + 1}年{ctx.whole}"
                f"应着力改进：按{ctx.end.year}年同等规模测算，需在{when}{act}，方可达到{ref_label}{target}")
    else:
        text = f"{label}为{fmt(w.value, w.unit, w.measure)}，{ctx.whole}需在{when}{act}，方可达到{ref_label}{target}"
    if w.unit == "count" and ref == 0 and ref_label == "合理区间上限":  # a nil range reads "应为0件"
        text = text.replace(f"方可达到{ref_label}{target}", "方可符合应为0件的要求")
    div = _division_need(f, w, ref)
    if div:
        text += f"；{div}"
    return text + "。"


def _merge_target_proposals(f: BriefingFigures, props: list[tuple[str, str]]) -> list[str]:
    """The 短板 proposals, each followed by its indicator's target figure when it has one; targets of other
    indicators as proposals of their own."""
    extra = dict(_target_proposals(f))
    out = []
    for ind, text in props:
        if ind in extra:
            text = text[:-1] + "；" + extra.pop(ind)
        out.append(text)
    return out + list(extra.values())


def _target_proposals(f: BriefingFigures) -> list[tuple[str, str]]:
    """One proposal per annual target not yet met, naming the divisions that carry it and their figure
    (the decomposition of the figures step); 平均审理天数 and counts: the divisions above the target."""
    tf = f.targets
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
        when = f"{fg.next_meeting(f.ctx.end).month}月底前"
        names = "、".join(f"{u.unit_name}{need_text(f, u)}" for u in behind[:3])
        out.append((ind, f"{behind[0].name}目标{target_text(f, ind, behind[0].target)}：{when}{names}"
                    f"{'等' if len(behind) > 3 else ''}。"))
    return out


def _reference(f: BriefingFigures, w) -> tuple[float | None, str]:
    if w.range and w.range_applies:
        lo, hi = w.range
        return (lo, "合理区间下限") if w.direction == "higher" and lo is not None else (hi, "合理区间上限")
    if w.city is not None and w.unit in COMPARABLE_UNITS:  # counts of different courts do not compare
        basis = f.evaluations.basis
        return w.city, f"{basis.city_label if basis else '全市'}平均"
    if w.previous is not None:
        return w.previous, "上年同期水平"
    return None, ""


def _division_need(f: BriefingFigures, w, ref: float) -> str:
    """The division that weighs most on ``w``: what it alone needs to reach ``ref``."""
    lines = [a for a in w.attribution.get("division", []) if a.harm > 0]
    if not lines:
        return ""
    a = lines[0]
    rows = [r for r in f.evaluations.by_division if r.indicator == w.indicator and r.group.get("division") == a.unit]
    if not rows:
        return ""
    r = rows[0]
    end = f.ctx.end
    what = NUMERATOR_WORDS.get(w.indicator, "分子案件")
    if w.unit == "count":  # a division's share of a count to clear: its own cases, at most the court's need
        court = fg.need(w.indicator, w.unit, w.direction, w.value, w.numerator, w.denominator, ref, "", end)
        share = min(int(r.value or 0), int(court.amount)) if court else 0
        return f"其中{a.unit_name or a.unit}有{what}{int(r.value or 0)}件，需清结{share}件" if share else ""
    n = fg.need(w.indicator, w.unit, w.direction, r.value, r.numerator, r.denominator, ref, "", end)
    if n is None:
        return ""
    who = f"其中{a.unit_name or a.unit}（{fmt(r.value, w.unit, w.measure)}）"
    if n.unit_word == "天":
        return f"{who}需压减{n.amount:.2f}天"
    if w.indicator in AMOUNT_WORDS:
        return f"{who}需再增加{AMOUNT_WORDS[w.indicator]}{n.amount / 10000:.2f}万元"
    if w.direction == "higher":
        return f"{who}需再{'' if what == '结案' else '增加'}{what}{int(n.amount)}件"
    return f"{who}需{'清结' if w.unit == 'count' else '少出现'}{what}{int(n.amount)}件"
