"""督办事项 as the 审限监控 page lists them: one row per case with all its reasons and its highest level (a case
past its deadline and pending 12 months has two items at 约谈; a person wants to see the case once). The
per-item view (``by_case=False``) keeps every item as its own row — the ledger of items and their history."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from zhixiao.supervision.rules import LEVEL_NAMES, LEVELS
from zhixiao.web.tables import Column

ACTIVE = ("open", "acknowledged")
# the most pressing status of a case's items names the case's status
STATUS_ORDER = ("open", "acknowledged", "escalated", "resolved")


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def _item_order(a: dict) -> tuple:
    return (a["status"] not in ACTIVE, -_rank(a["level"]), str(a["triggered_on"]), a["id"])


def _status_rank(status: str) -> int:
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def case_row(items: list[dict], court_names: dict[str, str]) -> dict:
    """One case from its items (already in scope): highest level among the active items (all items when none
    is active), every reason, the earliest trigger and due date, the most pressing status."""
    items = sorted(items, key=_item_order)
    first = items[0]
    active = [a for a in items if a["status"] in ACTIVE] or items
    top = max(active, key=lambda a: _rank(a["level"]))
    dues = [a["due"] for a in active if a["due"] is not None]
    status = min((a["status"] for a in items), key=_status_rank)
    return {
        "key": f"{first['court_code'] or ''}|{first['case_id']}", "case_id": first["case_id"],
        "court_code": first["court_code"], "court_name": court_names.get(first["court_code"], first["court_code"]),
        "division": first["division"], "judge_id": first["judge_id"], "judge_name": first["judge_name"],
        "level": top["level"], "level_rank": _rank(top["level"]), "level_name": LEVEL_NAMES.get(top["level"], top["level"]),
        "reasons": "；".join(f"{a['level_name']}·{a['rule_name']}" for a in items),
        "triggered_on": min(a["triggered_on"] for a in items), "due": min(dues) if dues else None,
        "deadline": first["deadline"], "provisional": any(a["provisional"] for a in items),
        "status": status, "status_rank": _status_rank(status), "status_name": first["status_name"] if len(items) == 1
        else _status_summary(items), "items": items,
    }


def _status_summary(items: list[dict]) -> str:
    counts: dict[str, int] = {}
    for a in items:
        counts[a["status_name"]] = counts.get(a["status_name"], 0) + 1
    return "、".join(f"{k}{n}" for k, n in counts.items())


def group(items: list[dict], court_names: dict[str, str], *, by_case: bool = True) -> list[dict]:
    """Rows for the page, most urgent first: highest level, then the earliest due date."""
    groups: dict[str, list[dict]] = {}
    for a in items:
        k = f"{a['court_code'] or ''}|{a['case_id']}" if by_case else str(a["id"])
        groups.setdefault(k, []).append(a)
    rows = [case_row(g, court_names) for g in groups.values()]
    rows.sort(key=lambda r: (r["status_rank"] > 1, -r["level_rank"], str(r["due"] or "9999"), r["case_id"] or ""))
    return rows


def level_counts(rows: list[dict]) -> dict[str, int]:
    """Cases per highest level, counting only cases with an item still open or acknowledged."""
    out: dict[str, int] = {}
    for r in rows:
        if any(a["status"] in ACTIVE for a in r["items"]):
            out[r["level"]] = out.get(r["level"], 0) + 1
    return out


def _deadline(v, row) -> str:
    return ("" if v is None else str(v)) + ("（暂定）" if row.get("provisional") else "")


COLUMNS = (
    Column("case_id", "案号/事项"), Column("court_name", "法院"), Column("division", "部门"),
    Column("judge_name", "承办法官"),
    Column("level_rank", "最高级别", text=lambda _v, r: r["level_name"]),
    Column("deadline", "审限届满", text=_deadline), Column("reasons", "督办事由"),
    Column("triggered_on", "触发日"), Column("due", "办理期限"),
    Column("status_rank", "状态", text=lambda _v, r: r["status_name"]),
)
HEAD_COLUMNS = 6  # the case's own cells (rowspan over its items); the rest are per item


class ItemCache:
    """The items of a scope, kept until the alert tables change (the caller's key includes their version), so
    paging, sorting and filtering a large list does not reload it from the ops database on every click."""

    def __init__(self, size: int = 32) -> None:
        self._rows: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._loading: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """The kept value of ``key``, else ``load()``'s; askers of one key wait for one load (the server's start
        groups the city's items while the first visitor may already ask for them)."""
        with self._lock:
            if key in self._rows:
                self._rows.move_to_end(key)
                return self._rows[key]
            klock = self._loading.setdefault(key, threading.Lock())
        with klock:
            with self._lock:
                if key in self._rows:
                    return self._rows[key]
            rows = load()
            with self._lock:
                self._rows[key] = rows
                self._loading.pop(key, None)
                while len(self._rows) > self._size:
                    self._rows.popitem(last=False)
        return rows
