"""``zhixiao hotline``: 12368 tickets — import, enter, list, respond, correct (audited), history, figures.

A ticket number is entered once: ``add`` and ``import`` refuse a number already stored, and ``update``
changes a stored ticket and records who changed what. The services are imported inside each command,
so that other commands do not load SQLAlchemy.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import (
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    FromOpt,
    NoteOpt,
    ToOpt,
    UserOpt,
    acting_user,
    console,
    court_code,
    emit,
    emit_changes,
    emit_figures,
    emit_history,
    ops_session,
    period,
    print_rejected,
    settings,
    update_hint,
)
from zhixiao.errors import UserError

hot_app = typer.Typer(help="12368 诉讼服务热线工单：导入、回复、修改、统计 / 12368 hotline tickets", no_args_is_help=True)

TicketArg = Annotated[str, typer.Argument(help="工单编号 / ticket number")]
STAT_HEADERS = {"tickets": "工单数", "responded": "已回复", "on_time": "按时回复", "on_time_rate": "按时回复率",
                "overdue_open": "逾期未回复", "contact_judge": "联系法官（已回复）",
                "contact_judge_success_rate": "联系法官成功率", "satisfaction_rate": "满意率"}
LIST_HEADERS = {"ticket_no": "工单编号", "category": "类别", "caller_name": "来电人", "case_id": "案号",
                "received_at": "受理时间", "due_date": "办理期限", "assignee": "承办", "responded_at": "回复时间"}


def _when(text: str | None, what: str) -> datetime | None:
    from zhixiao.services.importers import parse_datetime

    if text is None:
        return None
    try:
        return parse_datetime(text)
    except ValueError:
        raise UserError(f"{what}“{text}”无效，请写成 2026-03-02 09:15。") from None


@hot_app.command("import", help="导入工单（CSV/XLSX，中文表头；任一行有误则整批不导入；已登记的工单编号不覆盖，逐行列出）/ import tickets")
def import_cmd(file: Annotated[Path, typer.Argument(help="工单文件 / file")], data_dir: DataDir = None,
               court: CourtOpt = None, no_check: Annotated[bool, typer.Option(
                   "--no-case-check", help="不核对案号是否在案件库中 / skip case-store check")] = False) -> None:
    from zhixiao.services.common import case_index
    from zhixiao.services.hotline import import_tickets

    st = settings(data_dir)
    cases = None if no_check else case_index(st.data_dir)
    with ops_session(st) as s, s.begin():
        r = import_tickets(s, file, court_code(st, court), st, cases)
    console.print(f"已导入 {r.imported} 件工单，其中 {r.linked} 件关联到案件。", markup=False)
    print_rejected(r.rejected, "工单已登记或在文件中重复")


@hot_app.command("add", help="登记一件新工单（网页表单同此校验；工单编号已登记则拒绝，修改请用 update）/ enter one new ticket")
def add(ticket: TicketArg,
        category: Annotated[str, typer.Option("--category", help="诉讼咨询|案件查询|联系法官|投诉举报|意见建议… / category")],
        at: Annotated[str | None, typer.Option("--at", help="受理时间 YYYY-MM-DD HH:MM（默认现在）/ received at")] = None,
        case: Annotated[str | None, typer.Option("--case", help="关联案号 / related case number")] = None,
        caller: Annotated[str | None, typer.Option("--caller", help="来电人 / caller")] = None,
        phone: Annotated[str | None, typer.Option("--phone", help="来电号码 / caller phone")] = None,
        content: Annotated[str | None, typer.Option("--content", help="诉求内容 / content")] = None,
        channel: Annotated[str, typer.Option("--channel", help="渠道 / channel")] = "电话",
        data_dir: DataDir = None, court: CourtOpt = None) -> None:
    from zhixiao.services.common import case_index
    from zhixiao.services.hotline import add_ticket

    st = settings(data_dir)
    with ops_session(st) as s, s.begin(), update_hint("zhixiao hotline update {ref}"):
        t = add_ticket(s, court_code=court_code(st, court), ticket_no=ticket, category=category,
                       received_at=at or datetime.now().replace(microsecond=0), channel=channel, settings=st,
                       cases=case_index(st.data_dir), case_number=case, caller_name=caller, caller_phone=phone,
                       content=content)
        console.print(f"工单 {t.ticket_no} 已登记，承办：{t.assignee or '待分派'}，应于 {t.due_date} 前回复。", markup=False)


@hot_app.command("update", help="修改已登记的工单（只改给出的项，留存修改记录）/ correct a stored ticket (audited)")
def update(ticket: TicketArg,
           category: Annotated[str | None, typer.Option("--category", help="类别 / category")] = None,
           at: Annotated[str | None, typer.Option("--at", help="受理时间 YYYY-MM-DD HH:MM / received at")] = None,
           case: Annotated[str | None, typer.Option("--case", help="关联案号（未给 --assignee 时承办随案号）/ case number")] = None,
           caller: Annotated[str | None, typer.Option("--caller", help="来电人 / caller")] = None,
           phone: Annotated[str | None, typer.Option("--phone", help="来电号码 / caller phone")] = None,
           content: Annotated[str | None, typer.Option("--content", help="诉求内容 / content")] = None,
           channel: Annotated[str | None, typer.Option("--channel", help="渠道 / channel")] = None,
           assignee: Annotated[str | None, typer.Option("--assignee", help="承办人 / assignee")] = None,
           division: Annotated[str | None, typer.Option("--division", help="承办部门 / division")] = None,
           result: Annotated[str | None, typer.Option("--result", help="办理结果 / result")] = None,
           responded_at: Annotated[str | None, typer.Option("--responded-at", help="回复时间 / responded at")] = None,
           contacted: Annotated[bool | None, typer.Option("--contacted/--not-contacted",
                                                          help="联系法官是否成功 / judge reached")] = None,
           user: UserOpt = None, note: NoteOpt = None, data_dir: DataDir = None) -> None:
    from zhixiao.services.common import case_index
    from zhixiao.services.hotline import LABELS, update_ticket

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        _t, changed = update_ticket(
            s, ticket, user=acting_user(user), settings=st, cases=case_index(st.data_dir) if case else None,
            note=note, category=category, received_at=_when(at, "受理时间"), case_number=case, caller_name=caller,
            caller_phone=phone, content=content, channel=channel, assignee=assignee, division=division, result=result,
            responded_at=_when(responded_at, "回复时间"), contacted=contacted)
    console.print(f"工单 {ticket} 已修改 {len(changed)} 项（已留存修改记录）：", markup=False)
    emit_changes(changed, LABELS)


@hot_app.command("history", help="工单的修改与回复记录 / a ticket's change history")
def history(ticket: TicketArg, data_dir: DataDir = None, fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.hotline import LABELS

    emit_history(settings(data_dir), "hotline_ticket", ticket, LABELS, fmt, f"工单 {ticket} 修改记录")


@hot_app.command("list", help="列出工单（默认只列未回复）/ list tickets")
def list_cmd(data_dir: DataDir = None, court: CourtOpt = None,
             all_: Annotated[bool, typer.Option("--all", help="包括已回复 / include answered")] = False,
             fmt: FormatOpt = Format.table) -> None:
    from sqlalchemy import select

    from zhixiao.services.models import HotlineTicket

    st = settings(data_dir)
    with ops_session(st) as s:
        q = select(HotlineTicket).order_by(HotlineTicket.due_date)
        if court or st.court_code:
            q = q.where(HotlineTicket.court_code == court_code(st, court))
        if not all_:
            q = q.where(HotlineTicket.responded_at.is_(None))
        rows = [{c: getattr(t, c) for c in LIST_HEADERS} for t in s.scalars(q)]
    emit(rows, fmt, headers=LIST_HEADERS, title="12368 工单")


@hot_app.command("respond", help="登记工单回复（每件一次；更正请用 update）/ record a response")
def respond(ticket: TicketArg,
            result: Annotated[str, typer.Option("--result", help="办理结果 / result")],
            at: Annotated[str | None, typer.Option("--at", help="回复时间 YYYY-MM-DD HH:MM（默认现在）/ responded at")] = None,
            contacted: Annotated[bool | None, typer.Option("--contacted/--not-contacted",
                                                           help="联系法官是否成功 / judge reached")] = None,
            satisfaction: Annotated[int | None, typer.Option("--satisfaction", help="来电人满意度 1–5 / caller satisfaction")] = None,
            user: UserOpt = None, data_dir: DataDir = None) -> None:
    from zhixiao.services.hotline import respond as record_response

    st = settings(data_dir)
    when = _when(at, "回复时间") or datetime.now().replace(microsecond=0)
    with ops_session(st) as s, s.begin():
        t = record_response(s, ticket, when, result, contacted, satisfaction, st, user=acting_user(user))
        ok = t.responded_at.date() <= t.due_date
    console.print(f"工单 {ticket} 已回复（{'按时' if ok else '逾期'}，期限 {t.due_date}）。", markup=False)


@hot_app.command("stats", help="工单统计：分类、部门、按时回复率、联系法官成功率、重复来电、投诉热点 / figures")
def stats(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
          fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.hotline import hotline_stats

    st = settings(data_dir)
    start, end = period(from_, to)
    with ops_session(st) as s:
        d = hotline_stats(s, court_code(st, court), start, end, st, as_of=min(end, date.today()))
    emit_figures(d, fmt, STAT_HEADERS, f"12368 工单统计 {start}—{end}")
    if fmt == Format.table:
        emit([{"k": k, "n": v} for k, v in d["by_category"].items()], fmt, ["k", "n"], {"k": "类别", "n": "件数"})
        emit(d["repeat_callers"], fmt, ["caller_phone", "case_id", "calls"],
             {"caller_phone": "来电号码", "case_id": "案号", "calls": "来电次数"}, title="重复来电")
        emit(d["complaint_hotspots"], fmt, ["division", "complaints"],
             {"division": "部门", "complaints": "投诉件数"}, title="投诉热点")


def register(app: typer.Typer) -> None:
    app.add_typer(hot_app, name="hotline")
