"""诉讼服务 pages, part two: the 司法建议 register (draft → 核稿 → 签发 → send → reply → archive) and the
专项台账 (信访积案 entered and updated here; 民生小案 and 执行难 computed from the case store).

The same service functions as ``zhixiao suggestion …`` and ``zhixiao ledger …``; a judge or 庭长 sees the
suggestions and petitions about their own (division's) cases, linked through the case's 案号.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select

from zhixiao.errors import UserError
from zhixiao.services import ledgers
from zhixiao.services import suggestions as sug
from zhixiao.services.common import load_rules, normalize_case_number
from zhixiao.services.models import Petition, Suggestion
from zhixiao.web.data import DataHub
from zhixiao.web.deps import checked_user, period, render, user
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.routes import services_common as sc
from zhixiao.web.tables import Column

router = APIRouter()
ADOPTED = {"是": True, "否": False}
SUGGESTION_COLUMNS = (
    # 文号 sorts by court, year and sequence (as text 〔2025〕10号 would come before 〔2025〕2号)
    sc.COURT, Column("order", "文号", text=lambda v, r: r["number"]), Column("addressee", "主送单位"), Column("issue", "发现的问题"),
    Column("source_case_id", "来源案号"), Column("status_name", "状态"), Column("steps_text", "审批"),
    Column("sent_on", "发出"), Column("reply_due", "答复期限", text=lambda v, r: f"{v}（逾期）" if r["overdue"] else str(v or "")),
    Column("reply_text", "回复"))
PETITION_COLUMNS = (
    Column("id", "编号", numeric=True), sc.COURT, Column("petitioner", "信访人"), Column("case_id", "案号"),
    Column("received_on", "登记日期"), Column("owner", "包案责任人"), Column("status", "状态"),
    Column("resolved_on", "化解日期"), Column("summary", "诉求"))
CASE_COLUMNS = (sc.COURT, Column("case_id", "案号"), Column("cause", "案由"), Column("judge_name", "承办人"),
                Column("filing_date", "立案"), Column("closing_date", "结案"), Column("reason", "入账理由"))
HARD_LISTS = {"zhongben_candidates": "终本候选（五项条件均满足）", "zhongben_to_verify": "终本候选（待核实条件）",
              "no_property": "无财产可供执行", "long_running": "长期未结"}
HARD_COLUMNS = (Column("list", "清单"), sc.COURT, Column("case_id", "案号"), Column("judge_name", "承办人"),
                Column("filing_date", "立案"), Column("reason", "理由"))


def _in_scope(request: Request, f: dict, items: list, case_of) -> list:
    """The items whose court — and, for a judge or 庭长, whose linked case's judge or division — is in scope."""
    items = [x for x in items if sc.within({"court_code": f.get("court_code")}, x.court_code)]
    if not ({"division", "judge_id"} & set(f)):
        return items
    owners = sc.case_rows(request, [case_of(x) for x in items])
    return [x for x in items if case_of(x) in owners
            and sc.within(f, x.court_code, owners[case_of(x)]["division"], owners[case_of(x)]["judge_id"])]


def _case_id(text: str) -> str | None:
    if not text.strip():
        return None
    return normalize_case_number(text)[0]


# ── 司法建议 ─────────────────────────────────────────────────────────────────────────────────────────
def _suggestions_page(request: Request, u: Principal, message: str | None = None, start: str | None = None,
                      end: str | None = None):
    f = sc.scope(request, u)
    s_day, e_day = period(request, start, end)
    with request.app.state.Session() as s:
        items = _in_scope(request, f, sug.list_suggestions(s, f.get("court_code")), lambda x: x.source_case_id)
        rows = [sc.row(x, order=f"{x.court_code}{x.year:04d}{x.seq:08d}", status_name=sug.STATUS_NAMES[x.status],
                       overdue=sug.is_overdue(x, date.today()),
                       steps_text="；".join(f"{st.role} {st.actor}（{st.acted_on}）" for st in x.steps),
                       reply_text=(f"{x.reply_on} {'采纳' if x.adopted else '未采纳'} {x.reply_summary or ''}"
                                   if x.reply_on else "")) for x in items]
        stats = (sug.suggestion_stats(s, f.get("court_code"), s_day, e_day, as_of=min(e_day, date.today()))
                 if set(f) <= {"court_code"} else None)
    sign_roles = load_rules("hotline", request.app.state.settings)["suggestion"]["sign_roles"]
    view = sc.listing(request, rows, SUGGESTION_COLUMNS, key="suggestions", path="/services/suggestions",
                      default_sort="order")
    if (resp := view.export_response("司法建议登记簿")) is not None:
        return resp
    return render(request, "services_suggestions.html", title="司法建议", view=view, stats=stats, start=s_day,
                  end=e_day, message=message, courts=sc.courts(request, u), status_names=sug.STATUS_NAMES,
                  sign_roles=sign_roles, review_role=sug.REVIEW_ROLE, today=date.today())


@router.get("/services/suggestions")
def suggestions_page(request: Request, start: str | None = None, end: str | None = None,
                     u: Principal = Depends(user)):
    return _suggestions_page(request, u, start=start, end=end)


def _suggestion(request: Request, u: Principal, number: str) -> Suggestion:
    with request.app.state.Session() as s:
        x = sug.get(s, number.strip())
    if not _in_scope(request, sc.scope(request, u), [x], lambda y: y.source_case_id):
        raise Forbidden(f"司法建议 {x.number} 不在您的查看范围内。")
    return x


@router.post("/services/suggestions")
def suggestion_new(request: Request, court: str = Form(""), addressee: str = Form(""), issue: str = Form(""),
                   proposal: str = Form(""), source_case: str = Form(""), drafted_on: str = Form(""),
                   u: Principal = Depends(checked_user)):
    def store(s, code: str) -> tuple[str, str]:
        case_id = _case_id(source_case)
        if case_id and case_id not in sc.case_rows(request, [case_id]):
            raise UserError(f"来源案号“{source_case[:40]}”在案件库中不存在，请核对案号。")
        x = sug.new_suggestion(s, court_code=code, addressee=addressee, issue=issue, drafted_by=u.display_name,
                               drafted_on=sc.day(drafted_on, "起草日期", True), proposal=sc.optional(proposal),
                               source_case_id=case_id, settings=request.app.state.settings)
        return x.number, addressee.strip()[:100]

    number = sc.enter(request, u, "suggestion.edit", court, "suggestion_new", store)
    return _suggestions_page(request, u, f"已起草司法建议 {number}，下一步由{sug.REVIEW_ROLE}核稿。")


@router.post("/services/suggestions/approve")
def suggestion_approve(request: Request, number: str = Form(""), role: str = Form(""), opinion: str = Form(""),
                       on: str = Form(""), u: Principal = Depends(checked_user)):
    x = _suggestion(request, u, number)
    # 核稿 by the department head, 签发 by 分管院领导 / 院长 / 审委会 (rules/hotline.toml [suggestion] sign_roles)
    require(u, "suggestion.review" if x.status == "drafted" else "suggestion.sign")
    role = sug.REVIEW_ROLE if x.status == "drafted" else role.strip()
    with request.app.state.Session() as s, s.begin():
        x = sug.approve(s, x.number, actor=u.display_name, role=role, on=sc.day(on, "审批日期", True),
                        opinion=sc.optional(opinion), settings=request.app.state.settings)
        msg = f"{x.number} {sug.STATUS_NAMES[x.status]}（{role}：{u.display_name}）。"
    sc.audited(request, u, "suggestion_approve", x.number, role)
    return _suggestions_page(request, u, msg)


@router.post("/services/suggestions/step")
def suggestion_step(request: Request, number: str = Form(""), step: str = Form(""), on: str = Form(""),
                    adopted: str = Form(""), summary: str = Form(""), u: Principal = Depends(checked_user)):
    """发送 / 登记回复 / 归档 — the register keeper's steps after 签发."""
    require(u, "suggestion.edit")
    x = _suggestion(request, u, number)
    day = sc.day(on, "日期", True)
    with request.app.state.Session() as s, s.begin():
        if step == "send":
            x = sug.send(s, x.number, day, request.app.state.settings)
            msg = f"{x.number} 已发送，答复期限 {x.reply_due}。"
        elif step == "reply":
            if adopted not in ADOPTED:
                raise UserError("请选择被建议单位是否采纳。")
            x = sug.record_reply(s, x.number, day, ADOPTED[adopted], sc.optional(summary))
            msg = f"{x.number} 已登记回复（{'采纳' if x.adopted else '未采纳'}）。"
        elif step == "archive":
            x = sug.archive(s, x.number, day)
            msg = f"{x.number} 已归档。"
        else:
            raise UserError("未知的操作，请从司法建议页面的按钮提交。")
    sc.audited(request, u, f"suggestion_{step}", x.number)
    return _suggestions_page(request, u, msg)


@router.post("/services/suggestions/update")
def suggestion_update(request: Request, number: str = Form(""), addressee: str = Form(""), issue: str = Form(""),
                      proposal: str = Form(""), reply_summary: str = Form(""), note: str = Form(""),
                      u: Principal = Depends(checked_user)):
    require(u, "suggestion.edit")
    x = _suggestion(request, u, number)
    with request.app.state.Session() as s, s.begin():
        _x, changed = sug.update_suggestion(s, x.number, user=u.username, note=sc.optional(note),
                                            addressee=sc.optional(addressee), issue=sc.optional(issue),
                                            proposal=sc.optional(proposal), reply_summary=sc.optional(reply_summary))
    sc.audited(request, u, "suggestion_update", x.number, "、".join(sug.LABELS[k] for k in changed))
    return _suggestions_page(request, u, f"{x.number} 已修改 {len(changed)} 项（已留存修改记录）。")


# ── 专项台账: 信访积案, 民生小案, 执行难 ──────────────────────────────────────────────────────────────────
LEDGER_PARTS = {"petitions": "信访积案", "minsheng": "民生小案", "enforcement": "执行难案"}


# what the 民生小案 table shows and scopes by: the answer is kept per snapshot, the other columns are not needed
MINSHENG_KEEP = ("court_code", "case_id", "cause", "judge_name", "filing_date", "closing_date", "reason", "division",
                 "judge_id")


def minsheng(hub: DataHub, start: date, end: date, court: str | None) -> dict:
    """``ledgers.minsheng_cases`` over the snapshot's stored 审限 table, once per snapshot and question."""
    def run(e) -> dict:
        ms = ledgers.minsheng_cases(e, start, end, court, hub.settings,
                                    deadlines=sc.stored_deadlines(hub.settings, e, end),
                                    columns=[k for k in MINSHENG_KEEP if k != "reason"])
        return {**ms, "cases": [{k: r.get(k) for k in MINSHENG_KEEP} for r in ms["cases"]]}
    return hub.cached("svc_minsheng", (start, end, court), run)


def warm(hub: DataHub, start: date, end: date) -> None:
    """The 民生小案 ledger's default question for precompute (``DataHub.add_warmer``): 本年累计 for the city, as
    the 审管办 opens it, and for each court, as its own users do."""
    for court in (None, *hub.roster()["courts"]):
        minsheng(hub, start, end, court)


def _ledgers_page(request: Request, u: Principal, message: str | None = None, start: str | None = None,
                  end: str | None = None, part: str = "petitions"):
    """One ledger per view: 民生小案 and 执行难 read the case store and its 审限 table (slow the first time
    after an import), so the 信访积案 register does not wait for them."""
    if part not in LEDGER_PARTS:
        raise UserError("没有这种台账，请从专项台账页面的链接进入。")
    f = sc.scope(request, u)
    s_day, e_day = period(request, start, end)
    hub, st = request.app.state.hub, request.app.state.settings
    court = f.get("court_code")
    narrow = {k: v for k, v in f.items() if k in ("division", "judge_id")}

    def mine(rows: list[dict]) -> list[dict]:
        return sc.with_court([r for r in rows if all(r.get(k) == v for k, v in narrow.items())])

    path, ctx = "/services/ledgers", {}
    if part == "petitions":
        with request.app.state.Session() as s:
            plist = _in_scope(request, f, ledgers.petitions(s, court), lambda x: x.case_id)
            ctx["pstats"] = ledgers.petition_stats(s, court, e_day) if set(f) <= {"court_code"} else None
        view = sc.listing(request, [sc.row(p) for p in plist], PETITION_COLUMNS, key="petitions", path=path,
                          default_sort="received_on")
    elif part == "minsheng":
        ms = minsheng(hub, s_day, e_day, court)
        ctx["minsheng"] = ms
        view = sc.listing(request, mine(ms["cases"]), CASE_COLUMNS, key="minsheng", path=path, default_sort="filing_date")
    else:
        hard = hub.cached("svc_hard", (e_day, court), lambda e: ledgers.enforcement_hard(e, e_day, court, st))
        ctx["hard_counts"] = {title: len(mine(hard[k])) for k, title in HARD_LISTS.items()}
        view = sc.listing(request, [{**r, "list": title} for k, title in HARD_LISTS.items() for r in mine(hard[k])],
                          HARD_COLUMNS, key="hard", path=path)
    if (resp := view.export_response(LEDGER_PARTS[part] + "台账")) is not None:
        return resp
    return render(request, "services_ledgers.html", title=LEDGER_PARTS[part], part=part, parts=LEDGER_PARTS,
                  view=view, statuses=ledgers.PETITION_STATUSES, start=s_day, end=e_day, message=message,
                  courts=sc.courts(request, u), today=date.today(), **ctx)


@router.get("/services/ledgers")
def ledgers_page(request: Request, start: str | None = None, end: str | None = None, part: str = "petitions",
                 u: Principal = Depends(user)):
    return _ledgers_page(request, u, start=start, end=end, part=part)


@router.post("/services/petitions")
def petition_add(request: Request, court: str = Form(""), petitioner: str = Form(""), received_on: str = Form(""),
                 owner: str = Form(""), case_number: str = Form(""), summary: str = Form(""),
                 u: Principal = Depends(checked_user)):
    def store(s, code: str) -> tuple[str, str]:
        p = ledgers.add_petition(s, court_code=code, petitioner=petitioner, owner=owner,
                                 received_on=sc.day(received_on, "登记日期", True), case_id=_case_id(case_number),
                                 summary=sc.optional(summary))
        return str(p.id), petitioner.strip()[:64]

    pid = sc.enter(request, u, "petition.edit", court, "petition_add", store)
    return _ledgers_page(request, u, f"已登记信访积案 {pid}（{petitioner.strip()}），包案责任人 {owner.strip()}。")


@router.post("/services/petitions/update")
def petition_update(request: Request, petition_id: int = Form(0), status: str = Form(""), on: str = Form(""),
                    owner: str = Form(""), summary: str = Form(""), note: str = Form(""),
                    u: Principal = Depends(checked_user)):
    require(u, "petition.edit")
    with request.app.state.Session() as s:
        p = s.scalar(select(Petition).where(Petition.id == petition_id))
    if p is None:
        raise UserError(f"信访积案 {petition_id} 不存在，请从台账中选择。")
    sc.guard({"court_code": sc.scope(request, u).get("court_code")}, p.court_code)
    with request.app.state.Session() as s, s.begin():
        ledgers.update_petition(s, petition_id, status=sc.optional(status), on=sc.day(on, "办结日期"),
                                owner=sc.optional(owner), summary=sc.optional(summary), user=u.username,
                                note=sc.optional(note))
    sc.audited(request, u, "petition_update", str(petition_id), status or None)
    return _ledgers_page(request, u, f"信访积案 {petition_id} 已更新（已留存修改记录）。")
