"""诉讼服务 pages, part three: 分案建议 (繁简分流 and team routing of a case in the store) and the quarterly
人员考核 — the same functions as ``zhixiao route`` and ``zhixiao assess``, shown with every reason."""

from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, Depends, Request

from zhixiao.errors import UserError
from zhixiao.services.assessment import PersonMetrics, assess, cut_note, measured_span, person_metrics
from zhixiao.services.common import load_rules, normalize_case_number, parse_quarter
from zhixiao.services.routing import route_case
from zhixiao.web.data import DataHub
from zhixiao.web.deps import render, user
from zhixiao.web.roles import Principal, require
from zhixiao.web.routes import services_common as sc
from zhixiao.web.tables import Column

router = APIRouter()
ASSESS_COLUMNS = (Column("person_id", "编号"), Column("name", "姓名"), Column("post", "岗位"), Column("division", "部门"),
                  Column("total", "得分", numeric=True), Column("max_total", "满分", numeric=True),
                  Column("reasons", "分项与理由", sortable=False))


@router.get("/services/routing")
def routing_page(request: Request, case: str = "", u: Principal = Depends(user)):
    require(u, "routing.view")
    f = sc.scope(request, u)
    decision = None
    if case.strip():
        cid = normalize_case_number(case)[0]
        owner = sc.case_rows(request, [cid]).get(cid)
        if owner is None:
            raise UserError(f"案号“{case[:40]}”在案件库中不存在，请核对案号或先导入该案件。")
        # a 庭长 routes within his court; the division filter does not apply to a case not yet assigned
        sc.guard({"court_code": f.get("court_code")}, owner["court_code"])
        as_of = request.app.state.hub.as_of()
        decision = request.app.state.hub.run(
            lambda e: route_case(e, cid, request.app.state.settings, as_of)).as_dict()
    return render(request, "services_routing.html", title="分案建议", case=case, decision=decision, message=None)


def _quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def case_metrics(hub: DataHub, code: str, quarter: str) -> list[PersonMetrics]:
    """The assessment's case-store part (``person_metrics``) over the snapshot's stored 审限 table on the date
    the quarter is measured to — its end, or while it runs the data's as-of date, whose table ``DataHub.ledgers``
    keeps (no second table) — once per snapshot, court, quarter, that date and assessment rules."""
    as_of = hub.as_of()
    measured_to = measured_span(quarter, as_of)[1]
    rules = repr(load_rules("assessment", hub.settings))
    return hub.cached("svc_assess", (code, quarter, measured_to, rules), lambda e: person_metrics(
        e, code, quarter, hub.settings, deadlines=sc.stored_deadlines(hub.settings, e, measured_to), as_of=as_of))


def warm(hub: DataHub, _start: date, end: date) -> None:
    """The 人员考核 page's default question for precompute (``DataHub.add_warmer``): each court's quarter of the
    data's as-of date."""
    for code in hub.roster()["courts"]:
        try:
            case_metrics(hub, code, _quarter_of(end))
        except UserError:  # a court without a roster of 员额法官/法官助理/书记员: its page says so when opened
            continue


@router.get("/services/assess")
def assess_page(request: Request, quarter: str = "", court: str = "", u: Principal = Depends(user)):
    require(u, "assess.view")
    f = sc.scope(request, u)
    choices = sc.courts(request, u)
    code = f.get("court_code") or court.strip() or next(iter(choices), "")
    if code not in choices:
        raise UserError(f"法院“{code[:20]}”不在可选范围内，请从列表中选择。")
    q = quarter.strip().upper() or _quarter_of(request.app.state.hub.as_of())
    if not re.fullmatch(r"\d{4}Q[1-4]", q):
        raise UserError(f"季度“{quarter[:20]}”格式不正确，请写成 2026Q3 这样的形式。")
    parse_quarter(q)
    st = request.app.state.settings
    metrics = case_metrics(request.app.state.hub, code, q)
    with request.app.state.Session() as s:  # the ratings are read live: they change without a new snapshot
        sheets = assess(None, s, code, q, st, metrics=metrics)
    rows = [{**x.as_dict(), "reasons": "；".join(i.reason for i in x.items)} for x in sheets]
    note = cut_note(q, metrics[0].measured_to) if metrics else ""
    view = sc.listing(request, rows, ASSESS_COLUMNS, key="assessment", path="/services/assess")
    if (resp := view.export_response(f"{code} {q} 人员考核", notes=[f"{note}。"] if note else [])) is not None:
        return resp
    return render(request, "services_assess.html", title="人员考核", quarter=q, court=code, courts=choices,
                  view=view, note=note, message=None)
