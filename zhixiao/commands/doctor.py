"""``zhixiao doctor``: check an installation and say what to fix (exit 1 when something must be fixed)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated

import typer
from rich.markup import escape

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, parse_date, settings
from zhixiao.ops_doctor import ERROR, OK, WARNING, run_checks

STATUS = {OK: "正常", WARNING: "提示", ERROR: "需修复"}
STYLE = {OK: "green", WARNING: "yellow", ERROR: "bold red"}


HELP = ("检查安装：字体、LibreOffice、Java、运维数据库与迁移、节假日日历、磁盘空间、文件权限、对象存储上的案件数据，"
        "并说明如何修复 / check an installation and say what to fix")


def doctor(
    data_dir: DataDir = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="检查时点（默认今天）/ check as of this date")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="提示项也按需修复处理 / treat warnings as errors")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    today = parse_date(as_of, "检查时点") if as_of else date.today()
    findings = run_checks(settings(data_dir), today)
    if fmt == Format.table:  # one finding per paragraph: the fixes are sentences too long for a table cell
        for f in findings:
            console.print(f"[{STYLE[f.status]}]【{STATUS[f.status]}】[/]{f.check}：{escape(f.message)}")
    else:
        rows = [{**asdict(f), "status": STATUS[f.status] if fmt == Format.csv else f.status} for f in findings]
        emit(rows, fmt, ["check", "status", "message"], {"check": "检查项", "status": "结果", "message": "说明"})
    failing = [f for f in findings if f.status == ERROR or (strict and f.status == WARNING)]
    if failing:
        if fmt == Format.table:
            console.print(f"[bold red]发现 {len(failing)} 项需修复，请按上面的说明处理后重新运行 zhixiao doctor。[/]")
        raise typer.Exit(1)
    if fmt == Format.table:
        console.print("[green]检查通过。[/]")


def register(app: typer.Typer) -> None:
    app.command("doctor", help=HELP)(doctor)
