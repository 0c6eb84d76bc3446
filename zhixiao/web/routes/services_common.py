"""What the litigation-service pages share: who may see which record, the court a new record belongs to,
case look-ups for linking, form parsing and the web audit line every change leaves.

The registers' rules live in ``zhixiao.services``; these pages call the same functions as the CLI, so a
change made here is checked and recorded (``svc_change``) exactly as one made with ``zhixiao hotline …``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from zhixiao.config import Settings
from zhixiao.domain.courts import court_name
from zhixiao.errors import UserError
from zhixiao.services.importers import parse_datetime
from zhixiao.web import auth
from zhixiao.web.data import SNAPSHOT, records
from zhixiao.web.deps import client_ip, parse_day, scoped
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.tables import Column, TableView, table


def scope(request: Request, u: Principal) -> dict:
    """The user's own scope as filters (court_code, division, judge_id); {} for the city-wide roles."""
    require(u, "services.view")
    return scoped(request, u)


def stored_deadlines(st: Settings, engine: Any, as_of: date) -> Any:
    """The snapshot's stored 审限 table at ``as_of`` (``aggregates.deadlines``, the one ``DataHub.ledgers`` reads
    and precompute writes at the data's as-of date), for the services' ledgers and assessment: computing the
    table again per page is what made their first view slow."""
    from zhixiao.aggregates import deadlines
    from zhixiao.deadlines import table_options
    from zhixiao.domain.calendar import load_calendar
    from zhixiao.supervision.rules import load_ladder

    try:
        cal = load_calendar(st)
    except (FileNotFoundError, ValueError) as exc:
        raise UserError(f"节假日覆盖文件有误：{exc}（请在“管理 → 节假日覆盖”中修正）") from None
    return deadlines(engine, engine.cache[SNAPSHOT], as_of, cal, table_options(st, load_ladder(st)))


def courts(request: Request, u: Principal) -> dict[str, str]:
    """Courts the user may enter records for: every court in the data for city-wide roles, else their own."""
    known = request.app.state.hub.roster()["courts"]
    if u.scope == "all":
        return known
    return {u.court_code: known.get(u.court_code, u.court_code)} if u.court_code else {}


def court_for_new(request: Request, u: Principal, court: str) -> str:
    choices = courts(request, u)
    code = (court or "").strip() or (next(iter(choices)) if len(choices) == 1 else "")
    if not code:
        raise UserError("请选择登记事项所属的法院。")
    if code not in choices:
        raise Forbidden(f"不能为法院“{code}”登记事项：请从列表中选择您所属范围内的法院。")
    return code


def case_rows(request: Request, ids: Iterable[str | None]) -> dict[str, dict]:
    """{case_id: {court_code, division, judge_id, judge_name}} for the given cases (one store query)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}

    def run(e):
        t = e.cases
        q = t.filter(t.case_id.isin(wanted)).select("case_id", "court_code", "division", "judge_id", "judge_name")
        return records(q.execute())
    return {r["case_id"]: r for r in request.app.state.hub.run(run)}


def within(f: dict, court: str | None, division: str | None = None, judge: str | None = None) -> bool:
    """Whether a record (its court, division and judge) lies inside the scope filters ``f``."""
    if f.get("court_code") and court != f["court_code"]:
        return False
    if f.get("judge_id"):
        return judge == f["judge_id"]
    return not f.get("division") or division == f["division"]


def guard(f: dict, court: str | None, division: str | None = None, judge: str | None = None) -> None:
    if not within(f, court, division, judge):
        raise Forbidden("该事项不在您的查看范围内（法官只能处理本人的事项，庭长只能处理本庭的事项）。")


def when(text: str | None, what: str, default_now: bool = False) -> datetime | None:
    if not (text or "").strip():
        return datetime.now().replace(second=0, microsecond=0) if default_now else None
    try:
        return parse_datetime(text)
    except ValueError:
        raise UserError(f"{what}“{text[:40]}”不是有效时间，请写成 2026-03-02 09:15。") from None


def day(text: str | None, what: str, default_today: bool = False) -> date | None:
    return parse_day(text, what) or (date.today() if default_today else None)


def optional(text: str | None) -> str | None:
    return (text or "").strip() or None


def enter(request: Request, u: Principal, permission: str, court: str, action: str,
          store: Callable[[Session, str], tuple[str, str | None]]) -> str:
    """A new register entry from a form: the permission, the court it is entered for, ``store(session, court)``
    in one transaction (it returns the entry's key and the audit line's detail), the web audit line.
    Returns the key."""
    require(u, permission)
    code = court_for_new(request, u, court)
    with request.app.state.Session() as s, s.begin():
        key, detail = store(s, code)
    audited(request, u, action, key, detail)
    return key


def audited(request: Request, u: Principal, action: str, target: str, detail: str | None = None) -> None:
    """The web audit log line (管理 → 审计日志) next to the register's own change history."""
    auth.record(request.app.state.Session, u.username, action, target, detail, client_ip(request))


# ── tables: every list filtered, sorted, paged and exportable (web.tables), with the court's registry name ─────
COURT = Column("court_name", "法院")


def row(record: Any, **extra: Any) -> dict:
    """A stored record as a table row (its columns, the court's registry name, and ``extra``)."""
    out = {c.name: getattr(record, c.name) for c in record.__table__.columns}
    if "court_code" in out:
        out["court_name"] = court_name(out["court_code"]) or out["court_code"]
    return {**out, **extra}


def with_court(rows: list[dict]) -> list[dict]:
    return [{**r, "court_name": court_name(r.get("court_code")) or r.get("court_code")} for r in rows]


def listing(request: Request, rows: list[dict], columns: tuple[Column, ...], *, key: str, path: str,
            default_sort: str | None = None, desc: bool = False, prefix: str = "") -> TableView:
    """``tables.table`` whose links lead to the list's page (``path``) even when a form's POST rendered it."""
    view = table(request, rows, columns, key=key, default_sort=default_sort, default_desc=desc, prefix=prefix)
    return replace(view, path=path)
