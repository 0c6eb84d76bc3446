"""二、审判质量、效率、效果: the profile's indicators by group with 区间达标 and 同比, by 条线, and in a city
briefing each basic court beside the 全市基层法院平均 (the intermediate court apart)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from zhixiao.analysis.city import AVERAGE_LABEL
from zhixiao.analysis.compare import summarize
from zhixiao.reports import narrative as nv
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import QUALITY_GROUPS, BriefingFigures
from zhixiao.reports.model import Briefing, Chart, Column, Section, Table
from zhixiao.reports.sections.common import (
    LINES,
    fmt,
    ind_label,
    indicator_table,
    judged,
    range_label,
    reference_note,
    rowdict,
)

CITY_COLUMNS_PER_TABLE = 6


def build(f: BriefingFigures, b: Briefing) -> Section:
    ctx = f.ctx
    sec = Section("quality", "审判质量、效率、效果指标")
    ids = set(ctx.quality_ids())
    raw = [r for r in f.evaluations.top if r.indicator in ids]
    rows = [rowdict(ctx, r) for r in raw]
    b.figures.update({r["indicator"]: r for r in rows})
    if raw:
        sec.paragraphs.append(summarize(raw, reference_only=ctx.reference_only).sentence())
    else:
        sec.paragraphs.append(nv.summary_sentence(0, 0, 0 if ctx.compare else None))
    cells: dict[str, dict[str, Any]] = defaultdict(dict)
    for r in (r for r in f.evaluations.by_line if r.indicator in ids):
        cells[r.indicator][r.group.get("line")] = r
    b.figures["by_line"] = {i: {ln: r.value for ln, r in d.items()} for i, d in cells.items()}
    per_line = []
    for line in LINES:
        lr = [d[line] for d in cells.values() if line in d and judged(ctx, d[line]) is not None]
        if lr:
            per_line.append(f"{line}条线{len(lr)}项有合理区间的指标中{sum(1 for r in lr if r.in_range)}项达标")
    if per_line:
        sec.paragraphs.append("分条线看，" + "，".join(per_line) + "。")
    if f.city is not None:
        sec.subsections.append(city_courts(f))
    enforcement = set(ctx.enforcement_ids())  # shown in the 执行 section of their own
    order = LINES + ("all",)
    for g in QUALITY_GROUPS:
        gr = sorted((r for r in rows if r["group_name"] == g and r["indicator"] not in enforcement),
                    key=lambda r: order.index(r["line"]) if r["line"] in order else 9)
        sec.subsections.append(_group(f, g, gr, cells))
    return sec


def _group(f: BriefingFigures, g: str, gr: list[dict], cells: dict) -> Section:
    ctx = f.ctx
    sub = Section(f"quality_{g}", f"{g}指标")
    if not gr:
        sub.missing = nv.missing_note(f"{g}指标", f"指标体系“{ctx.profile}”中没有{g}类指标")
        return sub
    for r in gr:
        if r["value"] is not None and (r["in_range"] is False or r["improved"] is False):
            sub.paragraphs.append(nv.indicator_sentence(
                f"{'' if r['line'] == 'all' else r['line']}{r['name']}", r["value"], r["unit"],
                r["previous"] if ctx.compare else None, r["range"], r["in_range"], measure=r["measure"]))
    if not sub.paragraphs:
        listed = "，".join(f"{ind_label(r)}{fmt(r['value'], r['unit'], r['measure'])}"
                          + (f"（{nv.yoy_phrase(r['value'], r['previous'], r['unit'], r['measure'])}）"
                             if ctx.compare and r["previous"] is not None else "")
                          for r in gr if r["value"] is not None)
        sub.paragraphs.append(f"{g}类{len(gr)}项指标：{listed}，均处于合理区间或同比未变差。")
    sub.tables.append(indicator_table(f, f"{g}指标", gr))
    sub.tables.append(_line_table(f, f"{g}指标（按条线）", gr, cells))
    ranged = [r for r in gr if r["range"] and r["range_applies"] and r["value"] is not None and r["unit"] == "rate"]
    if ranged:
        sub.charts.append(Chart("range", f"{g}指标与合理区间", [ind_label(r) for r in ranged],
                                {"数值": [r["value"] for r in ranged]}, [tuple(r["range"]) for r in ranged],
                                unit="rate", key=f"range_{g}"))
    return sub


def _line_table(f: BriefingFigures, title: str, rows: list[dict], cells: dict) -> Table:
    """Indicator × 条线 matrix; a cell is "—" where the indicator has no cases of that line."""
    cols = [Column("name", "指标"), Column("all", f.ctx.whole, "value")] + [
        Column(line, line, "value") for line in LINES] + [Column("range_label", "合理区间"),
                                                          Column("flags", "未达标条线")]
    mark, note = reference_note(rows)
    out = []
    for r in rows:
        d = cells.get(r["indicator"], {})
        vals = {line: d[line].value if line in d else None for line in LINES}
        bad = [line for line in LINES if line in d and judged(f.ctx, d[line]) is False]
        out.append({"name": ind_label(r), "unit": r["unit"], "measure": r["measure"],  # "195.20件" as elsewhere
                    "range": r["range"] if r["range_applies"] else None,
                    "all": r["value"], **vals, "range_label": range_label(r, mark), "flags": "、".join(bad) or "—"})
    return Table(title, cols, out, note=note)


def city_courts(f: BriefingFigures) -> Section:
    """Each basic court's core indicators beside the 全市基层法院平均, the intermediate court apart
    (``analysis.city.city_matrix``: like with like)."""
    m = f.city
    sub = Section("city_courts", "各法院核心指标")
    weak = [f"{rollup.short_name(ln.court_name)}{len(ln.weak)}项" for ln in m.basic if ln.weak]
    sub.paragraphs.append(f"全市{len(m.basic)}家基层法院与{AVERAGE_LABEL}比较"
                          + (f"，短板弱项：{'、'.join(weak)}" if weak else "，均未发现短板弱项")
                          + (f"；{m.intermediate.court_name}审理二审、再审等案件，与基层法院不同级，单独列示"
                             if m.intermediate else "") + "。")
    per = CITY_COLUMNS_PER_TABLE
    for k in range(0, len(m.columns), per):
        cols = m.columns[k:k + per]
        # a one-unit column says its unit in the header: 人均结案数（件）, like 结案（件）
        table_cols = [Column("court", "法院")] + [Column(c.indicator, c.name, c.unit,
                                                        unit=f.ctx.measures.get(c.indicator) or None) for c in cols]
        rows = [{"court": rollup.short_name(ln.court_name), **{c.indicator: (ln.cells.get(c.indicator).value
                                                         if ln.cells.get(c.indicator) else None) for c in cols}}
                for ln in m.basic]
        rows.append({"court": AVERAGE_LABEL, **{c.indicator: (m.average[c.indicator].value
                                                              if c.indicator in m.average else None) for c in cols}})
        if m.intermediate:
            rows.append({"court": f"{rollup.short_name(m.intermediate.court_name)}（单列）", **{
                c.indicator: (m.intermediate.cells[c.indicator].value if c.indicator in m.intermediate.cells
                              else None) for c in cols}})
        sub.tables.append(Table(f"各法院核心指标（{k // per + 1}）", table_cols, rows,
                                ranges={c.indicator: c.range for c in cols if c.range and c.range_applies}))
    return sub
