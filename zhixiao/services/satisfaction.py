"""Satisfaction ratings (一事一评) and 差评督办: every negative rating opens a follow-up with a due date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zhixiao.errors import UserError
from zhixiao.services.common import load_rules, ratio, work_calendar, workdays_after
from zhixiao.services.importers import map_headers, parse_day, raise_if_errors, read_rows, require_headers
from zhixiao.services.models import FollowUp, Rating

ALIASES: dict[str, tuple[str, ...]] = {
    "item": ("评价事项", "服务事项", "事项"),
    "window": ("窗口", "服务窗口"),
    "staff_id": ("工号", "人员编号"),
    "staff_name": ("工作人员", "评价对象", "人员"),
    "rated_on": ("评价日期", "日期", "评价时间"),
    "score": ("评分", "分值", "满意度"),
    "comment": ("评价内容", "意见", "备注"),
    "channel": ("渠道", "评价渠道"),
    "case_id": ("案号",),
}
REQUIRED = ["item", "rated_on", "score"]


def _check_score(score: Any, rules: dict, where: str) -> int:
    lo, hi = rules["satisfaction"]["min_score"], rules["satisfaction"]["max_score"]
    try:
        s = int(float(score))
    except (TypeError, ValueError):
        raise UserError(f"{where}：评分“{score}”不是数字，请填 {lo}–{hi} 的整数。") from None
    if not lo <= s <= hi or s != float(score):
        raise UserError(f"{where}：评分 {score} 超出范围，请填 {lo}–{hi} 的整数（{hi} 为非常满意）。")
    return s


def add_rating(session: Session, *, court_code: str, item: str, rated_on: date, score: Any,
               settings: Any = None, flush: bool = True, **fields: Any) -> Rating:
    """Record one rating; a score at or below the negative threshold opens a 差评督办 follow-up."""
    rules = load_rules("hotline", settings)
    s = _check_score(score, rules, f"“{item}”的评价")
    r = Rating(court_code=court_code, item=item, rated_on=rated_on, score=s, **fields)
    session.add(r)
    if s <= rules["satisfaction"]["negative_max_score"]:
        due = work_calendar(settings).add_workdays(rated_on, rules["satisfaction"]["followup_workdays"])
        r.follow_up = FollowUp(due_date=due, owner=fields.get("staff_name"))
    if flush:
        session.flush()
    return r


def import_ratings(session: Session, path: Path | str, court_code: str, settings: Any = None) -> int:
    fname = Path(path).name
    rows = read_rows(path)
    require_headers(rows, ALIASES, REQUIRED, fname)
    errors, parsed = [], []
    rules = load_rules("hotline", settings)
    for rownum, raw in rows:
        v = map_headers(raw, ALIASES)
        where = f"第 {rownum} 行"
        try:
            if not v["item"]:
                raise UserError(f"{where}：“评价事项”为空，请填写。")
            try:
                v["rated_on"] = parse_day(v["rated_on"])
            except (ValueError, TypeError):
                raise UserError(f"{where}：评价日期“{v['rated_on']}”不是有效日期，请写成 YYYY-MM-DD。") from None
            v["score"] = _check_score(v["score"], rules, where)
        except UserError as exc:
            errors.append(str(exc))
            continue
        parsed.append(v)
    raise_if_errors(errors, fname)
    for v in parsed:
        fields = {k: (None if v[k] is None else str(v[k])) for k in ("window", "staff_id", "staff_name", "comment",
                                                                       "channel", "case_id")}
        add_rating(session, court_code=court_code, item=str(v["item"]), rated_on=v["rated_on"], score=v["score"],
                   settings=settings, **fields)
    return len(parsed)


def resolve_followup(session: Session, followup_id: int, resolution: str, resolved_by: str,
                     resolved_on: date) -> FollowUp:
    f = session.get(FollowUp, followup_id)
    if f is None:
        raise UserError(f"差评督办 {followup_id} 不存在，请用 zhixiao satisfaction followups 查到编号。")
    if f.resolved_on is not None:
        raise UserError(f"差评督办 {followup_id} 已于 {f.resolved_on} 办结，不能重复办结。")
    if resolved_on < f.rating.rated_on:
        raise UserError(f"办结日期 {resolved_on} 早于差评日期 {f.rating.rated_on}，请核对。")
    if not resolution.strip():
        raise UserError("请写明整改或回访结果（--resolution）。")
    f.resolution, f.resolved_by, f.resolved_on = resolution.strip(), resolved_by, resolved_on
    session.flush()
    return f


def _ratings(session: Session, court_code: str | None, start: date, end: date) -> list[Rating]:
    q = select(Rating).options(selectinload(Rating.follow_up)).where(Rating.rated_on >= start, Rating.rated_on <= end)
    if court_code:
        q = q.where(Rating.court_code == court_code)
    return list(session.scalars(q))


def satisfaction_stats(session: Session, court_code: str | None, start: date, end: date,
                       settings: Any = None) -> dict:
    """满意率 (share of ratings ≥ the satisfied threshold) by item, staff, window and month; follow-ups."""
    rules = load_rules("hotline", settings)["satisfaction"]
    rs = _ratings(session, court_code, start, end)
    ok = rules["satisfied_min_score"]

    def group(key) -> dict[str, dict]:
        g: dict[str, list[int]] = defaultdict(list)
        for r in rs:
            g[key(r) or "未填"].append(r.score)
        return {k: {"ratings": len(v), "satisfied": sum(1 for s in v if s >= ok),
                    "satisfaction_rate": ratio(sum(1 for s in v if s >= ok), len(v))} for k, v in sorted(g.items())}

    fus = [r.follow_up for r in rs if r.follow_up is not None]
    return {
        "court_code": court_code, "start": start, "end": end,
        "ratings": len(rs),
        "satisfied": sum(1 for r in rs if r.score >= ok),
        "satisfaction_rate": ratio(sum(1 for r in rs if r.score >= ok), len(rs)),
        "negative": len(fus),
        "followups_resolved": sum(1 for f in fus if f.resolved_on is not None),
        "followups_resolved_on_time": sum(1 for f in fus if f.resolved_on is not None and f.resolved_on <= f.due_date),
        "by_item": group(lambda r: r.item),
        "by_staff": group(lambda r: r.staff_name),
        "by_window": group(lambda r: r.window),
        "trend": group(lambda r: r.rated_on.strftime("%Y-%m")),
    }


def open_followups(session: Session, court_code: str | None = None) -> list[FollowUp]:
    q = select(FollowUp).options(selectinload(FollowUp.rating)).where(FollowUp.resolved_on.is_(None))
    if court_code:
        q = q.join(Rating).where(Rating.court_code == court_code)
    return list(session.scalars(q.order_by(FollowUp.due_date)))


def overdue_followups(session: Session, as_of: date, settings: Any = None) -> list[dict]:
    """Open 差评督办 items on the ladder: open = 督办 already; past due = 督办 with days late; long past = 约谈."""
    rules = load_rules("hotline", settings)["satisfaction"]
    cal = work_calendar(settings)
    out = []
    for f in open_followups(session):
        r = f.rating
        if r.rated_on > as_of:
            continue
        if f.due_date < as_of:
            late = workdays_after(cal, f.due_date, as_of)
            level = "interview" if late >= rules["interview_workdays_after"] else "supervise"
            reason = f"{r.item}差评（{r.score} 分，{r.rated_on}）督办逾期 {late} 个工作日未办结"
        else:
            level = "remind"
            reason = f"{r.item}差评（{r.score} 分，{r.rated_on}）待整改回访，{f.due_date} 前办结"
        out.append({"kind": "negative_rating", "ref": f"差评督办-{f.id}", "level": level, "court_code": r.court_code,
                    "assignee": f.owner or r.window or "诉讼服务中心", "division": r.window, "due": f.due_date,
                    "reason": reason})
    return out
