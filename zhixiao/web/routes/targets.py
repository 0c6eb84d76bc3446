"""目标与测算: stored targets with progress, the year-end forecast and closings needed per working day."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse

from zhixiao.analysis.targets import TARGET_INDICATORS, decompose, list_targets, set_target
from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.data import filter_rows
from zhixiao.web.deps import checked_user, client_ip, parse_day, render, scope_label, scoped, user
from zhixiao.web.roles import Principal, require
from zhixiao.web.tables import Column, TableView, table

router = APIRouter()


def _court(request: Request, u: Principal, court: str | None) -> tuple[dict, str]:
    f = scoped(request, u, court)
    code = f.get("court_code") or request.app.state.settings.court_code or next(iter(request.app.state.hub.roster()["courts"]), None)
    if not code:
        raise UserError("数据目录中还没有案件数据，请先在“数据导入”页面导入法院导出的案件数据。")
    return f, code


DECOMPOSABLE = ("closure_rate", "clearance_ratio", "closed")  # analysis.targets.decompose: shared by workload
BY_NAMES = {"division": "部门", "judge": "法官"}
NEEDED_COLUMNS = (
    Column("name", "法官", text=lambda v, r: f"{v or ''}（{r['judge_id']}）"), Column("division", "部门"),
    Column("carried_over", "旧存", numeric=True), Column("closed_ytd", "本年已结", numeric=True),
    Column("pending_now", "当前未结", numeric=True), Column("expected_received", "预计受理", numeric=True),
    Column("needed", "尚需结案", numeric=True),
    Column("per_workday", "每工作日", numeric=True, text=lambda v, r: "—" if v is None else f"{v:g}"))


def _forecast_text(v, row: dict) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.2f}%" if row.get("indicator") in ("clearance_ratio", "closure_rate") else f"{v:.0f}"


FORECAST_COLUMNS = (Column("name", "项目"), *(Column(k, name, numeric=True, text=_forecast_text)
                                             for k, name in (("point", "点估计"), ("low", "下限"), ("high", "上限"))))


def _part_columns(by: str, month: int) -> tuple[Column, ...]:
    return (Column("name", "指标"), Column("unit_name", BY_NAMES[by]), Column("carried_over", "旧存", numeric=True),
            Column("expected_filings", "预计新收", numeric=True), Column("workload", "工作量", numeric=True),
            Column("target_closings", "全年需结", numeric=True), Column("due_now", f"截至 {month} 月应结", numeric=True))


def _view(request: Request, rows: list[dict], columns: tuple[Column, ...], key: str, prefix: str) -> TableView:
    """A shared table whose links lead to /targets, also when the target form's POST rendered the page."""
    return replace(table(request, rows, columns, key=key, prefix=prefix), path="/targets")


def target_value(text: str, indicator: str) -> float:
    """"93%" → 0.93; a bare number is taken as written (rates as fractions, counts as cases)."""
    t = (text or "").strip()
    try:
        return float(t[:-1]) / 100 if t.endswith(("%", "％")) else float(t)
    except ValueError:
        raise UserError(f"{TARGET_INDICATORS.get(indicator, (indicator,))[0]}的目标值“{t[:20]}”不是数字：比率写 93% 或 0.93，"
                        "件数写整数如 1200。") from None


def _decomposition(request: Request, f: dict, code: str, year: int, day, by: str) -> list[dict]:
    """Each stored closing target split over the court's divisions or judges by workload (旧存 + 预计新收),
    with the cumulative closings due by the as-of month; a 庭长 sees the own division's part only."""
    hub = request.app.state.hub
    judges = hub.roster()["judges"]
    out = []
    for t in list_targets(request.app.state.settings.ops_url, code, year):
        if t["indicator"] not in DECOMPOSABLE:
            continue
        parts = hub.cached("decompose", (code, year, t["indicator"], t["value"], day, by),
                           lambda e, t=t: decompose(e, code, year, t["indicator"], t["value"], day, by=by))
        for p in parts:
            division = p["unit"] if by == "division" else (judges.get(p["unit"]) or (None, None))[1]
            if f.get("division") and division != f["division"]:
                continue
            out.append({**p, "name": TARGET_INDICATORS[t["indicator"]][0], "target": t["value"],
                        "due_now": p["monthly"][day.month - 1]})
    return out


@router.get("/targets")
def targets(request: Request, court: str | None = None, as_of: str | None = None, rate: float = 0.9,
            by: str = "", u: Principal = Depends(user)):
    return _page(request, u, court, as_of, rate, by)


def _page(request: Request, u: Principal, court: str | None, as_of: str | None, rate: float, by: str,
          message: str | None = None):
    require(u, "targets.view")
    hub = request.app.state.hub
    f, code = _court(request, u, court)
    day = parse_day(as_of, "测算日") or hub.as_of()
    if by and by not in BY_NAMES:
        raise UserError("分解方式只能是按部门或按法官，请从页面上选择。")
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
    parts = _decomposition(request, f, code, day.year, day, by) if by else []
    needed_view = _view(request, needed, NEEDED_COLUMNS, "closings-needed", "n_")
    parts_view = _view(request, parts, _part_columns(by, day.month), "decomposition", "d_") if by else None
    forecast_view = _view(request, fc["rows"], FORECAST_COLUMNS, "forecast", "p_") if fc is not None else None
    for v, name in ((needed_view, "尚需结案"), (parts_view, "目标分解"), (forecast_view, "年末数据测算")):
        if v is not None and (resp := v.export_response(name)) is not None:
            return resp
    return render(request, "targets.html", title="目标与测算", court=code, courts=hub.roster()["courts"],
                  scope=scope_label(request, f or {"court_code": code}), as_of=day, rate=rate, forecast=fc,
                  forecast_view=forecast_view,
                  needed=needed_view, total_needed=total, workdays_left=days, progress=progress,
                  can_pick=u.scope == "all", by=by, by_names=BY_NAMES, parts=parts_view, message=message,
                  can_set=court_wide and u.can("targets.edit"), indicators=TARGET_INDICATORS,
                  stored=list_targets(request.app.state.settings.ops_url, code, day.year) if court_wide else [])


@router.post("/targets/set")
def targets_set(request: Request, court: str = Form(""), year: int = Form(0), indicator: str = Form(""),
                value: str = Form(""), note: str = Form(""), u: Principal = Depends(checked_user)):
    """设定（或改写）法院年度目标 — ``zhixiao targets set`` in the browser, recorded in the audit log."""
    require(u, "targets.edit")
    f, code = _court(request, u, court or None)
    if not set(f) <= {"court_code"}:
        raise UserError("年度目标按法院设定，请由院领导或审管办设定。")
    if not 2000 <= year <= 2099:
        raise UserError(f"年度 {year} 无效，请写成四位年份，如 2026。")
    row = set_target(request.app.state.settings.ops_url, code, year, indicator, target_value(value, indicator),
                     note=note.strip() or None, user=u.username)
    auth.record(request.app.state.Session, u.username, "target_set", f"{code} {year} {indicator}", str(row["value"]),
                client_ip(request))
    name = TARGET_INDICATORS[indicator][0]
    shown = f"{row['value'] * 100:g}%" if TARGET_INDICATORS[indicator][1] == "rate" else f"{row['value']:g}"
    return _page(request, u, code, None, 0.9, "", f"已设定 {code} {year} 年目标：{name} {shown}。")


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
