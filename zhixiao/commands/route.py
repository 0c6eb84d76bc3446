"""``zhixiao route``: 繁简分流 and specialised-team routing of one case or a file of cases.

The services are imported inside the command, so that other commands do not load the engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import (
    AsOfOpt,
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    case_engine,
    console,
    date_or_today,
    emit,
    settings,
)

FILE_SUFFIXES = (".csv", ".xlsx", ".txt", ".xlsm")


def route(
    target: Annotated[str, typer.Argument(help="案号，或待分案案件的 CSV/XLSX 文件 / case number or file")],
    data_dir: DataDir = None, court: CourtOpt = None, as_of: AsOfOpt = None, fmt: FormatOpt = Format.table,
) -> None:
    from zhixiao.services.routing import route_case, route_file

    st = settings(data_dir)
    day = date_or_today(as_of, "统计时点")
    eng = case_engine(st)
    p = Path(target)
    if p.suffix.lower() in FILE_SUFFIXES:
        with console.status("正在分案 / routing…"):
            ds = route_file(eng, p, st, day, court or st.court_code)
    else:
        ds = [route_case(eng, target, st, day)]
    emit([d.as_dict() for d in ds], fmt, ["case_id", "track_name", "team", "judge_name", "explanation"],
         {"case_id": "案号", "track_name": "繁简", "team": "团队", "judge_name": "承办法官", "explanation": "理由"},
         title="分案结果")


def register(app: typer.Typer) -> None:
    app.command("route", help="繁简分流与专业团队分案：按规则选团队、选在办最少的法官，并说明理由 / route a case to a team and judge")(
        route)
