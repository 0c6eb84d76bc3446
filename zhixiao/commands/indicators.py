"""``zhixiao indicators``: evaluate an indicator profile; ``indicators list`` / ``indicators drill``."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, parse_date, settings, to_json
from zhixiao.errors import UserError

GROUP_HEADERS = {
    "court_code": "法院代码", "court_name": "法院", "division": "部门", "judge_id": "法官编号",
    "judge_name": "法官", "line": "条线", "type_code": "类型代字", "month": "月份",
}
ROW_HEADERS = {
    "indicator": "指标代码", "name": "指标", "group_name": "类别", "value": "数值", "numerator": "分子",
    "denominator": "分母", "previous": "上年同期", "yoy": "同比", "range": "合理区间", "in_range": "区间达标",
    "improved": "同比趋优", "unit": "单位", "yoy_unit": "同比单位", "note": "说明",
}
UNIT_SUFFIX = {"days": "天", "count": "件", "yuan": "元", "ratio": ""}


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class Part(StrEnum):
    numerator = "numerator"
    denominator = "denominator"


def fmt_value(unit: str, v: float | None) -> str:
    """Human formatting: rates as %, days with one decimal, counts as integers."""
    if v is None:
        return "—"
    if unit == "rate":
        return f"{v * 100:.2f}%"
    if unit in ("days", "ratio"):
        return f"{v:,.2f}{UNIT_SUFFIX[unit]}"
    if unit == "yuan":
        return f"{v:,.2f}元"
    return f"{v:,.0f}"


def fmt_yoy(yoy: float | None, yoy_unit: str | None) -> str:
    if yoy is None:
        return "—"
    return f"{yoy:+.2f}个百分点" if yoy_unit == "pp" else f"{yoy:+.2f}%"


def fmt_range(unit: str, rng) -> str:
    if not rng:
        return "—"
    lo, hi = rng
    return f"{fmt_value(unit, lo) if lo is not None else '-∞'} ~ {fmt_value(unit, hi) if hi is not None else '+∞'}"


def _flag(b: bool | None) -> str:
    return "—" if b is None else ("是" if b else "否")


def _by(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def register(app: typer.Typer) -> None:
    ind_app = typer.Typer(help="质效指标：按指标体系计算、同比、分组、下钻 / indicators: evaluate a profile",
                          invoke_without_command=True)

    @ind_app.callback()
    def indicators(
        ctx: typer.Context,
        data_dir: DataDir = None,
        from_: Annotated[str | None, typer.Option("--from", help="起始日期（默认截止日所在年的1月1日，即年初至今）/ start date")] = None,
        to: Annotated[str | None, typer.Option("--to", help="截止日期（默认今天）/ end date")] = None,
        profile: Annotated[str | None, typer.Option("--profile", help="指标体系 / profile: court-classic|spc-2024|courtools")] = None,
        by: Annotated[list[str] | None, typer.Option("--by", help="分组 / group by: court|division|judge|line|type|month（可重复或逗号分隔）")] = None,
        court: Annotated[str | None, typer.Option("--court", help="只看某法院（法院代字，如 冀0123）/ court code filter")] = None,
        line: Annotated[str | None, typer.Option("--line", help="只看某条线：刑事|民事|行政|执行 / line filter")] = None,
        compare: Annotated[str | None, typer.Option("--compare", help="对比：yoy（同比）/ comparison")] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="未结/案龄的时点（默认截止日）/ as-of date for pending")] = None,
        only: Annotated[list[str] | None, typer.Option("--indicator", help="只算这些指标代码（可重复）/ indicator ids")] = None,
        engine: Annotated[Engine, typer.Option("--engine", help="计算引擎 / engine")] = Engine.duckdb,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """按指标体系计算质效指标（可同比、分组）/ Evaluate an indicator profile for a period."""
        if ctx.invoked_subcommand is not None:
            ctx.obj = {"data_dir": data_dir}
            return
        from zhixiao.engine import connect
        from zhixiao.metrics.evaluate import evaluate

        s = settings(data_dir)
        end = parse_date(to, "--to") if to else date.today()
        start = parse_date(from_, "--from") if from_ else date(end.year, 1, 1)
        filters = {}
        if court:
            filters["court_code"] = court
        if line:
            filters["line"] = line
        if not s.data_dir.exists():
            raise UserError(f"数据目录 {s.data_dir} 不存在；请用 --data-dir 指定，或先用 `zhixiao imports` 导入案件。")
        with console.status("正在计算指标 / evaluating …", spinner="dots"):
            eng = connect(s.data_dir, engine.value)
            result = evaluate(eng, profile or s.profile, start, end, by=_by(by), compare=compare, filters=filters,
                              indicators=only or None, as_of=parse_date(as_of, "--as-of") if as_of else None)
        if fmt == Format.json:
            sys.stdout.write(to_json(result.to_dict()) + "\n")
            return
        gcols = list(result.rows[0].group) if result.rows else []
        rows = []
        for r in result.rows:
            d = {**r.group, **r.to_dict()}
            if fmt == Format.table:
                d.update(value=fmt_value(r.unit, r.value), yoy=fmt_yoy(r.yoy, r.yoy_unit),
                         previous=fmt_value(r.unit, r.previous), range=fmt_range(r.unit, r.range),
                         in_range=_flag(r.in_range), improved=_flag(r.improved))
            rows.append(d)
        cols = gcols + ["name", "value", "numerator", "denominator"]
        if compare:
            cols += ["previous", "yoy", "improved"]
        cols += ["range", "in_range"]
        if fmt == Format.csv:
            cols = gcols + ["indicator", "name", "group_name", "unit", "value", "numerator", "denominator",
                            "previous", "yoy", "yoy_unit", "improved", "range", "in_range", "note"]
        title = f"{result.profile}  {start} 至 {end}" + ("（同比）" if compare else "")
        emit(rows, fmt, cols, {**GROUP_HEADERS, **ROW_HEADERS}, title=title)

    @ind_app.command("list")
    def list_(
        data_dir: DataDir = None,
        profile: Annotated[str | None, typer.Option("--profile", help="指标体系 / profile")] = None,
        on: Annotated[str | None, typer.Option("--on", help="生效日期（默认今天）/ effective date")] = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """列出指标体系中的指标及其口径来源 / List a profile's indicators and sources."""
        from zhixiao.metrics.catalogue import load_profile, profiles

        s = settings(data_dir)
        name = profile or s.profile
        inds = load_profile(name, parse_date(on, "--on") if on else None, data_dir=s.data_dir)
        rows = [{"indicator": i.id, "name": i.name, "group_name": i.group, "line": i.line, "unit": i.unit,
                 "direction": i.direction, "range": fmt_range(i.unit, i.range) if fmt == Format.table else i.range,
                 "source": i.source, "note": i.note} for i in inds]
        emit(rows, fmt, ["indicator", "name", "group_name", "line", "unit", "direction", "range", "source", "note"],
             {**ROW_HEADERS, "line": "条线", "direction": "方向", "source": "来源"},
             title=f"{name}（可用体系：{'、'.join(profiles(s.data_dir))}）")

    @ind_app.command("drill")
    def drill(
        indicator: Annotated[str, typer.Argument(help="指标代码 / indicator id")],
        data_dir: DataDir = None,
        from_: Annotated[str | None, typer.Option("--from", help="起始日期 / start date")] = None,
        to: Annotated[str | None, typer.Option("--to", help="截止日期 / end date")] = None,
        profile: Annotated[str | None, typer.Option("--profile", help="指标体系 / profile")] = None,
        court: Annotated[str | None, typer.Option("--court", help="法院代字 / court code")] = None,
        division: Annotated[str | None, typer.Option("--division", help="部门 / division")] = None,
        judge: Annotated[str | None, typer.Option("--judge", help="法官编号 / judge id")] = None,
        part: Annotated[Part, typer.Option("--part", help="分子或分母 / numerator|denominator")] = Part.numerator,
        limit: Annotated[int | None, typer.Option("--limit", help="最多列出条数 / max rows")] = 200,
        engine: Annotated[Engine, typer.Option("--engine", help="计算引擎 / engine")] = Engine.duckdb,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """列出某个指标数值背后的案件 / List the cases behind a figure."""
        from zhixiao.engine import connect
        from zhixiao.metrics.drill import case_list

        s = settings(data_dir)
        end = parse_date(to, "--to") if to else date.today()
        start = parse_date(from_, "--from") if from_ else date(end.year, 1, 1)
        group = {k: v for k, v in (("court_code", court), ("division", division), ("judge_id", judge)) if v}
        df = case_list(connect(s.data_dir, engine.value), indicator, profile or s.profile, start, end, group,
                       part.value, limit)
        rows = [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in df.to_dict("records")]
        emit(rows, fmt, list(df.columns), title=f"{indicator} {part.value}：{len(rows)} 件")

    app.add_typer(ind_app, name="indicators")
