"""The briefing as one data object: sections of sentences, tables and chart specs, numbers kept raw.

``briefing.collect`` fills it once from the engines; the .docx and .xlsx builders only render it, so
both documents show the same numbers and tests can compare either document against this object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Column kinds: "text", "flag" (是/否 达标), the indicator units (rate|ratio|days|count|yuan), "value"
# (the row's own ``unit``) and "yoy" (the engine's 同比 number: 百分点 when the row's yoy unit is "pp",
# else % change) — resolved per cell by ``cell_kind`` to a unit or "yoy_pp" / "yoy_pct"; "delta" (a change in
# the row's own unit, never a bare number: 个百分点 for rates — the cell holds points —, 天, 件, 件 per judge).
DELTA_KINDS = {"delta_days": ("天", 2), "delta_count": ("件", 0), "delta_per": ("件", 2), "delta_yuan": ("元", 2),
               "delta_ratio": ("", 2)}  # kind → (unit word, decimals); a ratio of like things has no unit
# The house rule for units, as published 通报 tables have it ("结案（件）", "平均审理天数（天）"): a column of one unit
# says it once, in its header, and its cells hold bare numbers; a column whose rows differ in unit ("value": an
# indicator table's 数值, 上年同期 …) says it in each cell ("81件", "73.06天", "195.20件" per judge). Rates keep
# their "%" in the cell, changes their unit ("+1.66天", "+0.22个百分点"), money its 万元.
HEADER_UNITS = {"count": "件", "days": "天"}  # column kind → the header's unit word
VALUE_KINDS = {"count_in": ("件", 0), "days_in": ("天", 2), "per_in": ("件", 2)}  # kind → (unit in the cell, decimals)
ZERO_CHANGE = "持平"  # a change that rounds to nothing, as the sentences say it ("与上年同期持平"), never "+0.00"
CHANGE_KINDS = {"yoy_pp": 2, "yoy_pct": 2, "signed": 2, **{k: d for k, (_, d) in DELTA_KINDS.items()}}  # → decimals
NUMERIC_KINDS = ("rate", "ratio", "days", "count", "yuan", *CHANGE_KINDS, *VALUE_KINDS)


@dataclass
class Column:
    key: str
    header: str  # Chinese column name
    kind: str = "text"
    bare: bool = False  # a 同比 column whose unit is in the header: cells show "+2.94", not "+2.94个百分点"
    # the unit word the header carries: None = by kind (件 for counts, 天 for days, none else); "" = none; a word
    # where the column counts something else than cases ("家" for courts)
    unit: str | None = None


def header_text(col: Column) -> str:
    """The header both documents print: "新收（件）", "超12个月未结案件数" (its name says 件 already), "案龄（天）"."""
    unit = HEADER_UNITS.get(col.kind, "") if col.unit is None else col.unit
    head = col.header
    if not unit or head.endswith(("）", unit + "数")):
        return head
    return f"{head}（{unit}）"


def cell_kind(col: Column, row: dict[str, Any]) -> str:
    if col.kind == "value":
        unit = row.get("unit") or "ratio"
        if unit == "ratio":
            return "per_in" if row.get("measure") else "ratio"
        return {"count": "count_in", "days": "days_in"}.get(unit, unit)
    if col.kind == "yoy":
        if col.bare:
            return "signed"
        base = col.key[:-4] if col.key.endswith("_yoy") else None
        unit = row.get(f"{base}_yoy_unit") if base else row.get("yoy_unit")
        return "yoy_pp" if unit == "pp" else "yoy_pct"
    if col.kind == "delta":
        unit = row.get("unit")
        if unit == "rate":
            return "yoy_pp"
        if unit == "ratio":
            return "delta_per" if row.get("measure") else "delta_ratio"
        return f"delta_{unit}"
    return col.kind


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str | None = None
    flag_key: str | None = None  # a column holding "否" when the row's value is outside its 合理区间
    ranges: dict[str, tuple] = field(default_factory=dict)  # column key → 合理区间 (lo, hi) of that column
    # "both", or "xlsx" for a table too long to read aloud (the full 归因 table): the .docx shows its top rows
    where: str = "both"

    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


@dataclass
class Chart:
    """A chart both builders draw: matplotlib PNG in the .docx, a native chart in the .xlsx.

    kind "trend": categories = months, series = {"name": [values…]} (lines);
    kind "range": categories = indicator names, series {"数值": […]}, ranges [(lo, hi)|None …];
    kind "bars": categories = unit names, series {"影响": […]} (horizontal bars);
    kind "panels": one picture of several "bars" charts (one per 短板) in the .docx, one native chart each in
    the .xlsx.
    """

    kind: str
    title: str
    categories: list[str]
    series: dict[str, list[float | None]]
    ranges: list[tuple[float | None, float | None] | None] | None = None
    unit: str = "count"
    key: str = ""
    stock: dict[str, list[float | None]] | None = None  # trend: 未结 (a stock), drawn apart from the flows
    panels: list[Chart] | None = None  # kind "panels": small multiples, one "bars" chart per panel


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    missing: str | None = None  # "本节数据暂缺：…" when a module holds no data / is not installed

    def walk(self):
        yield self
        for s in self.subsections:
            yield from s.walk()


@dataclass
class Briefing:
    court_code: str
    court_name: str
    scope: str  # court | city
    start: date
    end: date
    compare: str | None
    profile: str
    title: str
    subject: str  # 全院 / 全市法院
    sections: list[Section] = field(default_factory=list)
    annex: list[Table] = field(default_factory=list)  # 员额法官审判质效统计表, one per division
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)  # headline indicator id → row dict
    timings: dict[str, float] = field(default_factory=dict)
    profile_name: str = ""  # the profile's Chinese name: documents never show an id
    office: str = ""  # 发文机关署名 (GB/T 9704 §7.3.5)
    issued: date | None = None  # 成文日期
    appendices: list[Section] = field(default_factory=list)  # 长期未结案件清单, 指标口径说明 …

    def all_tables(self) -> list[Table]:
        out = [t for s in self.sections for sub in s.walk() for t in sub.tables]
        out += [t for s in self.appendices for sub in s.walk() for t in sub.tables]
        return out + list(self.annex)

    def doc_tables(self) -> list[Table]:
        """The tables the .docx prints, in its order (sections, annex, appendices)."""
        secs = [t for s in self.sections for sub in s.walk() for t in sub.tables if t.where == "both"]
        apps = [t for s in self.appendices for sub in s.walk() for t in sub.tables if t.where == "both"]
        return secs + list(self.annex) + apps
