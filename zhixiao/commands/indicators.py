"""``zhixiao indicators``: evaluate an indicator profile; ``indicators list`` / ``drill`` / ``explain`` (口径卡)."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from zhixiao.commands.common import (
    DataDir,
    EngineName,
    EngineOpt,
    Format,
    FormatOpt,
    IndicatorIdsOpt,
    ProfileOpt,
    ProfilesOpt,
    ToOpt,
    YoyOpt,
    console,
    emit,
    parse_date,
    settings,
    split_range,
    to_json,
)
from zhixiao.errors import UserError

GROUP_HEADERS = {
    "court_code": "法院代码", "court_name": "法院", "division": "部门", "judge_id": "法官编号",
    "judge_name": "法官", "line": "条线", "type_code": "类型代字", "month": "月份",
}
ROW_HEADERS = {
    "indicator": "指标代码", "name": "指标", "group_name": "类别", "value": "数值", "numerator": "分子",
    "denominator": "分母", "previous": "上年同期", "yoy": "同比", "range": "合理区间", "in_range": "区间达标",
    "improved": "同比趋优", "unit": "单位", "yoy_unit": "同比单位", "note": "说明", "excluded": "口径排除",
    "range_low": "区间下限", "range_high": "区间上限",
}
CARD_LABELS = {  # the 口径 card's fields, in the order printed
    "name": "指标", "profile": "指标体系", "group": "类别", "line": "条线", "unit": "单位", "direction": "方向",
    "formula": "计算方法", "numerator": "分子", "denominator": "分母", "exclusions": "体系排除项（分子分母均不计）",
    "excluded": "口径排除（分子分母均不计）", "excluded_count": "本期口径排除", "no_limit_types": "不计审限的案件",
    "range": "合理区间", "range_source": "区间来源", "range_period": "区间适用期间", "source": "口径来源",
    "unpublished": "未公开部分", "unavailable": "暂不计算", "note": "说明", "versions": "施行期间",
}
FLOW_HEADERS = {"track": "类别", "carried_over": "旧存", "new_cases": "新收", "received": "受理", "closed": "结案",
                "pending": "未结", "closure_rate": "结案率"}
FLOW_COLUMNS = ("carried_over", "new_cases", "received", "closed", "pending", "closure_rate")
UNIT_SUFFIX = {"days": "天", "count": "件", "yuan": "元", "ratio": ""}


class Part(StrEnum):
    numerator = "numerator"
    denominator = "denominator"
    excluded = "excluded"


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


def _period(from_: str | None, to: str | None) -> tuple[date, date]:
    """--from/--to of the indicator commands: by default 1 January of the end's year to today (no order check
    here: the evaluator says what is wrong with a reversed period)."""
    end = parse_date(to, "--to") if to else date.today()
    return (parse_date(from_, "--from") if from_ else date(end.year, 1, 1)), end


def _by(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def indicators(
    ctx: typer.Context,
    data_dir: DataDir = None,
    from_: Annotated[str | None, typer.Option("--from", help="起始日期（默认截止日所在年的1月1日，即年初至今）/ start date")] = None,
    to: ToOpt = None,
    profile: ProfilesOpt = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="分组 / group by: court|division|judge|line|type|month（可重复或逗号分隔）")] = None,
    court: Annotated[str | None, typer.Option("--court", help="只看某法院（法院代字，如 冀0123）/ court code filter")] = None,
    line: Annotated[str | None, typer.Option("--line", help="只看某条线：刑事|民事|行政|执行 / line filter")] = None,
    compare: YoyOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="未结/案龄的时点（默认截止日）/ as-of date for pending")] = None,
    only: IndicatorIdsOpt = None,
    engine: EngineOpt = EngineName.duckdb,
    fmt: FormatOpt = Format.table,
) -> None:
    """按指标体系计算质效指标（可同比、分组）/ Evaluate an indicator profile for a period."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"data_dir": data_dir}
        return
    from zhixiao.engine import connect
    from zhixiao.metrics.evaluate import evaluate

    s = settings(data_dir)
    start, end = _period(from_, to)
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
    rows, cols = _result_table(result, fmt, bool(compare))
    title = f"{result.profile}  {start} 至 {end}" + ("（同比）" if compare else "")
    emit(rows, fmt, cols, {**GROUP_HEADERS, **ROW_HEADERS}, title=title)


def _result_table(result, fmt: Format, compare: bool) -> tuple[list[dict], list[str]]:
    """An evaluation's rows as the table or CSV shows them, and the columns to show: the table formats values
    for reading, the CSV keeps every field as a number."""
    gcols = list(result.rows[0].group) if result.rows else []
    rows = []
    for r in result.rows:
        d = {**r.to_dict(), **r.group}  # a group's 条线 wins over the indicator's own line
        if fmt == Format.table:
            d.update(value=fmt_value(r.unit, r.value), yoy=fmt_yoy(r.yoy, r.yoy_unit),
                     previous=fmt_value(r.unit, r.previous), range=fmt_range(r.unit, r.range),
                     in_range=_flag(r.in_range), improved=_flag(r.improved))
        rows.append(split_range(d) if fmt == Format.csv else d)
    if fmt == Format.csv:
        return rows, gcols + ["indicator", "name", "group_name", "unit", "value", "numerator", "denominator",
                              "excluded", "previous", "yoy", "yoy_unit", "improved", "range_low", "range_high",
                              "in_range", "note"]
    cols = gcols + ["name", "value", "numerator", "denominator"]
    if any(r.excluded is not None for r in result.rows):
        cols.append("excluded")
    if compare:
        cols += ["previous", "yoy", "improved"]
    return rows, cols + ["range", "in_range"]


def list_(
    data_dir: DataDir = None,
    profile: ProfileOpt = None,
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
    cols = ["indicator", "name", "group_name", "line", "unit", "direction", "range", "source", "note"]
    if fmt == Format.csv:
        rows = [split_range(r) for r in rows]
        cols[6:7] = ["range_low", "range_high"]
    emit(rows, fmt, cols,
         {**ROW_HEADERS, "line": "条线", "direction": "方向", "source": "来源"},
         title=f"{name}（可用体系：{'、'.join(profiles(s.data_dir))}）")


def drill(
    indicator: Annotated[str, typer.Argument(help="指标代码 / indicator id")],
    data_dir: DataDir = None,
    from_: Annotated[str | None, typer.Option("--from", help="起始日期 / start date")] = None,
    to: Annotated[str | None, typer.Option("--to", help="截止日期 / end date")] = None,
    profile: ProfileOpt = None,
    court: Annotated[str | None, typer.Option("--court", help="法院代字 / court code")] = None,
    division: Annotated[str | None, typer.Option("--division", help="部门 / division")] = None,
    judge: Annotated[str | None, typer.Option("--judge", help="法官编号 / judge id")] = None,
    part: Annotated[Part, typer.Option("--part", help="分子、分母或口径排除的案件 / numerator|denominator|excluded")] = Part.numerator,
    limit: Annotated[int | None, typer.Option("--limit", help="最多列出条数 / max rows")] = 200,
    engine: EngineOpt = EngineName.duckdb,
    fmt: FormatOpt = Format.table,
) -> None:
    """列出某个指标数值背后的案件 / List the cases behind a figure."""
    from zhixiao.engine import connect
    from zhixiao.metrics.drill import case_list

    s = settings(data_dir)
    start, end = _period(from_, to)
    group = {k: v for k, v in (("court_code", court), ("division", division), ("judge_id", judge)) if v}
    df = case_list(connect(s.data_dir, engine.value), indicator, profile or s.profile, start, end, group,
                   part.value, limit)
    rows = [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in df.to_dict("records")]
    emit(rows, fmt, list(df.columns), title=f"{indicator} {part.value}：{len(rows)} 件")


def explain(
    indicator: Annotated[str, typer.Argument(help="指标代码 / indicator id")],
    data_dir: DataDir = None,
    profile: ProfileOpt = None,
    on: Annotated[str | None, typer.Option("--on", help="按哪天生效的版本（默认 --to，否则今天）/ version in force on")] = None,
    court: Annotated[str | None, typer.Option("--court", help="给出时统计该院本期口径排除的案件 / court code: count the cases left out")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="统计排除案件的起始日期 / start date")] = None,
    to: Annotated[str | None, typer.Option("--to", help="统计排除案件的截止日期 / end date")] = None,
    engine: EngineOpt = EngineName.duckdb,
    fmt: FormatOpt = Format.table,
) -> None:
    """打印指标的口径卡：分子、分母、排除项、单位、合理区间及来源、施行期间 / Print an indicator's definition card."""
    from zhixiao.metrics.card import card, excluded_counts
    from zhixiao.metrics.catalogue import get

    s = settings(data_dir)
    end = parse_date(to, "--to") if to else None
    when = parse_date(on, "--on") if on else end
    ind = get(indicator, profile or s.profile, when, data_dir=s.data_dir)
    counts = None
    if (court or from_ or to) and ind.excluded is not None:
        from zhixiao.engine import connect

        if not s.data_dir.exists():
            raise UserError(f"数据目录 {s.data_dir} 不存在；统计排除案件需要 --data-dir 指向已导入案件的数据目录。")
        end = end or date.today()
        start = parse_date(from_, "--from") if from_ else date(end.year, 1, 1)
        counts = excluded_counts(connect(s.data_dir, engine.value), ind, start, end,
                                 filters={"court_code": court} if court else None)
    c = card(ind, excluded_count=None if counts is None else sum(counts.values()), excluded_by_type=counts)
    if fmt == Format.json:
        sys.stdout.write(to_json(c.to_dict()) + "\n")
        return
    rows = _card_rows(c, counts)
    emit(rows, fmt, ["item", "value"], {"item": "项目", "value": "内容"}, title=f"口径卡：{c.name}")


def _card_rows(c, counts: dict[str, int] | None) -> list[dict]:
    """The card's fields in reading order, as sentences; fields with nothing to say are left out."""
    from zhixiao.metrics.card import DIRECTION_NAMES, UNIT_NAMES

    d = c.to_dict()
    d.update(name=f"{c.name}（{c.id}）", range=fmt_range(c.unit, c.range) if c.range else "未设定（无公开区间）",
             range_period="年度区间（非整年期间仅供参考）" if c.range_period == "year" else "任意期间均可对照",
             unit=UNIT_NAMES.get(c.unit, c.unit), direction=DIRECTION_NAMES.get(c.direction, c.direction),
             exclusions="；".join(c.exclusions) or "无",
             no_limit_types=(f"{len(c.no_limit_types)} 类：" + "、".join(c.no_limit_types)) if c.no_limit_types else None,
             excluded_count=None if counts is None else
             f"{c.excluded_count} 件" + ("（" + "、".join(f"{k} {v} 件" for k, v in counts.items()) + "）" if counts else ""))
    return [{"item": label, "value": d[k]} for k, label in CARD_LABELS.items() if d.get(k) not in (None, "", ())]


# issue 16 §2: 收结存 of 审判, 执行 and 非诉保全 apart, as the briefing shows it


def flows(
    data_dir: DataDir = None,
    from_: Annotated[str | None, typer.Option("--from", help="起始日期（默认截止日所在年的1月1日）/ start date")] = None,
    to: ToOpt = None,
    court: Annotated[str | None, typer.Option("--court", help="只看某法院（法院代字）/ court code filter")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="再分组 / also group by: court|division|judge|month（可重复或逗号分隔）")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="未结的时点（默认截止日）/ as-of date for pending")] = None,
    engine: EngineOpt = EngineName.duckdb,
    fmt: FormatOpt = Format.table,
) -> None:
    """收结存分审判、执行、非诉保全及合计 / Cases received, closed and pending per track (审判, 执行, 非诉保全)."""
    from zhixiao.engine import connect
    from zhixiao.metrics.tracks import flow_rows

    s = settings(data_dir)
    start, end = _period(from_, to)
    if not s.data_dir.exists():
        raise UserError(f"数据目录 {s.data_dir} 不存在；请用 --data-dir 指定，或先用 `zhixiao imports` 导入案件。")
    groups = _by(by)
    with console.status("正在计算收结存 / evaluating …", spinner="dots"):
        rows = flow_rows(connect(s.data_dir, engine.value), start, end, profile=s.profile, by=groups,
                         filters={"court_code": court} if court else None,
                         as_of=parse_date(as_of, "--as-of") if as_of else None)
    gcols = [c for c in (rows[0] if rows else {}) if c not in (*FLOW_COLUMNS, "track")]
    if fmt == Format.table:
        rows = [{**r, "closure_rate": fmt_value("rate", r["closure_rate"])} for r in rows]
    emit(rows, fmt, gcols + ["track", *FLOW_COLUMNS], {**GROUP_HEADERS, **FLOW_HEADERS},
         title=f"收结存（审判、执行、非诉保全）{court or '全部法院'}  {start} 至 {end}")


def register(app: typer.Typer) -> None:
    ind_app = typer.Typer(help="质效指标：按指标体系计算、同比、分组、下钻 / indicators: evaluate a profile",
                          invoke_without_command=True)
    ind_app.callback()(indicators)
    ind_app.command("list")(list_)
    ind_app.command("drill")(drill)
    ind_app.command("explain")(explain)
    ind_app.command("flows")(flows)
    app.add_typer(ind_app, name="indicators")
