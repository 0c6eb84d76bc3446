"""Deadlines that rested on an unpublished holiday arrangement, recomputed once the court enters it.

Until the State Council's notice for a year is known, a deadline in that year is computed on weekends alone
and marked provisional. When ``zhixiao holidays set`` writes the year, the ledger's open items on such
deadlines get the deadline the new calendar gives (CPL 2023 art 85: a period whose last day is a 法定休假日
ends on the first day after it — REFERENCE §2.2), and their history says what changed, old → new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhixiao.deadlines import deadline_table, table_options
from zhixiao.domain.calendar import WorkCalendar
from zhixiao.engine import connect
from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import ACTIVE, CASE_FIELDS, SYSTEM, _case_detail, _now, calendar_for
from zhixiao.supervision.models import Alert, AlertEvent


@dataclass(frozen=True)
class Recomputed:
    alert_id: int
    case_id: str
    old: date
    new: date | None
    provisional: bool  # still provisional under the new calendar (another unknown year)


def _note(old: date, new: date | None, provisional: bool) -> str:
    tail = "（仍为暂定）" if provisional else ""
    if new == old:
        return f"节假日安排已录入：审限届满日 {old.isoformat()} 经核定不变，不再暂定{tail}"
    return f"节假日安排已录入，审限届满日重新计算：{old.isoformat()} → {new.isoformat() if new else '无'}{tail}"


def _rekey(session: Session, a: Alert, new: date | None) -> str:
    """A rule that fires once per deadline keys its item by the deadline (``rule|case|YYYY-MM-DD``): the
    item follows the recomputed date, so the next daily run finds it instead of opening a second one."""
    old = a.deadline.isoformat() if a.deadline else None
    if not old or new is None or not a.key.endswith(f"|{old}"):
        return a.key
    key = a.key[: -len(old)] + new.isoformat()
    taken = session.scalar(select(Alert.id).where(Alert.key == key, Alert.id != a.id))
    return a.key if taken else key


def recompute_provisional(settings: Any, as_of: date, *, calendar: WorkCalendar | None = None,
                          backend: str = "duckdb", engine: Any = None) -> list[Recomputed]:
    """Recompute the deadline of every active ledger item whose deadline was provisional, with the court's
    calendar as it now stands; update the item and note the change in its history. Returns what changed."""
    Session_ = session_factory(settings.ops_url)
    with Session_() as session:
        todo = session.scalars(select(Alert).where(Alert.provisional.is_(True), Alert.status.in_(ACTIVE),
                                                   Alert.case_id.is_not(None))).all()
        if not todo:
            return []
        cal = calendar or calendar_for(settings)
        eng = engine or connect(settings.data_dir, backend, calendar=cal)
        table = deadline_table(eng, as_of, cal, **table_options(settings))
        ids = sorted({a.case_id for a in todo})
        rows = {r["case_id"]: r for r in table.filter(table.case_id.isin(ids)).select(*CASE_FIELDS)
                .to_pyarrow().to_pylist()}
        now: datetime = _now()
        out: list[Recomputed] = []
        for a in todo:
            row = rows.get(a.case_id)
            if row is None:  # the case left the store (a re-import without it): the daily run resolves it
                continue
            old, new, prov = a.deadline, row["deadline"], bool(row["provisional"])
            if new == old and prov:
                continue
            changed = session.execute(
                update(Alert).where(Alert.id == a.id, Alert.status.in_(ACTIVE), Alert.provisional.is_(True))
                .values(deadline=new, provisional=prov, key=_rekey(session, a, new), detail=_case_detail(row),
                        updated_at=now).returning(Alert.status)).scalar()
            if changed is None:  # handled by someone else meanwhile
                continue
            session.execute(AlertEvent.__table__.insert().values(
                alert_id=a.id, at=now, user=SYSTEM, action="deadline_recomputed", from_status=changed,
                to_status=changed, note=_note(old, new, prov)))
            out.append(Recomputed(a.id, a.case_id, old, new, prov))
        session.commit()
        return out
