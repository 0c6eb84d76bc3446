"""ECharts options of the dashboard, built on the server (app.js draws any option it is given; ``zxLinks`` —
{series name: [url of each point]} — makes a click on a point open the cases behind it).

What keeps a chart honest lives here, once: a month the data cover only in part is drawn and labelled as
partial (a month cut short is not a collapse), a value axis spans the values shown (differences of 80–84%
between courts stay visible; the axis name says where it starts), and a point outside its 合理区间 is drawn
apart (red border, ⚠ label) as the tables mark such cells.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from zhixiao.metrics.filters import add_months

BAD = "#c0392b"  # out of the 合理区间: the same red as td.bad in app.css
PARTIAL = "#9aa3ad"  # a partial month's points and shading
TITLE = {"left": "center", "textStyle": {"fontSize": 14}}


def month_end(d: date) -> date:
    return add_months(date(d.year, d.month, 1), 1) - timedelta(days=1)


def partial_months(start: date, end: date, as_of: date | None = None) -> dict[str, str]:
    """{'YYYY-MM': why} for the months of [start, end] whose counts cover part of the month only: the period
    starts after the 1st or ends before the month's last day, or the data's snapshot (``as_of``) stops inside
    the last month. A month after the snapshot has no data at all and is marked too."""
    out: dict[str, str] = {}
    last = min(end, as_of) if as_of else end
    if start.day != 1:
        out[f"{start:%Y-%m}"] = f"自{start.day}日起"
    if last < month_end(last) and last >= start:
        out[f"{last:%Y-%m}"] = f"截至{last.day}日"
    cur = add_months(date(last.year, last.month, 1), 1)
    while cur <= end:
        out[f"{cur:%Y-%m}"] = "尚无数据"
        cur = add_months(cur, 1)
    return out


def fitted_axis(values: Sequence[float | None], *, name: str = "", percent: bool = False) -> dict:
    """A value axis spanning the values with a margin of a quarter of their spread (at least 1 unit), in
    whole units; never below 0 for values that are all ≥ 0, never above 100 for percentages. The axis name
    says when it does not start at 0, so a bar's length is not read as the value."""
    vals = [v for v in values if v is not None]
    axis: dict = {"type": "value", "name": name, "scale": True}
    if not vals:
        return axis
    lo, hi = min(vals), max(vals)
    pad = max((hi - lo) / 4, 1.0)
    low, high = math.floor(lo - pad), math.ceil(hi + pad)
    if lo >= 0:
        low = max(low, 0)
    if percent and hi <= 100:
        high = min(high, 100)
    axis.update(min=low, max=high)
    if low > 0:
        axis["name"] = f"{name}（纵轴自 {low} 起）"
    return axis


def point(value: float | None, *, bad: bool = False, partial: bool = False) -> dict:
    """One data item, drawn apart when out of its 合理区间 (red border, ⚠) or in a partial month (hollow, grey)."""
    item: dict = {"value": value}
    if bad:
        item["itemStyle"] = {"borderColor": BAD, "borderWidth": 2, "borderType": "solid"}
        item["label"] = {"show": True, "position": "top", "formatter": "{c}⚠", "color": BAD}
    if partial:  # ECharts draws every other point as an empty circle
        item["symbol"] = "emptyDiamond"
        item["symbolSize"] = 13
        item["itemStyle"] = {"borderColor": PARTIAL, "borderType": "dashed", "borderWidth": 2}
    return item


def trend(title: str, months: list[str], lines: list[tuple[str, list, bool]], links: dict[str, list[str]],
          partial: dict[str, str]) -> dict:
    """Monthly lines: ``lines`` = (series name, values, dashed); a partial month keeps its value but its
    point is a grey dashed diamond, the stretch of the lines into it (out of it, for a first month) is shaded
    and labelled 不完整月份, its axis label says how far it goes (e.g. 2025-11（截至20日）), and so does the
    subtitle."""
    labels = [f"{m}（{partial[m]}）" if m in partial else m for m in months]
    series = []
    for name, values, dashed in lines:
        s = {"name": name, "type": "line",
             "data": [point(v, partial=m in partial) for m, v in zip(months, values, strict=True)]}
        if dashed:
            s["lineStyle"] = {"type": "dashed"}
        series.append(s)
    shaded = []
    for i, m in enumerate(months):
        if m in partial:
            a, b = (i - 1, i) if i > 0 else (i, min(i + 1, len(months) - 1))
            shaded.append([{"xAxis": labels[a], "name": "不完整月份"}, {"xAxis": labels[b]}])
    if series and shaded:
        series[0]["markArea"] = {"silent": True, "itemStyle": {"color": "rgba(154,163,173,0.18)"},
                                 "label": {"color": PARTIAL, "position": "insideTop"}, "data": shaded}
    note = "；".join(f"{m} {why}，非完整月份" for m, why in partial.items() if m in months)
    return {
        "title": {"text": title, **({"subtext": note} if note else {}), **TITLE},
        "tooltip": {"trigger": "axis"}, "legend": {"top": 58 if note else 34, "type": "scroll"},
        "grid": {"top": 100 if note else 80, "left": 50, "right": 20, "bottom": 40},
        "xAxis": {"type": "category", "data": labels}, "yAxis": {"type": "value", "name": "件"},
        "series": series, "zxLinks": links, "zxPartial": sorted(m for m in partial if m in months),
    }


def bars(title: str, categories: list[str], series: list[dict], links: dict[str, list[str]], *,
         percent: bool = False, axis_name: str = "", stack: bool = False, rotate: int = 30) -> dict:
    """Bars per category; ``series`` = [{name, values, bad: [bool per value] (optional)}]. The value axis is
    fitted to the values (``fitted_axis``) — except stacked bars, whose total is the point and start at 0."""
    out_series, values = [], []
    for s in series:
        bad = s.get("bad") or [False] * len(s["values"])
        item = {"name": s["name"], "type": "bar",
                "data": [point(v, bad=b) for v, b in zip(s["values"], bad, strict=True)]}
        if stack:
            item["stack"] = "total"
        out_series.append(item)
        values += s["values"]
    axis = {"type": "value", "name": axis_name} if stack else fitted_axis(values, name=axis_name, percent=percent)
    return {
        "title": {"text": title, **TITLE},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}}, "legend": {"top": 34, "type": "scroll"},
        "grid": {"top": 80, "left": 60, "right": 20, "bottom": 90, "containLabel": False},
        "xAxis": {"type": "category", "data": categories, "axisLabel": {"rotate": rotate, "interval": 0}},
        "yAxis": axis, "series": out_series, "zxLinks": links,
    }


def short_court(name: str) -> str:
    """"河北省石家庄市长安区人民法院" → "长安区", "石家庄市中级人民法院" → "石家庄市中级": an axis label that fits
    (the tooltip and the tables keep the full name)."""
    base, bracket, note = name.partition("（")
    core = base.split("省", 1)[-1].removesuffix("人民法院")
    if "市" in core and not core.endswith("中级"):
        core = core.split("市", 1)[1] or core
    return (core or base) + bracket + note


def pct(value: float | None) -> float | None:
    """A rate as the percentage a chart shows (two decimals)."""
    return None if value is None else round(value * 100, 2)
