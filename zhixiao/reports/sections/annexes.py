"""附件: 员额法官审判质效统计表 per division, the 长期未结 case list, the 数据质量体检 summary and the
indicators' 口径 cards."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from zhixiao.metrics.card import card
from zhixiao.quality import CHECK_NAMES
from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import ANNEX, CASELOAD, LONG_PENDING, BriefingFigures
from zhixiao.reports.model import Briefing, Column, Section, Table
from zhixiao.reports.sections.common import cn_date

JUDGE_TABLE_NOTE = ("各表按法官编号排列，不作排名（最高人民法院2024年9月：杜绝排名排序）；"
                    "“部门合计”为该部门全部案件，与各员额法官之和的差额为非员额法官承办、未登记承办人"
                    "或由其他部门法官承办的案件。")


def long_pending(f: BriefingFigures, b: Briefing) -> Section:
    sec = Section("long_pending_list", "长期未结案件清单（立案已超过12个月）")
    rows = f.deadlines.long_pending
    b.figures["long_pending_list"] = len(rows)
    sec.paragraphs.append(f"截至{cn_date(f.ctx.end)}，立案已超过12个月的未结案件{len(rows)}件，按立案日期排列。")
    cols = [Column("case_id", "案号"), Column("judge_name", "承办人"), Column("division", "部门"),
            Column("age_days", "案龄（天）", "count"), Column("status", "审限状态"), Column("reason", "原因")]
    sec.tables.append(Table("长期未结案件清单", cols, rows))
    return sec


def data_quality(f: BriefingFigures, b: Briefing) -> Section:
    """数据质量体检 of the period (``zhixiao.quality``): per court, the cases checked, those with a finding,
    the 断号 and the score, and the count of every check that found something."""
    sec = Section("data_quality", "数据质量体检")
    rep_ = f.data_quality
    found = [k for k in CHECK_NAMES if rep_.total(k)]
    b.figures["data_quality"] = {c.court_code: {"score": c.score, "flagged": c.flagged, "missing": c.missing,
                                                **c.counts} for c in rep_.courts}
    total = sum(c.checked for c in rep_.courts)
    sec.paragraphs.append(
        f"对{nv.period_label(f.ctx.start, f.ctx.end)}{len(rep_.courts)}家法院的{total}件案件进行数据质量体检，"
        + ("发现问题：" + "、".join(f"{CHECK_NAMES[k]}{rep_.total(k)}件" for k in found) if found
           else "未发现问题") + "。问题案件请承办部门核实、更正后重新导入。")
    cols = [Column("court", "法院"), Column("checked", "检查案件", "count"), Column("flagged", "问题案件", "count"),
            Column("missing", "断号", "count", unit="个"), Column("score", "得分", "ratio")] + [
        Column(k, CHECK_NAMES[k], "count") for k in found]
    sec.tables.append(Table("数据质量体检结果", cols, [
        {"court": rollup.short_name(c.court_name) if f.ctx.city else c.court_name, "checked": c.checked, "flagged": c.flagged, "missing": c.missing, "score": c.score,
         **{k: c.counts.get(k, 0) for k in found}} for c in rep_.courts]))
    return sec


def cards(f: BriefingFigures) -> Section:
    """指标口径说明: each indicator of the briefing in words, from ``metrics.card``."""
    ind = f.ctx.ind
    sec = Section("cards", "指标口径说明")
    ids = [i for i in dict.fromkeys([*CASELOAD, *LONG_PENDING, *f.ctx.quality_ids()]) if i in ind]
    rows = []
    for i in ids:
        c = card(ind[i])
        rows.append({"name": c.name, "formula": c.formula, "numerator": _plain(c.numerator),
                     "denominator": _plain(c.denominator) if c.denominator else "—",
                     "range": nv.fmt_range(c.range, c.unit) if c.range else "—",
                     "exclusions": "；".join(x.split("：")[0] for x in c.exclusions) or "—"})
    sec.tables.append(Table("指标口径", [Column("name", "指标"), Column("formula", "计算方法"),
                                     Column("numerator", "分子"), Column("denominator", "分母"),
                                     Column("range", "合理区间"), Column("exclusions", "不计入")], rows))
    return sec


def judges(f: BriefingFigures) -> list[Table]:
    """员额法官审判质效统计表 per division: judge-level figures, divisions from the 员额法官 roster."""
    ctx = f.ctx
    ids = [i for i in ANNEX if i in ctx.ind]
    roster = f.roster
    per: dict[str, dict] = defaultdict(dict)
    for r in f.evaluations.by_judge:
        jid = r.group.get("judge_id")
        if jid in roster and r.indicator in ids:
            per[jid][r.indicator] = r.value
    cols = [Column("judge_name", "员额法官")] + [Column(i, ctx.ind[i].name, ctx.ind[i].unit) for i in ids]
    tables: dict[tuple, list] = defaultdict(list)
    for jid in sorted(per):  # by judge id: a stable order, not a ranking
        code, cname, div, name = roster[jid]
        tables[(code, cname, div)].append({"judge_id": jid, "judge_name": name, **per[jid]})
    totals = _division_totals(f, ids) if not ctx.city else {}
    ranges = {i: ctx.ind[i].range for i in ids if ctx.ind[i].range and i not in ctx.reference_only}
    out = []
    for (code, cname, div) in sorted(tables):
        prefix = rollup.short_name(cname) if ctx.city else ""
        body = tables[(code, cname, div)]
        if div in totals:
            body = body + _total_rows(f, body, totals[div], ids)
        out.append(Table(f"员额法官审判质效统计表（{prefix}{div}）", cols, body,
                         note=None if out else JUDGE_TABLE_NOTE, ranges=dict(ranges)))
    return out


def _division_totals(f: BriefingFigures, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Division → indicator → value over all the division's cases (the figure judge rows add up to)."""
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in f.evaluations.by_division:
        if r.indicator in ids:
            out[r.group.get("division") or "（未分配）"][r.indicator] = r.value
    return out


def _total_rows(f: BriefingFigures, judges_: list[dict], total: dict[str, Any], ids: list[str]) -> list[dict]:
    """部门合计 and, for the counts, the difference from the judges' sum (cases no 员额法官 of the division
    handled), so every count column adds up to its division total."""
    counts = [i for i in ids if f.ctx.ind[i].unit == "count"]
    diff = {i: (total.get(i) or 0) - sum(j.get(i) or 0 for j in judges_) for i in counts}
    rows = []
    if any(diff.values()):
        rows.append({"judge_name": "其他承办人及差额", **diff})
    rows.append({"judge_name": "部门合计", **total})
    return rows


def _plain(text: str) -> str:
    """A card's sentence for a court document: the parameter name the CLI takes is left out."""
    return text.replace("（as_of，默认期末）", "")
