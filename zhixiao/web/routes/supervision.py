"""审限监控: the alert ladder (提醒/督办/约谈/问责) with 签收/办结 and history, 长期未结 and 四项未结 ledgers,
and warnings for deadlines that rest on a calendar year not yet published (provisional)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import func, select

from zhixiao.errors import UserError
from zhixiao.web import alert_cases, auth
from zhixiao.web.deps import RowId, checked_user, client_ip, render, scope_label, scoped, user
from zhixiao.web.labels import procedure_name
from zhixiao.web.roles import Forbidden, Principal, alert_refusal, require
from zhixiao.web.tables import Column, table

router = APIRouter()
LEDGERS = {"due": "超审限与临近届满案件", "long": "长期未结台账", "four": "四项未结台账"}


def _alert_query(f: dict, *, rows: bool = False):
    """The items of scope ``f``: ORM objects, or (``rows``) plain rows of the same columns — reading a city's
    10⁵ items as rows skips building an object each (timings in docs/NOTES.md)."""
    from zhixiao.supervision.models import Alert

    q = select(Alert.__table__) if rows else select(Alert)
    if "court_code" in f:
        q = q.where(Alert.court_code == f["court_code"])
    if "division" in f:
        q = q.where(Alert.division == f["division"])
    if "judge_id" in f:
        q = q.where(Alert.judge_id == f["judge_id"])
    return q


def _in_scope(a, f: dict) -> bool:
    return all(getattr(a, k) == v for k, v in f.items())


def _items(s, f: dict, status: str | None = None, case: tuple[str | None, str] | None = None) -> list[dict]:
    """Every item in scope (optionally of one status, or of one case) as plain rows with their court."""
    from zhixiao.supervision.ledger import alert_row
    from zhixiao.supervision.models import STATUS_NAMES, Alert

    q = _alert_query(f, rows=True)
    if status in STATUS_NAMES:
        q = q.where(Alert.status == status)
    if case is not None:
        q = q.where(Alert.court_code == case[0], Alert.case_id == case[1])
    return [{**alert_row(a), "court_code": a.court_code} for a in s.execute(q.order_by(Alert.id))]


def _alert_version(s) -> tuple:
    """Changes whenever an item is added, removed or changes status (every change writes an event)."""
    from zhixiao.supervision.models import Alert, AlertEvent

    return (*s.execute(select(func.max(Alert.id), func.count(Alert.id))).one(),
            s.scalar(select(func.max(AlertEvent.id))))


def _cache(app) -> alert_cases.ItemCache:
    cache = getattr(app.state, "alert_items", None)
    if cache is None:
        cache = app.state.alert_items = alert_cases.ItemCache()
    return cache


def _scope_rows(app, s, f: dict, status: str | None, by_case: bool) -> tuple[dict[str, int], list[dict]]:
    """(cases per highest level, the rows shown for ``status`` one per case or per item), grouped and counted
    once per alert-table version and court names (the grouping of 10⁵ items is the page's dearest part)."""
    from zhixiao.supervision.models import STATUS_NAMES

    names = app.state.hub.roster()["courts"]
    status = status if status in STATUS_NAMES else None
    key = (tuple(sorted(f.items())), _alert_version(s), tuple(names.items()))
    cache = _cache(app)
    everything = cache.get(key[:2], lambda: _items(s, f))
    cases = cache.get((*key, "case", None), lambda: alert_cases.group(everything, names))
    counts = cache.get((*key, "counts"), lambda: alert_cases.level_counts(cases))
    if by_case and status is None:
        return counts, cases
    shown = cache.get((*key, by_case, status), lambda: alert_cases.group(
        [a for a in everything if status is None or a["status"] == status], names, by_case=by_case))
    return counts, shown


def warm(app) -> None:
    """The 审管办's first view of 审限监控 (every court, one row per case), made when the server starts rather
    than by the first visitor; later views are cached until an item changes."""
    with app.state.Session() as s:
        _scope_rows(app, s, {}, None, True)


@router.get("/supervision")
def supervision(request: Request, status: str | None = None, level: str | None = None, by: str = "case",
                u: Principal = Depends(user)):
    """督办事项, one row per case (``by=item``: one row per item) — filtered, sorted, paged, exportable."""
    from zhixiao.supervision.models import STATUS_NAMES
    from zhixiao.supervision.rules import LEVEL_NAMES

    require(u, "supervision.view")
    if by not in ("case", "item"):
        raise UserError("查看方式无效：请选择“按案件”或“按事项”。")
    f = scoped(request, u)
    with request.app.state.Session() as s:
        counts, rows = _scope_rows(request.app, s, f, status, by == "case")
    if level in LEVEL_NAMES:
        rows = [r for r in rows if r["level"] == level]
    view = table(request, rows, alert_cases.COLUMNS, key="alerts")
    if view.export:
        auth.record(request.app.state.Session, u.username, "export_table", f"supervision/{by} {sorted(f.items())}",
                    f"{view.matched} 件", client_ip(request))
        return view.export_response("督办事项_按案件" if by == "case" else "督办事项_按事项")
    led = request.app.state.hub.ledger_counts(f)
    return render(request, "supervision.html", title="审限监控", scope=scope_label(request, f), view=view, by=by,
                  counts=counts, level_names=LEVEL_NAMES, status_names=STATUS_NAMES, status=status, level=level,
                  as_of=led["as_of"], tiers=led["tiers"], four=led["four"], head_columns=alert_cases.HEAD_COLUMNS,
                  overdue=led["overdue"], near=led["near"], provisional=led["provisional"])


def _pct(v, _row) -> str:
    return "" if v is None else f"{v * 100:.0f}%"


def _deadline(v, row) -> str:
    return ("" if v is None else str(v)) + ("（暂定）" if row.get("provisional") else "")


def ledger_columns(kind: str, flags: dict) -> tuple[Column, ...]:
    """The columns of one ledger (法院 first: the ledgers are city-wide for 审管办)."""
    head = (Column("case_id", "案号"), Column("court_name", "法院"), Column("division", "部门"),
            Column("judge_name", "承办法官"))
    if kind == "due":
        return (*head, Column("procedure", "程序", text=lambda v, _r: procedure_name(v)),
                Column("filing_date", "立案日期"), Column("deadline", "审限届满", text=_deadline),
                Column("days_remaining", "剩余天数", numeric=True),
                Column("elapsed_share", "已用审限", numeric=True, text=_pct), Column("status", "状态"))
    tail = ((Column("tier", "档次", numeric=True, text=lambda v, _r: f"超{v}个月"),) if kind == "long" else
            tuple(Column(k, v, text=lambda x, _r: "✓" if x else "") for k, v in flags.items()))
    return (*head, Column("filing_date", "立案日期"), Column("pending_months", "未结月数", numeric=True),
            Column("deadline", "审限届满", text=_deadline), *tail)


@router.get("/supervision/ledger/{kind}")
def ledger(request: Request, kind: str, u: Principal = Depends(user)):
    from zhixiao.supervision.pending import FOUR_FLAGS

    require(u, "supervision.view")
    if kind not in LEDGERS:
        raise Forbidden("没有这个台账。")
    f = scoped(request, u)
    hub = request.app.state.hub
    led = hub.ledgers()
    view = table(request, hub.ledger_frame(kind, f), ledger_columns(kind, FOUR_FLAGS), key="ledger")
    auth.record(request.app.state.Session, u.username, "export_table" if view.export else "view_cases",
                f"ledger/{kind} {sorted(f.items())}", f"{view.matched} 件", client_ip(request))
    if (resp := view.export_response(f"{LEDGERS[kind]}_{led['as_of']}")) is not None:
        return resp
    return render(request, "ledger.html", title=LEDGERS[kind], kind=kind, scope=scope_label(request, f), view=view,
                  as_of=led["as_of"])


def _alert_for(request: Request, u: Principal, alert_id: int, s):
    from zhixiao.supervision.models import Alert

    a = s.get(Alert, alert_id)
    if a is None or not _in_scope(a, scoped(request, u)):
        raise Forbidden(f"督办事项 {alert_id} 不存在或不在您的管辖范围内。")
    return a


@router.get("/supervision/alerts/{alert_id}/history")
def alert_history(request: Request, alert_id: RowId, u: Principal = Depends(user)):
    from zhixiao.supervision.ledger import history
    from zhixiao.supervision.models import STATUS_NAMES

    require(u, "supervision.view")
    with request.app.state.Session() as s:
        _alert_for(request, u, alert_id, s)
        events = [{"at": ev.at, "user": ev.user, "action": ev.action, "from": STATUS_NAMES.get(ev.from_status or "", ""),
                   "to": STATUS_NAMES.get(ev.to_status, ev.to_status), "note": ev.note} for ev in history(s, alert_id)]
    return render(request, "alert_history.html", title="处理记录", alert_id=alert_id, events=events)


def _act(request: Request, u: Principal, alert_id: int, action: str, note: str | None, head: bool, by: str,
         status: str):
    """签收/办结 one item; the answer is its row again (with its case's cells when it heads its case's rows)."""
    from zhixiao.supervision import ledger
    from zhixiao.supervision.models import STATUS_NAMES
    from zhixiao.supervision.rules import LEVEL_NAMES

    require(u, "alert.act")
    with request.app.state.Session() as s:
        a = _alert_for(request, u, alert_id, s)
        refusal = alert_refusal(u, a.level, a.judge_id)
        if refusal:
            raise Forbidden(refusal)
        if action == "resolve" and not (note or "").strip():
            raise UserError("办结督办事项必须在“处理情况”中写明处理结果。")
        fn = ledger.acknowledge if action == "acknowledge" else ledger.resolve
        a = fn(s, alert_id, u.username, note or None, actor_judge_id=u.judge_id)
        row = {**ledger.alert_row(a), "court_code": a.court_code}
        items = _items(s, scoped(request, u), case=(a.court_code, a.case_id)) if head and by == "case" and a.case_id \
            else [row]
    auth.record(request.app.state.Session, u.username, f"alert_{action}", f"alert/{alert_id}", note,
                client_ip(request))
    shown = [x for x in items if x["id"] == alert_id or status not in STATUS_NAMES or x["status"] == status]
    c = alert_cases.group(shown, request.app.state.hub.roster()["courts"], by_case=by == "case")[0] if head else None
    return render(request, "alert_row.html", a=row, c=c, n=len(c["items"]) if c else 1, by=by, status=status,
                  level_names=LEVEL_NAMES, status_names=STATUS_NAMES)


@router.post("/supervision/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: RowId, note: str = Form(""), head: str = Form(""), by: str = Form("case"),
                status: str = Form(""), u: Principal = Depends(checked_user)):
    return _act(request, u, alert_id, "acknowledge", note, head == "1", by, status)


@router.post("/supervision/alerts/{alert_id}/resolve")
def resolve(request: Request, alert_id: RowId, note: str = Form(""), head: str = Form(""), by: str = Form("case"),
            status: str = Form(""), u: Principal = Depends(checked_user)):
    return _act(request, u, alert_id, "resolve", note, head == "1", by, status)
