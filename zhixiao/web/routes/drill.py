"""指标 drill-down: court → division → judge → the cases behind a figure (every figure links to its list)."""

from __future__ import annotations

import csv
import io
import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from zhixiao.errors import UserError
from zhixiao.metrics.card import DIRECTION_NAMES, UNIT_NAMES, card
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.tracks import TRACKS
from zhixiao.web import auth, charts
from zhixiao.web.data import HEADLINE, records
from zhixiao.web.deps import client_ip, parse_month, period, query, render, scope_label, scoped, user
from zhixiao.web.labels import appeal_result, procedure_name
from zhixiao.web.roles import Principal, require
from zhixiao.web.tables import Column, figure_columns, figure_row, table, xlsx_response

router = APIRouter()
LEVEL = {"city": ("court", "法院"), "court": ("division", "部门"), "division": ("judge", "法官")}
CASE_HEADERS = {
    "case_id": "案号", "court_name": "法院", "division": "部门", "judge_name": "承办法官", "type_code": "类型",
    "cause": "案由", "procedure": "程序", "filing_date": "立案日期", "closing_date": "结案日期",
    "closing_method": "结案方式", "appeal_result": "上诉结果",
}


def _level(f: dict) -> str:
    if "judge_id" in f:
        return "judge"
    if "division" in f:
        return "division"
    return "court" if "court_code" in f else "city"


@router.get("/indicators")
def indicators(request: Request, court: str | None = None, division: str | None = None, judge: str | None = None,
               start: str | None = None, end: str | None = None, u: Principal = Depends(user)):
    require(u, "drill.view")
    hub = request.app.state.hub
    s, e = period(request, start, end)
    f = scoped(request, u, court, division, judge)
    level = _level(f)
    groups: list[tuple[dict, str, dict]] = []  # (filters of the unit, its name, indicator → row)
    if level == "judge":
        groups.append((f, scope_label(request, f), {r["indicator"]: r for r in hub.indicators(s, e, f)}))
    else:
        by, _ = LEVEL[level]
        rows = hub.indicators(s, e, f or None, by=(by,))
        keyed: dict[tuple, dict] = {}
        for r in rows:
            g = r["group"]
            sub = dict(f)
            if by == "court":
                sub["court_code"] = g.get("court_code")
                name = request.app.state.hub.roster()["courts"].get(g.get("court_code"), g.get("court_code"))
            elif by == "division":
                sub["division"] = g.get("division")
                name = g.get("division")
            else:
                sub["judge_id"] = g.get("judge_id")
                name = f"{g.get('judge_name') or ''}（{g.get('judge_id')}）"
            if None in sub.values():
                continue
            k = tuple(sorted(sub.items()))
            keyed.setdefault(k, {"f": sub, "name": name, "rows": {}})["rows"][r["indicator"]] = r
        groups = [(v["f"], v["name"], v["rows"]) for v in keyed.values()]
        groups.sort(key=lambda g: tuple(g[0].values()))
    meta = {r["indicator"]: r for r in hub.indicators(s, e, f or None)}
    headline = [meta[i] for i in HEADLINE if i in meta]
    unit_name = LEVEL.get(level, ("", "法官"))[1]
    cols = figure_columns(unit_name, headline)
    view = table(request, [figure_row(gf, name, cells) for gf, name, cells in groups], cols, key="drill-table")
    label = scope_label(request, f)
    if view.export:  # the 合计 row is shown under every page, so the sheet ends with it too
        total = {"name": "合计", **{h["indicator"]: h["value"] for h in headline}} if level != "judge" else None
        auth.record(request.app.state.Session, u.username, "export_table", f"指标 {label} {s}—{e}",
                    str(view.matched), ip=client_ip(request))
        return xlsx_response(f"指标_{label}_{s}_{e}", cols, view.all_rows + ([total] if total else []))
    return render(request, "indicators.html", title="指标", start=s, end=e, f=f, level=level, unit_name=unit_name,
                  scope=label, view=view, headline=headline, totals=meta,
                  court_names=hub.roster()["courts"])


@router.get("/indicators/card/{indicator_id}")
def indicator_card(request: Request, indicator_id: str, end: str | None = None, u: Principal = Depends(user)):
    """The 口径 card, the same text as ``zhixiao indicators explain`` and the briefing's appendix."""
    require(u, "drill.view")
    _, e = period(request, None, end)
    profile = request.app.state.hub.settings.profile
    found = [i for i in load_profile(profile, e, data_dir=request.app.state.hub.settings.data_dir)
             if i.id == indicator_id]
    if not found:
        raise UserError(f"当前指标体系中没有编号为“{indicator_id[:64]}”的指标，请从指标页面进入口径说明。")
    c = card(found[0])
    return render(request, "card.html", title=f"口径 · {c.name}", c=c, unit_name=UNIT_NAMES.get(c.unit, c.unit),
                  direction_name=DIRECTION_NAMES.get(c.direction, c.direction))


def _case_rows(request: Request, u: Principal, indicator: str, part: str, court, division, judge, month, start, end,
               track: str | None = None):
    require(u, "cases.view")
    if indicator not in HEADLINE and not re.fullmatch(r"[a-z0-9_]{1,64}", indicator or ""):
        raise UserError(f"指标编号“{indicator}”无效。")
    month = parse_month(month)
    s, e = period(request, start, end)
    f = scoped(request, u, court, division, judge)
    group = dict(f)
    if month:
        group["month"] = month
    if track:  # 审判 / 执行 / 非诉保全: the cases of the tracks' categories (charts of 收结存 by track)
        if track not in TRACKS:
            raise UserError(f"类别“{track[:16]}”无效，可选：{'、'.join(TRACKS)}。")
        group["category"] = list(TRACKS[track])
    try:
        df = request.app.state.hub.cases(indicator, part, s, e, group)
    except UserError:
        if _known(request, indicator, e):
            raise
        # the catalogue's own refusal names a CLI command; a person here followed a link
        raise UserError(f"当前指标体系中没有编号为“{indicator[:64]}”的指标，请从总览或指标页面上的数字进入案件清单。"
                        ) from None
    if "court_code" in df.columns and "court_name" in df.columns:  # the registry's names, not the rows'
        names = request.app.state.hub.roster()["courts"]
        df = df.assign(court_name=df["court_code"].map(lambda c: names.get(c, c)))
    return s, e, f, df


def _known(request: Request, indicator: str, on) -> bool:
    hub = request.app.state.hub
    return any(i.id == indicator for i in load_profile(hub.settings.profile, on, data_dir=hub.settings.data_dir))


CASE_TEXT = {"procedure": lambda v, _r: procedure_name(v), "appeal_result": lambda v, _r: appeal_result(v)}


def _case_columns() -> tuple[Column, ...]:
    """The case list's columns; codes shown by their Chinese names (程序, 上诉结果)."""
    return tuple(Column(k, v, text=CASE_TEXT.get(k)) for k, v in CASE_HEADERS.items())


@router.get("/cases")
def cases(request: Request, indicator: str, part: str = "numerator", court: str | None = None,
          division: str | None = None, judge: str | None = None, month: str | None = None,
          start: str | None = None, end: str | None = None, track: str | None = None,
          u: Principal = Depends(user)):
    """The cases behind a figure: every one of them, a page at a time (sort, filter, .xlsx of what is shown)."""
    s, e, f, df = _case_rows(request, u, indicator, part, court, division, judge, month, start, end, track)
    view = table(request, df, _case_columns(), key="case-table")
    auth.record(request.app.state.Session, u.username, "export_cases" if view.export else "view_cases",
                f"{indicator}/{part} {s}~{e} {sorted(f.items())}", f"{view.matched} 件", client_ip(request))
    meta = {r["indicator"]: r for r in request.app.state.hub.indicators(s, e, f or None)}
    name = meta[indicator]["name"] if indicator in meta else indicator
    if track:
        name = f"{name}（{track}）"
    part_name = "分子" if part == "numerator" else "分母"
    if (resp := view.export_response(f"案件清单_{name}_{part_name}_{s}_{e}")) is not None:
        return resp
    return render(request, "cases.html", title="案件清单", start=s, end=e, f=f, scope=scope_label(request, f),
                  indicator=indicator, indicator_name=name, part=part, month=month, view=view)


@router.get("/cases.csv")
def cases_csv(request: Request, indicator: str, part: str = "numerator", court: str | None = None,
              division: str | None = None, judge: str | None = None, month: str | None = None,
              start: str | None = None, end: str | None = None, track: str | None = None,
              u: Principal = Depends(user)):
    s, e, f, df = _case_rows(request, u, indicator, part, court, division, judge, month, start, end, track)
    rows = records(df)
    auth.record(request.app.state.Session, u.username, "export_cases",
                f"{indicator}/{part} {s}~{e} {sorted(f.items())}", f"{len(rows)} 件", client_ip(request))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CASE_HEADERS.values())
    for r in rows:
        w.writerow([_csv_safe(c.show(r)) for c in _case_columns()])
    name = f"案件清单_{indicator}_{s}_{e}.csv"
    from urllib.parse import quote

    return Response(("\ufeff" + buf.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _csv_safe(v: str) -> str:
    """Neutralise spreadsheet formulas in exported text (OWASP CSV injection)."""
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


# ── charts of the drill-down (per court, division or judge of the level shown) ──────────────────────────
CHART_KINDS = {  # kind → (title, [(indicator id, series name)], a rate?)
    "rates": ("结案率（%）", [("closure_rate", "结案率"), ("on_time_rate", "法定审限内结案率")], True),
    "counts": ("收结存（件）", [("new_cases", "新收"), ("closed", "结案"), ("pending", "未结")], False),
}


def _chart_units(request: Request, f: dict, s, e) -> list[tuple[dict, str, dict]]:
    """(filters of the unit, its name, indicator → row) for the units one level below ``f``, ordered by id."""
    hub = request.app.state.hub
    by, _ = LEVEL[_level(f)]
    key, label = {"court": ("court_code", None), "division": ("division", None), "judge": ("judge_id", "judge_name")}[by]
    units: dict[str, tuple[dict, str, dict]] = {}
    for r in hub.indicators(s, e, f or None, by=(by,)):
        code = r["group"].get(key)
        if code is None:
            continue
        if by == "court":
            name = charts.short_court(hub.roster()["courts"].get(code, code))
        else:
            name = r["group"].get(label) or code if label else code
        units.setdefault(code, ({**f, key: code}, name, {}))[2][r["indicator"]] = r
    return [units[k] for k in sorted(units)]


@router.get("/api/chart/units")
def chart_units(request: Request, kind: str = "rates", court: str | None = None, division: str | None = None,
                judge: str | None = None, start: str | None = None, end: str | None = None,
                u: Principal = Depends(user)):
    """ECharts option: the courts, divisions or judges one level below the scope side by side (rates on an axis
    fitted to the values, a bar out of its 合理区间 drawn apart); a click opens that unit's cases."""
    require(u, "drill.view")
    if kind not in CHART_KINDS:
        raise UserError(f"图表类型“{kind[:16]}”无效，可选：rates、counts。")
    s, e = period(request, start, end)
    f = scoped(request, u, court, division, judge)
    if _level(f) == "judge":
        raise UserError("已是法官一级，没有下级单位可比较；请查看该法官的月度走势。")
    title, ids, rate = CHART_KINDS[kind]
    units = _chart_units(request, f, s, e)
    series, links = [], {}
    for iid, name in ids:
        cells = [rows.get(iid) or {} for _f, _n, rows in units]
        values = [charts.pct(c.get("value")) if rate else c.get("value") for c in cells]
        series.append({"name": name, "values": values, "bad": [c.get("in_range") is False for c in cells]})
        links[name] = [f"/cases?{query(uf, s, e, indicator=iid)}" for uf, _n, _r in units]
    unit_name = LEVEL[_level(f)][1]
    return JSONResponse(charts.bars(f"{scope_label(request, f)} 各{unit_name}{title}", [n for _f, n, _r in units],
                                    series, links, percent=rate, axis_name="%" if rate else "件"))
