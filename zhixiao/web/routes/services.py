"""诉讼服务 pages, part one: 12368 tickets (list, new, respond, correct) and 满意度 with 差评督办.

Each form calls the service function the CLI calls (``zhixiao hotline add|respond|update``,
``zhixiao satisfaction rate|resolve``), so the same checks apply and corrections land in ``svc_change``.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zhixiao.errors import UserError
from zhixiao.services import audit
from zhixiao.services import hotline as hot
from zhixiao.services import satisfaction as sat
from zhixiao.services.common import load_rules, normalize_case_number
from zhixiao.services.models import FollowUp, HotlineTicket, Rating
from zhixiao.web.deps import checked_user, period, render, user
from zhixiao.web.roles import Principal, require
from zhixiao.web.routes import services_common as sc
from zhixiao.web.tables import Column

router = APIRouter()

# register → (its labels, the permission to see its history); the key is the one the service writes
HISTORY = {"hotline_ticket": ("12368 工单", hot.LABELS), "rating": ("满意度评价", sat.LABELS)}
CONTACTED = {"": None, "是": True, "否": False}
TICKET_COLUMNS = (
    sc.COURT, Column("ticket_no", "工单编号"), Column("category", "类别"), Column("caller_name", "来电人"),
    Column("case_id", "案号"), Column("received_at", "受理时间", text=lambda v, r: f"{v:%Y-%m-%d %H:%M}"),
    Column("due_date", "办理期限", text=lambda v, r: f"{v}（已逾期）" if r["overdue"] else str(v)),
    Column("assignee", "承办", text=lambda v, r: v or "待分派"), Column("division", "部门"),
    Column("reply", "回复"))
RATING_COLUMNS = (
    sc.COURT, Column("rating_no", "评价编号"), Column("item", "事项"), Column("window", "窗口"),
    Column("staff_name", "工作人员"), Column("score", "评分", numeric=True), Column("rated_on", "日期"),
    Column("followup", "差评督办"))
FOLLOWUP_COLUMNS = (
    Column("id", "督办编号", numeric=True), sc.COURT, Column("item", "事项"), Column("window", "窗口"),
    Column("staff_name", "工作人员"), Column("score", "评分", numeric=True), Column("rated_on", "评价日期"),
    Column("due_date", "办结期限", text=lambda v, r: f"{v}（已逾期）" if r["overdue"] else str(v)),
    Column("comment", "评价内容"))


@router.get("/services")
def services_home(u: Principal = Depends(user)):
    require(u, "services.view")
    return RedirectResponse("/services/hotline", status_code=303)


# ── 12368 ────────────────────────────────────────────────────────────────────────────────────────────
def _tickets(request: Request, f: dict, answered: bool) -> list[HotlineTicket]:
    q = select(HotlineTicket).order_by(HotlineTicket.due_date, HotlineTicket.ticket_no)
    if f.get("court_code"):
        q = q.where(HotlineTicket.court_code == f["court_code"])
    if f.get("judge_id"):
        q = q.where(HotlineTicket.assignee_id == f["judge_id"])
    elif f.get("division"):
        q = q.where(HotlineTicket.division == f["division"])
    if not answered:
        q = q.where(HotlineTicket.responded_at.is_(None))
    with request.app.state.Session() as s:
        return list(s.scalars(q))


def _hotline_page(request: Request, u: Principal, message: str | None = None, answered: bool = False,
                  start: str | None = None, end: str | None = None):
    f = sc.scope(request, u)
    s_day, e_day = period(request, start, end)
    as_of = min(e_day, date.today())
    with request.app.state.Session() as s:
        stats = (hot.hotline_stats(s, f.get("court_code"), s_day, e_day, request.app.state.settings, as_of=as_of)
                 if set(f) <= {"court_code"} else None)  # the court's figures; a judge's own list is the list
    rules = load_rules("hotline", request.app.state.settings)
    today = date.today()
    rows = [sc.row(t, overdue=t.responded_at is None and t.due_date < today,
                   reply=f"{t.responded_at:%Y-%m-%d %H:%M} {t.result or ''}" if t.responded_at else "未回复")
            for t in _tickets(request, f, answered)]
    view = sc.listing(request, rows, TICKET_COLUMNS, key="tickets", path="/services/hotline", default_sort="due_date")
    if (resp := view.export_response("12368 工单")) is not None:
        return resp
    return render(request, "services_hotline.html", title="12368 工单", view=view,
                  answered=answered, stats=stats, start=s_day, end=e_day, message=message,
                  categories=list(rules["hotline"]["limits"]), courts=sc.courts(request, u), today=today)


@router.get("/services/hotline")
def hotline_page(request: Request, answered: bool = False, start: str | None = None, end: str | None = None,
                 u: Principal = Depends(user)):
    return _hotline_page(request, u, answered=answered, start=start, end=end)


def _ticket(request: Request, u: Principal, ticket_no: str) -> HotlineTicket:
    with request.app.state.Session() as s:
        t = s.scalar(select(HotlineTicket).where(HotlineTicket.ticket_no == ticket_no.strip()))
    if t is None:
        raise UserError(f"工单“{ticket_no[:64]}”不存在，请从列表中选择。")
    sc.guard(sc.scope(request, u), t.court_code, t.division, t.assignee_id)
    return t


@router.post("/services/hotline")
def hotline_add(request: Request, court: str = Form(""), ticket_no: str = Form(""), category: str = Form(""),
                received_at: str = Form(""), channel: str = Form("电话"), case_number: str = Form(""),
                caller_name: str = Form(""), caller_phone: str = Form(""), content: str = Form(""),
                u: Principal = Depends(checked_user)):
    require(u, "hotline.edit")
    code = sc.court_for_new(request, u, court)
    cases = {}
    if case_number.strip():
        cid = normalize_case_number(case_number)[0]
        cases = sc.case_rows(request, [cid])
    with request.app.state.Session() as s, s.begin():
        t = hot.add_ticket(s, court_code=code, ticket_no=ticket_no, category=category.strip(),
                           received_at=sc.when(received_at, "受理时间", default_now=True), channel=channel or "电话",
                           settings=request.app.state.settings, cases=cases, case_number=sc.optional(case_number),
                           caller_name=sc.optional(caller_name), caller_phone=sc.optional(caller_phone),
                           content=sc.optional(content))
        msg = f"工单 {t.ticket_no} 已登记，承办：{t.assignee or '待分派'}，应于 {t.due_date} 前回复。"
    sc.audited(request, u, "hotline_add", ticket_no.strip(), category)
    return _hotline_page(request, u, msg)


@router.post("/services/hotline/respond")
def hotline_respond(request: Request, ticket_no: str = Form(""), result: str = Form(""),
                    responded_at: str = Form(""), contacted: str = Form(""), satisfaction: str = Form(""),
                    u: Principal = Depends(checked_user)):
    require(u, "hotline.respond")
    _ticket(request, u, ticket_no)
    if not result.strip():
        raise UserError("请填写办理结果（答复内容）。")
    score = int(satisfaction) if satisfaction.strip().isdigit() else None
    if satisfaction.strip() and score is None:
        raise UserError(f"满意度“{satisfaction[:10]}”不是整数，请填 1–5。")
    with request.app.state.Session() as s, s.begin():
        t = hot.respond(s, ticket_no.strip(), sc.when(responded_at, "回复时间", default_now=True), result.strip(),
                        CONTACTED.get(contacted), score, request.app.state.settings, user=u.username)
        msg = f"工单 {t.ticket_no} 已回复（{'按时' if hot.on_time(t) else '逾期'}，期限 {t.due_date}）。"
    sc.audited(request, u, "hotline_respond", ticket_no.strip())
    return _hotline_page(request, u, msg)


@router.post("/services/hotline/update")
def hotline_update(request: Request, ticket_no: str = Form(""), category: str = Form(""), assignee: str = Form(""),
                   division: str = Form(""), result: str = Form(""), content: str = Form(""), note: str = Form(""),
                   u: Principal = Depends(checked_user)):
    require(u, "hotline.edit")
    _ticket(request, u, ticket_no)
    with request.app.state.Session() as s, s.begin():
        _t, changed = hot.update_ticket(
            s, ticket_no.strip(), user=u.username, settings=request.app.state.settings, note=sc.optional(note),
            category=sc.optional(category), assignee=sc.optional(assignee), division=sc.optional(division),
            result=sc.optional(result), content=sc.optional(content))
    sc.audited(request, u, "hotline_update", ticket_no.strip(), "、".join(hot.LABELS.get(k, k) for k in changed))
    return _hotline_page(request, u, f"工单 {ticket_no.strip()} 已修改 {len(changed)} 项（已留存修改记录）。",
                         answered=True)


@router.get("/services/history")
def history(request: Request, register: str, key: str, u: Principal = Depends(user)):
    """The change history of one record (``zhixiao hotline history`` etc.), within the user's scope."""
    from zhixiao.services import ledgers, suggestions

    labels = {**HISTORY, "suggestion": ("司法建议", suggestions.LABELS), "petition": ("信访积案", ledgers.PETITION_LABELS)}
    if register not in labels:
        raise UserError("没有这种登记簿，请从诉讼服务页面的“修改记录”链接进入。")
    f = sc.scope(request, u)
    if register == "hotline_ticket":
        _ticket(request, u, key)
    elif f:  # ratings, suggestions and petitions are court registers: their history is for court-wide roles
        require(u, {"rating": "rating.edit", "suggestion": "suggestion.edit", "petition": "petition.edit"}[register])
        sc.guard(f, _register_court(request, register, key))
    name, lab = labels[register]
    with request.app.state.Session() as s:
        rows = audit.history_rows(s, register, key, lab)
    return render(request, "services_history.html", title=f"{name}修改记录", name=name, key=key, rows=rows,
                  message=None)


def _register_court(request: Request, register: str, key: str) -> str | None:
    from zhixiao.services.models import Petition, Suggestion

    if register == "rating":
        return key.split("/", 1)[0]
    with request.app.state.Session() as s:
        if register == "suggestion":
            return s.scalar(select(Suggestion.court_code).where(Suggestion.number == key))
        return s.scalar(select(Petition.court_code).where(Petition.id == int(key))) if key.isdigit() else None


# ── 满意度 and 差评督办 ─────────────────────────────────────────────────────────────────────────────────
def _staff_division(request: Request) -> dict[str, str | None]:
    return {jid: j[1] for jid, j in request.app.state.hub.roster()["judges"].items()}


def _rating_in_scope(f: dict, r: Rating, divisions: dict[str, str | None]) -> bool:
    return sc.within(f, r.court_code, divisions.get(r.staff_id or ""), r.staff_id)


def _satisfaction_page(request: Request, u: Principal, message: str | None = None, start: str | None = None,
                       end: str | None = None):
    f = sc.scope(request, u)
    s_day, e_day = period(request, start, end)
    divisions = _staff_division(request)
    with request.app.state.Session() as s:
        stats = (sat.satisfaction_stats(s, f.get("court_code"), s_day, e_day, request.app.state.settings)
                 if set(f) <= {"court_code"} else None)
        q = select(Rating).options(selectinload(Rating.follow_up)).where(
            Rating.rated_on >= s_day, Rating.rated_on <= e_day).order_by(Rating.rated_on.desc(), Rating.id.desc())
        if f.get("court_code"):
            q = q.where(Rating.court_code == f["court_code"])
        today = date.today()
        ratings = [sc.row(r, followup=("已办结 " + str(r.follow_up.resolved_on) if r.follow_up.resolved_on else "督办中")
                          if r.follow_up else "")
                   for r in s.scalars(q) if _rating_in_scope(f, r, divisions)]
        followups = [sc.row(x.rating, id=x.id, due_date=x.due_date, overdue=x.due_date < today)
                     for x in sat.open_followups(s, f.get("court_code")) if _rating_in_scope(f, x.rating, divisions)]
    fview = sc.listing(request, followups, FOLLOWUP_COLUMNS, key="followups", path="/services/satisfaction",
                       default_sort="due_date", prefix="f_")
    rview = sc.listing(request, ratings, RATING_COLUMNS, key="ratings", path="/services/satisfaction",
                       default_sort="rated_on", desc=True, prefix="r_")
    for v, title in ((fview, "差评督办"), (rview, "满意度评价")):
        if (resp := v.export_response(title)) is not None:
            return resp
    return render(request, "services_satisfaction.html", title="满意度与差评督办", stats=stats, rview=rview,
                  fview=fview, start=s_day, end=e_day, message=message, courts=sc.courts(request, u), today=today)


@router.get("/services/satisfaction")
def satisfaction_page(request: Request, start: str | None = None, end: str | None = None,
                      u: Principal = Depends(user)):
    return _satisfaction_page(request, u, start=start, end=end)


@router.post("/services/satisfaction")
def rating_add(request: Request, court: str = Form(""), item: str = Form(""), rated_on: str = Form(""),
               score: str = Form(""), rating_no: str = Form(""), window: str = Form(""), staff_id: str = Form(""),
               staff_name: str = Form(""), comment: str = Form(""), u: Principal = Depends(checked_user)):
    require(u, "rating.edit")
    code = sc.court_for_new(request, u, court)
    if not item.strip():
        raise UserError("请填写评价事项（如 立案、诉讼咨询）。")
    with request.app.state.Session() as s, s.begin():
        r = sat.add_rating(s, court_code=code, item=item.strip(), rated_on=sc.day(rated_on, "评价日期", True),
                           score=score.strip(), settings=request.app.state.settings, rating_no=sc.optional(rating_no),
                           window=sc.optional(window), staff_id=sc.optional(staff_id),
                           staff_name=sc.optional(staff_name), comment=sc.optional(comment), channel="网页登记")
        negative = r.follow_up is not None
        msg = (f"已登记{r.item}评价（{r.score} 分）。" + (f"差评已转督办，{r.follow_up.due_date} 前办结。" if negative else ""))
    sc.audited(request, u, "rating_add", rating_no.strip() or item.strip(), f"{score} 分")
    return _satisfaction_page(request, u, msg)


@router.post("/services/satisfaction/resolve")
def followup_resolve(request: Request, followup_id: int = Form(0), resolution: str = Form(""),
                     resolved_on: str = Form(""), u: Principal = Depends(checked_user)):
    require(u, "followup.resolve")
    with request.app.state.Session() as s:
        fu = s.get(FollowUp, followup_id, options=[selectinload(FollowUp.rating)])
        if fu is None:
            raise UserError(f"差评督办 {followup_id} 不存在，请从列表中选择。")
        r = fu.rating
        sc.guard(sc.scope(request, u), r.court_code, _staff_division(request).get(r.staff_id or ""), r.staff_id)
    with request.app.state.Session() as s, s.begin():
        fu = sat.resolve_followup(s, followup_id, resolution, u.display_name, sc.day(resolved_on, "办结日期", True))
        msg = f"差评督办 {fu.id} 已办结。"
    sc.audited(request, u, "followup_resolve", str(followup_id), resolution.strip()[:200])
    return _satisfaction_page(request, u, msg)
