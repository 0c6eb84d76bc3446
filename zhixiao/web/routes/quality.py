"""数据质量体检: the findings of ``zhixiao.quality`` for the courts a user may see, with the cases behind each
and the change since the last stored check (stored by ``zhixiao quality``; this page only reads).

Scope (roles.toml): 审管办 and 系统管理员 every court, or one (an intermediate court with its basic courts);
院领导 his court (an intermediate court's with its basic courts); 庭长 and 法官 nothing — the check is a court's.
"""

from __future__ import annotations

import copy
from datetime import date

from fastapi import APIRouter, Depends, Request

from zhixiao.quality import Report, run_checks, with_previous
from zhixiao.quality.checks import CHECKS
from zhixiao.web.data import DataHub
from zhixiao.web.deps import period, render, user
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.tables import Column, table

router = APIRouter()
FINDING_COLUMNS = (Column("check", "体检项目"), Column("court_name", "法院"), Column("case_id", "案号/缺号范围"),
                   Column("detail", "说明"))


def quality_report(hub: DataHub, scope: str | None, start: date, end: date) -> Report:
    """The check of ``scope`` (None: every court) over [start, end], once per data version (read-only: the
    page deep-copies it before adding the stored previous check)."""
    return hub.cached("quality", (scope, start, end), lambda eng: run_checks(eng, scope, start, end))


def warm(hub: DataHub, start: date, end: date) -> None:
    """The page's default question for precompute (``DataHub.add_warmer``): 本年累计 for every court at once
    (审管办's default) and for each court (a president's)."""
    for scope in (None, *hub.roster()["courts"]):
        quality_report(hub, scope, start, end)


def quality_scope(u: Principal, court: str | None) -> str | None:
    require(u, "cases.view")
    if u.scope == "all":
        return court or None
    if u.scope == "court" and u.court_code:
        if court not in (None, "", u.court_code):
            raise Forbidden(f"您只能查看本院（{u.court_code}）的数据质量体检，不能查看“{court}”。")
        return u.court_code
    raise Forbidden("数据质量体检按法院进行，供审管办和院领导使用。")


@router.get("/quality")
def quality(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
            u: Principal = Depends(user)):
    scope = quality_scope(u, court)
    s, e = period(request, start, end)
    hub = request.app.state.hub
    rep = copy.deepcopy(quality_report(hub, scope, s, e))
    with request.app.state.Session() as session:
        with_previous(session, rep)
    names = {c.court_code: c.court_name for c in rep.courts}
    rows = [{"check": ch.name, "check_id": ch.id, "court_name": names.get(r["court_code"], r["court_code"]),
             "case_id": r["case_id"], "detail": r["detail"]}
            for ch in CHECKS for r in rep.findings.get(ch.id) or []]
    view = table(request, rows, FINDING_COLUMNS, key="findings")
    if (resp := view.export_response(f"数据质量问题清单_{s}_{e}")) is not None:
        return resp
    return render(request, "quality.html", title="数据质量体检", rep=rep, checks=CHECKS, view=view, start=s,
                  end=e, court=scope or "", courts=hub.roster()["courts"])
