"""``zhixiao city``: the intermediate court's view of its basic courts — courts × indicators, 区间 and 同比
per cell, the 全市基层法院平均 and the intermediate court apart, each court's 短板; ``--benchmark`` sorts
one indicator (对标, opt-in: no ranking by default)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.text import Text

from zhixiao.analysis import ranges
from zhixiao.analysis.city import AVERAGE_LABEL, CityMatrix, city_matrix
from zhixiao.commands.common import (
    CourtOpt,
    DataDir,
    Format,
    FormatOpt,
    FromOpt,
    IndicatorIdsOpt,
    ProfilesOpt,
    ToOpt,
    YoyOpt,
    case_engine,
    console,
    court_code,
    emit,
    period,
    settings,
    to_json,
)
from zhixiao.errors import UserError

STATUS_STYLE = {ranges.IN_RANGE: "green", ranges.ABOVE: "red", ranges.BELOW: "red", ranges.REFERENCE: "dim"}
TREND_MARK = {True: "▲", False: "▼"}  # 同比趋优 / 同比趋劣 (direction-aware: ▲ is better, whatever the sign)
CSV_HEADERS = {
    "row": "行", "court_code": "法院代码", "court_name": "法院", "indicator": "指标代码", "name": "指标",
    "unit": "单位", "value": "数值", "numerator": "分子", "denominator": "分母", "status": "区间状态",
    "range_low": "区间下限", "range_high": "区间上限", "previous": "上年同期", "yoy": "同比", "yoy_unit": "同比单位", "improved": "同比趋优",
    "weak": "短板",
}


def cell_text(value: float | None, unit: str, measure: str, status: str, improved: bool | None) -> Text:
    """"84.34%▼" — the value, its 同比 mark, in the colour of its 区间 status (a styled Text, never markup)."""
    return Text(ranges.fmt(value, unit, measure) + TREND_MARK.get(improved, ""), style=STATUS_STYLE.get(status) or "")


def show_matrix(m: CityMatrix) -> None:
    """The matrix as a table with its legend and each court's 短板 (also used by quickstart)."""
    lines = [*m.basic]
    heads = [(ln.court_code, ln.court_name) for ln in lines]
    rows = []
    for c in m.columns:
        row = {"name": c.name + ("（仅供参考）" if c.range and not c.range_applies else "")}
        for ln in lines:
            cell = ln.cells.get(c.indicator)
            row[ln.court_code] = cell_text(cell.value, c.unit, c.measure, cell.status, cell.improved) if cell else "—"
        avg = m.average.get(c.indicator)
        row["average"] = cell_text(avg.value, c.unit, c.measure, avg.status, avg.improved) if avg else "—"
        if m.intermediate:
            cell = m.intermediate.cells.get(c.indicator)
            row["intermediate"] = cell_text(cell.value, c.unit, c.measure, cell.status, cell.improved) if cell else "—"
        rows.append(row)
    cols = ["name", *(code for code, _ in heads), "average"] + (["intermediate"] if m.intermediate else [])
    headers = {"name": "指标", **{code: short_name(name, m.court_name) for code, name in heads},
               "average": "基层平均", "intermediate": "中院（单列）"}
    title = (f"{m.court_name}全市法院数据会商  {m.start} 至 {m.end}  {m.profile}"
             + ("（同比）" if m.compare else ""))
    emit(rows, Format.table, cols, headers, title=title)
    console.print("绿：区间内  红：偏离合理区间  灰：年度区间，本期不足一年，仅供参考  ▲同比趋优 ▼同比趋劣；"
                  "法院按代字排列，不排名。")
    for why in m.unavailable.values():
        console.print(f"[yellow]未计算 {escape(why)}[/]")
    for ln in [*m.basic, *([m.intermediate] if m.intermediate else [])]:
        names = "、".join(w.name for w in ln.weak) or "无"
        console.print(f"[bold]{escape(ln.court_name)}[/] 短板弱项（{len(ln.weak)}项）：{escape(names)}")
    console.print("短板的理由（偏离区间、劣于全市基层法院平均或其他基层法院平均、同比趋劣）见 --format json。")


def track_rows(engine, m: CityMatrix) -> list[dict]:
    """收结存 of 审判, 执行 and 非诉保全 per court of the city (issue 16 §2), by the matrix's profile: basic courts
    by code, then the intermediate court apart — the figures ``zhixiao indicators flows --court X`` gives for
    each court (its 结案率 the evaluator's, as the profile and the court's indicator files define it)."""
    from zhixiao.metrics.tracks import flow_rows

    members = [*m.basic, *([m.intermediate] if m.intermediate else [])]
    rows = flow_rows(engine, m.start, m.end, profile=m.profile, by=("court",),
                     filters={"court_code": [ln.court_code for ln in members]})
    order = {ln.court_code: i for i, ln in enumerate(members)}
    rows.sort(key=lambda r: order.get(r["court_code"], len(order)))  # stable: tracks keep their order
    return rows


def show_tracks(engine, m: CityMatrix) -> None:
    """``track_rows`` as a table, courts by short name."""
    from zhixiao.commands.indicators import FLOW_COLUMNS, FLOW_HEADERS, fmt_value

    members = [*m.basic, *([m.intermediate] if m.intermediate else [])]
    names = {ln.court_code: short_name(ln.court_name, m.court_name) for ln in members}
    if m.intermediate:
        names[m.intermediate.court_code] += "（单列）"
    shown = [{**r, "court": names.get(r["court_code"], r["court_code"]),
              "closure_rate": fmt_value("rate", r["closure_rate"])} for r in track_rows(engine, m)]
    emit(shown, Format.table, ["court", "track", *FLOW_COLUMNS], {"court": "法院", **FLOW_HEADERS},
         title=f"收结存（审判、执行、非诉保全）  {m.start} 至 {m.end}")


def short_name(name: str, city: str) -> str:
    """"石家庄市长安区人民法院" → "长安区": a column header that fits a terminal."""
    prefix = city.split("省")[-1].split("中级")[0]
    return name.removeprefix(prefix).removesuffix("人民法院") or name


def _benchmark_rows(m: CityMatrix) -> tuple[list[dict], list[str], dict[str, str]]:
    b = m.benchmark
    c = m.column(b.indicator)
    by_code = {ln.court_code: ln for ln in m.basic}
    rows = []
    for code in b.order:
        cell = by_code[code].cells.get(b.indicator)
        gap = b.gaps.get(code)
        rows.append({"court_code": code, "court_name": by_code[code].court_name,
                     "value": ranges.fmt(cell.value if cell else None, c.unit, c.measure),
                     "status": ranges.STATUS_NAMES[cell.status] if cell else "—",
                     "gap": "—" if gap is None else ranges.fmt_delta(gap, c.unit, c.measure),
                     "improved": {True: "趋优", False: "趋劣"}.get(cell.improved if cell else None, "—")})
    cols = ["court_code", "court_name", "value", "status", "gap", "improved"]
    return rows, cols, {"court_code": "法院代码", "court_name": "法院", "value": c.name, "status": "区间状态",
                        "gap": "与最优差距", "improved": "同比"}


def _long_rows(m: CityMatrix) -> list[dict]:
    """One row per court (and the average) × indicator, for CSV."""
    out = []
    lines = [("basic", ln) for ln in m.basic] + ([("intermediate", m.intermediate)] if m.intermediate else [])
    for c in m.columns:
        entries = [(kind, ln.court_code, ln.court_name, ln.cells.get(c.indicator),
                    any(w.indicator == c.indicator for w in ln.weak)) for kind, ln in lines]
        entries.insert(len(m.basic), ("average", "", AVERAGE_LABEL, m.average.get(c.indicator), None))
        for kind, code, name, cell, weak in entries:
            if cell is None:
                continue
            out.append({"row": kind, "court_code": code, "court_name": name, "indicator": c.indicator,
                        "name": c.name, "unit": c.unit, "value": cell.value, "numerator": cell.numerator,
                        "denominator": cell.denominator, "status": cell.status,
                        "range_low": c.range[0] if c.range else None, "range_high": c.range[1] if c.range else None,
                        "previous": cell.previous,
                        "yoy": cell.yoy, "yoy_unit": cell.yoy_unit, "improved": cell.improved, "weak": weak})
    return out


def register(app: typer.Typer) -> None:
    @app.command("city")
    def city(
        data_dir: DataDir = None,
        court: CourtOpt = None,
        from_: FromOpt = None,
        to: ToOpt = None,
        profile: ProfilesOpt = None,
        compare: YoyOpt = None,
        benchmark: Annotated[str | None, typer.Option(
            "--benchmark", help="对标：按此指标代码排列基层法院（默认不排序）/ sort the basic courts on one indicator")] = None,
        only: IndicatorIdsOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """全市视图：中院辖区各基层法院 × 指标（区间、同比、短板），基层平均与中院单列 / The city view of an intermediate court."""
        st = settings(data_dir)
        code = court_code(st, court)
        start, end = period(from_, to)
        if compare not in (None, "yoy"):
            raise UserError(f"不支持的对比方式“{compare}”，--compare 目前只支持 yoy（同比）。")
        if not st.data_dir.exists():
            raise UserError(f"数据目录 {st.data_dir} 不存在；请用 --data-dir 指定，或先用 `zhixiao import` 导入案件。")
        with console.status("正在计算全市指标 / evaluating the city …", spinner="dots"):
            m = city_matrix(case_engine(st), code, start, end, profile=profile or st.profile, compare=compare,
                            indicators=only or None, benchmark=benchmark)
        if fmt == Format.json:  # with the 收结存 per track the table shows under the matrix ("flows")
            with console.status("正在计算收结存 / evaluating flows …", spinner="dots"):
                flows = track_rows(case_engine(st), m)
            sys.stdout.write(to_json({**m.to_dict(), "flows": flows}) + "\n")
            return
        if m.benchmark is not None:
            rows, cols, heads = _benchmark_rows(m)
            if fmt == Format.csv:
                emit(rows, fmt, cols, heads)
                return
            emit(rows, fmt, cols, heads, title=f"对标：{m.column(m.benchmark.indicator).name}（{start} 至 {end}，"
                                               f"按指标方向由优到劣，仅供对标，不作排名通报）")
            return
        if fmt == Format.csv:
            emit(_long_rows(m), fmt, list(CSV_HEADERS), CSV_HEADERS)
            return
        show_matrix(m)
        with console.status("正在计算收结存 / evaluating flows …", spinner="dots"):
            show_tracks(case_engine(st), m)
