"""``zhixiao assess``: the quarterly staff assessment (workload and reference-range scores, each explained).

The services are imported inside the command, so that other commands do not load the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import (
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    case_engine,
    console,
    court_code,
    emit,
    ops_session,
    settings,
)

HEADERS = {"person_id": "编号", "name": "姓名", "post": "岗位", "division": "部门", "total": "得分", "max_total": "满分",
           "items": "分项"}


def title(quarter: str, note: str) -> str:
    """The listing's title; while the quarter runs it says the date the figures are counted to."""
    return f"{quarter} 人员考核（合理区间评分，不排名{'；' + note if note else ''}）"


def assess(quarter: Annotated[str, typer.Option("--quarter", help="季度，如 2026Q3 / quarter")],
           data_dir: DataDir = None, court: CourtOpt = None,
           out: Annotated[Path | None, typer.Option("--out", help="写出 .xlsx 考核表 / write the .xlsx sheets")] = None,
           fmt: FormatOpt = Format.table) -> None:
    from zhixiao.services.assessment import assess as assess_staff
    from zhixiao.services.assessment import write_xlsx

    st = settings(data_dir)
    with console.status("正在计算考核得分…"), ops_session(st) as s:
        sheets = assess_staff(case_engine(st), s, court_code(st, court), quarter, st)
    if out:
        write_xlsx(sheets, out)
        console.print(f"已写出 {out}（{len(sheets)} 人）。", markup=False)
    head = title(quarter, sheets[0].note if sheets else "")
    if fmt == Format.json:  # each row carries measured_to and, while the quarter runs, the same note
        emit([x.as_dict() for x in sheets], fmt, None, HEADERS, title=head)
        return
    emit([{**x.as_dict(), "items": "；".join(f"{i.name}{i.points:g}/{i.max_points:g}" for i in x.items)}
          for x in sheets], fmt, list(HEADERS), HEADERS, title=head)


def register(app: typer.Typer) -> None:
    app.command("assess", help="人员季度考核：工作量加权 + 指标合理区间评分，逐项说明理由 / quarterly staff assessment")(assess)
