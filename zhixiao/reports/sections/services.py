"""六、诉讼服务与专项工作: 12368 by category and department with 联系法官成功率, 立案满意度 and 差评督办, 司法建议
with replies, and the 民生小案, 信访积案 and 行政争议实质性化解 ledgers — only with an operational database."""

from __future__ import annotations

from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import BriefingFigures
from zhixiao.reports.model import Briefing, Column, Section, Table


def build(f: BriefingFigures, b: Briefing) -> Section | None:
    """None: no operational database, or nothing recorded in it for the period."""
    s = f.services
    if s is None or s.empty():
        return None
    b.figures["services"] = {"hotline": s.hotline, "satisfaction": s.satisfaction,
                             "suggestions": vars(s.suggestions), "petitions": s.petitions}
    sec = Section("services", "诉讼服务与专项工作")
    for sub in (_hotline(s.hotline, f.court_names if f.ctx.city else None), _satisfaction(s.satisfaction), _suggestions(s.suggestions), _ledgers(s)):
        if sub is not None:
            sec.subsections.append(sub)
    return sec


def _hotline(h: dict, courts: dict[str, str] | None) -> Section | None:
    """``courts`` (code → name) in a city briefing: its tickets by court and department, never departments of
    different courts merged by name."""
    if not h.get("tickets"):
        return None
    sub = Section("hotline", "12368诉讼服务热线")
    cats = "、".join(f"{k}{v}件" for k, v in h["by_category"].items())
    text = (f"受理工单{h['tickets']}件（{cats}），已答复{h['responded']}件，按期答复率"
            f"{nv.fmt_percent(h['on_time_rate'])}，逾期未答复{h['overdue_open']}件")
    if h.get("contact_judge"):
        text += (f"；联系法官类工单已办结{h['contact_judge']}件，联系法官成功率"
                 f"{nv.fmt_percent(h['contact_judge_success_rate'])}")
    sub.paragraphs.append(text + "。")
    if courts is None:
        sub.tables.append(Table("12368工单（按承办部门）", [Column("division", "承办部门"), Column("n", "工单", "count")],
                                [{"division": k, "n": v} for k, v in h["by_division"].items()]))
    else:
        sub.tables.append(Table("12368工单（按法院、承办部门）", [
            Column("court", "法院"), Column("division", "承办部门"), Column("n", "工单", "count")], [
            {"court": rollup.short_name(courts.get(r["court_code"], r["court_code"])), "division": r["division"],
             "n": r["n"]} for r in h["by_court_division"]]))
    return sub


def _satisfaction(s_: dict) -> Section | None:
    if not s_.get("ratings"):
        return None
    sub = Section("satisfaction", "立案与诉讼服务满意度")
    sub.paragraphs.append(
        f"当事人评价{s_['ratings']}次，满意{s_['satisfied']}次，满意率{nv.fmt_percent(s_['satisfaction_rate'])}；"
        f"差评{s_['negative']}次，均已督办，已整改回访{s_['followups_resolved']}次，其中按期"
        f"{s_['followups_resolved_on_time']}次。")
    sub.tables.append(Table("满意度评价（按服务事项）", [
        Column("item", "服务事项"), Column("ratings", "评价", "count", unit="次"),
        Column("satisfied", "满意", "count", unit="次"),
        Column("rate", "满意率", "rate")], [
        {"item": k, "ratings": v["ratings"], "satisfied": v["satisfied"], "rate": v["satisfaction_rate"]}
        for k, v in s_["by_item"].items()]))
    return sub


def _suggestions(g) -> Section | None:
    if not g.issued:
        return None
    sub = Section("suggestions", "司法建议")
    text = (f"发出司法建议{g.issued}件，已收到回复{g.replied}件，回复率{nv.fmt_percent(g.reply_rate)}"
            f"（回复数÷发出数），被采纳{g.adopted}件")
    if g.replied_late:
        text += f"；其中逾期回复{g.replied_late}件"
    text += f"；尚未回复且已超过回复期限{g.overdue_unanswered}件。" if g.overdue_unanswered else "；无逾期未复。"
    sub.paragraphs.append(text)
    return sub


def _ledgers(s) -> Section | None:
    ledgers = Section("ledgers", "专项台账")
    m, p = s.minsheng, s.petitions
    if m.get("received"):
        ledgers.paragraphs.append(f"民生小案受理{m['received']}件，结案{m['closed']}件，未结{m['pending']}件"
                                  + (f"，其中超审限{m['overdue']}件" if m.get("overdue") else "") + "。")
    if p.get("petitions"):
        ledgers.paragraphs.append(f"信访案件{p['petitions']}件，已化解{p['resolved']}件，在办{p['open']}件，其中"
                                  f"超过1年的信访积案{p['open_over_1y']}件。")
    adm = s.admin_resolution
    if adm:
        closed = sum(r.get("closed", 0) for r in adm)
        resolved = sum(r.get("resolved", 0) for r in adm)
        ledgers.paragraphs.append(f"行政一审结案{closed}件，行政机关自行纠正后原告撤诉（行政争议实质性化解）"
                                  f"{resolved}件。")
    return ledgers if ledgers.paragraphs else None
