"""The change history of stored service records: every update verb writes one ``ServiceChange`` row.

Registers refuse a key they already hold, so a stored record changes only through a verb that names
the user; this module computes what that verb changed and keeps it, field by field.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhixiao.errors import UserError
from zhixiao.services.models import ServiceChange

ACTION_NAMES = {"update": "修改", "respond": "登记回复"}


def _plain(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat(sep=" ") if isinstance(v, datetime) else v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def diff(record: Any, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (stored, new)} for the fields of ``values`` that differ from ``record``'s."""
    return {k: (getattr(record, k), v) for k, v in values.items() if getattr(record, k) != v}


def apply(session: Session, record: Any, changes: dict[str, tuple[Any, Any]], *, register: str, key: str,
          action: str, user: str, note: str | None = None) -> ServiceChange:
    """Set the new values on ``record`` and write the history row in the same transaction."""
    if not (user or "").strip():
        raise UserError("请写明操作人：修改记录须留痕。")
    for k, (_old, new) in changes.items():
        setattr(record, k, new)
    row = ServiceChange(register=register, record_key=key, at=datetime.now().replace(microsecond=0),
                        user=user.strip(), action=action, note=note,
                        changes=json.dumps({k: [_plain(o), _plain(n)] for k, (o, n) in changes.items()},
                                           ensure_ascii=False))
    session.add(row)
    session.flush()
    return row


def history(session: Session, register: str, key: str) -> list[ServiceChange]:
    q = select(ServiceChange).where(ServiceChange.register == register, ServiceChange.record_key == key)
    return list(session.scalars(q.order_by(ServiceChange.id)))


def describe(change: ServiceChange, labels: dict[str, str]) -> str:
    """“类别：诉讼咨询 → 联系法官；…” with the register's Chinese field names."""
    parts = []
    for k, (old, new) in json.loads(change.changes).items():
        parts.append(f"{labels.get(k, k)}：{'（空）' if old is None else old} → {'（空）' if new is None else new}")
    return "；".join(parts)


def history_rows(session: Session, register: str, key: str, labels: dict[str, str]) -> list[dict]:
    """A record's changes, oldest first, as rows for display: {at, user, action, changes, note}."""
    return [{"at": c.at, "user": c.user, "action": ACTION_NAMES.get(c.action, c.action),
             "changes": describe(c, labels), "note": c.note} for c in history(session, register, key)]
