"""目标与测算: stored targets with progress, the year-end forecast and closings needed per working day."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from zhixiao.errors import UserError
from zhixiao.web.data import filter_rows
from zhixiao.web.deps import parse_day, render, scope_label, scoped, user
from zhixiao.web.roles import Principal, require

router = APIRouter()


def _court(request: Request, u: Principal, court: str | None) -> tuple[dict, str]:
    f = scoped(request, u, court)
    code = f.get("court_code") or request.app.state.settings.court_code or next(iter(request.app.state.hub.roster()["courts"]), None)
    if not code:
        raise UserError("数据目录中还没有案件数据，请先导入或运行 zhixiao demo。")
    return f, code


@router.get("/targets")
def targets(request: Request, court: str | None = None, as_of: str | None = None, rate: float = 0.9,
            u: Principal = Depends(user)):
    require(u, "targets.view")
    hub = request.app.state.hub
    f, code = _court(request, u, court)
    day = parse_day(as_of, "测算日") or hub.as_of()
    if not 0 < rate <= 1:
        raise UserError(f"目标结案率 {rate} 无效，应在 0 与 1 之间，例如 0.9。")
    court_wide = set(f) <= {"court_code"}
    # a 庭长 sees the judges of the own division only, and none of the court-wide forecast or targets
    fc = hub.forecast(code, day) if court_wide else None
    needed = hub.closings_needed(code, day, rate)
    if not court_wide:
        needed = filter_rows(needed, {k: v for k, v in f.items() if k in ("division", "judge_id")})
    progress = hub.targets_progress(code, day.year, day) if court_wide else None
    total = sum(r["needed"] for r in needed)
    days = needed[0]["workdays_left"] if needed else None
    return render(request, "targets.html", title="目标与测算", court=code, courts=hub.roster()["courts"],
                  scope=scope_label(request, f or {"court_code": code}), as_of=day, rate=rate, forecast=fc,
                  needed=needed, total_needed=total, workdays_left=days, progress=progress,
                  can_pick=u.scope == "all")


@router.get("/api/chart/forecast")
def chart_forecast(request: Request, court: str | None = None, as_of: str | None = None,
                   u: Principal = Depends(user)):
    """ECharts option: this year's monthly 新收/结案 so far, and the forecast for the months left (dashed)."""
    from datetime import date

    require(u, "targets.view")
    hub = request.app.state.hub
    f, code = _court(request, u, court)
    day = parse_day(as_of, "测算日") or hub.as_of()
    scope = f or {"court_code": code}
    actual = {int(r["month"][5:]): r for r in hub.trend(date(day.year, 1, 1), day, scope)}
    # the forecast is a court's; a 庭长 gets the own division's actual figures only
    path = {int(p["month"]): p for p in hub.forecast(code, day)["path"]} if set(scope) == {"court_code"} else {}
    months = list(range(1, 13))
    series = []
    for key, fkey, name in (("new_cases", "filings", "新收"), ("closed", "closings", "结案")):
        series.append({"name": f"{name}（实际）", "type": "bar",
                       "data": [actual[m][key] if m in actual else None for m in months]})
        series.append({"name": f"{name}（预测）", "type": "line", "lineStyle": {"type": "dashed"},
                       "data": [round(path[m][fkey], 1) if m in path else None for m in months]})
    return JSONResponse({
        "title": {"text": f"{scope_label(request, scope)} {day.year}年收结案："
                          + ("实际与预测" if path else "实际"),
                  "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"}, "legend": {"top": 34},
        "grid": {"top": 80, "left": 50, "right": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in months]}, "yAxis": {"type": "value", "name": "件"},
        "series": series,
    })
