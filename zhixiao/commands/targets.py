"""``zhixiao targets set|show|forecast``: annual targets, progress against the curve, 数据测算."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from zhixiao.commands.common import (
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    console,
    court_code,
    emit,
    parse_date,
    settings,
    to_json,
)
from zhixiao.errors import UserError

# Default 结案率 target when none is stored: 93% (安徽高院 baseline; national 2020 average 93.18%, REFERENCE §5.3).
DEFAULT_CLOSURE_TARGET = 0.93

AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="测算基准日 YYYY-MM-DD（默认今天）/ as-of date")]

PROGRESS_HEADERS = {
    "name": "指标", "target": "目标", "forecast": "年末测算", "interval": "90%区间", "status": "判断",
    "closed_ytd": "已结案", "expected_closed_by_now": "按曲线应结", "gap": "差额", "required_closings": "全年需结",
    "reference_floor": "参考进度线",
}
PART_HEADERS = {"name": "指标", "unit_name": "部门/法官", "carried_over": "旧存", "expected_filings": "预计新收",
                "workload": "工作量", "target_closings": "全年需结", "due_now": "截至本月应结"}
FORECAST_HEADERS = {"name": "指标", "point": "测算值", "low": "区间下限(5%)", "high": "区间上限(95%)"}
JUDGE_HEADERS = {
    "judge_id": "法官编号", "name": "法官", "division": "部门", "carried_over": "旧存", "closed_ytd": "已结",
    "pending_now": "未结", "expected_received": "预计全年受理", "needed": "尚需结案", "workdays_left": "剩余工作日",
    "per_workday": "每工作日需结",
}
RATE_IDS = ("closure_rate", "clearance_ratio", "on_time_rate")


def parse_value(text: str, indicator: str) -> float:
    """"93%" → 0.93; a bare number is taken as written (rates as fractions)."""
    t = text.strip()
    try:
        v = float(t[:-1]) / 100 if t.endswith(("%", "％")) else float(t)
    except ValueError:
        raise UserError(f"目标值“{text}”不是数字：请写成 0.93、93% 或件数如 1200。") from None
    return v


def _pct(v, unit_rate: bool):
    if v is None:
        return None
    return f"{v * 100:.2f}%" if unit_rate else f"{round(v):,}"  # a forecast count is whole cases


def set_cmd(
    indicator: Annotated[str, typer.Option("--indicator", help="指标代码，如 closure_rate、closed / indicator id")],
    value: Annotated[str, typer.Option("--value", help="目标值：比率写 0.93 或 93%，件数写整数 / target value")],
    year: Annotated[int, typer.Option("--year", help="年度 / year")],
    court: CourtOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="备注 / note")] = None,
    data_dir: DataDir = None,
) -> None:
    """设定（或改写）法院年度目标 / set or replace a court's annual target."""
    from zhixiao.analysis.targets import set_target

    s = settings(data_dir)
    row = set_target(s.ops_url, court_code(s, court), year, indicator, parse_value(value, indicator), note=note)
    console.print(f"已设定 {row['court_code']} {year} 年目标：{indicator} = {row['value']}", markup=False)


def show_cmd(
    year: Annotated[int, typer.Option("--year", help="年度 / year")],
    court: CourtOpt = None,
    as_of: AsOfOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="按 division|judge 分解结案目标 / decompose by")] = None,
    data_dir: DataDir = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """目标进度：对照历年结案进度曲线与年末测算 / progress against the curve and the forecast."""
    from zhixiao.analysis.targets import list_targets, targets_progress
    from zhixiao.engine import connect

    s = settings(data_dir)
    c = court_code(s, court)
    day = parse_date(as_of, "--as-of") if as_of else min(date.today(), date(year, 12, 31))
    if not list_targets(s.ops_url, c, year):
        raise UserError(f"{c} 尚未设定 {year} 年目标：先运行 zhixiao targets set --court {c} --year {year} "
                        "--indicator closure_rate --value 93%。")
    with console.status("正在测算 / forecasting …", spinner="dots"):
        eng = connect(s.data_dir)
        rows = targets_progress(s, eng, c, year, day)
        parts = _decomposition(eng, c, year, day, rows, by) if by else []
    if fmt == Format.json:
        sys.stdout.write(to_json({"court_code": c, "year": year, "as_of": day, "progress": rows,
                                  "decomposition": parts}) + "\n")
        return
    shown = [_progress_row(r) for r in rows]
    share = rows[0]["curve_share"] * 100
    emit(shown, fmt, list(PROGRESS_HEADERS), PROGRESS_HEADERS,
         title=f"{c} {year} 年目标进度（截至 {day}，历年同期结案进度 {share:.1f}%）")
    if parts:
        names = {r["indicator"]: r["name"] for r in rows}
        for p in parts:
            p["name"] = names[p["indicator"]]
            p["due_now"] = p["monthly"][day.month - 1]
        emit(parts, fmt, list(PART_HEADERS), PART_HEADERS,
             title=f"按{'部门' if by == 'division' else '法官'}分解（工作量 = 年初旧存 + 预计新收）")


def _progress_row(r: dict) -> dict:
    """One indicator's progress as the table shows it: rates as percentages, counts as whole cases."""
    rate = r["indicator"] in RATE_IDS
    closing = r["required_closings"] if "required_closings" in r else None
    return {**r, "target": _pct(r["target"], rate), "forecast": _pct(r["forecast"], rate),
            "interval": None if r["low"] is None else f"{_pct(r['low'], rate)}～{_pct(r['high'], rate)}",
            "closed_ytd": r["closed_ytd"] if closing is not None else None,
            "reference_floor": f"{r['reference_floor'] * 100:.0f}%" if r["reference_floor"] else None}


def _decomposition(eng, court: str, year: int, day: date, rows: list[dict], by: str) -> list[dict]:
    """The closing targets (结案率, 结收比, 结案数) split over divisions or judges."""
    from zhixiao.analysis.targets import decompose

    parts = []
    for r in rows:
        if r["indicator"] in ("closure_rate", "clearance_ratio", "closed"):
            parts += [{"indicator": r["indicator"], **p}
                      for p in decompose(eng, court, year, r["indicator"], r["target"], day, by=by)]
    return parts


def forecast_cmd(
    court: CourtOpt = None,
    as_of: AsOfOpt = None,
    target_rate: Annotated[str | None, typer.Option(
        "--target-rate", help="结案率目标（默认取已设目标，否则 93%）/ closure-rate target")] = None,
    data_dir: DataDir = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """年末数据测算（存量-流量模型）与每名法官每个剩余工作日需结案数 / year-end forecast and closings per workday."""
    from zhixiao.analysis.targets import court_summary, list_targets

    s = settings(data_dir)
    c = court_code(s, court)
    day = parse_date(as_of, "--as-of") if as_of else date.today()
    rate = parse_value(target_rate, "closure_rate") if target_rate else next(
        (t["value"] for t in list_targets(s.ops_url, c, day.year) if t["indicator"] == "closure_rate"),
        DEFAULT_CLOSURE_TARGET)
    fc, judges = _forecast(s.data_dir, c, day, rate)
    if fc.carried_over + fc.new_cases_ytd == 0:
        raise UserError(f"数据目录 {s.data_dir} 中没有 {c} 在 {day.year} 年的案件：请检查 --court 或先导入数据。")
    if fmt == Format.json:
        sys.stdout.write(to_json({"court_code": c, "as_of": day, "history_years": fc.history_years,
                                  "closing_pace": fc.closing_pace, "forecast": fc.rows(), "target_rate": rate,
                                  "judges": judges, "total": court_summary(judges), "note": fc.note}) + "\n")
        return
    rows = []
    for r in fc.rows():
        is_rate = r["indicator"] in RATE_IDS
        rows.append({**r, **{k: _pct(r[k], is_rate) for k in ("point", "low", "high")}})
    hist = "、".join(map(str, fc.history_years)) or "无"
    emit(rows, fmt, list(FORECAST_HEADERS), FORECAST_HEADERS,
         title=f"{c} {day.year} 年末测算（基准日 {day}，参照年度 {hist}）")
    if fc.note:
        console.print(fc.note, markup=False)
    emit(judges, fmt, list(JUDGE_HEADERS), JUDGE_HEADERS,
         title=f"结案率达到 {rate * 100:.1f}% 每名法官每个剩余工作日需结案数（按法官编号排列，不排名）")
    tot = court_summary(judges)
    if fmt == Format.table:
        console.print(f"全院尚需结案 {tot['needed']} 件，剩余 {tot['workdays_left']} 个工作日，"
                      f"平均每个工作日 {tot['per_workday'] or 0} 件。", markup=False)


def _forecast(data_dir, court: str, day: date, rate: float):
    """The year-end forecast and each judge's closings needed for ``rate``, with a progress bar on stderr."""
    from zhixiao.analysis.forecast import forecast_year_end
    from zhixiao.analysis.targets import closings_needed
    from zhixiao.engine import connect

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=Console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task("读取数据 / loading", total=3)
        eng = connect(data_dir)
        bar.update(task, advance=1, description="年末测算 / forecasting")
        fc = forecast_year_end(eng, court, day)
        bar.update(task, advance=1, description="分解到法官 / per judge")
        judges = closings_needed(eng, court, day, rate, forecast=fc, calendar=eng.calendar)
        bar.update(task, advance=1)
    return fc, judges


def register(app: typer.Typer) -> None:
    t_app = typer.Typer(help="年度目标与数据测算：设定、进度、年末测算 / annual targets, progress and forecast",
                        no_args_is_help=True)
    t_app.command("set")(set_cmd)
    t_app.command("show")(show_cmd)
    t_app.command("forecast")(forecast_cmd)
    app.add_typer(t_app, name="targets")
