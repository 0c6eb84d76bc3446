"""Render a ``Briefing`` as an .xlsx workbook (XlsxWriter): a sheet per section with the same numbers
as the .docx (kept raw, shown through number formats), native Excel charts, red conditional formatting
for values outside their 合理区间, frozen headers, Chinese column names, a 员额法官 sheet per division.
"""

from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter

from zhixiao.reports.fonts import SHEET_FACE
from zhixiao.reports.model import (
    CHANGE_KINDS,
    DELTA_KINDS,
    VALUE_KINDS,
    ZERO_CHANGE,
    Briefing,
    Chart,
    Section,
    Table,
    cell_kind,
    header_text,
)
from zhixiao.reports.narrative import MINUS


def _change_format(digits: int, word: str = "") -> str:
    """A change as the .docx prints it: "+1.25个百分点", "−1.25…" (narrative.MINUS, not Excel's "-"), 持平 at zero."""
    num = "0." + "0" * digits if digits else "0"
    unit = f'"{word}"' if word else ""
    return f'+{num}{unit};"{MINUS}"{num}{unit};"{ZERO_CHANGE}"'


NUM_FORMATS = {
    "rate": "0.00%",
    "count": "0",
    "days": "0.00",
    "ratio": "0.00",
    "yuan": "#,##0.00",
    "yoy_pp": _change_format(2, "个百分点"),
    "yoy_pct": _change_format(2, "%"),
    "signed": _change_format(2),
    **{kind: _change_format(d, word) for kind, (word, d) in DELTA_KINDS.items()},
    **{kind: ("0." + "0" * d if d else "0") + f'"{word}"' for kind, (word, d) in VALUE_KINDS.items()},
}


def xlsx_value(value, kind: str):
    """What a cell holds: rates as fractions (0.00% format), 同比 as the engine's number (百分点 or %); a change
    rounded to the digits it is shown with, so a change the .docx calls 持平 is 0 here too (not "+0.00")."""
    if value is None:
        return None
    if kind in ("text", "flag"):
        return str(value)
    if kind in CHANGE_KINDS:
        return round(float(value), CHANGE_KINDS[kind]) + 0.0  # + 0.0: −0.0 → 0.0
    return float(value)


def _text_width(text: str) -> float:
    """Excel column width units: a CJK character takes two."""
    return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)


def _widths(tables: list[Table]) -> list[float]:
    """Per column: wide enough for its header on at most two lines and for its cells, within 8–60."""
    n = max([len(t.columns) for t in tables] + [1])
    out = [8.0] * n
    for t in tables:
        for c, col in enumerate(t.columns):
            cells = [_text_width(str(r.get(col.key))) for r in t.rows[:200] if r.get(col.key) is not None
                     and cell_kind(col, r) in ("text", "flag")]
            numeric = 12.0 if any(r.get(col.key) is not None for r in t.rows) else 0
            head = _text_width(header_text(col))
            out[c] = max(out[c], min(60.0, max([head / 2 + 2 if head > 16 else head + 2, numeric, *cells]) + 1))
    return out


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "", title)[:28] or "表"
    base, i = name, 2
    while name in used:
        name = f"{base[:26]}{i}"
        i += 1
    used.add(name)
    return name


class XlsxBuilder:
    def __init__(self, path: Path):
        self.wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
        face = SHEET_FACE
        self.fmt_title = self.wb.add_format({"bold": True, "font_size": 14, "font_name": face})
        self.fmt_text = self.wb.add_format({"font_name": face, "text_wrap": True, "valign": "top"})
        self.fmt_head = self.wb.add_format({"bold": True, "font_name": face, "bg_color": "#D9E1F2",
                                            "border": 1, "align": "center", "valign": "vcenter",
                                            "text_wrap": True})
        self.fmt_cell = {k: self.wb.add_format({"font_name": face, "border": 1, "num_format": f})
                         for k, f in NUM_FORMATS.items()}
        self.fmt_cell["text"] = self.wb.add_format({"font_name": face, "border": 1})
        self.fmt_cell["flag"] = self.wb.add_format({"font_name": face, "border": 1, "align": "center"})
        self.fmt_bad = self.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.used: set[str] = set()

    def build(self, b: Briefing) -> None:
        ws = self.wb.add_worksheet(_sheet_name("报告摘要", self.used))
        ws.set_column(0, 0, 110)
        ws.write(0, 0, b.title, self.fmt_title)
        r = 2
        for sec in b.sections:
            for sub in sec.walk():
                ws.write(r, 0, sub.title, self.fmt_title)
                r += 1
                for text in ([sub.missing] if sub.missing else []) + sub.paragraphs:
                    ws.write(r, 0, text, self.fmt_text)
                    r += 1
        for sec in [*b.sections, *b.appendices]:
            for sub in sec.walk():
                if sub.tables or sub.charts:
                    self._sheet(sub)
        for t in b.annex:
            self._table_sheet(re.sub(r"^员额法官审判质效统计表（(.*)）$", r"员额法官\1", t.title), [t], [])

    def _sheet(self, sec: Section) -> None:
        self._table_sheet(sec.title, sec.tables, sec.charts)

    def _table_sheet(self, title: str, tables: list[Table], charts: list[Chart]) -> None:
        ws = self.wb.add_worksheet(_sheet_name(title, self.used))
        r = 0
        width = max([len(t.columns) for t in tables] + [1])
        frozen = False
        for t in tables:
            ws.write(r, 0, t.title, self.fmt_title)
            r += 1
            self._write_table(ws, t, r)
            if not frozen:
                ws.freeze_panes(r + 1, 1)
                frozen = True
            r += len(t.rows) + 1
            if t.note:
                ws.write(r, 0, t.note, self.fmt_text)
                r += 1
            r += 1
        for c, w in enumerate(_widths(tables)):
            ws.set_column(c, c, w)
        col = width + 2
        charts = [p for ch in charts for p in (ch.panels if ch.kind == "panels" else [ch])]  # native, one each
        for i, ch in enumerate(charts):
            col = self._chart(ws, ch, col, r + 1 + 18 * i)

    def _write_table(self, ws, t: Table, r: int) -> None:
        for c, col in enumerate(t.columns):
            ws.write(r, c, header_text(col), self.fmt_head)
        for i, row in enumerate(t.rows, start=1):
            for c, col in enumerate(t.columns):
                kind = cell_kind(col, row)
                v = xlsx_value(row.get(col.key), kind)
                fmt = self.fmt_cell.get(kind, self.fmt_cell["text"])
                if v is None:
                    ws.write_blank(r + i, c, None, fmt)
                else:
                    ws.write(r + i, c, v, fmt)
        self._range_rules(ws, t, r)
        if t.flag_key and t.rows:
            keys = t.keys()
            fc = keys.index(t.flag_key)
            flag_col = xlsxwriter.utility.xl_col_to_name(fc)
            # Native conditional formatting: the whole row turns red where 是否达标 = 否.
            ws.conditional_format(r + 1, 0, r + len(t.rows), len(keys) - 1, {
                "type": "formula", "criteria": f'=${flag_col}{r + 2}="否"', "format": self.fmt_bad})

    def _range_rules(self, ws, t: Table, r: int) -> None:
        """Native "outside 合理区间" rules: per column (``t.ranges``) and per indicator row (its ``range``
        applied to the row's value cells)."""
        if not t.rows:
            return
        first, last = r + 1, r + len(t.rows)
        for c, col in enumerate(t.columns):
            rng = t.ranges.get(col.key)
            if rng:
                self._outside(ws, first, c, last, c, rng)
        value_cols = [c for c, col in enumerate(t.columns) if col.kind == "value" and col.key != "previous"]
        for i, row in enumerate(t.rows, start=1):
            rng = row.get("range")
            if rng and value_cols:
                for c in value_cols:
                    self._outside(ws, r + i, c, r + i, c, rng)

    def _outside(self, ws, r0: int, c0: int, r1: int, c1: int, rng) -> None:
        """Red where a number lies outside [lo, hi]; blank cells (no value) stay plain."""
        lo, hi = rng
        a = xlsxwriter.utility.xl_rowcol_to_cell(r0, c0)
        tests = ([f"{a}<{lo}"] if lo is not None else []) + ([f"{a}>{hi}"] if hi is not None else [])
        if tests:
            ws.conditional_format(r0, c0, r1, c1, {"type": "formula", "format": self.fmt_bad,
                                                   "criteria": f"=AND(ISNUMBER({a}),OR({','.join(tests)}))"})

    def _chart(self, ws, ch: Chart, col: int, anchor: int) -> int:
        """Write the chart's data block at column ``col`` and a native chart at row ``anchor``."""
        ws.write(0, col, ch.title, self.fmt_title)
        ws.write(1, col, "类别", self.fmt_head)
        series = dict(ch.series)
        if ch.kind == "trend" and ch.stock:
            series.update(ch.stock)
        if ch.kind == "range" and ch.ranges:
            series["区间下限"] = [r[0] if r else None for r in ch.ranges]
            series["区间上限"] = [r[1] if r else None for r in ch.ranges]
        names = list(series)
        for j, name in enumerate(names):
            ws.write(1, col + 1 + j, name, self.fmt_head)
        for i, cat in enumerate(ch.categories):
            ws.write(2 + i, col, cat)
            for j, name in enumerate(names):
                v = series[name][i]
                if v is not None:
                    ws.write(2 + i, col + 1 + j, float(v))
        n = len(ch.categories)
        kind = {"trend": "line", "range": "bar", "bars": "bar"}[ch.kind]
        chart = self.wb.add_chart({"type": kind})
        sheet = ws.get_name()
        label = {"rate": "比率", "count": "件"}.get(ch.unit, "")
        for j, name in enumerate(names):
            stock = ch.kind == "trend" and "未结" in name  # a stock on the secondary axis, never with the flows
            chart.add_series({
                "name": [sheet, 1, col + 1 + j],
                "categories": [sheet, 2, col, 1 + n, col],
                "values": [sheet, 2, col + 1 + j, 1 + n, col + 1 + j],
                "marker": {"type": "circle"} if kind == "line" else None,
                "line": {"dash_type": "dash"} if "上年" in name else None,
                "data_labels": {"value": True} if "上年" not in name and not name.startswith("区间") else None,
                "y2_axis": stock,
            })
        chart.set_title({"name": ch.title})
        chart.set_size({"width": 720, "height": 360})
        chart.set_legend({"position": "bottom"})
        if ch.kind == "trend":
            chart.set_x_axis({"name": "月份", "visible": True})
            chart.set_y_axis({"name": "新收、结案（件）", "visible": True, "major_gridlines": {"visible": True}})
            if ch.stock:
                chart.set_y2_axis({"name": "月末未结（件）", "visible": True})
        else:  # horizontal bars: categories on the y axis, values on the x axis
            chart.set_y_axis({"name": "指标" if ch.kind == "range" else "单位", "visible": True, "reverse": True})
            chart.set_x_axis({"name": next(iter(ch.series)) if ch.kind == "bars" else label, "visible": True,
                              "num_format": "0%" if ch.unit == "rate" else "General"})
        ws.insert_chart(anchor, 0, chart)
        return col + len(names) + 2

    def close(self) -> None:
        self.wb.close()


def write_xlsx(briefing: Briefing, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    b = XlsxBuilder(path)
    b.build(briefing)
    b.close()
    return path
