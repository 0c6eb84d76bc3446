"""总览: 收结存 + headline indicators (同比, 合理区间), monthly trend chart, 短板; the city view side by side."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from zhixiao.web.deps import period, query, render, scope_label, scoped, user
from zhixiao.web.roles import Forbidden, Principal, require

router = APIRouter()


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
        ctx["city"] = [(code, roster["courts"].get(code, code), by_court.get(code, {})) for code in roster["courts"]]
        ctx["headline"] = hub.indicators(s, e, None)
    else:
        ctx["headline"] = hub.indicators(s, e, f)
    ctx["show_weak"] = set(f) == {"court_code"}  # 短板 are a court's; loaded by htmx after the page
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
    return render(request, "weak.html", f=f, start=s, end=e, weak=request.app.state.hub.weak(f["court_code"], s, e))


@router.get("/api/chart/trend")
def chart_trend(request: Request, court: str | None = None, division: str | None = None, judge: str | None = None,
                start: str | None = None, end: str | None = None, u: Principal = Depends(user)):
    """ECharts option: monthly 新收 / 结案 / 未结, with the same months a year earlier (dashed)."""
    require(u, "overview.view")
    s, e = period(request, start, end)
    f = scoped(request, u, court, division, judge)
    rows = request.app.state.hub.trend(s, e, f)
    months = [r["month"] for r in rows]
    series, links = [], {}
    for key, name, iid in (("new_cases", "新收", "new_cases"), ("closed", "结案", "closed"),
                           ("pending_end", "月末未结", "pending")):
        series.append({"name": name, "type": "line", "data": [r[key] for r in rows]})
        # a click on a point opens the cases behind it (app.js reads zxLinks)
        links[name] = [f"/cases?{query(f, s, e, indicator=iid, month=m)}" for m in months]
        series.append({"name": f"{name}（上年同期）", "type": "line", "lineStyle": {"type": "dashed"},
                       "data": [r[f"{key}_last_year"] for r in rows]})
    return JSONResponse({
        "title": {"text": f"{scope_label(request, f)} 收结存月度走势", "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"}, "legend": {"top": 34, "type": "scroll"},
        "grid": {"top": 80, "left": 50, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": months}, "yAxis": {"type": "value", "name": "件"},
        "series": series, "zxLinks": links,
    })


@router.get("/api/chart/courts")
def chart_courts(request: Request, start: str | None = None, end: str | None = None, u: Principal = Depends(user)):
    """ECharts option: 结案率 and 法定审限内结案率 of every court the user may see, side by side."""
    require(u, "overview.view")
    s, e = period(request, start, end)
    f = scoped(request, u)
    hub = request.app.state.hub
    rows = hub.indicators(s, e, f or None, by=("court",))  # a 庭长 or judge: their own scope, never the court's
    names = hub.roster()["courts"]
    codes = sorted({r["group"]["court_code"] for r in rows})
    val = {(r["group"]["court_code"], r["indicator"]): r["value"] for r in rows}
    series = []
    for iid, name in (("closure_rate", "结案率"), ("on_time_rate", "法定审限内结案率")):
        series.append({"name": name, "type": "bar",
                       "data": [None if val.get((c, iid)) is None else round(val[(c, iid)] * 100, 2) for c in codes]})
    return JSONResponse({
        "title": {"text": "各法院结案率对比（%）" if set(f) <= {"court_code"} else f"{scope_label(request, f)} 结案率（%）",
                  "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"}, "legend": {"top": 34},
        "grid": {"top": 80, "left": 50, "right": 20, "bottom": 80},
        "xAxis": {"type": "category", "data": [names.get(c, c) for c in codes], "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value", "max": 100}, "series": series,
    })
