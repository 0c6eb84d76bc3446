"""数据质量体检: the findings of ``zhixiao.quality`` for the courts a user may see, with the cases behind each
and the change since the last stored check (stored by ``zhixiao quality``; this page only reads).

Scope (roles.toml): 审管办 and 系统管理员 every court, or one (an intermediate court with its basic courts);
院领导 his court (an intermediate court's with its basic courts); 庭长 and 法官 nothing — the check is a court's.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request

from zhixiao.quality import Report, run_checks, scope_courts, with_previous
from zhixiao.quality.checks import CHECKS
from zhixiao.web.data import DataHub
from zhixiao.web.deps import period, render, user
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.tables import Column, table, xlsx_response

router = APIRouter()
FINDING_COLUMNS = (Column("check", "体检项目"), Column("court_name", "法院"), Column("case_id", "案号/缺号范围"),
                   Column("detail", "说明"))


def quality_report(hub: DataHub, scope: str | None, start: date, end: date) -> Report:
    """The check of ``scope`` (None: every court) over [start, end], once per data version (read-only: the
    page deep-copies it before adding the stored previous check)."""
    def run(eng) -> Report:
        whole = hub.peek("quality", (None, start, end)) if scope is not None else None
        if whole is not None:  # every court was checked for this period: read the scope off it (Report.within)
            return whole.within(*scope_courts(eng, scope))
        return run_checks(eng, scope, start, end)
    return hub.cached("quality", (scope, start, end), run)


def warm(hub: DataHub, start: date, end: date) -> None:
    """The page's default question for precompute (``DataHub.add_warmer``): 本年累计 for every court at once
    (审管办's default), then each court's (a president's) read off it."""
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
    head, items = summary_rows(rep)
    summary = table(request, items, summary_columns(rep), key="quality-summary", prefix="s_")
    if summary.export:  # 体检案件数 and 得分 stay above the checks in the sheet too
        return xlsx_response(f"数据质量体检汇总_{s}_{e}", summary.columns, head + summary.all_rows)
    return render(request, "quality.html", title="数据质量体检", rep=rep, checks=CHECKS, view=view, start=s,
                  end=e, court=scope or "", courts=hub.roster()["courts"], summary=summary, summary_head=head)


def summary_columns(rep: Report) -> tuple[Column, ...]:
    """体检项目, then one column per court sorted on its count (its score, its cases checked) and shown with the
    change since the last stored check."""
    def shown(code: str) -> Callable[[Any, dict], str]:
        def text(v: Any, row: dict) -> str:
            before = row["before"].get(code)
            if row["kind"] == "checked":
                return f"{v:,}"
            if row["kind"] == "score":
                return f"{v:.2f}" + ("" if before is None else f"（上次 {before:.2f}）")
            return f"{v}" + ("" if before is None else f"（{before:+d}）" if before else "（持平）")
        return text
    return (Column("item", "体检项目"),
            *(Column(c.court_code, c.court_name, numeric=True, text=shown(c.court_code)) for c in rep.courts))


def summary_rows(rep: Report) -> tuple[list[dict], list[dict]]:
    """(体检案件数 and 得分, one row per check); ``before``: the score last time / the change of each count."""
    head = [{"item": "体检案件数", "kind": "checked", "before": {}, **{c.court_code: c.checked for c in rep.courts}},
            {"item": "得分", "kind": "score", "before": {c.court_code: c.previous_score for c in rep.courts},
             **{c.court_code: c.score for c in rep.courts}}]
    items = [{"item": ch.name, "kind": "check", "why": ch.why, "before": {c.court_code: c.change(ch.id) for c in rep.courts},
              **{c.court_code: c.counts.get(ch.id, 0) for c in rep.courts}} for ch in CHECKS]
    return head, items
