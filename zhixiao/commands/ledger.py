"""``zhixiao ledger``: special ledgers — 信访积案 (entered once per petitioner and case, changes audited),
topic ledgers, 执行难, 民生小案, 行政争议化解, integrity flags and overdue service items.

The services are imported inside each command, so that other commands do not load SQLAlchemy or the engine.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from zhixiao.commands.common import (
    AsOfOpt,
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    FromOpt,
    NoteOpt,
    ToOpt,
    UserOpt,
    acting_user,
    case_engine,
    console,
    court_code,
    date_or_today,
    emit,
    emit_history,
    ops_session,
    parse_date,
    pct,
    period,
    settings,
    to_json,
    update_hint,
)

led_app = typer.Typer(help="专项台账：信访积案、专题、执行难、民生小案、行政争议化解、廉政风险、逾期事项 / special ledgers",
                      no_args_is_help=True)

PetitionArg = Annotated[int, typer.Argument(help="信访积案编号 / petition id")]
PETITION_HEADERS = {"id": "编号", "petitioner": "信访人", "case_id": "案号", "received_on": "登记日期", "owner": "包案责任人",
                    "status": "状态", "resolved_on": "化解日期", "summary": "诉求"}
CASE_COLUMNS = ["case_id", "cause", "judge_name", "filing_date", "closing_date", "reason"]
CASE_HEADERS = {"case_id": "案号", "cause": "案由", "judge_name": "承办人", "filing_date": "立案", "closing_date": "结案",
                "reason": "入账理由", "overdue": "超审限"}
FIGURE_HEADERS = {"topic": "专题", "received": "受理", "new_cases": "新收", "closed": "结案", "pending": "未结",
                  "avg_days": "平均审理天数", "overdue": "超审限"}


@led_app.command("petitions", help="信访积案台账 / petition backlog")
def petitions(data_dir: DataDir = None, court: CourtOpt = None,
              open_only: Annotated[bool, typer.Option("--open", help="只列在办 / open only")] = False,
              fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.ledgers import petitions as petition_list

    st = settings(data_dir)
    with ops_session(st) as s:
        rows = [{c: getattr(p, c) for c in PETITION_HEADERS} for p in petition_list(s, court or st.court_code, open_only)]
    emit(rows, fmt, headers=PETITION_HEADERS, title="信访积案")


@led_app.command("petition-add", help="登记信访积案（同一信访人就同一案件只登记一次）/ add a petition")
def petition_add(petitioner: Annotated[str, typer.Option("--petitioner", help="信访人 / petitioner")],
                 owner: Annotated[str, typer.Option("--owner", help="包案责任人 / owner")],
                 case: Annotated[str | None, typer.Option("--case", help="案号 / case number")] = None,
                 summary: Annotated[str | None, typer.Option("--summary", help="诉求 / summary")] = None,
                 on: Annotated[str | None, typer.Option("--on", help="登记日期（默认今天）/ received on")] = None,
                 data_dir: DataDir = None, court: CourtOpt = None) -> None:
    from zhixiao.services.common import normalize_case_number
    from zhixiao.services.ledgers import add_petition

    st = settings(data_dir)
    case_id = normalize_case_number(case)[0] if case else None
    with ops_session(st) as s, s.begin(), update_hint("zhixiao ledger petition-update {ref}"):
        p = add_petition(s, court_code=court_code(st, court), petitioner=petitioner,
                         received_on=date_or_today(on, "登记日期"), owner=owner, case_id=case_id, summary=summary)
        console.print(f"已登记信访积案 {p.id}。", markup=False)


@led_app.command("petition-update", help="更新信访积案（状态 在办/已化解/息访、包案责任人、诉求），留存修改记录 / update a petition (audited)")
def petition_update(petition_id: PetitionArg,
                    status: Annotated[str | None, typer.Option("--status", help="在办|已化解|息访 / status")] = None,
                    on: Annotated[str | None, typer.Option("--on", help="化解日期 / resolution date")] = None,
                    owner: Annotated[str | None, typer.Option("--owner", help="更换包案责任人 / new owner")] = None,
                    summary: Annotated[str | None, typer.Option("--summary", help="诉求 / summary")] = None,
                    user: UserOpt = None, note: NoteOpt = None, data_dir: DataDir = None) -> None:
    from zhixiao.services.ledgers import update_petition

    st = settings(data_dir)
    with ops_session(st) as s, s.begin():
        p = update_petition(s, petition_id, status, parse_date(on, "化解日期") if on else None, owner,
                            summary=summary, user=acting_user(user), note=note)
        now = p.status
    console.print(f"信访积案 {petition_id} 已更新为“{now}”。", markup=False)


@led_app.command("petition-history", help="信访积案的修改记录 / a petition's change history")
def petition_history(petition_id: PetitionArg, data_dir: DataDir = None, fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.ledgers import PETITION_LABELS

    emit_history(settings(data_dir), "petition", str(petition_id), PETITION_LABELS, fmt,
                 f"信访积案 {petition_id} 修改记录")


@led_app.command("topics", help="专题台账（不动产登记、房地产历史遗留、涉企等，规则见 ledgers.toml）/ topic ledgers")
def topics(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
           topic: Annotated[str | None, typer.Option("--topic", help="只看一个专题 / one topic only")] = None,
           cases: Annotated[bool, typer.Option("--cases", help="列出案件明细 / list the cases")] = False,
           fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.ledgers import topic_ledgers

    st = settings(data_dir)
    start, end = period(from_, to)
    with console.status("正在生成专题台账…"):
        out = topic_ledgers(case_engine(st), start, end, court or st.court_code, st, topic)
    figures = ("received", "new_cases", "closed", "pending", "avg_days", "overdue")
    if fmt != Format.table and cases:  # one topic per JSON line with its cases; one CSV table with a topic column
        if fmt == Format.json:
            emit([{"topic": k, **{c: v[c] for c in figures}, "cases": v["cases"]} for k, v in out.items()], fmt)
        else:
            emit([{"topic": k, **r} for k, v in out.items() for r in v["cases"]], fmt,
                 ["topic", *CASE_COLUMNS, "overdue"], {**FIGURE_HEADERS, **CASE_HEADERS})
        return
    emit([{"topic": k, **{c: v[c] for c in figures}} for k, v in out.items()], fmt, headers=FIGURE_HEADERS,
         title=f"专题台账 {start}—{end}")
    if cases:
        for k, v in out.items():
            emit(v["cases"], fmt, [*CASE_COLUMNS, "overdue"], CASE_HEADERS, title=k)


@led_app.command("hard-enforcement", help="执行难案：无财产、长期未结、终本候选（五项条件）/ hard enforcement cases")
def hard_enforcement(data_dir: DataDir = None, court: CourtOpt = None, as_of: AsOfOpt = None,
                     fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.ledgers import enforcement_hard

    st = settings(data_dir)
    with console.status("正在检查执行案件…"):
        d = enforcement_hard(case_engine(st), date_or_today(as_of, "统计时点"), court or st.court_code, st)
    lists = {"zhongben_candidates": "终本候选（五项条件均满足）", "zhongben_to_verify": "终本候选（待核实条件）",
             "no_property": "无财产可供执行", "long_running": "长期未结"}
    cols = ["case_id", "judge_name", "filing_date", "reason"]
    if fmt == Format.json:  # a result: one document holding the four lists
        sys.stdout.write(to_json({key: d[key] for key in lists}) + "\n")
        return
    if fmt == Format.csv:  # one table, each case with the list it is on
        emit([{"list": title, **r} for key, title in lists.items() for r in d[key]], fmt, ["list", *cols],
             {"list": "清单", **CASE_HEADERS})
        return
    for key, title in lists.items():
        emit(d[key], fmt, cols, CASE_HEADERS, title=f"{title}：{len(d[key])} 件")


@led_app.command("minsheng", help="民生小案台账 / livelihood small cases")
def minsheng(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
             fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.ledgers import minsheng_cases

    st = settings(data_dir)
    start, end = period(from_, to)
    d = minsheng_cases(case_engine(st), start, end, court or st.court_code, st)
    emit(d["cases"], fmt, CASE_COLUMNS, CASE_HEADERS, title=f"民生小案 {d['received']} 件，平均审理 {d['avg_days']} 天")


@led_app.command("admin-resolution", help="府院联动 / 行政争议实质性化解率（按月或季）/ administrative dispute resolution")
def admin_resolution(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
                     by: Annotated[str, typer.Option("--by", help="按月|按季 / month|quarter")] = "month",
                     fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.ledgers import admin_resolution as resolution_rows

    st = settings(data_dir)
    start, end = period(from_, to)
    rows = resolution_rows(case_engine(st), start, end, court or st.court_code, st, by)
    emit([{**r, "resolution_rate": pct(r["resolution_rate"]) if fmt == Format.table else r["resolution_rate"]}
          for r in rows], fmt, ["period", "closed", "withdrawn", "resolved", "resolution_rate"],
         {"period": "期间", "closed": "行政一审结案", "withdrawn": "撤诉", "resolved": "纠错后撤诉",
          "resolution_rate": "实质性化解率"}, title="行政争议实质性化解")


@led_app.command("integrity", help="廉政风险提示（附案件）/ integrity-risk flags with their cases")
def integrity(data_dir: DataDir = None, court: CourtOpt = None, from_: FromOpt = None, to: ToOpt = None,
              fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.integrity import integrity_flags

    st = settings(data_dir)
    start, end = period(from_, to)
    with console.status("正在分析…"):
        flags = integrity_flags(case_engine(st), start, end, court or st.court_code, st)
    emit([f.as_dict() for f in flags], fmt, ["title", "judge_name", "reason", "cases"],
         {"title": "提示", "judge_name": "法官", "reason": "依据", "cases": "案件"}, title="廉政风险提示（待人工核查）")


@led_app.command("overdue", help="诉讼服务逾期事项（12368、差评督办、司法建议）及提醒/督办/约谈级别 / overdue service items")
def overdue(data_dir: DataDir = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.alerts import overdue_items
    from zhixiao.services.hotline import LEVEL_NAMES

    st = settings(data_dir)
    with ops_session(st) as s:
        items = overdue_items(s, date_or_today(as_of, "统计时点"), st)
    if fmt == Format.table:
        items = [{**i, "level": LEVEL_NAMES[i["level"]]} for i in items]
    emit(items, fmt, ["level", "ref", "assignee", "due", "reason"],
         {"level": "级别", "ref": "事项", "assignee": "责任人", "due": "期限", "reason": "说明"}, title="逾期事项")


def register(app: typer.Typer) -> None:
    app.add_typer(led_app, name="ledger")
