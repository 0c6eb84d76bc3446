"""司法建议 register: gapless numbers per court and year, approval chain, sending, replies, overdue follow-up.

Numbers ("冀0123法建〔2026〕N号", 法释〔2023〕11号 requires 统一编号) come from a counter row that is
locked for the rest of the creating transaction — ``SELECT … FOR UPDATE`` on PostgreSQL,
``BEGIN IMMEDIATE`` on SQLite — and the suggestion row is inserted in that same transaction, so a
rolled-back creation releases its number and concurrent creations never collide or skip. A unique
constraint on (court_code, year, seq) backs this up.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from zhixiao.errors import UserError
from zhixiao.services import audit
from zhixiao.services.common import add_months, duplicate_key, load_rules, ratio
from zhixiao.services.models import Suggestion, SuggestionCounter, SuggestionStep

STATUS_NAMES = {"drafted": "起草", "reviewed": "已核稿", "signed": "已签发", "sent": "已发送", "replied": "已回复",
                "archived": "已归档", "withdrawn": "已撤回"}
REVIEW_ROLE = "部门负责人"
# What ``update_suggestion`` may change, and in which status: the text only while it is a draft (a change
# after 核稿 would go out without the signatures it carries), the reply's record once replied.
UPDATABLE = {"addressee": ("drafted",), "issue": ("drafted",), "proposal": ("drafted",),
             "source_case_id": ("drafted",), "reply_summary": ("replied", "archived"),
             "adopted": ("replied", "archived")}
LABELS = {"addressee": "主送单位", "issue": "发现的问题", "proposal": "建议内容", "source_case_id": "来源案号",
          "reply_summary": "回复要点", "adopted": "采纳"}


def _begin_locked(session: Session) -> None:
    """On SQLite take the database write lock before reading the counter (serialises creators)."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        if not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def _next_seq(session: Session, court_code: str, year: int) -> int:
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(SuggestionCounter).values(court_code=court_code, year=year, last_seq=0)
                    .on_conflict_do_nothing(index_elements=["court_code", "year"]))
    q = select(SuggestionCounter).where(SuggestionCounter.court_code == court_code, SuggestionCounter.year == year)
    if dialect == "postgresql":
        q = q.with_for_update()
    counter = session.execute(q.execution_options(populate_existing=True)).scalar_one()
    counter.last_seq += 1
    session.flush()
    return counter.last_seq


def format_number(court_code: str, year: int, seq: int, settings: Any = None) -> str:
    fmt = load_rules("hotline", settings)["suggestion"]["number_format"]
    return fmt.format(court=court_code, year=year, seq=seq)


def new_suggestion(session: Session, *, court_code: str, addressee: str, issue: str, drafted_by: str,
                   drafted_on: date, proposal: str | None = None, source_case_id: str | None = None,
                   settings: Any = None) -> Suggestion:
    """Draft a suggestion and give it the next number. Call on a fresh session and commit promptly:
    the counter stays locked until the transaction ends."""
    if not addressee.strip():
        raise UserError("司法建议必须写明主送单位。")
    if not issue.strip():
        raise UserError("司法建议必须写明发现的问题。")
    _begin_locked(session)
    year = drafted_on.year
    seq = _next_seq(session, court_code, year)
    number = format_number(court_code, year, seq, settings)
    stored = session.scalar(select(Suggestion).where(Suggestion.number == number))
    if stored is not None:  # the counter is behind the register (e.g. restored from an older backup)
        raise duplicate_key("司法建议登记簿", f"文号“{number}”", f"{stored.court_code}，起草于 {stored.drafted_on}，"
                            f"编号计数器落后于登记簿，请管理员核对 svc_suggestion_counter", f"司法建议 {number}", number)
    s = Suggestion(court_code=court_code, year=year, seq=seq, number=number,
                   source_case_id=source_case_id, addressee=addressee.strip(), issue=issue.strip(), proposal=proposal,
                   status="drafted", drafted_by=drafted_by, drafted_on=drafted_on)
    s.steps.append(SuggestionStep(step="draft", actor=drafted_by, role="承办人", acted_on=drafted_on))
    session.add(s)
    session.flush()
    return s


def get(session: Session, number_or_id: str | int) -> Suggestion:
    q = select(Suggestion).options(selectinload(Suggestion.steps))
    if isinstance(number_or_id, int) or str(number_or_id).isdigit():
        s = session.scalar(q.where(Suggestion.id == int(number_or_id)))
    else:
        s = session.scalar(q.where(Suggestion.number == str(number_or_id).strip()))
    if s is None:
        raise UserError(f"司法建议“{number_or_id}”不存在，请从司法建议登记簿中核对文号。")
    return s


def update_suggestion(session: Session, number: str, *, user: str, note: str | None = None,
                      **changes: Any) -> tuple[Suggestion, dict[str, tuple[Any, Any]]]:
    """Change a suggestion's text while it is a draft, or the record of its reply once replied; audited."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"update_suggestion: not updatable: {sorted(unknown)}")
    s = get(session, number)
    given = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items() if v is not None}
    if not given:
        raise UserError(f"{s.number} 没有给出要修改的内容：请至少写一项，如主送单位、发现的问题或建议内容。")
    for k in given:
        if s.status not in UPDATABLE[k]:
            allowed = "、".join(STATUS_NAMES[x] for x in UPDATABLE[k])
            raise UserError(f"{s.number} 当前状态为“{STATUS_NAMES[s.status]}”，{LABELS[k]}只能在“{allowed}”时修改"
                            "（核稿、签发后正文不能再改，以免发出未经签发的内容）。")
    for k in ("addressee", "issue"):
        if k in given and not given[k]:
            raise UserError(f"司法建议的{LABELS[k]}不能为空。")
    changed = audit.diff(s, given)
    if not changed:
        raise UserError(f"{s.number} 的内容与所给的值相同，未作修改。")
    audit.apply(session, s, changed, register="suggestion", key=s.number, action="update", user=user, note=note)
    return s, changed


def _last_step_date(s: Suggestion) -> date:
    return max(st.acted_on for st in s.steps)


def approve(session: Session, number: str, *, actor: str, role: str, on: date, opinion: str | None = None,
            settings: Any = None) -> Suggestion:
    """Record the next signature: 部门负责人 核稿 (drafted → reviewed), then 分管院领导/院长/审委会 签发."""
    s = get(session, number)
    sign_roles = load_rules("hotline", settings)["suggestion"]["sign_roles"]
    if on < _last_step_date(s):
        raise UserError(f"{s.number} 的审批日期 {on} 早于上一环节日期 {_last_step_date(s)}，请核对。")
    if s.status == "drafted":
        if role != REVIEW_ROLE:
            raise UserError(f"{s.number} 尚未核稿：下一步应由{REVIEW_ROLE}核稿，而不是“{role}”。")
        s.status = "reviewed"
        s.steps.append(SuggestionStep(step="review", actor=actor, role=role, acted_on=on, opinion=opinion))
    elif s.status == "reviewed":
        if role not in sign_roles:
            raise UserError(f"{s.number} 应由{'、'.join(sign_roles)}之一签发，“{role}”无签发权限。")
        s.status = "signed"
        s.steps.append(SuggestionStep(step="sign", actor=actor, role=role, acted_on=on, opinion=opinion))
    else:
        raise UserError(f"{s.number} 当前状态为“{STATUS_NAMES[s.status]}”，审批已完成，无需再审批。")
    session.flush()
    return s


def send(session: Session, number: str, sent_on: date, settings: Any = None) -> Suggestion:
    """Send a signed suggestion; the reply is due after the configured months (default 2, unconfirmed [M])."""
    s = get(session, number)
    if s.status != "signed":
        raise UserError(f"{s.number} 当前状态为“{STATUS_NAMES[s.status]}”，须经签发后才能发送。")
    if sent_on < _last_step_date(s):
        raise UserError(f"{s.number} 的发送日期 {sent_on} 早于签发日期 {_last_step_date(s)}，请核对。")
    months = load_rules("hotline", settings)["suggestion"]["reply_months"]
    s.sent_on, s.reply_due, s.status = sent_on, add_months(sent_on, months), "sent"
    session.flush()
    return s


def record_reply(session: Session, number: str, reply_on: date, adopted: bool, summary: str | None = None) -> Suggestion:
    s = get(session, number)
    if s.sent_on is None:
        raise UserError(f"{s.number} 尚未发送，不能登记回复；请先登记发送。")
    if reply_on < s.sent_on:
        raise UserError(f"{s.number} 的回复日期 {reply_on} 早于发出日期 {s.sent_on}，请核对回复日期。")
    if s.status not in ("sent", "replied"):
        raise UserError(f"{s.number} 当前状态为“{STATUS_NAMES[s.status]}”，不能登记回复。")
    s.reply_on, s.adopted, s.reply_summary, s.status = reply_on, adopted, summary, "replied"
    session.flush()
    return s


def archive(session: Session, number: str, on: date) -> Suggestion:
    s = get(session, number)
    if s.status != "replied":
        raise UserError(f"{s.number} 当前状态为“{STATUS_NAMES[s.status]}”，收到回复后才能归档。")
    if on < s.reply_on:
        raise UserError(f"{s.number} 的归档日期 {on} 早于回复日期 {s.reply_on}，请核对。")
    s.archived_on, s.status = on, "archived"
    session.flush()
    return s


def list_suggestions(session: Session, court_code: str | None = None, year: int | None = None) -> list[Suggestion]:
    q = select(Suggestion).options(selectinload(Suggestion.steps))
    if court_code:
        q = q.where(Suggestion.court_code == court_code)
    if year:
        q = q.where(Suggestion.year == year)
    return list(session.scalars(q.order_by(Suggestion.court_code, Suggestion.year, Suggestion.seq)))


def is_overdue(s: Suggestion, as_of: date) -> bool:
    """No reply by the due date (a late reply still counts as overdue for the period it was late in)."""
    if s.reply_due is None:
        return False
    return (s.reply_on if s.reply_on else as_of) > s.reply_due


def suggestion_stats(session: Session, court_code: str | None, start: date, end: date,
                     as_of: date | None = None) -> dict:
    """Issued (sent in the period), replied, adopted, overdue (no reply past due, or replied late)."""
    as_of = as_of or end
    ss = [s for s in list_suggestions(session, court_code) if s.sent_on and start <= s.sent_on <= end]
    replied = [s for s in ss if s.reply_on]
    return {
        "court_code": court_code, "start": start, "end": end,
        "drafted": sum(1 for s in list_suggestions(session, court_code) if start <= s.drafted_on <= end),
        "issued": len(ss),
        "replied": len(replied),
        "adopted": sum(1 for s in replied if s.adopted),
        "overdue": sum(1 for s in ss if is_overdue(s, as_of)),
        "reply_rate": ratio(len(replied), len(ss)),
        "adoption_rate": ratio(sum(1 for s in replied if s.adopted), len(replied)),
        "by_addressee": dict(Counter(s.addressee for s in ss).most_common()),
    }


def overdue_suggestions(session: Session, as_of: date, settings: Any = None) -> list[dict]:
    """Sent suggestions without a reply: 提醒 shortly before the due date, 督办 after, 约谈 well after."""
    rules = load_rules("hotline", settings)["suggestion"]
    out = []
    for s in list_suggestions(session):
        if s.status == "replied" and s.reply_on and add_months(s.reply_on, rules["archive_months"]) < as_of:
            out.append({"kind": "judicial_suggestion", "ref": s.number, "level": "remind", "court_code": s.court_code,
                        "assignee": s.drafted_by, "division": None, "due": add_months(s.reply_on, rules["archive_months"]),
                        "reason": f"司法建议 {s.number} 已于 {s.reply_on} 收到回复，超过{rules['archive_months']}个月未归档"})
            continue
        if s.status != "sent" or s.reply_due is None:
            continue
        days = (as_of - s.reply_due).days
        if days > 0:
            level = "interview" if days >= rules["interview_days_after"] else "supervise"
            reason = f"司法建议 {s.number} 致{s.addressee}，答复期限 {s.reply_due} 已过 {days} 天仍未回复，应催告、走访"
        elif -days <= rules["remind_days_before"]:
            level = "remind"
            reason = f"司法建议 {s.number} 致{s.addressee}，答复期限 {s.reply_due} 将至，尚未回复"
        else:
            continue
        out.append({"kind": "judicial_suggestion", "ref": s.number, "level": level, "court_code": s.court_code,
                    "assignee": s.drafted_by, "division": None, "due": s.reply_due, "reason": reason})
    return out
