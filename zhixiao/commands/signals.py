"""``zhixiao signals``: gaming and anomaly signals for one court and period, each with its cases."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from zhixiao.commands.common import (
    DataDir,
    Format,
    FormatOpt,
    code_for,
    console,
    emit,
    parse_date,
    settings,
    to_json,
)
from zhixiao.errors import UserError

HEADERS = {"title": "信号", "subject_name": "对象", "case_count": "涉及案件", "explanation": "说明"}
CASE_COLUMNS = ["case_id", "refiled_case_id", "judge_name", "division", "filing_date", "closing_date",
                "closing_method", "start_date", "deadline", "days_before", "gap_days"]
CASE_HEADERS = {"case_id": "案号", "refiled_case_id": "再诉案号", "judge_name": "承办法官", "division": "部门",
                "filing_date": "立案日期", "closing_date": "结案日期", "closing_method": "结案方式",
                "start_date": "扣除/中止起始", "deadline": "当时届满日", "days_before": "距届满天数",
                "gap_days": "间隔天数"}


def register(app: typer.Typer) -> None:
    @app.command("signals")
    def signals(
        start: Annotated[str, typer.Option("--from", help="起始日期 YYYY-MM-DD / start date")],
        end: Annotated[str, typer.Option("--to", help="截止日期 YYYY-MM-DD / end date")],
        court: Annotated[str | None, typer.Option("--court", help="法院代字（默认取 zhixiao.toml）/ court code")] = None,
        kind: Annotated[list[str] | None, typer.Option("--kind", help="只看某类信号，写代码或表中的中文名（可重复）/ signal kind")] = None,
        cases: Annotated[int, typer.Option("--cases", help="表格中每个信号列出的案件数 / cases shown per signal")] = 10,
        data_dir: DataDir = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """数据异常与规避考核信号（12月压案、年底突击结案、临界扣审限、撤诉再诉、法官延长/终本率离群）/ anomaly signals."""
        from zhixiao.analysis.signals import KIND_NAMES, detect_signals
        from zhixiao.engine import connect

        s = settings(data_dir)
        c = court or s.court_code
        if not c:
            raise UserError("未指定法院：请加 --court 法院代字（如 --court 冀0102），或在 zhixiao.toml 中设置 court_code。")
        a, b = parse_date(start, "--from"), parse_date(end, "--to")
        if a > b:
            raise UserError(f"起始日 {a} 晚于截止日 {b}，请调换 --from 与 --to。")
        kind = [code_for(k, KIND_NAMES, "--kind") for k in kind or []]
        with console.status("正在检测 / detecting …", spinner="dots"):
            found = detect_signals(connect(s.data_dir), c, a, b, rules=(s.rules or {}).get("signals"),
                                   kinds=tuple(kind) if kind else None)
        if fmt == Format.json:
            for sig in found:
                sys.stdout.write(to_json(sig.to_dict()) + "\n")
            return
        if not found:
            console.print(f"{c} 在 {a} 至 {b} 期间未发现异常信号。", markup=False) if fmt == Format.table else emit([], fmt, list(HEADERS), HEADERS)
            return
        emit([sig.to_dict() for sig in found], fmt, list(HEADERS), HEADERS,
             title=f"{c} 数据异常信号（{a} 至 {b}）——线索而非结论，请逐案核查")
        if fmt == Format.table:
            for sig in found:
                cols = [k for k in CASE_COLUMNS if any(k in r for r in sig.cases)]
                emit(sig.cases[:cases], fmt, cols, CASE_HEADERS,
                     title=f"{sig.title}：{sig.subject_name}（共 {sig.case_count} 件，列出 {min(cases, len(sig.cases))} 件）")
