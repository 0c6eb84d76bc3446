"""目标与测算: stored targets with progress, the year-end forecast and closings needed per working day."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

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
    fc = hub.forecast(code, day)
    needed = hub.closings_needed(code, day, rate)
    if "division" in f:  # a 庭长 sees the judges of the own division only
        needed = filter_rows(needed, {"division": f["division"]})
    progress = hub.targets_progress(code, day.year, day)
    total = sum(r["needed"] for r in needed)
    days = needed[0]["workdays_left"] if needed else None
    return render(request, "targets.html", title="目标与测算", court=code, courts=hub.roster()["courts"],
                  scope=scope_label(request, f or {"court_code": code}), as_of=day, rate=rate, forecast=fc,
                  needed=needed, total_needed=total, workdays_left=days, progress=progress,
                  can_pick=u.scope == "all")
