"""审限监控: the alert ladder (提醒/督办/约谈/问责) with 签收/办结 and history, 长期未结 and 四项未结 ledgers,
and warnings for deadlines that rest on a calendar year not yet published (provisional)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import func, select

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.data import filter_rows
from zhixiao.web.deps import RowId, checked_user, client_ip, render, scope_label, scoped, user
from zhixiao.web.labels import procedure_name
from zhixiao.web.roles import Forbidden, Principal, alert_refusal, require
from zhixiao.web.tables import Column, table

router = APIRouter()
LEDGERS = {"due": "超审限与临近届满案件", "long": "长期未结台账", "four": "四项未结台账"}


def _alert_query(f: dict):
    from zhixiao.supervision.models import Alert

    q = select(Alert)
    if "court_code" in f:
        q = q.where(Alert.court_code == f["court_code"])
    if "division" in f:
        q = q.where(Alert.division == f["division"])
    if "judge_id" in f:
        q = q.where(Alert.judge_id == f["judge_id"])
    return q


def _in_scope(a, f: dict) -> bool:
    return all(getattr(a, k) == v for k, v in f.items())


@router.get("/supervision")
def supervision(request: Request, status: str | None = None, level: str | None = None,
                u: Principal = Depends(user)):
    from zhixiao.supervision.ledger import alert_row
    from zhixiao.supervision.models import STATUS_NAMES, Alert
    from zhixiao.supervision.rules import LEVEL_NAMES

    require(u, "supervision.view")
    f = scoped(request, u)
    q = _alert_query(f)
    if status in STATUS_NAMES:
        q = q.where(Alert.status == status)
    if level in LEVEL_NAMES:
        q = q.where(Alert.level == level)
    with request.app.state.Session() as s:
        alerts = [alert_row(a) for a in s.scalars(q.order_by(Alert.triggered_on.desc(), Alert.id).limit(300))]
        counts = _level_counts(s, f)
    led = request.app.state.hub.ledgers()
    long_rows, four_rows = filter_rows(led["long"], f), filter_rows(led["four"], f)
    tiers = {t: sum(1 for r in long_rows if r["tier"] == t) for t in led["tiers"]}
    return render(request, "supervision.html", title="审限监控", scope=scope_label(request, f), alerts=alerts,
                  counts=counts, level_names=LEVEL_NAMES, status_names=STATUS_NAMES, status=status, level=level,
                  as_of=led["as_of"], tiers=tiers, four=len(four_rows),
                  overdue=sum(1 for r in filter_rows(led["due"], f) if r["status"] == "超审限"),
                  near=sum(1 for r in filter_rows(led["due"], f) if r["status"] == "临近"),
                  provisional=filter_rows(led["provisional"], f))


def _level_counts(s, f: dict) -> dict:
    from zhixiao.supervision.models import Alert

    q = _alert_query(f).with_only_columns(Alert.level, func.count()).where(
        Alert.status.in_(("open", "acknowledged"))).group_by(Alert.level)
    return dict(s.execute(q).all())


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
    led = request.app.state.hub.ledgers()
    names = request.app.state.hub.roster()["courts"]
    rows = [{**r, "court_name": names.get(r.get("court_code"), r.get("court_code"))} for r in filter_rows(led[kind], f)]
    view = table(request, rows, ledger_columns(kind, FOUR_FLAGS), key="ledger")
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


def _act(request: Request, u: Principal, alert_id: int, action: str, note: str | None):
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
        row = ledger.alert_row(a)
    auth.record(request.app.state.Session, u.username, f"alert_{action}", f"alert/{alert_id}", note,
                client_ip(request))
    return render(request, "alert_row.html", a=row, level_names=LEVEL_NAMES, status_names=STATUS_NAMES)


@router.post("/supervision/alerts/{alert_id}/acknowledge")
def acknowledge(request: Request, alert_id: RowId, note: str = Form(""), u: Principal = Depends(checked_user)):
    return _act(request, u, alert_id, "acknowledge", note)


@router.post("/supervision/alerts/{alert_id}/resolve")
def resolve(request: Request, alert_id: RowId, note: str = Form(""), u: Principal = Depends(checked_user)):
    return _act(request, u, alert_id, "resolve", note)
