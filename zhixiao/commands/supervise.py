"""``zhixiao supervise``: the daily 审限 sweep and the 提醒→督办→约谈→问责 ledger without the web UI."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zhixiao.commands.common import (
    DataDir,
    Format,
    FormatOpt,
    code_for,
    console,
    date_or_today,
    emit,
    ops_session,
    settings,
)
from zhixiao.config import Settings
from zhixiao.errors import UserError

if TYPE_CHECKING:  # the ledger (engine, ops DB) loads only in the commands that use it
    from zhixiao.supervision.ledger import RunSummary

sup_app = typer.Typer(help="审限监管与督办台账 / time-limit supervision ladder and ledger", no_args_is_help=True)

ALERT_COLUMNS = ["id", "case_id", "level_name", "rule_name", "judge_name", "division", "deadline", "provisional",
                 "triggered_on", "due", "status_name"]
ALERT_HEADERS = {"id": "编号", "case_id": "案号", "level_name": "级别", "rule_name": "事由", "judge_name": "承办法官",
                 "division": "部门", "deadline": "审限届满日", "provisional": "暂定", "triggered_on": "生成日期",
                 "due": "反馈期限", "status_name": "状态"}
LEDGER_HEADERS = {"case_id": "案号", "court_code": "法院", "division": "部门", "judge_name": "承办法官", "category": "类别",
                  "type_code": "类型", "procedure": "程序", "filing_date": "立案日期", "pending_months": "未结月数",
                  "deadline": "审限届满日", "provisional": "暂定", "status": "审限状态", "tier": "档次（月）",
                  "extended": "延长", "suspended": "中止", "interrupted": "中断", "deducted": "扣除"}


class LedgerKind(StrEnum):
    long_pending = "long_pending"
    four_pending = "four_pending"


AsOf = Annotated[str | None, typer.Option("--as-of", help="截至日期，默认今天 / as-of date (default today)")]
Backend = Annotated[str, typer.Option("--backend", help="计算引擎 duckdb|spark / engine")]


RUN_HEADERS = {"as_of": "截至日期", "cases_checked": "检查案件", "matched": "触发案件", "created_remind": "新增提醒",
               "created_supervise": "新增督办", "created_interview": "新增约谈", "created_hold_accountable": "新增问责",
               "escalated": "已升级", "auto_resolved": "结案自动办结", "provisional_cases": "届满日暂定的未结案件",
               "seconds": "用时（秒）"}


def check_store(st: Settings) -> None:
    if not (st.data_dir / "manifest.json").is_file():
        raise UserError(f"数据目录 {st.data_dir} 中没有案件数据，请先导入（zhixiao imports）或用 --data-dir 指定目录。")


def run_row(s: RunSummary) -> dict:
    """One row of a ladder run's ``RunSummary``, keyed as ``RUN_HEADERS``."""
    from zhixiao.supervision.rules import LEVEL_NAMES

    return {"as_of": s.as_of, "cases_checked": s.cases_checked, "matched": s.matched,
            **{f"created_{lv}": s.created.get(lv, 0) for lv in LEVEL_NAMES}, "escalated": s.escalated,
            "auto_resolved": s.auto_resolved, "provisional_cases": s.provisional_cases, "seconds": round(s.seconds, 2)}


def warn_provisional(n: int, fmt: Format) -> None:
    if n and fmt == Format.table:
        console.print(f"[bold yellow]警告：{n} 件未结案件的审限届满日落在节假日安排未知的年度，"
                      "已按仅周末休息暂算。请在数据目录的 calendar_overrides.toml 中录入国务院公布的安排。[/]")


@sup_app.command("run", help="审限巡查（仅审限）：计算全部案件审限并生成督办事项，可重复运行；每日任务（另含诉讼服务逾期事项）"
                             "用 zhixiao daily / the 审限 sweep alone, idempotent; the daily job is `zhixiao daily`")
def run(as_of: AsOf = None, data_dir: DataDir = None, backend: Backend = "duckdb", fmt: FormatOpt = Format.table) -> None:
    from zhixiao.supervision.ledger import run_daily

    st = settings(data_dir)
    d = date_or_today(as_of, "--as-of")
    check_store(st)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as prog:
        task = prog.add_task("审限巡查中…", total=None)
        s = run_daily(st, d, backend=backend, progress=lambda msg: prog.update(task, description=msg))
    emit([run_row(s)], fmt, headers=RUN_HEADERS, title="审限巡查结果")
    warn_provisional(s.provisional_cases, fmt)


@sup_app.command("list", help="列出督办事项 / list alerts")
def list_cmd(
    level: Annotated[str | None, typer.Option(
        "--level", help="级别：提醒|督办|约谈|问责 / level: remind|supervise|interview|hold_accountable")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="法官编号或姓名 / judge id or name")] = None,
    status: Annotated[str | None, typer.Option(
        "--status", help="状态：待处理|已签收|已办结|已升级 / status: open|acknowledged|resolved|escalated")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="最多显示条数 / max rows")] = None,
    data_dir: DataDir = None,
    fmt: FormatOpt = Format.table,
) -> None:
    from zhixiao.supervision.ledger import AlertFilter, alert_row, list_alerts
    from zhixiao.supervision.models import STATUS_NAMES
    from zhixiao.supervision.rules import LEVEL_NAMES

    level, status = code_for(level, LEVEL_NAMES, "--level"), code_for(status, STATUS_NAMES, "--status")
    with ops_session(settings(data_dir)) as s:
        rows = [alert_row(a) for a in list_alerts(s, AlertFilter(level=level, judge=judge, status=status, limit=limit))]
    for r in rows:
        if fmt == Format.table:
            r["provisional"] = "暂定" if r["provisional"] else ""
    cols = ALERT_COLUMNS if fmt != Format.json else None
    emit(rows, fmt, columns=cols, headers=ALERT_HEADERS, title=f"督办事项（{len(rows)} 项）")


ActorJudge = Annotated[str | None, typer.Option(
    "--judge-id", help="操作人是法官时其编号（本人承办案件的事项不能由本人处理）/ the operator's judge id")]


@sup_app.command("ack", help="签收督办事项 / acknowledge an alert")
def ack(alert_id: Annotated[int, typer.Argument(help="编号 / alert id")],
        user: Annotated[str, typer.Option("--user", help="操作人 / who")],
        note: Annotated[str | None, typer.Option("--note", help="备注 / note")] = None,
        judge_id: ActorJudge = None,
        data_dir: DataDir = None) -> None:
    from zhixiao.supervision.ledger import acknowledge

    with ops_session(settings(data_dir)) as s:
        a = acknowledge(s, alert_id, user, note, actor_judge_id=judge_id)
        console.print(f"已签收督办事项 {a.id}（{a.case_id or a.subject}）。", markup=False)


@sup_app.command("resolve", help="办结督办事项（须写明处理情况）/ resolve an alert (note required)")
def resolve_cmd(alert_id: Annotated[int, typer.Argument(help="编号 / alert id")],
                user: Annotated[str, typer.Option("--user", help="操作人 / who")],
                note: Annotated[str, typer.Option("--note", help="处理情况 / what was done")],
                judge_id: ActorJudge = None,
                data_dir: DataDir = None) -> None:
    from zhixiao.supervision.ledger import resolve

    with ops_session(settings(data_dir)) as s:
        a = resolve(s, alert_id, user, note, actor_judge_id=judge_id)
        console.print(f"已办结督办事项 {a.id}（{a.case_id or a.subject}）。", markup=False)


@sup_app.command("history", help="督办事项的处理记录 / an alert's history")
def history_cmd(alert_id: Annotated[int, typer.Argument(help="编号 / alert id")], data_dir: DataDir = None,
                fmt: FormatOpt = Format.table) -> None:
    from zhixiao.supervision.ledger import history

    with ops_session(settings(data_dir)) as s:
        rows = [{"at": e.at, "user": e.user, "action": e.action, "from_status": e.from_status,
                 "to_status": e.to_status, "note": e.note} for e in history(s, alert_id)]
    emit(rows, fmt, headers={"at": "时间", "user": "操作人", "action": "操作", "from_status": "原状态",
                             "to_status": "新状态", "note": "备注"}, title=f"督办事项 {alert_id} 处理记录")


@sup_app.command("notices", help="按法官、部门生成督办通知（.txt 与 .xlsx）/ notices per judge and division")
def notices(out: Annotated[Path, typer.Option("--out", help="输出目录 / output directory")],
            as_of: AsOf = None, data_dir: DataDir = None) -> None:
    from zhixiao.supervision.ledger import AlertFilter, list_alerts
    from zhixiao.supervision.notices import write_notices

    with ops_session(settings(data_dir)) as s:
        alerts = [a for st in ("open", "acknowledged") for a in list_alerts(s, AlertFilter(status=st))]
    if not alerts:
        console.print("当前没有待处理的督办事项，未生成通知。")
        return
    files = write_notices(alerts, out, date_or_today(as_of, "--as-of"))
    console.print(f"已生成 {len(files)} 个文件，位于 {out}（法官 / 部门 两个子目录）。", markup=False)


@sup_app.command("ledger", help="长期未结台账（12/24/36个月）或四项未结清单 / long-pending ledger or 四项未结 list")
def ledger(kind: Annotated[LedgerKind, typer.Option("--kind", help="长期未结台账|四项未结清单 / which list: long_pending|four_pending")],
           as_of: AsOf = None, data_dir: DataDir = None, backend: Backend = "duckdb",
           fmt: FormatOpt = Format.table) -> None:
    from zhixiao.commands.deadline import calendar_for
    from zhixiao.deadlines import deadline_table, table_options
    from zhixiao.engine import connect
    from zhixiao.supervision.pending import four_pending, long_pending
    from zhixiao.supervision.rules import load_ladder

    st = settings(data_dir)
    d = date_or_today(as_of, "--as-of")
    table = deadline_table(connect(st.data_dir, backend), d, calendar_for(data_dir),
                           **table_options(st, load_ladder(st)))
    if kind == LedgerKind.long_pending:
        tiers = tuple(load_ladder(st).ledger.get("long_pending_tiers", (12, 24, 36)))
        expr, title = long_pending(table, tiers), f"长期未结案件台账（截至 {d.isoformat()}）"
    else:
        expr, title = four_pending(table), f"四项未结案件清单（截至 {d.isoformat()}）"
    rows = expr.to_pyarrow().to_pylist()
    if fmt == Format.table:
        for r in rows:
            for k in ("provisional", "extended", "suspended", "interrupted", "deducted"):
                if k in r:
                    r[k] = "是" if r[k] else ""
    cols = [c for c in LEDGER_HEADERS if rows and c in rows[0]] or None
    emit(rows, fmt, columns=cols, headers=LEDGER_HEADERS, title=f"{title}：{len(rows)} 件")


def register(app: typer.Typer) -> None:
    app.add_typer(sup_app, name="supervise")
