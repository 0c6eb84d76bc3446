"""Litigation-service commands: ``route``, ``hotline``, ``satisfaction``, ``suggestion``, ``ledger``, ``assess``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, parse_date, settings
from zhixiao.errors import UserError

CourtOpt = Annotated[str | None, typer.Option("--court", help="法院代字（默认取 zhixiao.toml 的 court_code）/ court code")]
FromOpt = Annotated[str | None, typer.Option("--from", help="起始日期（默认本年1月1日）/ start date")]
ToOpt = Annotated[str | None, typer.Option("--to", help="截止日期（默认今天）/ end date")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="统计时点（默认今天）/ as-of date")]


def _court(st, court: str | None) -> str:
    c = court or st.court_code
    if not c:
        raise UserError("未指定法院：请用 --court 给出法院代字（如 冀0123），或在 zhixiao.toml 中设置 court_code。")
    return c


def _period(from_: str | None, to: str | None) -> tuple[date, date]:
    end = parse_date(to, "截止日期") if to else date.today()
    start = parse_date(from_, "起始日期") if from_ else date(end.year, 1, 1)
    if start > end:
        raise UserError(f"起始日期 {start} 晚于截止日期 {end}，请调换。")
    return start, end


def _day(text: str | None, what: str) -> date:
    return parse_date(text, what) if text else date.today()


def _session(st):
    from zhixiao.store.ops import session_factory

    return session_factory(st.ops_url)()


def _engine(st):
    from zhixiao.engine import connect

    return connect(st.data_dir)


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def _kv(d: dict, fmt: Format, headers: dict[str, str], title: str) -> None:
    """A figures dict as a two-column table (JSON: the dict itself, glossary keys)."""
    if fmt == Format.json:
        emit([d], fmt)
        return
    rows = [{"item": headers.get(k, k), "value": _pct(v) if k.endswith("_rate") else v}
            for k, v in d.items() if not isinstance(v, (list, dict)) and k not in ("court_code", "start", "end")]
    emit(rows, fmt, ["item", "value"], {"item": "项目", "value": "数值"}, title=title)


STAT_HEADERS = {
    "tickets": "工单数", "responded": "已回复", "on_time": "按时回复", "on_time_rate": "按时回复率",
    "overdue_open": "逾期未回复", "contact_judge": "联系法官（已回复）", "contact_judge_success_rate": "联系法官成功率",
    "satisfaction_rate": "满意率", "ratings": "评价数", "satisfied": "满意数", "negative": "差评数",
    "followups_resolved": "差评督办已办结", "followups_resolved_on_time": "按期办结", "drafted": "起草",
    "issued": "发出", "replied": "已回复", "adopted": "已采纳", "overdue": "逾期未复", "reply_rate": "回复率",
    "adoption_rate": "采纳率", "petitions": "信访积案", "open": "在办", "resolved": "已化解/息访",
    "resolution_rate": "化解率", "open_over_1y": "在办超1年", "received": "受理", "new_cases": "新收",
    "closed": "结案", "pending": "未结", "avg_days": "平均审理天数",
}


def register(app: typer.Typer) -> None:  # noqa: C901 — one place that lists every service command
    # ---- route -------------------------------------------------------------------------------------
    @app.command("route", help="繁简分流与专业团队分案：按规则选团队、选在办最少的法官，并说明理由 / route a case to a team and judge")
    def route(
        target: Annotated[str, typer.Argument(help="案号，或待分案案件的 CSV/XLSX 文件 / case number or file")],
        data_dir: DataDir = None, court: CourtOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
    ) -> None:
        from zhixiao.services.routing import route_case, route_file

        st = settings(data_dir)
        day = _day(as_of, "统计时点")
        eng = _engine(st)
        p = Path(target)
        if p.suffix.lower() in (".csv", ".xlsx", ".txt", ".xlsm"):
            with console.status("正在分案 / routing…"):
                ds = route_file(eng, p, st, day, court or st.court_code)
        else:
            ds = [route_case(eng, target, st, day)]
        emit([d.as_dict() for d in ds], fmt, ["case_id", "track_name", "team", "judge_name", "explanation"],
             {"case_id": "案号", "track_name": "繁简", "team": "团队", "judge_name": "承办法官", "explanation": "理由"},
             title="分案结果")

    # ---- hotline -----------------------------------------------------------------------------------
    hot = typer.Typer(help="12368 诉讼服务热线工单：导入、回复、统计 / 12368 hotline tickets", no_args_is_help=True)
    app.add_typer(hot, name="hotline")

    @hot.command("import", help="导入工单（CSV/XLSX，中文表头；任一行有误则整批不导入）/ import tickets")
    def hotline_import(file: Annotated[Path, typer.Argument(help="工单文件 / file")], data_dir: DataDir = None,
                       court: CourtOpt = None, no_check: Annotated[bool, typer.Option(
                           "--no-case-check", help="不核对案号是否在案件库中 / skip case-store check")] = False) -> None:
        from zhixiao.services.common import case_index
        from zhixiao.services.hotline import import_tickets

        st = settings(data_dir)
        cases = None if no_check else case_index(st.data_dir)
        with _session(st) as s, s.begin():
            r = import_tickets(s, file, _court(st, court), st, cases)
        console.print(f"已导入 {r.imported} 件、更新 {r.updated} 件工单，其中 {r.linked} 件关联到案件。")

    @hot.command("add", help="登记一件工单（网页表单同此校验）/ enter one ticket")
    def hotline_add(ticket: Annotated[str, typer.Argument(help="工单编号 / ticket number")],
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
        with _session(st) as s, s.begin():
            t = add_ticket(s, court_code=_court(st, court), ticket_no=ticket, category=category,
                           received_at=at or datetime.now().replace(microsecond=0), channel=channel, settings=st,
                           cases=case_index(st.data_dir), case_number=case, caller_name=caller, caller_phone=phone,
                           content=content)
            console.print(f"工单 {t.ticket_no} 已登记，承办：{t.assignee or '待分派'}，应于 {t.due_date} 前回复。")

    @hot.command("list", help="列出工单（默认只列未回复）/ list tickets")
    def hotline_list(data_dir: DataDir = None, court: CourtOpt = None,
                     all_: Annotated[bool, typer.Option("--all", help="包括已回复 / include answered")] = False,
                     fmt: FormatOpt = Format.table) -> None:
        from sqlalchemy import select

        from zhixiao.services.models import HotlineTicket

        st = settings(data_dir)
        with _session(st) as s:
            q = select(HotlineTicket).order_by(HotlineTicket.due_date)
            if court or st.court_code:
                q = q.where(HotlineTicket.court_code == _court(st, court))
            if not all_:
                q = q.where(HotlineTicket.responded_at.is_(None))
            rows = [{c: getattr(t, c) for c in ("ticket_no", "category", "caller_name", "case_id", "received_at",
                                                 "due_date", "assignee", "responded_at")} for t in s.scalars(q)]
        emit(rows, fmt, headers={"ticket_no": "工单编号", "category": "类别", "caller_name": "来电人", "case_id": "案号",
                                 "received_at": "受理时间", "due_date": "办理期限", "assignee": "承办",
                                 "responded_at": "回复时间"}, title="12368 工单")

    @hot.command("respond", help="登记工单回复 / record a response")
    def hotline_respond(ticket: Annotated[str, typer.Argument(help="工单编号 / ticket number")],
                        result: Annotated[str, typer.Option("--result", help="办理结果 / result")],
                        at: Annotated[str | None, typer.Option("--at", help="回复时间 YYYY-MM-DD HH:MM（默认现在）/ responded at")] = None,
                        contacted: Annotated[bool | None, typer.Option("--contacted/--not-contacted",
                                                                       help="联系法官是否成功 / judge reached")] = None,
                        satisfaction: Annotated[int | None, typer.Option("--satisfaction", help="来电人满意度 1–5 / caller satisfaction")] = None,
                        data_dir: DataDir = None) -> None:
        from zhixiao.services.hotline import respond
        from zhixiao.services.importers import parse_datetime

        st = settings(data_dir)
        try:
            when = parse_datetime(at) if at else datetime.now().replace(microsecond=0)
        except ValueError:
            raise UserError(f"回复时间“{at}”无效，请写成 2026-03-02 09:15。") from None
        with _session(st) as s, s.begin():
            t = respond(s, ticket, when, result, contacted, satisfaction, st)
            ok = t.responded_at.date() <= t.due_date
        console.print(f"工单 {ticket} 已回复（{'按时' if ok else '逾期'}，期限 {t.due_date}）。")

    @hot.command("stats", help="工单统计：分类、部门、按时回复率、联系法官成功率、重复来电、投诉热点 / figures")
    def hotline_stats_cmd(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                          fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.hotline import hotline_stats

        st = settings(data_dir)
        start, end = _period(from_, to)
        with _session(st) as s:
            d = hotline_stats(s, _court(st, court), start, end, st, as_of=min(end, date.today()))
        _kv(d, fmt, STAT_HEADERS, f"12368 工单统计 {start}—{end}")
        if fmt == Format.table:
            emit([{"k": k, "n": v} for k, v in d["by_category"].items()], fmt, ["k", "n"], {"k": "类别", "n": "件数"})
            emit(d["repeat_callers"], fmt, ["caller_phone", "case_id", "calls"],
                 {"caller_phone": "来电号码", "case_id": "案号", "calls": "来电次数"}, title="重复来电")
            emit(d["complaint_hotspots"], fmt, ["division", "complaints"],
                 {"division": "部门", "complaints": "投诉件数"}, title="投诉热点")

    # ---- satisfaction ------------------------------------------------------------------------------
    sat = typer.Typer(help="诉讼服务满意度评价（一事一评）与差评督办 / satisfaction ratings", no_args_is_help=True)
    app.add_typer(sat, name="satisfaction")

    @sat.command("import", help="导入评价（CSV/XLSX：评价事项、窗口、工作人员、评价日期、评分）/ import ratings")
    def sat_import(file: Annotated[Path, typer.Argument(help="评价文件 / file")], data_dir: DataDir = None,
                   court: CourtOpt = None) -> None:
        from zhixiao.services.satisfaction import import_ratings

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            n = import_ratings(s, file, _court(st, court), st)
        console.print(f"已导入 {n} 条评价；差评已自动生成差评督办。")

    @sat.command("rate", help="登记一条评价 / record one rating")
    def sat_rate(item: Annotated[str, typer.Option("--item", help="评价事项，如 立案 / service item")],
                 score: Annotated[int, typer.Option("--score", help="评分 1–5（5 非常满意）/ score")],
                 window: Annotated[str | None, typer.Option("--window", help="窗口 / service window")] = None,
                 staff: Annotated[str | None, typer.Option("--staff", help="工作人员 / staff name")] = None,
                 staff_id: Annotated[str | None, typer.Option("--staff-id", help="工作人员编号 / staff id")] = None,
                 on: Annotated[str | None, typer.Option("--on", help="评价日期（默认今天）/ rating date")] = None,
                 comment: Annotated[str | None, typer.Option("--comment", help="评价内容 / comment")] = None,
                 data_dir: DataDir = None, court: CourtOpt = None) -> None:
        from zhixiao.services.satisfaction import add_rating

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            r = add_rating(s, court_code=_court(st, court), item=item, rated_on=_day(on, "评价日期"), score=score,
                           settings=st, window=window, staff_name=staff, staff_id=staff_id, comment=comment)
            msg = f"，已生成差评督办 {r.follow_up.id}（{r.follow_up.due_date} 前办结）" if r.follow_up else ""
        console.print(f"已登记评价{msg}。")

    @sat.command("followups", help="列出未办结的差评督办 / open negative-rating follow-ups")
    def sat_followups(data_dir: DataDir = None, court: CourtOpt = None, fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.satisfaction import open_followups

        st = settings(data_dir)
        with _session(st) as s:
            rows = [{"id": f.id, "item": f.rating.item, "score": f.rating.score, "staff": f.rating.staff_name,
                     "rated_on": f.rating.rated_on, "comment": f.rating.comment, "due_date": f.due_date}
                    for f in open_followups(s, court or st.court_code)]
        emit(rows, fmt, headers={"id": "编号", "item": "事项", "score": "评分", "staff": "工作人员", "rated_on": "评价日期",
                                 "comment": "评价内容", "due_date": "办结期限"}, title="差评督办")

    @sat.command("resolve", help="办结差评督办并记录整改结果 / resolve a follow-up")
    def sat_resolve(followup_id: Annotated[int, typer.Argument(help="督办编号 / follow-up id")],
                    resolution: Annotated[str, typer.Option("--resolution", help="整改/回访结果 / resolution")],
                    by: Annotated[str, typer.Option("--by", help="办理人 / handled by")],
                    on: Annotated[str | None, typer.Option("--on", help="办结日期（默认今天）/ resolution date")] = None,
                    data_dir: DataDir = None) -> None:
        from zhixiao.services.satisfaction import resolve_followup

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            resolve_followup(s, followup_id, resolution, by, _day(on, "办结日期"))
        console.print(f"差评督办 {followup_id} 已办结。")

    @sat.command("stats", help="满意率：按事项、人员、窗口、月份 / satisfaction figures")
    def sat_stats(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                  fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.satisfaction import satisfaction_stats

        st = settings(data_dir)
        start, end = _period(from_, to)
        with _session(st) as s:
            d = satisfaction_stats(s, _court(st, court), start, end, st)
        _kv(d, fmt, STAT_HEADERS, f"满意度统计 {start}—{end}")
        if fmt == Format.table:
            for key, title in (("by_item", "按事项"), ("trend", "按月")):
                emit([{"k": k, **v, "satisfaction_rate": _pct(v["satisfaction_rate"])} for k, v in d[key].items()],
                     fmt, ["k", "ratings", "satisfied", "satisfaction_rate"],
                     {"k": title[1:], "ratings": "评价数", "satisfied": "满意", "satisfaction_rate": "满意率"}, title=title)

    # ---- suggestion --------------------------------------------------------------------------------
    sug = typer.Typer(help="司法建议：起草、核稿签发、发送、回复、归档、统计 / judicial suggestions", no_args_is_help=True)
    app.add_typer(sug, name="suggestion")

    @sug.command("new", help="起草司法建议并取得文号（按法院、年度连续编号）/ draft and number a suggestion")
    def sug_new(addressee: Annotated[str, typer.Option("--addressee", help="主送单位 / addressee")],
                issue: Annotated[str, typer.Option("--issue", help="发现的问题 / issue found")],
                by: Annotated[str, typer.Option("--by", help="承办人 / drafted by")],
                proposal: Annotated[str | None, typer.Option("--proposal", help="建议内容 / proposal")] = None,
                case: Annotated[str | None, typer.Option("--case", help="来源案号 / source case number")] = None,
                on: Annotated[str | None, typer.Option("--on", help="起草日期（默认今天）/ drafted on")] = None,
                data_dir: DataDir = None, court: CourtOpt = None) -> None:
        from zhixiao.services.common import normalize_case_number
        from zhixiao.services.suggestions import new_suggestion

        st = settings(data_dir)
        case_id = normalize_case_number(case)[0] if case else None
        with _session(st) as s, s.begin():
            sg = new_suggestion(s, court_code=_court(st, court), addressee=addressee, issue=issue, drafted_by=by,
                                drafted_on=_day(on, "起草日期"), proposal=proposal, source_case_id=case_id, settings=st)
            number = sg.number
        console.print(f"已起草 {number}，下一步：部门负责人核稿（zhixiao suggestion approve）。")

    @sug.command("approve", help="审批：部门负责人核稿，分管院领导/院长/审委会签发 / review or sign")
    def sug_approve(number: Annotated[str, typer.Argument(help="文号或编号 / number or id")],
                    actor: Annotated[str, typer.Option("--actor", help="审批人 / approver")],
                    role: Annotated[str, typer.Option("--role", help="部门负责人|分管院领导|院长|审委会 / role")],
                    on: Annotated[str | None, typer.Option("--on", help="日期（默认今天）/ date")] = None,
                    opinion: Annotated[str | None, typer.Option("--opinion", help="意见 / opinion")] = None,
                    data_dir: DataDir = None) -> None:
        from zhixiao.services.suggestions import STATUS_NAMES, approve

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            sg = approve(s, number, actor=actor, role=role, on=_day(on, "审批日期"), opinion=opinion, settings=st)
            console.print(f"{sg.number}：{STATUS_NAMES[sg.status]}。")

    @sug.command("send", help="发送已签发的司法建议，计算答复期限 / send")
    def sug_send(number: Annotated[str, typer.Argument(help="文号或编号 / number or id")],
                 on: Annotated[str | None, typer.Option("--on", help="发送日期（默认今天）/ sent date")] = None,
                 data_dir: DataDir = None) -> None:
        from zhixiao.services.suggestions import send

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            sg = send(s, number, _day(on, "发送日期"), st)
            console.print(f"{sg.number} 已发送，答复期限 {sg.reply_due}（默认两个月，可在规则中修改；该期限出处未经证实）。")

    @sug.command("reply", help="登记被建议单位的书面回复 / record the reply")
    def sug_reply(number: Annotated[str, typer.Argument(help="文号或编号 / number or id")],
                  adopted: Annotated[bool, typer.Option("--adopted/--not-adopted", help="是否采纳 / adopted or not")],
                  on: Annotated[str | None, typer.Option("--on", help="回复日期（默认今天）/ reply date")] = None,
                  summary: Annotated[str | None, typer.Option("--summary", help="回复要点 / reply summary")] = None,
                  data_dir: DataDir = None) -> None:
        from zhixiao.services.suggestions import record_reply

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            sg = record_reply(s, number, _day(on, "回复日期"), adopted, summary)
            console.print(f"{sg.number} 已登记回复（{'采纳' if adopted else '未采纳'}）。")

    @sug.command("archive", help="归档 / archive")
    def sug_archive(number: Annotated[str, typer.Argument(help="文号或编号 / number or id")],
                    on: Annotated[str | None, typer.Option("--on", help="归档日期（默认今天）/ archive date")] = None,
                    data_dir: DataDir = None) -> None:
        from zhixiao.services.suggestions import archive

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            console.print(f"{archive(s, number, _day(on, '归档日期')).number} 已归档。")

    @sug.command("list", help="司法建议台账 / register")
    def sug_list(data_dir: DataDir = None, court: CourtOpt = None,
                 year: Annotated[int | None, typer.Option("--year", help="年度 / year")] = None,
                 fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.suggestions import STATUS_NAMES, list_suggestions

        st = settings(data_dir)
        with _session(st) as s:
            rows = [{"number": x.number, "addressee": x.addressee, "status": STATUS_NAMES[x.status],
                     "approvals": " → ".join(f"{p.role}{p.actor}（{p.acted_on}）" for p in x.steps),
                     "sent_on": x.sent_on, "reply_due": x.reply_due, "reply_on": x.reply_on,
                     "adopted": None if x.adopted is None else ("是" if x.adopted else "否")}
                    for x in list_suggestions(s, court or st.court_code, year)]
        emit(rows, fmt, headers={"number": "文号", "addressee": "主送单位", "status": "状态", "approvals": "审批",
                                 "sent_on": "发送", "reply_due": "答复期限", "reply_on": "回复", "adopted": "采纳"},
             title="司法建议台账")

    @sug.command("stats", help="发出、回复、采纳、逾期 / figures")
    def sug_stats(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                  fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.suggestions import suggestion_stats

        st = settings(data_dir)
        start, end = _period(from_, to)
        with _session(st) as s:
            d = suggestion_stats(s, _court(st, court), start, end, as_of=min(end, date.today()))
        _kv(d, fmt, STAT_HEADERS, f"司法建议统计 {start}—{end}")

    # ---- ledgers -----------------------------------------------------------------------------------
    led = typer.Typer(help="专项台账：信访积案、专题、执行难、民生小案、行政争议化解、廉政风险、逾期事项 / special ledgers",
                      no_args_is_help=True)
    app.add_typer(led, name="ledger")

    @led.command("petitions", help="信访积案台账 / petition backlog")
    def led_petitions(data_dir: DataDir = None, court: CourtOpt = None,
                      open_only: Annotated[bool, typer.Option("--open", help="只列在办 / open only")] = False,
                      fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.ledgers import petitions

        st = settings(data_dir)
        with _session(st) as s:
            rows = [{c: getattr(p, c) for c in ("id", "petitioner", "case_id", "received_on", "owner", "status",
                                                 "resolved_on", "summary")}
                    for p in petitions(s, court or st.court_code, open_only)]
        emit(rows, fmt, headers={"id": "编号", "petitioner": "信访人", "case_id": "案号", "received_on": "登记日期",
                                 "owner": "包案责任人", "status": "状态", "resolved_on": "化解日期", "summary": "诉求"},
             title="信访积案")

    @led.command("petition-add", help="登记信访积案 / add a petition")
    def led_petition_add(petitioner: Annotated[str, typer.Option("--petitioner", help="信访人 / petitioner")],
                         owner: Annotated[str, typer.Option("--owner", help="包案责任人 / owner")],
                         case: Annotated[str | None, typer.Option("--case", help="案号 / case number")] = None,
                         summary: Annotated[str | None, typer.Option("--summary", help="诉求 / summary")] = None,
                         on: Annotated[str | None, typer.Option("--on", help="登记日期（默认今天）/ received on")] = None,
                         data_dir: DataDir = None, court: CourtOpt = None) -> None:
        from zhixiao.services.common import normalize_case_number
        from zhixiao.services.ledgers import add_petition

        st = settings(data_dir)
        case_id = normalize_case_number(case)[0] if case else None
        with _session(st) as s, s.begin():
            p = add_petition(s, court_code=_court(st, court), petitioner=petitioner, received_on=_day(on, "登记日期"),
                             owner=owner, case_id=case_id, summary=summary)
            console.print(f"已登记信访积案 {p.id}。")

    @led.command("petition-update", help="更新信访积案状态（在办/已化解/息访）/ update status")
    def led_petition_update(petition_id: Annotated[int, typer.Argument(help="编号 / id")],
                            status: Annotated[str, typer.Option("--status", help="在办|已化解|息访 / status")],
                            on: Annotated[str | None, typer.Option("--on", help="化解日期 / resolution date")] = None,
                            owner: Annotated[str | None, typer.Option("--owner", help="更换包案责任人 / new owner")] = None,
                            data_dir: DataDir = None) -> None:
        from zhixiao.services.ledgers import update_petition

        st = settings(data_dir)
        with _session(st) as s, s.begin():
            update_petition(s, petition_id, status, parse_date(on, "化解日期") if on else None, owner)
        console.print(f"信访积案 {petition_id} 已更新为“{status}”。")

    case_cols = ["case_id", "cause", "judge_name", "filing_date", "closing_date", "reason"]
    case_heads = {"case_id": "案号", "cause": "案由", "judge_name": "承办人", "filing_date": "立案", "closing_date": "结案",
                  "reason": "入账理由", "overdue": "超审限"}

    @led.command("topics", help="专题台账（不动产登记、房地产历史遗留、涉企等，规则见 ledgers.toml）/ topic ledgers")
    def led_topics(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                   topic: Annotated[str | None, typer.Option("--topic", help="只看一个专题 / one topic only")] = None,
                   cases: Annotated[bool, typer.Option("--cases", help="列出案件明细 / list the cases")] = False,
                   fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.ledgers import topic_ledgers

        st = settings(data_dir)
        start, end = _period(from_, to)
        with console.status("正在生成专题台账…"):
            out = topic_ledgers(_engine(st), start, end, court or st.court_code, st, topic)
        emit([{"topic": k, **{c: v[c] for c in ("received", "new_cases", "closed", "pending", "avg_days", "overdue")}}
              for k, v in out.items()], fmt, headers={"topic": "专题", **STAT_HEADERS, "overdue": "超审限"},
             title=f"专题台账 {start}—{end}")
        if cases:
            for k, v in out.items():
                emit(v["cases"], fmt, case_cols + ["overdue"], case_heads, title=k)

    @led.command("hard-enforcement", help="执行难案：无财产、长期未结、终本候选（五项条件）/ hard enforcement cases")
    def led_hard(data_dir: DataDir = None, court: CourtOpt = None, as_of: AsOfOpt = None,
                 fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.ledgers import enforcement_hard

        st = settings(data_dir)
        with console.status("正在检查执行案件…"):
            d = enforcement_hard(_engine(st), _day(as_of, "统计时点"), court or st.court_code, st)
        for key, title in (("zhongben_candidates", "终本候选（五项条件均满足）"), ("zhongben_to_verify", "终本候选（待核实条件）"),
                           ("no_property", "无财产可供执行"), ("long_running", "长期未结")):
            emit(d[key], fmt, ["case_id", "judge_name", "filing_date", "reason"], case_heads,
                 title=f"{title}：{len(d[key])} 件")

    @led.command("minsheng", help="民生小案台账 / livelihood small cases")
    def led_minsheng(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                     fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.ledgers import minsheng_cases

        st = settings(data_dir)
        start, end = _period(from_, to)
        d = minsheng_cases(_engine(st), start, end, court or st.court_code, st)
        emit(d["cases"], fmt, case_cols, case_heads, title=f"民生小案 {d['received']} 件，平均审理 {d['avg_days']} 天")

    @led.command("admin-resolution", help="府院联动 / 行政争议实质性化解率（按月或季）/ administrative dispute resolution")
    def led_admin(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                  by: Annotated[str, typer.Option("--by", help="按月|按季 / month|quarter")] = "month",
                  fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.ledgers import admin_resolution

        st = settings(data_dir)
        start, end = _period(from_, to)
        rows = admin_resolution(_engine(st), start, end, court or st.court_code, st, by)
        emit([{**r, "resolution_rate": _pct(r["resolution_rate"]) if fmt == Format.table else r["resolution_rate"]}
              for r in rows], fmt, ["period", "closed", "withdrawn", "resolved", "resolution_rate"],
             {"period": "期间", "closed": "行政一审结案", "withdrawn": "撤诉", "resolved": "纠错后撤诉",
              "resolution_rate": "实质性化解率"}, title="行政争议实质性化解")

    @led.command("integrity", help="廉政风险提示（附案件）/ integrity-risk flags with their cases")
    def led_integrity(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                      fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.integrity import integrity_flags

        st = settings(data_dir)
        start, end = _period(from_, to)
        with console.status("正在分析…"):
            flags = integrity_flags(_engine(st), start, end, court or st.court_code, st)
        emit([f.as_dict() for f in flags], fmt, ["title", "judge_name", "reason", "cases"],
             {"title": "提示", "judge_name": "法官", "reason": "依据", "cases": "案件"}, title="廉政风险提示（待人工核查）")

    @led.command("overdue", help="诉讼服务逾期事项（12368、差评督办、司法建议）及提醒/督办/约谈级别 / overdue service items")
    def led_overdue(data_dir: DataDir = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.alerts import overdue_items
        from zhixiao.services.hotline import LEVEL_NAMES

        st = settings(data_dir)
        with _session(st) as s:
            items = overdue_items(s, _day(as_of, "统计时点"), st)
        if fmt == Format.table:
            items = [{**i, "level": LEVEL_NAMES[i["level"]]} for i in items]
        emit(items, fmt, ["level", "ref", "assignee", "due", "reason"],
             {"level": "级别", "ref": "事项", "assignee": "责任人", "due": "期限", "reason": "说明"}, title="逾期事项")

    # ---- assess ------------------------------------------------------------------------------------
    @app.command("assess", help="人员季度考核：工作量加权 + 指标合理区间评分，逐项说明理由 / quarterly staff assessment")
    def assess_cmd(quarter: Annotated[str, typer.Option("--quarter", help="季度，如 2026Q3 / quarter")],
                   data_dir: DataDir = None, court: CourtOpt = None,
                   out: Annotated[Path | None, typer.Option("--out", help="写出 .xlsx 考核表 / write the .xlsx sheets")] = None,
                   fmt: FormatOpt = Format.table) -> None:
        from zhixiao.services.assessment import assess, write_xlsx

        st = settings(data_dir)
        with console.status("正在计算考核得分…"), _session(st) as s:
            sheets = assess(_engine(st), s, _court(st, court), quarter, st)
        if out:
            write_xlsx(sheets, out)
            console.print(f"已写出 {out}（{len(sheets)} 人）。")
        emit([{**x.as_dict(), "items": "；".join(f"{i.name}{i.points:g}/{i.max_points:g}" for i in x.items)}
              for x in sheets] if fmt != Format.json else [x.as_dict() for x in sheets], fmt,
             ["person_id", "name", "post", "division", "total", "max_total", "items"] if fmt != Format.json else None,
             {"person_id": "编号", "name": "姓名", "post": "岗位", "division": "部门", "total": "得分", "max_total": "满分",
              "items": "分项"}, title=f"{quarter} 人员考核（合理区间评分，不排名）")
