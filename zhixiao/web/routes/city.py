"""全市: the intermediate court's view of its basic courts — an ECharts heat map of courts × indicators coloured
by 区间 status and marked by 同比 (a click on a cell opens that court's drill-down), the same figures as a
table, each court's 短板, and an opt-in 对标 order on one indicator (``analysis.city``).

Who sees what (roles.toml scopes): 审管办 and 系统管理员 (scope all) any intermediate court's city; a user of an
intermediate court its own city; a basic court's 院领导 his own court beside the 全市基层法院平均 only (never
another court's figures); 庭长 and 法官 nothing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from zhixiao.analysis import ranges
from zhixiao.analysis.city import AVERAGE_LABEL, CityMatrix, city_matrix
from zhixiao.analysis.peers import level_of
from zhixiao.domain import courts
from zhixiao.errors import UserError
from zhixiao.metrics.tracks import TOTAL, TRACKS, flow_rows
from zhixiao.reports.narrative import fmt_value
from zhixiao.web import auth, charts, weakness
from zhixiao.web.data import DataHub
from zhixiao.web.deps import client_ip, period, query, render, user
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.tables import Column, table, xlsx_response

router = APIRouter()
# 区间 status → heat-map category (visualMap piece) and colour
STATUS_CODES = {ranges.IN_RANGE: 0, ranges.ABOVE: 1, ranges.BELOW: 1, ranges.REFERENCE: 2, ranges.NO_RANGE: 3,
                ranges.NO_VALUE: 4}
PIECES = [{"value": 0, "label": "区间内", "color": "#73c17b"}, {"value": 1, "label": "偏离合理区间", "color": "#e8684a"},
          {"value": 2, "label": "年度区间，本期仅供参考", "color": "#c9ced6"},
          {"value": 3, "label": "未设区间", "color": "#dbe8f6"}, {"value": 4, "label": "无数据", "color": "#ffffff"}]
TREND = {True: "▲", False: "▼"}


def city_scope(request: Request, u: Principal, court: str | None) -> tuple[str, str | None]:
    """(intermediate court whose city is shown, the one basic court the user is limited to or None)."""
    require(u, "overview.view")
    if u.scope == "all":
        if court:
            return court, None
        codes = request.app.state.hub.roster()["courts"]
        inter = [c for c in codes if level_of(c) == "intermediate"]
        if not inter:
            raise UserError("数据中没有中级法院的案件，无法生成全市视图；请先导入中级法院及其辖区基层法院的数据。")
        return inter[0], None
    if u.scope == "court" and u.court_code:
        if court not in (None, "", u.court_code) and level_of(u.court_code) != "intermediate":
            raise Forbidden(f"您只能查看本院（{u.court_code}）与全市基层法院平均的对照，不能查看“{court}”。")
        if level_of(u.court_code) == "intermediate":
            if court not in (None, "", u.court_code):
                raise Forbidden(f"您只能查看本院（{u.court_code}）辖区的全市视图。")
            return u.court_code, None
        parent = courts.court(u.court_code).parent if level_of(u.court_code) == "basic" else None
        if parent is None:
            raise Forbidden(f"本院代字 {u.court_code} 不属于任何中级法院辖区，没有全市视图。")
        return parent, u.court_code
    raise Forbidden("全市视图按法院比较，供中级法院、审管办和院领导使用；请从“总览”查看本庭或本人的数据。")


def _matrix(request: Request, code: str, s: date, e: date, benchmark: str | None) -> CityMatrix:
    return matrix(request.app.state.hub, code, s, e, benchmark)


def matrix(hub: DataHub, code: str, s: date, e: date, benchmark: str | None) -> CityMatrix:
    """The whole city of ``code`` (every basic court, the intermediate court apart); a president's limited
    view is cut from it (``_limited``), so one answer serves every user of the city."""
    return hub.cached("city", (code, s, e, benchmark or ""), lambda eng: city_matrix(
        eng, code, s, e, profile=hub.settings.profile, compare="yoy", benchmark=benchmark or None))


def warm(hub: DataHub, start: date, end: date) -> None:
    """The page's default question for precompute (``DataHub.add_warmer``): every intermediate court's city
    at 本年累计 with its 收结存, as an analyst, a city's own users and its basic courts' presidents open it."""
    for code in hub.roster()["courts"]:
        if level_of(code) == "intermediate":
            m = matrix(hub, code, start, end, None)
            _flows(hub, m, m, start, end)


def _limited(m: CityMatrix, only: str | None) -> CityMatrix:
    """The matrix as ``only``'s president may see it: his court and the average, no other court's figures."""
    if only is None:
        return m
    mine = [ln for ln in m.basic if ln.court_code == only]
    if not mine:
        raise Forbidden(f"本院（{only}）不在 {m.court_code} 辖区的数据中。")
    return replace(m, basic=mine, intermediate=None, benchmark=None)


def _lines(m: CityMatrix) -> list[tuple[str, str, str | None, dict]]:
    """(row label, kind, court code or None, cells) in display order: basic courts by code, the average, the
    intermediate court apart."""
    rows = [(ln.court_name, "basic", ln.court_code, ln.cells) for ln in m.basic]
    if m.benchmark is not None:
        order = {c: i for i, c in enumerate(m.benchmark.order)}
        rows.sort(key=lambda r: order.get(r[2], len(order)))
    rows.append((AVERAGE_LABEL, "average", None, m.average))
    if m.intermediate is not None:
        rows.append((f"{m.intermediate.court_name}（单列）", "intermediate", m.intermediate.court_code,
                     m.intermediate.cells))
    return rows


FLOW_FIGURES = (("received", "受理"), ("closed", "结案"), ("pending", "未结"), ("closure_rate", "结案率"))


@router.get("/city")
def city(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
         benchmark: str | None = None, u: Principal = Depends(user)):
    code, only = city_scope(request, u, court)
    s, e = period(request, start, end)
    if only is not None:
        benchmark = None  # 对标 orders courts: not for a view of one court
    full = _matrix(request, code, s, e, benchmark)
    m = _limited(full, only)
    ctx_query = {"court": code} if u.scope == "all" else {}
    rows, pinned = _split(_matrix_rows(m))
    view = table(request, rows, matrix_columns(m), key="city-table")
    flow_rows, flow_pinned = _split(_flow_rows(_flows_by_court(_flows(request.app.state.hub, full, m, s, e))))
    flows = table(request, flow_rows, FLOW_COLUMNS, key="city-flows", prefix="f_")
    for v, extra, what in ((view, pinned, "指标表"), (flows, flow_pinned, "收结存")):
        if v.export:  # the average and the intermediate court (单列) stay under the basic courts in the sheet too
            auth.record(request.app.state.Session, u.username, "export_table", f"全市{what} {m.court_name} {s}—{e}",
                        str(v.matched), ip=client_ip(request))
            return xlsx_response(f"全市{what}_{m.court_name}_{s}_{e}", v.columns, v.all_rows + extra,
                                 notes=("▲同比趋优、▼同比趋劣；" + AVERAGE_LABEL + "只含基层法院，中级法院单列。",))
    return render(request, "city.html", title="全市", m=m, start=s, end=e, lines=_lines(m), only=only,
                  view=view, pinned=pinned, flows=flows, flow_pinned=flow_pinned, track_names=(*TRACKS, TOTAL),
                  weak={ln.court_code: weakness.ordered(ln.weak) for ln in _members(m)},
                  tracks_url="/api/chart/city/tracks?" + query({}, s, e, **ctx_query),
                  chart_url="/api/chart/city?" + query({}, s, e, **ctx_query, benchmark=benchmark or None),
                  fmt=ranges.fmt, status_names=ranges.STATUS_NAMES, trend=TREND, benchmark=benchmark or "",
                  average_label=AVERAGE_LABEL)


def matrix_columns(m: CityMatrix) -> tuple[Column, ...]:
    """法院, then one column per indicator sorted on the figure and shown as the heat map labels it (value and
    同比 mark)."""
    def shown(col) -> Callable[[Any, dict], str]:
        def text(v: Any, row: dict) -> str:
            cell = row["cells"].get(col.indicator)
            return "—" if cell is None else ranges.fmt(cell.value, col.unit, col.measure) + TREND.get(
                cell.improved, "")
        return text
    return (Column("name", "法院"), *(Column(c.indicator, c.name, numeric=True, text=shown(c)) for c in m.columns))


def _matrix_rows(m: CityMatrix) -> list[dict]:
    return [{"name": label, "kind": kind, "code": code, "cells": cells,
             **{c: cell.value for c, cell in cells.items()}} for label, kind, code, cells in _lines(m)]


def _split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(basic courts: filtered and sorted, the rest: the average and the intermediate court, kept last)."""
    return [r for r in rows if r["kind"] == "basic"], [r for r in rows if r["kind"] != "basic"]


def _flow_columns() -> tuple[Column, ...]:
    def rate(v: Any, _row: dict) -> str:
        return "—" if v is None else fmt_value(v, "rate")
    return (Column("court_name", "法院"),
            *(Column(f"{t}_{k}", f"{t}{name}", numeric=True, text=rate if k == "closure_rate" else None)
              for t in (*TRACKS, TOTAL) for k, name in FLOW_FIGURES))


FLOW_COLUMNS = _flow_columns()


def _flow_rows(by_court: list[dict]) -> list[dict]:
    return [{"court_code": c["court_code"], "court_name": c["court_name"],
             "kind": "intermediate" if level_of(c["court_code"]) == "intermediate" else "basic", "tracks": c["tracks"],
             **{f"{t}_{k}": r.get(k) for t, r in c["tracks"].items() for k, _ in FLOW_FIGURES}} for c in by_court]


@router.get("/api/chart/city")
def chart_city(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
               benchmark: str | None = None, u: Principal = Depends(user)):
    """ECharts option: the heat map; ``zxLinks`` gives each cell's drill-down (app.js follows it on click)."""
    code, only = city_scope(request, u, court)
    s, e = period(request, start, end)
    m = _limited(_matrix(request, code, s, e, None if only else benchmark), only)
    lines = _lines(m)
    data, links = [], []
    for y, (label, _kind, court_code, cells) in enumerate(lines):
        for x, col in enumerate(m.columns):
            cell = cells.get(col.indicator)
            status = cell.status if cell else ranges.NO_VALUE
            text = ranges.fmt(cell.value if cell else None, col.unit, col.measure) + TREND.get(
                cell.improved if cell else None, "")
            data.append({"value": [x, y, STATUS_CODES[status]], "label": {"formatter": text},
                         "tooltip": {"formatter": f"{label}<br>{col.name}：{text}<br>{ranges.STATUS_NAMES[status]}"}})
            links.append(f"/indicators?{query({'court_code': court_code}, s, e)}" if court_code else "")
    return JSONResponse({
        "title": {"text": f"{m.court_name}全市法院质效热力图（{s} 至 {e}）", "left": "center",
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "grid": {"top": 70, "left": 210, "right": 20, "bottom": 120},
        "xAxis": {"type": "category", "data": [c.name for c in m.columns], "axisLabel": {"rotate": 40, "interval": 0},
                  "splitArea": {"show": True}},
        "yAxis": {"type": "category", "data": [label for label, *_ in lines], "inverse": True,
                  "splitArea": {"show": True}},
        "visualMap": {"type": "piecewise", "dimension": 2, "pieces": PIECES, "orient": "horizontal", "left": "center",
                      "top": 30, "selectedMode": False},
        "series": [{"name": "全市", "type": "heatmap", "data": data,
                    "label": {"show": True, "fontSize": 11}, "itemStyle": {"borderColor": "#fff", "borderWidth": 1}}],
        "zxLinks": {"全市": links},
    })


def _members(m: CityMatrix) -> list:
    """The courts of the matrix as shown: basic courts, then the intermediate court apart."""
    return [*m.basic, *([m.intermediate] if m.intermediate else [])]


def _flows(hub: DataHub, full: CityMatrix, m: CityMatrix, s: date, e: date) -> list[dict]:
    """收结存 of 审判, 执行, 非诉保全 and 合计 per court of the (limited) matrix ``m``, in its court order —
    each court's figures as ``zhixiao indicators flows --court`` gives them (issue 16 §2). Asked once for the
    whole city ``full`` (per-court rows do not depend on which other courts are asked), then cut to ``m``."""
    every = tuple(sorted(ln.court_code for ln in _members(full)))
    rows = hub.cached("city_flows", (every, s, e), lambda eng: flow_rows(
        eng, s, e, profile=hub.settings.profile, by=("court",), filters={"court_code": list(every)}))
    members = _members(m)
    codes = tuple(ln.court_code for ln in members)
    order = {c: i for i, c in enumerate(codes)}
    names = {ln.court_code: ln.court_name for ln in members}
    if m.intermediate is not None:
        names[m.intermediate.court_code] += "（单列）"
    return [{**r, "court_name": names[r["court_code"]]}
            for r in sorted(rows, key=lambda r: order.get(r["court_code"], len(order))) if r["court_code"] in order]


def _flows_by_court(flows: list[dict]) -> list[dict]:
    """One line per court for the page: {court_code, court_name, tracks: {审判|执行|非诉保全|合计: row}}."""
    out: dict[str, dict] = {}
    for r in flows:
        out.setdefault(r["court_code"], {"court_code": r["court_code"], "court_name": r["court_name"],
                                         "tracks": {}})["tracks"][r["track"]] = r
    return list(out.values())


@router.get("/api/chart/city/tracks")
def chart_city_tracks(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
                      u: Principal = Depends(user)):
    """ECharts option: each court's 受理 stacked by 审判 / 执行 / 非诉保全; a click opens that court's cases of
    that track."""
    code, only = city_scope(request, u, court)
    s, e = period(request, start, end)
    full = _matrix(request, code, s, e, None)
    m = _limited(full, only)
    rows = [r for r in _flows(request.app.state.hub, full, m, s, e) if r["track"] != TOTAL]
    codes = list(dict.fromkeys(r["court_code"] for r in rows))
    names = {r["court_code"]: r["court_name"] for r in rows}
    got = {(r["court_code"], r["track"]): r["received"] for r in rows}
    series = [{"name": t, "values": [got.get((c, t), 0) for c in codes]} for t in TRACKS]
    links = {t: [f"/cases?{query({'court_code': c}, s, e, indicator='received', track=t)}" for c in codes]
             for t in TRACKS}
    return JSONResponse(charts.bars(f"{m.court_name}各法院受理案件（审判、执行、非诉保全）",
                                    [charts.short_court(names[c]) for c in codes], series, links, stack=True,
                                    axis_name="件"))
