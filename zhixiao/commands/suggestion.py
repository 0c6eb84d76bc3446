"""``zhixiao suggestion``: the 司法建议 register — draft, approve, send, reply, archive, correct (audited),
list and figures.

The services are imported inside each command, so that other commands do not load SQLAlchemy.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from zhixiao.commands.common import (
    HISTORY_HEADERS,
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
    date_or_today,
    emit,
    emit_changes,
    emit_figures,
    ops_session,
    period,
    settings,
    update_hint,
)

sug_app = typer.Typer(help="司法建议：起草、核稿签发、发送、回复、归档、修改、统计 / judicial suggestions", no_args_is_help=True)

NumberArg = Annotated[str, typer.Argument(help="文号或编号 / number or id")]
STAT_HEADERS = {"drafted": "起草", "issued": "发出", "replied": "已回复", "adopted": "已采纳", "overdue": "逾期未复",
                "reply_rate": "回复率", "adoption_rate": "采纳率"}
LIST_HEADERS = {"number": "文号", "addressee": "主送单位", "status": "状态", "approvals": "审批", "sent_on": "发送",
                "reply_due": "答复期限", "reply_on": "回复", "adopted": "采纳"}


def _case_id(case: str | None) -> str | None:
    from zhixiao.services.common import normalize_case_number

    return normalize_case_number(case)[0] if case else None


@sug_app.command("new", help="起草司法建议并取得文号（按法院、年度连续编号）/ draft and number a suggestion")
def new(addressee: Annotated[str, typer.Option("--addressee", help="主送单位 / addressee")],
        issue: Annotated[str, typer.Option("--issue", help="发现的问题 / issue found")],
        by: Annotated[str, typer.Option("--by", help="承办人 / drafted by")],
        proposal: Annotated[str | None, typer.Option("--proposal", help="建议内容 / proposal")] = None,
        case: Annotated[str | None, typer.Option("--case", help="来源案号 / source case number")] = None,
        on: Annotated[str | None, typer.Option("--on", help="起草日期（默认今天）/ drafted on")] = None,
        data_dir: DataDir = None, court: CourtOpt = None) -> None:
    from zhixiao.services.suggestions import new_suggestion

    st = settings(data_dir)
    case_id = _case_id(case)
    with ops_session(st) as s, s.begin(), update_hint("zhixiao suggestion update {ref}"):
        sg = new_suggestion(s, court_code=court_code(st, court), addressee=addressee, issue=issue, drafted_by=by,
                            drafted_on=date_or_today(on, "起草日期"), proposal=proposal, source_case_id=case_id,
                            settings=st)
        number = sg.number
    console.print(f"已起草 {number}，下一步：部门负责人核稿（zhixiao suggestion approve）。", markup=False)


@sug_app.command("update", help="修改司法建议：起草阶段改正文，回复后改回复要点与采纳情况；留存修改记录 / correct a suggestion (audited)")
def update(number: NumberArg,
           addressee: Annotated[str | None, typer.Option("--addressee", help="主送单位 / addressee")] = None,
           issue: Annotated[str | None, typer.Option("--issue", help="发现的问题 / issue found")] = None,
           proposal: Annotated[str | None, typer.Option("--proposal", help="建议内容 / proposal")] = None,
           case: Annotated[str | None, typer.Option("--case", help="来源案号 / source case number")] = None,
           summary: Annotated[str | None, typer.Option("--summary", help="回复要点 / reply summary")] = None,
           adopted: Annotated[bool | None, typer.Option("--adopted/--not-adopted", help="是否采纳 / adopted")] = None,
           user: UserOpt = None, note: NoteOpt = None, data_dir: DataDir = None) -> None:
    from zhixiao.services.suggestions import LABELS, update_suggestion

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        sg, changed = update_suggestion(s, number, user=acting_user(user), note=note, addressee=addressee, issue=issue,
                                        proposal=proposal, source_case_id=_case_id(case), reply_summary=summary,
                                        adopted=adopted)
        shown = sg.number
    console.print(f"{shown} 已修改 {len(changed)} 项（已留存修改记录）：", markup=False)
    emit_changes(changed, LABELS)


@sug_app.command("history", help="司法建议的修改记录 / a suggestion's change history")
def history(number: NumberArg, data_dir: DataDir = None, fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.audit import history_rows
    from zhixiao.services.suggestions import LABELS, get

    with ops_session(settings(data_dir)) as s:
        key = get(s, number).number
        rows = history_rows(s, "suggestion", key, LABELS)
    emit(rows, fmt, list(HISTORY_HEADERS), HISTORY_HEADERS, title=f"{key} 修改记录")


@sug_app.command("approve", help="审批：部门负责人核稿，分管院领导/院长/审委会签发 / review or sign")
def approve(number: NumberArg,
            actor: Annotated[str, typer.Option("--actor", help="审批人 / approver")],
            role: Annotated[str, typer.Option("--role", help="部门负责人|分管院领导|院长|审委会 / role")],
            on: Annotated[str | None, typer.Option("--on", help="日期（默认今天）/ date")] = None,
            opinion: Annotated[str | None, typer.Option("--opinion", help="意见 / opinion")] = None,
            data_dir: DataDir = None) -> None:
    from zhixiao.services.suggestions import STATUS_NAMES
    from zhixiao.services.suggestions import approve as sign

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        sg = sign(s, number, actor=actor, role=role, on=date_or_today(on, "审批日期"), opinion=opinion, settings=st)
        console.print(f"{sg.number}：{STATUS_NAMES[sg.status]}。", markup=False)


@sug_app.command("send", help="发送已签发的司法建议，计算答复期限 / send")
def send(number: NumberArg,
         on: Annotated[str | None, typer.Option("--on", help="发送日期（默认今天）/ sent date")] = None,
         data_dir: DataDir = None) -> None:
    from zhixiao.services.suggestions import send as send_suggestion

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        sg = send_suggestion(s, number, date_or_today(on, "发送日期"), st)
        console.print(f"{sg.number} 已发送，答复期限 {sg.reply_due}（默认两个月，可在规则中修改；该期限出处未经证实）。", markup=False)


@sug_app.command("reply", help="登记被建议单位的书面回复 / record the reply")
def reply(number: NumberArg,
          adopted: Annotated[bool, typer.Option("--adopted/--not-adopted", help="是否采纳 / adopted or not")],
          on: Annotated[str | None, typer.Option("--on", help="回复日期（默认今天）/ reply date")] = None,
          summary: Annotated[str | None, typer.Option("--summary", help="回复要点 / reply summary")] = None,
          data_dir: DataDir = None) -> None:
    from zhixiao.services.suggestions import record_reply

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        sg = record_reply(s, number, date_or_today(on, "回复日期"), adopted, summary)
        console.print(f"{sg.number} 已登记回复（{'采纳' if adopted else '未采纳'}）。", markup=False)


@sug_app.command("archive", help="归档 / archive")
def archive(number: NumberArg,
            on: Annotated[str | None, typer.Option("--on", help="归档日期（默认今天）/ archive date")] = None,
            data_dir: DataDir = None) -> None:
    from zhixiao.services.suggestions import archive as archive_suggestion

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        console.print(f"{archive_suggestion(s, number, date_or_today(on, '归档日期')).number} 已归档。", markup=False)


@sug_app.command("list", help="司法建议台账 / register")
def list_cmd(data_dir: DataDir = None, court: CourtOpt = None,
             year: Annotated[int | None, typer.Option("--year", help="年度 / year")] = None,
             fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.suggestions import STATUS_NAMES, list_suggestions

    st = settings(data_dir)
    with ops_session(st) as s:
        rows = [{"number": x.number, "addressee": x.addressee, "status": STATUS_NAMES[x.status],
                 "approvals": " → ".join(f"{p.role}{p.actor}（{p.acted_on}）" for p in x.steps),
                 "sent_on": x.sent_on, "reply_due": x.reply_due, "reply_on": x.reply_on,
                 "adopted": None if x.adopted is None else ("是" if x.adopted else "否")}
                for x in list_suggestions(s, court or st.court_code, year)]
    emit(rows, fmt, headers=LIST_HEADERS, title="司法建议台账")


@sug_app.command("stats", help="发出、回复、采纳、逾期 / figures")
def stats(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
          fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.suggestions import suggestion_stats

    st = settings(data_dir)
    start, end = period(from_, to)
    with ops_session(st) as s:
        d = suggestion_stats(s, court_code(st, court), start, end, as_of=min(end, date.today()))
    emit_figures(d, fmt, STAT_HEADERS, f"司法建议统计 {start}—{end}")


def register(app: typer.Typer) -> None:
    app.add_typer(sug_app, name="suggestion")
