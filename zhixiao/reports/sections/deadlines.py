"""三、审限管理与长期未结: 长期未结 tiers by division, the 审限 status of the pending cases and 四项未结."""

from __future__ import annotations

from collections import defaultdict

from zhixiao.reports import narrative as nv
from zhixiao.reports.figures.collect import LONG_PENDING, BriefingFigures
from zhixiao.reports.model import Briefing, Column, Section, Table
from zhixiao.reports.sections.common import court_label
from zhixiao.supervision.pending import FOUR_FLAGS

PENDING_STATUSES = ("正常", "临近", "超审限", "扣除中", "中止中", "不计审限")
LONG_PENDING_LABELS = {"long_pending_12m": "超12个月未结", "long_pending_24m": "超24个月未结",
                       "long_pending_36m": "超36个月未结"}


def build(f: BriefingFigures, b: Briefing) -> Section:
    ctx = f.ctx
    sec = Section("deadlines", "审限管理与长期未结案件")
    lp = {i: b.figures[i] for i in LONG_PENDING if i in b.figures}
    if lp:
        tiers = "、".join(f"{LONG_PENDING_LABELS[i]}{nv.fmt_count(lp[i]['value'])}件" for i in LONG_PENDING if i in lp)
        sec.paragraphs.append(f"截至{ctx.end.month}月{ctx.end.day}日，{b.subject}{tiers}。")
        by_div = f.deadlines.by_court_division if ctx.city else f.evaluations.by_division
        divs: dict[tuple, dict] = defaultdict(dict)
        for r in by_div:
            divs[(r.group.get("court_code") or "", r.group.get("division") or "（未分配）")][r.indicator] = r.value
        cols = ([Column("court", "法院")] if ctx.city else []) + [
            Column("division", "承办部门"), Column("pending", "未结", "count")] + [
            Column(i, LONG_PENDING_LABELS[i], "count") for i in LONG_PENDING if i in lp]
        rows = [{"court": court_label(f, c), "division": d, **v} for (c, d), v in sorted(divs.items())
                if v.get("pending")]
        sec.tables.append(Table("未结及长期未结案件（按部门）", cols, rows))
    else:
        sec.paragraphs.append(nv.missing_note("长期未结案件", f"指标体系“{ctx.profile}”未定义 long_pending_12m"))
    sec.subsections.append(_status(f, b))
    sec.subsections.append(_four_pending(f))
    return sec


def _status(f: BriefingFigures, b: Briefing) -> Section:
    end = f.ctx.end
    sub = Section("deadline_status", "未结案件审限状态")
    counts = dict(f.deadlines.status_counts)
    b.figures["deadline_status"] = counts
    total = sum(counts.values())
    order = [s for s in PENDING_STATUSES if s in counts] + sorted(set(counts) - set(PENDING_STATUSES))
    sub.paragraphs.append(f"截至{end.month}月{end.day}日，未结案件{total}件，其中"
                          + "、".join(f"{s}{counts[s]}件" for s in order) + "。")
    rows = [{"status": s, "count": counts[s], "share": counts[s] / total if total else None} for s in order]
    sub.tables.append(Table("未结案件审限状态", [Column("status", "审限状态"), Column("count", "件数", "count"),
                                           Column("share", "占比", "rate")], rows))
    return sub


def _four_pending(f: BriefingFigures) -> Section:
    """四项未结: pending cases in 延长 / 中止 / 中断 / 扣除审限 status (REFERENCE §2.2), from the
    supervision module's list over the 审限 table, counted per division."""
    four = f.deadlines.four
    names = {k: f"{v}审限未结" if v in ("延长", "扣除") else f"{v}未结" for k, v in FOUR_FLAGS.items()}
    totals = {k: sum(r[k] for r in four.rows) for k in names}
    sub = Section("four_pending", "四项未结案件")
    sub.paragraphs.append(f"四项未结案件{four.total}件，其中" + "、".join(f"{names[k]}{totals[k]}件" for k in names)
                          + "（同一案件可同时属于多项）。")
    cols = ([Column("court", "法院")] if f.ctx.city else []) + [Column("division", "承办部门")] + [
        Column(k, v, "count") for k, v in names.items()]
    sub.tables.append(Table("四项未结案件（按部门）", cols, [
        {**r, "court": court_label(f, r["court"])} if f.ctx.city else dict(r) for r in four.rows]))
    return sub
