"""One entry point for the supervision ladder: every overdue service item as an alert dict.

The supervision module's 提醒→督办→约谈→问责 ledger reads these; each item is
``{kind, ref, level, court_code, assignee, due, reason}`` with level in remind|supervise|interview.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhixiao.services.hotline import overdue_tickets
from zhixiao.services.satisfaction import overdue_followups
from zhixiao.services.suggestions import overdue_suggestions

LEVEL_ORDER = {"remind": 0, "supervise": 1, "interview": 2, "hold_accountable": 3}


def overdue_items(session: Session, as_of: date, settings: Any = None) -> list[dict]:
    """Overdue 12368 tickets, open 差评督办 and unanswered 司法建议, most severe first."""
    items = overdue_tickets(session, as_of, settings) + overdue_followups(session, as_of, settings) \
        + overdue_suggestions(session, as_of, settings)
    return sorted(items, key=lambda i: (-LEVEL_ORDER[i["level"]], i["due"], i["ref"]))
