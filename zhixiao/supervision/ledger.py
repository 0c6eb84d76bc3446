"""The supervision ledger: the idempotent daily job and the alert workflow (open → acknowledged → resolved,
or escalated), with a full history of who did what when.

Idempotency: every alert has a unique ``key`` (rule | subject | cycle) and is inserted with
ON CONFLICT DO NOTHING; status changes are conditional UPDATEs. So two runs — even at the same time —
create no duplicate alerts or duplicate history rows, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import ibis
from sqlalchemy import func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from zhixiao.deadlines import deadline_table, table_options
from zhixiao.domain.calendar import WorkCalendar, load_calendar
from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.store.ops import session_factory
from zhixiao.supervision.models import STATUS_NAMES, Alert, AlertEvent
from zhixiao.supervision.rules import LEVEL_NAMES, LEVELS, Ladder, Rule, case_filter, load_ladder

ACTIVE = ("open", "acknowledged")
SYSTEM = "system"
CASE_FIELDS = ("case_id", "court_code", "division", "judge_id", "judge_name", "category", "deadline",
               "provisional", "days_remaining", "elapsed_share", "pending_months", "status", "unconfirmed",
               "late_deducted_days")


@dataclass
class RunSummary:
    as_of: date
    cases_checked: int = 0
    matched: int = 0
    created: dict[str, int] = field(default_factory=dict)  # level → new alerts
    escalated: int = 0
    auto_resolved: int = 0
    provisional_cases: int = 0  # pending cases whose deadline rests on an unknown calendar year
    seconds: float = 0.0

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


@dataclass
class AlertFilter:
    level: str | None = None
    judge: str | None = None  # judge id or name
    status: str | None = None
    case_id: str | None = None
    division: str | None = None
    limit: int | None = None


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Alert)
    if dialect == "sqlite":
        return sqlite.insert(Alert)
    raise UserError(f"运营数据库类型 {dialect} 暂不支持督办台账，请使用 SQLite 或 PostgreSQL。")


def _assignee(ladder: Ladder, level: str, row: dict) -> tuple[str, str | None]:
    role = ladder.levels[level]["assignee"]
    ident = {"judge": row.get("judge_id"), "division_head": row.get("division")}.get(role, row.get("court_code"))
    return role, ident


def _case_detail(row: dict) -> str:
    parts = []
    if row.get("deadline"):
        parts.append(f"审限届满日 {row['deadline'].isoformat()}" + ("（暂定：所在年度节假日安排未知）" if row.get("provisional") else "")
                     + ("（审限依据未经一手文本核实）" if row.get("unconfirmed") else ""))
    if row.get("days_remaining") is not None:
        dr = row["days_remaining"]
        parts.append(f"剩余 {dr} 日" if dr >= 0 else f"已超审限 {-dr} 日")
    if row.get("late_deducted_days"):
        parts.append(f"审限届满后才开始的扣除期间 {row['late_deducted_days']} 日未予扣除")
    if row.get("pending_months"):
        parts.append(f"已未结 {row['pending_months']} 个月")
    return "；".join(parts)


def candidate_alerts(table: ibis.Table, ladder: Ladder) -> tuple[list[dict], int]:
    """Evaluate every case rule in one engine pass; per case keep the rules of the highest level hit.

    Returns (alert dicts, number of matched cases)."""
    rules = [r for r in ladder.rules if r.kind == "case"]
    if not rules:
        return [], 0
    flags = {f"r{i}": case_filter(table, r) for i, r in enumerate(rules)}
    any_hit = None
    for v in flags.values():
        any_hit = v if any_hit is None else any_hit | v
    hits = table.mutate(**flags).filter(any_hit).select(*CASE_FIELDS, *flags).to_pyarrow().to_pylist()
    out = []
    for row in hits:
        matched = [r for i, r in enumerate(rules) if row[f"r{i}"]]
        top = max(ladder.level_rank(r.level) for r in matched)
        for r in matched:
            if ladder.level_rank(r.level) == top:
                cycle = row["deadline"].isoformat() if r.cycle == "deadline" and row["deadline"] else "once"
                out.append({**{k: row[k] for k in CASE_FIELDS}, "rule": r, "key": f"{r.id}|{row['case_id']}|{cycle}"})
    return out, len(hits)


def _values(ladder: Ladder, cand: dict, as_of: date, cal: WorkCalendar, now: datetime) -> dict:
    r = cand["rule"]
    level = r.level
    role, ident = _assignee(ladder, level, cand)
    due = cal.add_workdays(as_of, int(ladder.levels[level]["response_days"]))
    return {
        "key": cand["key"][:255], "case_id": cand.get("case_id"), "subject": cand.get("subject") or cand["case_id"],
        "court_code": cand.get("court_code"), "division": cand.get("division"), "judge_id": cand.get("judge_id"),
        "judge_name": cand.get("judge_name"), "category": cand.get("category"), "level": level,
        "rule_id": r.id, "rule_name": r.name, "triggered_on": as_of, "due": due,
        "deadline": cand.get("deadline"), "provisional": bool(cand.get("provisional")),
        "detail": cand.get("detail") or _case_detail(cand), "assignee_role": role, "assignee_id": ident,
        "status": "open", "created_at": now, "updated_at": now,
    }


def _create(session: Session, rows: list[dict], now: datetime) -> list[tuple[int, str, str | None]]:
    """Insert-or-ignore; returns (id, level, case_id) of the alerts this call really created."""
    if not rows:
        return []
    created = []
    for i in range(0, len(rows), 500):
        stmt = _insert(session).values(rows[i:i + 500]).on_conflict_do_nothing(index_elements=["key"])
        stmt = stmt.returning(Alert.id, Alert.level, Alert.case_id)
        created += [tuple(x) for x in session.execute(stmt).all()]
    if not created:
        return []
    session.execute(AlertEvent.__table__.insert(), [
        {"alert_id": aid, "at": now, "user": SYSTEM, "action": "created", "from_status": None,
         "to_status": "open", "note": f"每日审限巡查生成（{LEVEL_NAMES[lv]}）"}
        for aid, lv, _ in created
    ])
    return created


def _set_status(session: Session, ids: list[int], to: str, user: str, note: str | None, action: str,
                now: datetime, only_from: tuple[str, ...] = ACTIVE) -> list[int]:
    """Conditional status change: only rows still in ``only_from`` change (safe under concurrency)."""
    changed: list[tuple[int, str]] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        before = dict(session.execute(select(Alert.id, Alert.status).where(Alert.id.in_(chunk))).all())
        res = session.execute(
            update(Alert).where(Alert.id.in_(chunk), Alert.status.in_(only_from))
            .values(status=to, updated_at=now).returning(Alert.id)
        )
        changed += [(aid, before.get(aid)) for (aid,) in res.all()]
    if changed:
        session.execute(AlertEvent.__table__.insert(), [
            {"alert_id": aid, "at": now, "user": user, "action": action, "from_status": frm, "to_status": to,
             "note": note} for aid, frm in changed
        ])
    return [aid for aid, _ in changed]


def _escalate(session: Session, created: list[tuple[int, str, str | None]], now: datetime) -> int:
    """A new alert at a higher level closes the case's lower, still-active alerts as 'escalated'."""
    n = 0
    for level in LEVELS[1:]:
        cases = sorted({c for _, lv, c in created if lv == level and c})
        lower = list(LEVELS[: LEVELS.index(level)])
        for i in range(0, len(cases), 500):
            ids = session.scalars(select(Alert.id).where(
                Alert.case_id.in_(cases[i:i + 500]), Alert.level.in_(lower), Alert.status.in_(ACTIVE))).all()
            n += len(_set_status(session, list(ids), "escalated", SYSTEM, f"已升级为{LEVEL_NAMES[level]}",
                                 "escalated", now))
    return n


def _judge_alerts(session: Session, ladder: Ladder, as_of: date) -> list[dict]:
    out = []
    month = as_of.strftime("%Y-%m")
    start = as_of.replace(day=1)
    for r in (x for x in ladder.rules if x.kind == "judge_supervise_count"):
        threshold = int(r.params.get("threshold", 3))
        q = (select(Alert.judge_id, func.max(Alert.judge_name), func.max(Alert.division), func.max(Alert.court_code),
                    func.count())
             .where(Alert.level == "supervise", Alert.triggered_on >= start, Alert.triggered_on <= as_of,
                    Alert.judge_id.is_not(None))
             .group_by(Alert.judge_id).having(func.count() >= threshold))
        for judge_id, name, division, court, n in session.execute(q).all():
            out.append({"rule": r, "key": f"{r.id}|judge:{judge_id}|{month}", "subject": f"judge:{judge_id}",
                        "case_id": None, "judge_id": judge_id, "judge_name": name, "division": division,
                        "court_code": court, "detail": f"{month} 月内督办 {n} 次"})
    return out


def _after_interview(session: Session, ladder: Ladder, table: ibis.Table, as_of: date) -> list[dict]:
    out = []
    for r in (x for x in ladder.rules if x.kind == "after_interview"):
        days = int(r.params.get("days", 30))
        src = r.params.get("after_rule", "interview_overdue")
        rows = session.execute(select(Alert.case_id, func.min(Alert.triggered_on)).where(
            Alert.rule_id == src, Alert.case_id.is_not(None)).group_by(Alert.case_id)).all()
        due_cases = {c: t for c, t in rows if (as_of - t).days >= days}
        if not due_cases:
            continue
        ids = sorted(due_cases)
        for i in range(0, len(ids), 1000):
            chunk = ids[i:i + 1000]
            sel = table.filter(table.case_id.isin(chunk) & table.pending & (table.days_remaining < 0))
            for row in sel.select(*CASE_FIELDS).to_pyarrow().to_pylist():
                first = due_cases[row["case_id"]]
                out.append({**row, "rule": r, "key": f"{r.id}|{row['case_id']}|{first.isoformat()}",
                            "detail": f"{first.isoformat()} 约谈后 {days} 日仍超审限未结；" + _case_detail(row)})
    return out


def item_alerts(items: Sequence[dict]) -> list[dict]:
    """Overdue items of other modules as ladder candidates, one per (kind, ref, level).

    An item is ``{kind, ref, level, court_code, assignee, division, due, reason}`` (the daily job passes
    the services' overdue 12368 tickets, 差评督办 and 司法建议); supervision itself imports no other module."""
    out = []
    for it in items:
        level = it.get("level") if it.get("level") in LEVELS else "remind"
        rule = Rule(id=f"service_{it['kind']}", level=level, name=str(it.get("reason") or it["kind"]))
        out.append({"rule": rule, "key": f"svc|{it['kind']}|{it['ref']}|{level}", "subject": f"{it['kind']}:{it['ref']}",
                    "case_id": None, "court_code": it.get("court_code"), "judge_id": None,
                    "judge_name": it.get("assignee"), "division": it.get("division"),
                    "detail": f"{it.get('reason', '')}；应办结日 {it.get('due')}"})
    return out


def _auto_resolve(session: Session, table: ibis.Table, now: datetime) -> int:
    open_cases = sorted(set(session.scalars(select(Alert.case_id).where(
        Alert.status.in_(ACTIVE), Alert.case_id.is_not(None))).all()))
    closed: list[str] = []
    for i in range(0, len(open_cases), 1000):
        chunk = open_cases[i:i + 1000]
        closed += table.filter(table.case_id.isin(chunk) & ~table.pending).case_id.to_pyarrow().to_pylist()
    n = 0
    for i in range(0, len(closed), 500):
        ids = session.scalars(select(Alert.id).where(Alert.case_id.in_(closed[i:i + 500]),
                                                     Alert.status.in_(ACTIVE))).all()
        n += len(_set_status(session, list(ids), "resolved", SYSTEM, "案件已结，自动办结", "auto_resolved", now))
    return n


def materialize(engine: Any, expr: ibis.Table, name: str) -> ibis.Table:
    """Compute once into a temporary table so the rule queries that follow read the result."""
    if engine.backend == "spark":
        con = engine.con  # ibis 12 (pinned) has no public cached temp view for PySpark; same steps as its create_table
        con._run_pre_execute_hooks(expr)  # registers the memtables (calendar, limits)
        df = con._session.sql(con.compile(expr)).cache()
        df.createOrReplaceTempView(name)
        return con.table(name)
    # a fresh name: ibis 12's overwrite=True emits SQL duckdb 2.0 rejects
    return engine.con.create_table(f"{name}_{uuid.uuid4().hex[:8]}", expr, temp=True)


def run_daily(settings: Any, as_of: date, *, backend: str = "duckdb", engine: Any = None,
              ladder: Ladder | None = None, calendar: WorkCalendar | None = None,
              progress: Any = None, items: Sequence[dict] = ()) -> RunSummary:
    """The daily 审限 sweep: compute deadlines over the store, apply the ladder, write the ledger.

    ``items``: other modules' overdue items put on the same ladder (see ``item_alerts``); ``zhixiao.daily``
    passes the services' ones."""
    t0 = time.perf_counter()
    cal = calendar or calendar_for(settings)
    ladder = ladder or load_ladder(settings)
    eng = engine or connect(settings.data_dir, backend)
    table = materialize(eng, deadline_table(eng, as_of, cal, **table_options(settings, ladder)), "sup_deadlines")
    summary = RunSummary(as_of=as_of)
    stats = table.aggregate(
        n=table.count(), prov=(table.pending & table.provisional).sum()
    ).to_pyarrow().to_pylist()[0]
    summary.cases_checked, summary.provisional_cases = int(stats["n"]), int(stats["prov"] or 0)
    if progress:
        progress("计算审限与规则")
    cands, summary.matched = candidate_alerts(table, ladder)
    now = _now()
    Session_ = session_factory(settings.ops_url)
    with Session_() as session, session.begin():
        _serialize_daily_job(session)
        created = _create(session, [_values(ladder, c, as_of, cal, now) for c in cands], now)
        created += _create(session, [_values(ladder, c, as_of, cal, now)
                                     for c in _after_interview(session, ladder, table, as_of)], now)
        created += _create(session, [_values(ladder, c, as_of, cal, now)
                                     for c in _judge_alerts(session, ladder, as_of)], now)
        created += _create(session, [_values(ladder, c, as_of, cal, now)
                                     for c in item_alerts(items)], now)
        summary.escalated = _escalate(session, created, now)
        if ladder.ledger.get("auto_resolve_closed", True):
            summary.auto_resolved = _auto_resolve(session, table, now)
    summary.created = dict(Counter(lv for _, lv, _ in created))
    summary.seconds = time.perf_counter() - t0
    return summary


DAILY_JOB_LOCK = 73_680_001  # any constant shared by every run of the job against one database


def _serialize_daily_job(session: Session) -> None:
    """Two daily jobs at once run one after the other: the second then sees the first's alerts and adds none.

    Insert-or-ignore alone keeps keys unique, but the follow-up rules (judge totals, after-interview) read
    the ledger, and under READ COMMITTED two overlapping runs would each miss the other's uncommitted rows.
    PostgreSQL: a transaction-scoped advisory lock. SQLite already serialises writers (busy_timeout waits).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": DAILY_JOB_LOCK})


def calendar_for(settings: Any) -> WorkCalendar:
    """The court's calendar from settings; a missing or broken override file is a UserError."""
    try:
        return load_calendar(settings)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:
        raise UserError(f"日历覆盖文件 {settings.calendar_overrides} 有误：{exc}") from None


_calendar = calendar_for  # used by zhixiao.web.data


# ── the workflow ────────────────────────────────────────────────────────────────────────────────────────

def list_alerts(session: Session, filters: AlertFilter | dict | None = None) -> list[Alert]:
    f = filters if isinstance(filters, AlertFilter) else AlertFilter(**(filters or {}))
    q = select(Alert)
    if f.level:
        if f.level not in LEVELS:
            raise UserError(f"级别“{f.level}”无效，应为 {'、'.join(LEVELS)} 之一。")
        q = q.where(Alert.level == f.level)
    if f.status:
        if f.status not in STATUS_NAMES:
            raise UserError(f"状态“{f.status}”无效，应为 {'、'.join(STATUS_NAMES)} 之一。")
        q = q.where(Alert.status == f.status)
    if f.judge:
        q = q.where((Alert.judge_id == f.judge) | (Alert.judge_name == f.judge))
    if f.case_id:
        q = q.where(Alert.case_id == f.case_id)
    if f.division:
        q = q.where(Alert.division == f.division)
    q = q.order_by(Alert.triggered_on.desc(), Alert.id)
    if f.limit:
        q = q.limit(f.limit)
    return list(session.scalars(q).all())


def _get(session: Session, alert_id: int) -> Alert:
    a = session.get(Alert, alert_id)
    if a is None:
        raise UserError(f"督办事项编号 {alert_id} 不存在，请先查看督办事项列表核对编号。")
    return a


def _transition(session: Session, alert_id: int, to: str, user: str, note: str | None, allowed: tuple[str, ...],
                actor_judge_id: str | None) -> Alert:
    if not user or not user.strip():
        raise UserError("签收或办结督办事项必须指明操作人。")
    a = _get(session, alert_id)
    if actor_judge_id and a.judge_id == actor_judge_id:
        # separation of duties: the 承办法官 answers an item about his own case, he does not close it
        raise UserError(f"督办事项 {alert_id} 涉及您本人承办的案件，不能由本人签收或办结；请由庭长、审管办或院领导处理。")
    if a.status not in allowed:
        raise UserError(f"督办事项 {alert_id} 当前状态为“{STATUS_NAMES[a.status]}”，不能改为“{STATUS_NAMES[to]}”。")
    now = _now()
    action = {"acknowledged": "acknowledged", "resolved": "resolved"}[to]
    if not _set_status(session, [alert_id], to, user.strip(), note, action, now, only_from=allowed):
        raise UserError(f"督办事项 {alert_id} 刚被他人处理，请刷新后重试。")
    session.commit()
    session.refresh(a)
    return a


def acknowledge(session: Session, alert_id: int, user: str, note: str | None = None, *,
                actor_judge_id: str | None = None) -> Alert:
    """签收: open → acknowledged; never by the judge whose case it is (``actor_judge_id``)."""
    return _transition(session, alert_id, "acknowledged", user, note, ("open",), actor_judge_id)


def resolve(session: Session, alert_id: int, user: str, note: str, *, actor_judge_id: str | None = None) -> Alert:
    """办结: open/acknowledged → resolved; a note saying what was done is required; never by the judge
    whose case it is."""
    if not note or not note.strip():
        raise UserError("办结督办事项必须写明处理情况。")
    return _transition(session, alert_id, "resolved", user, note, ACTIVE, actor_judge_id)


def history(session: Session, alert_id: int) -> list[AlertEvent]:
    _get(session, alert_id)
    return list(session.scalars(select(AlertEvent).where(AlertEvent.alert_id == alert_id)
                                .order_by(AlertEvent.at, AlertEvent.id)).all())


def alert_row(a: Alert) -> dict:
    """A plain dict for CLI/web output (glossary keys; Chinese level and status names added)."""
    return {
        "id": a.id, "case_id": a.case_id or a.subject, "level": a.level, "level_name": LEVEL_NAMES.get(a.level, a.level),
        "rule_id": a.rule_id, "rule_name": a.rule_name, "triggered_on": a.triggered_on, "due": a.due,
        "deadline": a.deadline, "provisional": a.provisional, "judge_id": a.judge_id, "judge_name": a.judge_name,
        "division": a.division, "assignee_role": a.assignee_role, "assignee_id": a.assignee_id,
        "status": a.status, "status_name": STATUS_NAMES.get(a.status, a.status), "detail": a.detail,
    }
