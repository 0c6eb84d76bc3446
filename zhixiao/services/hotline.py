"""12368 hotline tickets: import, due dates in working days, responses, figures and overdue escalation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhixiao.errors import UserError
from zhixiao.services import audit
from zhixiao.services.common import (
    duplicate_key,
    load_rules,
    normalize_case_number,
    ratio,
    work_calendar,
    workdays_after,
)
from zhixiao.services.importers import (
    map_headers,
    parse_bool,
    parse_datetime,
    raise_if_errors,
    read_rows,
    require_headers,
)
from zhixiao.services.models import HotlineTicket
from zhixiao.services.satisfaction import add_rating

ALIASES: dict[str, tuple[str, ...]] = {
    "ticket_no": ("工单编号", "工单号", "编号"),
    "channel": ("渠道", "来源", "受理渠道"),
    "category": ("类别", "诉求类型", "分类", "工单类型"),
    "caller_name": ("来电人", "姓名", "诉求人"),
    "caller_phone": ("来电号码", "联系电话", "电话"),
    "case_number": ("案号", "关联案号"),
    "content": ("内容", "诉求内容", "来电内容"),
    "received_at": ("受理时间", "来电时间", "登记时间"),
    "assignee": ("承办人", "承办法官", "办理人"),
    "division": ("承办部门", "部门", "承办庭室"),
    "responded_at": ("回复时间", "办结时间", "答复时间"),
    "result": ("办理结果", "答复内容", "处理结果"),
    "contacted": ("是否联系上", "联系结果"),
    "satisfaction": ("满意度", "评价"),
}
REQUIRED = ["ticket_no", "category", "received_at"]
# What ``update_ticket`` may change. The caller's satisfaction is not among them: it is the caller's own
# rating, stored in the rating register as well; the court is not either (a ticket does not move court).
UPDATABLE = ("category", "channel", "received_at", "case_number", "caller_name", "caller_phone", "content",
             "assignee", "division", "responded_at", "result", "contacted")
LABELS = {"category": "类别", "channel": "渠道", "received_at": "受理时间", "case_id": "案号", "caller_name": "来电人",
          "caller_phone": "来电号码", "content": "诉求内容", "assignee": "承办", "assignee_id": "承办人编号",
          "division": "承办部门", "responded_at": "回复时间", "result": "办理结果", "contacted": "联系法官成功",
          "satisfaction": "满意度", "due_date": "办理期限"}
SYSTEM = "system"

ESCALATION_LEVELS = ("remind", "supervise", "interview")  # 提醒 → 督办 → 约谈 (DESIGN glossary)
LEVEL_NAMES = {"remind": "提醒", "supervise": "督办", "interview": "约谈", "hold_accountable": "问责"}


@dataclass
class ImportResult:
    imported: int
    linked: int  # imported tickets linked to a case in the case store
    rejected: list[str] = field(default_factory=list)  # rows not applied: key already stored or repeated


def limit_workdays(category: str, rules: dict) -> int:
    h = rules["hotline"]
    return int(h["limits"].get(category, h["default_limit_workdays"]))


def due_date(received: datetime | date, category: str, rules: dict, cal) -> date:
    """The received day is not counted; the limit runs in working days on the Chinese calendar."""
    day = received.date() if isinstance(received, datetime) else received
    return cal.add_workdays(day, limit_workdays(category, rules))


def add_ticket(session: Session, *, court_code: str, ticket_no: str, category: str, received_at: datetime,
               channel: str = "电话", settings: Any = None, cases: dict[str, dict] | None = None,
               case_number: str | None = None, **fields: Any) -> HotlineTicket:
    """Register one new ticket; the 案号 must exist in ``cases`` when given. A ticket number already stored
    is refused (``update_ticket`` changes a stored ticket)."""
    rules = load_rules("hotline", settings)
    row = {"ticket_no": ticket_no, "category": category, "received_at": received_at, "channel": channel,
           "case_number": case_number, **fields}
    try:
        values = _validate(row, rules, cases, where=f"工单 {ticket_no}")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    stored = _find(session, values["ticket_no"])
    if stored is not None:
        raise _duplicate(stored)
    values["court_code"] = court_code
    values["due_date"] = due_date(values["received_at"], values["category"], rules, work_calendar(settings))
    t = HotlineTicket(**values)
    session.add(t)
    if t.satisfaction is not None:
        _rate(session, t, settings)
    session.flush()
    return t


def _find(session: Session, ticket_no: str) -> HotlineTicket | None:
    return session.scalar(select(HotlineTicket).where(HotlineTicket.ticket_no == ticket_no))


def _duplicate(t: HotlineTicket) -> UserError:
    return duplicate_key("12368 工单登记簿", f"工单编号“{t.ticket_no}”",
                         f"{t.court_code}，受理于 {t.received_at:%Y-%m-%d %H:%M}", f"工单 {t.ticket_no}",
                         t.ticket_no)


def _validate(row: dict, rules: dict, cases: dict[str, dict] | None, where: str) -> dict:
    """Check one ticket row; raise ValueError with a Chinese sentence naming column and value."""
    out: dict[str, Any] = {}
    for key in ("ticket_no", "category", "received_at"):
        if row.get(key) in (None, ""):
            raise ValueError(f"{where}：“{ALIASES[key][0]}”为空，请填写。")
    out["ticket_no"] = str(row["ticket_no"]).strip()
    out["category"] = str(row["category"]).strip()
    if out["category"] not in rules["hotline"]["limits"]:
        raise ValueError(f"{where}：类别“{out['category']}”不在规则中，可选：{'、'.join(rules['hotline']['limits'])}。")
    out["channel"] = row.get("channel") or "电话"
    for key in ("received_at", "responded_at"):
        v = row.get(key)
        if v in (None, ""):
            out[key] = None
            continue
        try:
            out[key] = parse_datetime(v)
        except ValueError:
            raise ValueError(f"{where}：“{ALIASES[key][0]}”值“{v}”不是有效时间，请写成 2026-03-02 09:15。") from None
    if out["responded_at"] and out["responded_at"] < out["received_at"]:
        raise ValueError(f"{where}：回复时间 {out['responded_at']} 早于受理时间 {out['received_at']}，请核对。")
    case_id = None
    if row.get("case_number"):
        try:
            case_id, _court, _year = normalize_case_number(str(row["case_number"]))
        except UserError as exc:
            raise ValueError(f"{where}：{exc}") from None
        if cases is not None and case_id not in cases:
            raise ValueError(f"{where}：案号“{row['case_number']}”在案件库中不存在，请核对案号，或先导入该案件。")
    out["case_id"] = case_id
    sat = row.get("satisfaction")
    if sat not in (None, ""):
        lo, hi = rules["satisfaction"]["min_score"], rules["satisfaction"]["max_score"]
        try:
            sat = int(float(sat))
        except ValueError:
            raise ValueError(f"{where}：满意度“{sat}”不是数字，请填 {lo}–{hi} 的整数。") from None
        if not lo <= sat <= hi:
            raise ValueError(f"{where}：满意度 {sat} 超出范围，请填 {lo}–{hi} 的整数。")
        out["satisfaction"] = sat
    else:
        out["satisfaction"] = None
    try:
        out["contacted"] = parse_bool(row.get("contacted"))
    except ValueError:
        raise ValueError(f"{where}：“是否联系上”值“{row.get('contacted')}”无法识别，请填 是 或 否。") from None
    for key in ("caller_name", "caller_phone", "content", "assignee", "division", "result", "assignee_id"):
        v = row.get(key)
        out[key] = None if v in (None, "") else str(v).strip()
    if out["caller_phone"] and out["caller_phone"].endswith(".0"):  # XLSX numbers
        out["caller_phone"] = out["caller_phone"][:-2]
    if case_id and cases is not None:  # link: the case's judge and division answer 联系法官 tickets
        c = cases[case_id]
        out["assignee"] = out["assignee"] or c.get("judge_name")
        out["assignee_id"] = out["assignee_id"] or c.get("judge_id")
        out["division"] = out["division"] or c.get("division")
    return out


def import_tickets(session: Session, path: Path | str, court_code: str, settings: Any = None,
                   cases: dict[str, dict] | None = None) -> ImportResult:
    """Import a CSV/XLSX ticket export. Every row is checked first and nothing is written if any row is
    invalid. A row whose ticket number is already stored, or repeated in the file, is not applied and is
    listed with its reason; the other rows are written in the caller's transaction."""
    rules = load_rules("hotline", settings)
    cal = work_calendar(settings)
    fname = Path(path).name
    rows = read_rows(path)
    require_headers(rows, ALIASES, REQUIRED, fname)
    errors: list[str] = []
    valid: list[tuple[int, dict]] = []
    for rownum, raw in rows:
        try:
            v = _validate(map_headers(raw, ALIASES), rules, cases, where=f"第 {rownum} 行")
        except ValueError as exc:
            errors.append(str(exc))
            continue
        v["court_code"] = court_code
        v["due_date"] = due_date(v["received_at"], v["category"], rules, cal)
        valid.append((rownum, v))
    raise_if_errors(errors, fname)
    fresh, rejected = _new_rows(session, valid)
    for v in fresh:
        t = HotlineTicket(**v)
        session.add(t)
        if t.satisfaction is not None:
            _rate(session, t, settings)
    session.flush()
    return ImportResult(imported=len(fresh), linked=sum(1 for v in fresh if v["case_id"]), rejected=rejected)


def _new_rows(session: Session, valid: list[tuple[int, dict]]) -> tuple[list[dict], list[str]]:
    """The rows to write, and a sentence for each row left out. A number repeated in the file is written
    once when its rows are identical; when they differ no row can be preferred, so none is written."""
    by_no: dict[str, list[tuple[int, dict]]] = {}
    for rownum, v in valid:
        by_no.setdefault(v["ticket_no"], []).append((rownum, v))
    keys = list(by_no)
    stored = {t.ticket_no: t for k in range(0, len(keys), 500) for t in session.scalars(
        select(HotlineTicket).where(HotlineTicket.ticket_no.in_(keys[k:k + 500])))}
    fresh: list[dict] = []
    rejected: list[tuple[int, str]] = []
    for no, group in by_no.items():
        lines = "、".join(str(r) for r, _ in group)
        if no in stored:
            rejected += [(r, f"第 {r} 行：{_duplicate(stored[no])}") for r, _ in group]
        elif len(group) > 1 and any(v != group[0][1] for _, v in group[1:]):
            rejected += [(r, f"第 {r} 行：工单编号“{no}”在文件第 {lines} 行出现且内容不同，无法判断以哪一行为准，均未导入；"
                             "请删去多余的行后重新导入这件工单。") for r, _ in group]
        else:
            fresh.append(group[0][1])
            rejected += [(r, f"第 {r} 行：与第 {group[0][0]} 行是同一工单“{no}”且内容相同，只导入一次。")
                         for r, _ in group[1:]]
    return fresh, [msg for _, msg in sorted(rejected)]


def update_ticket(session: Session, ticket_no: str, *, user: str, settings: Any = None,
                  cases: dict[str, dict] | None = None, note: str | None = None,
                  **changes: Any) -> tuple[HotlineTicket, dict[str, tuple[Any, Any]]]:
    """Change fields of a stored ticket, checked as a new ticket is, and record the change.

    A new 案号 without a new 承办 links the ticket to that case's judge and division, as on entry;
    category or receipt time re-derive the due date. Returns the ticket and {field: (old, new)}."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"update_ticket: not updatable: {sorted(unknown)}")
    given = {k: v for k, v in changes.items() if v is not None}
    if not given:
        raise UserError(f"工单 {ticket_no} 没有给出要修改的内容：请至少写一项，如类别、来电人、案号或办理结果。")
    t = _stored(session, ticket_no)
    rules = load_rules("hotline", settings)
    row = {c.name: getattr(t, c.name) for c in HotlineTicket.__table__.columns}
    row["case_number"] = t.case_id
    row.update(given)
    if "case_number" in given and "assignee" not in given:  # the new case's judge answers, as on entry
        row["assignee"] = row["assignee_id"] = None
        row["division"] = given.get("division")
    try:
        values = _validate(row, rules, cases if "case_number" in given else None, where=f"工单 {ticket_no}")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    values["due_date"] = due_date(values["received_at"], values["category"], rules, work_calendar(settings))
    changed = audit.diff(t, values)
    if not changed:
        raise UserError(f"工单 {ticket_no} 的内容与所给的值相同，未作修改。")
    audit.apply(session, t, changed, register="hotline_ticket", key=ticket_no, action="update", user=user, note=note)
    return t, changed


def _stored(session: Session, ticket_no: str) -> HotlineTicket:
    t = _find(session, ticket_no)
    if t is None:
        raise UserError(f"工单“{ticket_no}”不存在，请从工单列表中核对工单编号。")
    return t


def respond(session: Session, ticket_no: str, responded_at: datetime, result: str, contacted: bool | None = None,
            satisfaction: int | None = None, settings: Any = None, user: str = SYSTEM) -> HotlineTicket:
    """Record the one response of a ticket. A second response is refused: it would overwrite the first
    and its rating; a wrong response is corrected with ``update_ticket``."""
    t = _stored(session, ticket_no)
    if t.responded_at is not None:
        raise UserError(f"工单 {ticket_no} 已于 {t.responded_at:%Y-%m-%d %H:%M} 登记回复，未重复登记；"
                        "如需更正回复，请修改该工单的回复时间和办理结果。")
    if responded_at < t.received_at:
        raise UserError(f"工单 {ticket_no} 的回复时间 {responded_at} 早于受理时间 {t.received_at}，请核对。")
    rules = load_rules("hotline", settings)
    lo, hi = rules["satisfaction"]["min_score"], rules["satisfaction"]["max_score"]
    if satisfaction is not None and not lo <= satisfaction <= hi:
        raise UserError(f"满意度 {satisfaction} 超出范围，请填 {lo}–{hi} 的整数。")
    was_rated = t.satisfaction is not None
    if was_rated and satisfaction not in (None, t.satisfaction):
        raise UserError(f"工单 {ticket_no} 已登记来电人满意度 {t.satisfaction}，未改为 {satisfaction}：评价是来电人作出的，"
                        "不能改写。")
    changed = audit.diff(t, {"responded_at": responded_at, "result": result, "contacted": contacted,
                             "satisfaction": t.satisfaction if was_rated else satisfaction})
    audit.apply(session, t, changed, register="hotline_ticket", key=ticket_no, action="respond", user=user)
    if satisfaction is not None and not was_rated:
        _rate(session, t, settings)
    session.flush()
    return t


def _rate(session: Session, t: HotlineTicket, settings: Any) -> None:
    """The caller's rating is a 一事一评 rating of the 12368 service: a low score opens 差评督办 too.
    Its number ``12368-<ticket>`` ties it to the ticket, so the rating register holds it once."""
    on = (t.responded_at or t.received_at).date()
    add_rating(session, court_code=t.court_code, item="12368", rated_on=on, rating_no=f"12368-{t.ticket_no}",
               score=t.satisfaction, settings=settings,
               window="12368热线", staff_id=t.assignee_id, staff_name=t.assignee, channel="12368", case_id=t.case_id,
               comment=f"工单 {t.ticket_no}")


def _period(session: Session, court_code: str | None, start: date, end: date) -> list[HotlineTicket]:
    q = select(HotlineTicket).where(
        HotlineTicket.received_at >= datetime.combine(start, time.min),
        HotlineTicket.received_at < datetime.combine(end + timedelta(days=1), time.min),
    )
    if court_code:
        q = q.where(HotlineTicket.court_code == court_code)
    return list(session.scalars(q.order_by(HotlineTicket.received_at)))


def on_time(t: HotlineTicket) -> bool:
    return t.responded_at is not None and t.responded_at.date() <= t.due_date


def hotline_stats(session: Session, court_code: str | None, start: date, end: date, settings: Any = None,
                  as_of: date | None = None) -> dict:
    """Figures for tickets received in [start, end]. A ticket counts towards the on-time rate once it is
    answered or its due date has passed by ``as_of`` (default: ``end``); tickets still within their limit
    are left out rather than counted as late."""
    rules = load_rules("hotline", settings)
    as_of = as_of or end
    ts = _period(session, court_code, start, end)
    judged = [t for t in ts if t.responded_at is not None or t.due_date < as_of]
    contact = [t for t in ts if t.category == "联系法官" and t.responded_at is not None]
    calls = Counter((t.caller_phone, t.case_id) for t in ts if t.caller_phone and t.case_id)
    threshold = rules["hotline"]["escalation"]["repeat_call_threshold"]
    complaints = [t for t in ts if t.category == "投诉举报"]
    rated = [t.satisfaction for t in ts if t.satisfaction is not None]
    sat_min = rules["satisfaction"]["satisfied_min_score"]
    return {
        "court_code": court_code, "start": start, "end": end,
        "tickets": len(ts),
        "by_category": dict(Counter(t.category for t in ts).most_common()),
        "by_division": dict(Counter(t.division or "未分派" for t in ts).most_common()),
        # a city's tickets per court and division: departments of the same name in two courts are two
        "by_court_division": [{"court_code": c, "division": d, "n": n} for (c, d), n in sorted(
            Counter((t.court_code, t.division or "未分派") for t in ts).items())],
        "responded": sum(1 for t in ts if t.responded_at is not None),
        "on_time": sum(1 for t in judged if on_time(t)),
        "on_time_rate": ratio(sum(1 for t in judged if on_time(t)), len(judged)),
        "overdue_open": sum(1 for t in ts if t.responded_at is None and t.due_date < as_of),
        "contact_judge": len(contact),
        "contact_judge_success_rate": ratio(sum(1 for t in contact if t.contacted), len(contact)),
        "repeat_callers": [
            {"caller_phone": p, "case_id": c, "calls": n} for (p, c), n in calls.most_common() if n >= threshold
        ],
        "complaint_hotspots": [
            {"division": d, "complaints": n} for d, n in Counter(t.division or "未分派" for t in complaints).most_common(5)
        ],
        "satisfaction_rate": ratio(sum(1 for s in rated if s >= sat_min), len(rated)),
    }


def overdue_tickets(session: Session, as_of: date, settings: Any = None) -> list[dict]:
    """Unanswered tickets on the 提醒→督办→约谈 ladder as of a day."""
    rules = load_rules("hotline", settings)
    esc = rules["hotline"]["escalation"]
    cal = work_calendar(settings)
    out = []
    q = select(HotlineTicket).where(HotlineTicket.responded_at.is_(None))
    for t in session.scalars(q.order_by(HotlineTicket.due_date)):
        if t.due_date < as_of:
            late = workdays_after(cal, t.due_date, as_of)
            level = "interview" if late >= esc["interview_workdays_after"] else "supervise"
            reason = f"12368 {t.category}工单逾期 {late} 个工作日未回复（应于 {t.due_date} 前回复）"
        elif workdays_after(cal, as_of, t.due_date) <= esc["remind_workdays_before"]:
            level = "remind"
            reason = f"12368 {t.category}工单将于 {t.due_date} 到期，尚未回复"
        else:
            continue
        out.append({"kind": "hotline_ticket", "ref": t.ticket_no, "level": level, "court_code": t.court_code,
                    "assignee": t.assignee or t.division or "未分派", "division": t.division, "due": t.due_date,
                    "reason": reason})
    return out
