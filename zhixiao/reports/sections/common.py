"""What every section of the narrative shares: an evaluator row as the dict a table reads, the indicator
tables (with 同比 and the 全市基层法院平均), and the words numbers are written with."""

from __future__ import annotations

import re
from typing import Any

from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import BriefingFigures, Context
from zhixiao.reports.model import Column, Table

LINES = ("刑事", "民事", "行政", "执行")
UNIT_KINDS = {"court": "法院", "division": "部门", "judge": "法官"}
REFERENCE_NOTE = "年度区间，仅供参考"
TOP_CONTRIBUTORS = 3  # per 短板 and level in the .docx; the .xlsx holds every unit


def court_label(f: BriefingFigures, code: str) -> str:
    """A court in a city table by its short name ("长安区法院"), from its code (a code not in the store's
    court list is shown as it is)."""
    return rollup.short_name(f.court_names[code]) if code in f.court_names else code


def rowdict(ctx: Context, r) -> dict[str, Any]:
    """An evaluator row as the sections and builders read it; a range that only informs the period is not
    judged (``in_range`` None)."""
    applies = r.indicator not in ctx.reference_only
    return {"indicator": r.indicator, "name": r.name, "unit": r.unit, "line": r.line,
            "group_name": r.group_name, "value": r.value, "numerator": r.numerator,
            "denominator": r.denominator, "previous": r.previous, "yoy": r.yoy, "yoy_unit": r.yoy_unit,
            "range": r.range, "range_applies": applies, "in_range": r.in_range if applies else None,
            "improved": r.improved, "direction": r.direction, "measure": ctx.measures.get(r.indicator, "")}


def judged(ctx: Context, r) -> bool | None:
    """A Row's 区间达标 for this period (None where the range is only a reference)."""
    return None if r.indicator in ctx.reference_only else r.in_range


def range_label(r: dict, mark: bool = False) -> str:
    """The 合理区间 as a cell shows it; ``mark``: a table mixing judged and reference ranges stars the latter
    (its note says what the star means)."""
    label = nv.fmt_range(r["range"], r["unit"])
    return f"{label}*" if mark and r["range"] and not r["range_applies"] else label


def reference_note(rows: list[dict]) -> tuple[bool, str | None]:
    """(star the reference ranges?, the table's note): "年度区间，仅供参考" said once under the table, not in
    every 合理区间 cell (issue 17 §1: it made the rows five lines tall)."""
    ref = [r for r in rows if r["range"] and not r["range_applies"]]
    if not ref:
        return False, None
    mixed = any(r["range"] and r["range_applies"] for r in rows)
    return mixed, f"{'标*的' if mixed else ''}合理区间为{REFERENCE_NOTE}（本期不足一年），不据以判断是否达标。"


def indicator_table(f: BriefingFigures, title: str, rows: list[dict]) -> Table:
    """Indicators with their range, 达标, the 全市基层法院平均 (a court's briefing) and 同比."""
    pool, basis = f.evaluations.pool, f.evaluations.basis
    cols = [Column("name", "指标"), Column("line_label", "条线"), Column("value", "数值", "value"),
            Column("range_label", "合理区间"), Column("flag", "是否达标", "flag")]
    if pool:
        cols.append(Column("city", f"{basis.city_label}平均", "value"))
    if f.ctx.compare:
        cols += [Column("previous", "上年同期", "value"), Column("change", "同比增减", "delta"),
                 Column("yoy", "同比（%）", "yoy"), Column("trend", "同比趋势")]
    mark, note = reference_note(rows)
    out = []
    for r in rows:
        change = None if r["value"] is None or r["previous"] is None else r["value"] - r["previous"]
        p = pool.get(r["indicator"])
        out.append({**r, "change": change * 100 if change is not None and r["unit"] == "rate" else change,
                    "city": p.value if p is not None else None,
                    "line_label": "综合" if r["line"] == "all" else r["line"],
                    "range": r["range"] if r["range_applies"] else None,  # no red cell for a reference
                    # the annual range a shorter period is only shown against (the deck's grey band)
                    "reference_range": None if r["range_applies"] else r["range"],
                    "range_label": range_label(r, mark),
                    "flag": {True: "是", False: "否", None: "—"}[r["in_range"]],
                    # 同比 in % only where it says more than 同比增减: not for a rate (the same 个百分点
                    # twice) nor for a count on a small base (issue 17 §1: "增加26件", not "+866.67%")
                    "yoy": None if r["unit"] == "rate" or (r["unit"] == "count" and r["previous"] is not None
                                                           and abs(r["previous"]) < nv.SMALL_BASE) else r["yoy"],
                    "trend": trend_word(r["improved"], change)})
    if all(r["yoy"] is None for r in out):  # a table of rates: 同比增减 already says it in 个百分点
        cols = [c for c in cols if c.key != "yoy"]
    return Table(title, cols, out, flag_key="flag", note=note)


def trend_word(improved: bool | None, change: float | None) -> str:
    """趋优 / 趋劣 (one word for getting worse); 持平 for no change; 不评价 for an indicator without a better
    direction; — without a comparison."""
    if improved is not None:
        return "趋优" if improved else "趋劣"
    if change is None:
        return "—"
    return "持平" if abs(change) < 1e-12 else "不评价"


def flat(d: dict[str, dict]) -> dict[str, Any]:
    """{id: row dict} as one table row: each value with its 同比 (``{id}_yoy``, ``{id}_yoy_unit``)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        out[k] = v["value"]
        out[f"{k}_yoy"] = v["yoy"]
        out[f"{k}_yoy_unit"] = v["yoy_unit"]
    return out


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def and_list(items: list[str]) -> str:
    """"A、B和C"."""
    return "、".join(items[:-1]) + "和" + items[-1] if len(items) > 1 else "".join(items)


def fmt(v: Any, unit: str, measure: str) -> str:
    """A value with the word it is counted in (件 for counts and 人均结案数)."""
    text = nv.fmt_value(v, unit)
    return text + measure if unit in ("count", "ratio") and text != "—" else text


def ind_label(r: dict) -> str:
    """An indicator's name with its 条线 in front unless the name already says it ("民事调撤率")."""
    return r["name"] if r["line"] in ("all", None) or r["line"] in r["name"] else f"{r['line']}{r['name']}"


def weak_label(ctx: Context, w) -> str:
    ind = ctx.ind.get(w.indicator)
    return ind_label({"name": w.name, "line": ind.line if ind else "all"})


def reason_text(r, w) -> str:
    """analysis.weak's reason as a document says it: a count that should be nil "应为0件" (not "合理区间0～0");
    a count's change on a small base without its percentage (issue 17 §1)."""
    if r.kind == "out_of_range" and w.unit == "count" and tuple(w.range or ()) == (0, 0):
        return f"{w.name}{int(w.value)}件，不符合要求（应为0件）"
    if r.kind == "worsening" and w.unit == "count" and w.previous is not None and abs(w.previous) < nv.SMALL_BASE:
        return re.sub(r"，[+−]\d+(\.\d+)?%）$", "）", r.text)
    return r.text
