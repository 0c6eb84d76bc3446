"""Satisfaction ratings (一事一评) and 差评督办: every negative rating opens a follow-up with a due date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zhixiao.errors import UserError
from zhixiao.services import audit
from zhixiao.services.common import duplicate_key, load_rules, ratio, work_calendar, workdays_after
from zhixiao.services.importers import map_headers, parse_day, raise_if_errors, read_rows, require_headers
from zhixiao.services.models import FollowUp, Rating

ALIASES: dict[str, tuple[str, ...]] = {
    "rating_no": ("评价编号", "评价流水号"),
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
# What ``update_rating`` may change: how the rating was recorded, never the score or the day, which are
# the party's own and decide the 差评督办 already opened.
UPDATABLE = ("item", "window", "staff_id", "staff_name", "comment", "channel", "case_id")
LABELS = {"item": "评价事项", "window": "窗口", "staff_id": "工号", "staff_name": "工作人员", "comment": "评价内容",
          "channel": "渠道", "case_id": "案号"}


@dataclass
class ImportResult:
    imported: int
    rejected: list[str] = field(default_factory=list)  # rows not applied: rating number stored or repeated


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
               settings: Any = None, flush: bool = True, rating_no: str | None = None, **fields: Any) -> Rating:
    """Record one rating; a score at or below the negative threshold opens a 差评督办 follow-up.
    A rating number (评价编号) already stored for the court is refused."""
    rules = load_rules("hotline", settings)
    s = _check_score(score, rules, f"“{item}”的评价")
    if rating_no is not None:
        stored = _find(session, court_code, rating_no)
        if stored is not None:
            raise _duplicate(stored)
    r = Rating(court_code=court_code, item=item, rated_on=rated_on, score=s, rating_no=rating_no, **fields)
    session.add(r)
    if s <= rules["satisfaction"]["negative_max_score"]:
        due = work_calendar(settings).add_workdays(rated_on, rules["satisfaction"]["followup_workdays"])
        r.follow_up = FollowUp(due_date=due, owner=fields.get("staff_name"))
    if flush:
        session.flush()
    return r


def _find(session: Session, court_code: str, rating_no: str) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.court_code == court_code, Rating.rating_no == rating_no))


def _duplicate(r: Rating) -> UserError:
    return duplicate_key("满意度评价登记簿", f"评价编号“{r.rating_no}”", f"{r.court_code}，评价于 {r.rated_on}",
                         f"评价 {r.rating_no}（评分和评价日期是当事人的，不能修改）",
                         r.rating_no)


def import_ratings(session: Session, path: Path | str, court_code: str, settings: Any = None) -> ImportResult:
    """Import a ratings export. Invalid rows refuse the whole file; a row whose 评价编号 is already stored,
    or repeated in the file, is not applied and is listed with its reason. Rows without a number cannot be
    recognised when imported twice, so the file's number column is worth keeping."""
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
        v["rating_no"] = None if v["rating_no"] is None else str(v["rating_no"]).strip()
        parsed.append((rownum, v))
    raise_if_errors(errors, fname)
    rejected: list[str] = []
    numbers = sorted({v["rating_no"] for _, v in parsed if v["rating_no"]})
    stored = {r.rating_no: r for k in range(0, len(numbers), 500) for r in session.scalars(select(Rating).where(
        Rating.court_code == court_code, Rating.rating_no.in_(numbers[k:k + 500])))}
    first: dict[str, int] = {}
    for rownum, v in parsed:
        no = v["rating_no"]
        if no in stored:
            rejected.append(f"第 {rownum} 行：{_duplicate(stored[no])}")
            continue
        if no in first:
            rejected.append(f"第 {rownum} 行：评价编号“{no}”与第 {first[no]} 行相同，本行未导入；一条评价只登记一次。")
            continue
        if no:
            first[no] = rownum
        fields = {k: (None if v[k] is None else str(v[k])) for k in ("window", "staff_id", "staff_name", "comment",
                                                                       "channel", "case_id")}
        add_rating(session, court_code=court_code, item=str(v["item"]), rated_on=v["rated_on"], score=v["score"],
                   settings=settings, rating_no=no, **fields)
    return ImportResult(imported=len(parsed) - len(rejected), rejected=rejected)


def update_rating(session: Session, court_code: str, rating_no: str, *, user: str, note: str | None = None,
                  **changes: Any) -> tuple[Rating, dict[str, tuple[Any, Any]]]:
    """Correct how a numbered rating was recorded (item, window, staff, comment …) and record the change."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"update_rating: not updatable: {sorted(unknown)}")
    r = _find(session, court_code, rating_no)
    if r is None:
        raise UserError(f"{court_code} 没有评价编号为“{rating_no}”的评价，请核对编号（没有编号的评价不能修改）。")
    changed = audit.diff(r, {k: v.strip() for k, v in changes.items() if v is not None and v.strip()})
    if not changed:
        raise UserError(f"评价“{rating_no}”没有要修改的内容：请至少写一项与现有记录不同的值，如窗口、工作人员。")
    audit.apply(session, r, changed, register="rating", key=f"{court_code}/{rating_no}", action="update", user=user,
                note=note)
    fu = r.follow_up
    if "staff_name" in changed and fu is not None and fu.resolved_on is None and fu.owner == changed["staff_name"][0]:
        fu.owner = r.staff_name  # an open 差评督办 goes to the staff member the rating really concerns
    return r, changed


def resolve_followup(session: Session, followup_id: int, resolution: str, resolved_by: str,
                     resolved_on: date) -> FollowUp:
    f = session.get(FollowUp, followup_id)
    if f is None:
        raise UserError(f"差评督办 {followup_id} 不存在，请从差评督办清单中核对编号。")
    if f.resolved_on is not None:
        raise UserError(f"差评督办 {followup_id} 已于 {f.resolved_on} 办结，不能重复办结。")
    if resolved_on < f.rating.rated_on:
        raise UserError(f"办结日期 {resolved_on} 早于差评日期 {f.rating.rated_on}，请核对。")
    if not resolution.strip():
        raise UserError("请写明整改或回访结果。")
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
