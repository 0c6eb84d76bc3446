"""总览: 收结存 + headline indicators (同比, 合理区间), monthly trend chart, 短板; the city view side by side."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from zhixiao.metrics.tracks import TOTAL, flow_rows
from zhixiao.reports.narrative import fmt_value
from zhixiao.web import auth, charts, weakness
from zhixiao.web.deps import client_ip, period, query, render, scope_label, scoped, user
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.tables import Column, figure_columns, figure_row, table, xlsx_response

router = APIRouter()
FLOW_NAMES = {"carried_over": "旧存", "new_cases": "新收", "closed": "结案", "pending": "未结"}
FLOW_COLUMNS = (Column("track", "类别"), Column("carried_over", "旧存", numeric=True),
                Column("new_cases", "新收", numeric=True), Column("received", "受理", numeric=True),
                Column("closed", "结案", numeric=True), Column("pending", "未结", numeric=True),
                Column("closure_rate", "结案率", numeric=True,
                       text=lambda v, _r: "—" if v is None else fmt_value(v, "rate")))


@router.get("/")
def overview(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
             u: Principal = Depends(user)):
    require(u, "overview.view")
    hub = request.app.state.hub
    s, e = period(request, start, end)
    f = scoped(request, u, court)
    roster = hub.roster()
    ctx = dict(title="总览", start=s, end=e, f=f, scope=scope_label(request, f), courts=roster["courts"],
               court=f.get("court_code"), city=None, headline=[])
    if not f:  # the intermediate court / 审管办 view: every court side by side
        rows = hub.indicators(s, e, None, by=("court",))
        by_court: dict[str, dict] = {}
        for r in rows:
            by_court.setdefault(r["group"]["court_code"], {})[r["indicator"]] = r
        ctx["headline"] = hub.indicators(s, e, None)
        cols = figure_columns("法院", ctx["headline"])
        rows = [figure_row({"court_code": code}, name, by_court.get(code, {})) for code, name in roster["courts"].items()]
        view = ctx["city"] = table(request, rows, cols, key="city-table")
        if view.export:
            auth.record(request.app.state.Session, u.username, "export_table", f"总览 各法院并列 {s}—{e}",
                        str(view.matched), ip=client_ip(request))
            return xlsx_response(f"总览_各法院并列_{s}_{e}", cols, view.all_rows)
    else:
        ctx["headline"] = hub.indicators(s, e, f)
    ctx["show_weak"] = set(f) == {"court_code"}  # 短板 are a court's; loaded by htmx after the page
    rows = flows(request, f, s, e)
    view = ctx["flows"] = table(request, [r for r in rows if r["track"] != TOTAL], FLOW_COLUMNS, key="flow-table",
                                prefix="f_")
    ctx["flow_total"] = next((r for r in rows if r["track"] == TOTAL), None)
    if view.export:  # the 合计 row stays under the tracks, on the page and in the sheet
        auth.record(request.app.state.Session, u.username, "export_table", f"总览 收结存 {ctx['scope']} {s}—{e}",
                    str(view.matched), ip=client_ip(request))
        return xlsx_response(f"总览_收结存_{ctx['scope']}_{s}_{e}", FLOW_COLUMNS,
                             view.all_rows + ([ctx["flow_total"]] if ctx["flow_total"] else []))
    ctx["partial_months"] = charts.partial_months(s, e, hub.as_of())
    return render(request, "overview.html", **ctx)


@router.get("/overview/weak")
def weak(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
         u: Principal = Depends(user)):
    """The court's 短板弱项 with attribution to divisions (slow to compute the first time: a fragment)."""
    require(u, "overview.view")
    s, e = period(request, start, end)
    f = scoped(request, u, court)
    if set(f) != {"court_code"}:
        raise Forbidden("短板弱项按法院分析，请先选择一个法院。")
    return render(request, "weak.html", f=f, start=s, end=e,
                  weak=weakness.ordered(request.app.state.hub.weak(f["court_code"], s, e)))


def flows(request: Request, f: dict, s, e) -> list[dict]:
    """收结存 of 审判, 执行, 非诉保全 and 合计 for the scope (metrics.tracks; the tracks add up to 合计)."""
    return scope_flows(request.app.state.hub, f, s, e)


def scope_flows(hub, f: dict, s, e) -> list[dict]:
    """``flows`` on ``hub`` (also asked by precompute: ``warm``); the snapshot's indicator cube answers
    month-aligned periods (as ``DataHub.indicators``), the evaluator the rest."""
    as_of = hub.as_of()  # asked before borrowing an engine: the cube's date

    def run(eng):
        return flow_rows(eng, s, e, profile=hub.settings.profile, filters=f or None, cube=hub.cube(eng, as_of))
    return hub.cached("flows", (s, e, tuple(sorted(f.items()))), run)


def warm(hub, start, end) -> None:
    """The page's 收结存 at 本年累计 for the city and for each court, for precompute (``DataHub.add_warmer``)."""
    for code in (None, *hub.roster()["courts"]):
        scope_flows(hub, {"court_code": code} if code else {}, start, end)


@router.get("/api/chart/trend")
def chart_trend(request: Request, court: str | None = None, division: str | None = None, judge: str | None = None,
                start: str | None = None, end: str | None = None, u: Principal = Depends(user)):
    """ECharts option: monthly 新收 / 结案 / 未结, with the same months a year earlier (dashed); a month the
    data cover only in part is marked partial."""
    require(u, "overview.view")
    s, e = period(request, start, end)
    f = scoped(request, u, court, division, judge)
    rows = request.app.state.hub.trend(s, e, f)
    months = [r["month"] for r in rows]
    lines, links = [], {}
    for key, name, iid in (("new_cases", "新收", "new_cases"), ("closed", "结案", "closed"),
                           ("pending_end", "月末未结", "pending")):
        lines.append((name, [r[key] for r in rows], False))
        lines.append((f"{name}（上年同期）", [r[f"{key}_last_year"] for r in rows], True))
        # a click on a point opens the cases behind it (app.js reads zxLinks)
        links[name] = [f"/cases?{query(f, s, e, indicator=iid, month=m)}" for m in months]
    return JSONResponse(charts.trend(f"{scope_label(request, f)} 收结存月度走势", months, lines, links,
                                     charts.partial_months(s, e, request.app.state.hub.as_of())))


@router.get("/api/chart/courts")
def chart_courts(request: Request, start: str | None = None, end: str | None = None, u: Principal = Depends(user)):
    """ECharts option: 结案率 and 法定审限内结案率 of every court the user may see, side by side, on an axis
    fitted to the values; a bar out of its 合理区间 drawn apart; a click opens that court's cases."""
    require(u, "overview.view")
    s, e = period(request, start, end)
    f = scoped(request, u)
    hub = request.app.state.hub
    rows = hub.indicators(s, e, f or None, by=("court",))  # a 庭长 or judge: their own scope, never the court's
    names = hub.roster()["courts"]
    codes = sorted({r["group"]["court_code"] for r in rows})
    got = {(r["group"]["court_code"], r["indicator"]): r for r in rows}
    series, links = [], {}
    for iid, name in (("closure_rate", "结案率"), ("on_time_rate", "法定审限内结案率")):
        cells = [got.get((c, iid)) or {} for c in codes]
        series.append({"name": name, "values": [charts.pct(r.get("value")) for r in cells],
                       "bad": [r.get("in_range") is False for r in cells]})
        links[name] = [f"/cases?{query({**f, 'court_code': c}, s, e, indicator=iid)}" for c in codes]
    title = "各法院结案率对比（%）" if set(f) <= {"court_code"} else f"{scope_label(request, f)} 结案率（%）"
    return JSONResponse(charts.bars(title, [charts.short_court(names.get(c, c)) for c in codes], series, links,
                                    percent=True, axis_name="%"))


@router.get("/api/chart/tracks")
def chart_tracks(request: Request, court: str | None = None, division: str | None = None, judge: str | None = None,
                 start: str | None = None, end: str | None = None, u: Principal = Depends(user)):
    """ECharts option: 旧存 / 新收 / 结案 / 未结 of 审判, 执行 and 非诉保全 (issue 16 §2); a click opens the cases."""
    require(u, "overview.view")
    s, e = period(request, start, end)
    f = scoped(request, u, court, division, judge)
    rows = [r for r in flows(request, f, s, e) if r["track"] != TOTAL]
    tracks = [r["track"] for r in rows]
    series, links = [], {}
    for iid, name in FLOW_NAMES.items():
        series.append({"name": name, "values": [r[iid] for r in rows]})
        links[name] = [f"/cases?{query(f, s, e, indicator=iid, track=t)}" for t in tracks]
    return JSONResponse(charts.bars(f"{scope_label(request, f)} 收结存（审判、执行、非诉保全）", tracks, series, links,
                                    axis_name="件", rotate=0))
