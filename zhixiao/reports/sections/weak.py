"""四、短板弱项: each 短板 with its reasons against the references of its level, the units that move it most
(grouped by unit, not one line per indicator) and a chart per 短板. Units are listed by impact, never ranked
(最高人民法院2024年9月：杜绝排名排序)."""

from __future__ import annotations

from collections import defaultdict

from zhixiao.analysis.peers import LEVEL_NAMES, court_list, peer_group
from zhixiao.analysis.weak import Basis
from zhixiao.reports import rollup
from zhixiao.reports.figures.collect import BriefingFigures
from zhixiao.reports.model import Briefing, Chart, Column, Section, Table
from zhixiao.reports.sections.common import (
    TOP_CONTRIBUTORS,
    UNIT_KINDS,
    and_list,
    fmt,
    reason_text,
    weak_label,
)

RANKING_NOTE = "按影响大小列示，不作排名（最高人民法院2024年9月：杜绝排名排序）。"
CHART_UNITS = 5  # units per 短板 chart
PANELS_PER_FIGURE = 6  # 短板 charts per picture: three rows of two stay legible at the page's width


def build(f: BriefingFigures, b: Briefing) -> Section:
    ctx = f.ctx
    sec = Section("weak", "短板弱项分析")
    quality = ctx.quality_ids()
    reference = [i for i in quality if i in ctx.reference_only]
    weak, basis = f.weak, f.basis
    b.figures["weak"] = {"indicators": [w.indicator for w in weak], "city_courts": list(basis.city_courts),
                         "peer_courts": list(basis.peer_courts), "reference_only": reference}
    refs = ["合理区间"] if any(ctx.ind[i].range and i not in ctx.reference_only for i in quality) else []
    if basis.city_courts:
        refs.append(f"{basis.city_label}平均")
    if basis.peer_courts:
        refs.append(f"{basis.peer_label}平均")
    if ctx.compare:
        refs.append("上年同期")
    if not ctx.city:
        sec.paragraphs.append(basis_sentence(f, basis))
    if reference:
        sec.paragraphs.append(
            f"本期不足一个自然年度，{'、'.join(ctx.ind[i].name for i in reference)}的合理区间为年度区间，"
            f"仅供参考，不据以认定短板；本期与上年同期比较。")
    if not weak:
        sec.paragraphs.append(f"经比对{and_list(refs) or '现有参照'}，本期未发现短板弱项。")
        return sec
    sec.paragraphs.append(f"经比对{and_list(refs)}，本期共有{len(weak)}项短板弱项指标："
                          + "、".join(weak_label(ctx, w) for w in weak) + "。")
    rows, top = [], []
    for n, w in enumerate(weak, start=1):
        reasons = "；".join(reason_text(r, w) for r in w.reasons)
        label = weak_label(ctx, w)
        if not reasons.startswith(w.name):
            reasons = f"{label}为{fmt(w.value, w.unit, w.measure)}" + (f"，{reasons}" if reasons else "")
        sec.paragraphs.append(f"{n}.{reasons}。")
        for kind, lines in w.attribution.items():
            for k, a in enumerate(lines):
                row = {"indicator_name": label, "kind": UNIT_KINDS[kind], "unit_name": unit_label(kind, a),
                       "value": a.value, "unit": w.unit, "measure": w.measure,  # "105.67件" as elsewhere
                       "value_without": a.value_without,
                       "impact": a.impact, "impact_unit": w.unit, "explanation": a.explanation}
                rows.append(row)
                if k < TOP_CONTRIBUTORS and a.harm > 0:
                    top.append(row)
    sec.paragraphs += who_moves(f)
    whole = ctx.whole
    cols = [Column("indicator_name", "短板指标"), Column("kind", "归因层级"), Column("unit_name", "法院" if ctx.city else "部门/法官"),
            Column("value", "本单位数值", "value"), Column("value_without", f"该单位按{whole}平均时{whole}数值", "value")]
    # the title serves the .xlsx too, where "见Excel工作簿" would point at itself: the pointer is in the note,
    # by the sheet the full table is on
    sec.tables.append(Table(f"短板指标主要影响单位（每项前{TOP_CONTRIBUTORS}个）", cols, top,
                            note=RANKING_NOTE + f"全部单位的测算见Excel工作簿“{sec.title}”工作表。"))
    sec.tables.append(Table(f"短板指标归因（对{whole}数值的影响，全部单位）", cols, rows, note=RANKING_NOTE,
                            where="xlsx"))
    panels = _panels(f)
    # one chart per 短板 as small multiples, at most PANELS_PER_FIGURE to a figure: fourteen in one picture
    # were shrunk to illegibility on the page (issue 17 §1)
    size = -(-len(panels) // -(-len(panels) // PANELS_PER_FIGURE)) if panels else 1  # 15 → 5 + 5 + 5, not 6 + 6 + 3
    parts = [panels[k:k + size] for k in range(0, len(panels), size)]
    for n, part in enumerate(parts, start=1):
        part_no = f"{n}/{len(parts)}；" if len(parts) > 1 else ""  # inside the parenthesis: one caption line
        sec.charts.append(Chart("panels", f"短板指标主要影响单位（{part_no}正值拉低、负值拉高{whole}数值）", [], {},
                                key="attribution" if n == 1 else f"attribution_{n}", panels=part))
    return sec


def _panels(f: BriefingFigures) -> list[Chart]:
    panels = []
    for w in f.weak:
        kind, lines = next(((k, ls) for k, ls in w.attribution.items() if ls), (None, []))
        if not lines:
            continue
        shown = lines[:CHART_UNITS]
        scale = 100 if w.unit == "rate" else 1
        unit = {"rate": "个百分点", "days": "天"}.get(w.unit, w.measure)
        panels.append(Chart("bars", f"{weak_label(f.ctx, w)}：各{UNIT_KINDS[kind]}的影响",
                            [unit_label(kind, a) for a in shown],
                            {(f"影响（{unit}）" if unit else "影响"): [a.harm * scale for a in shown]},
                            key=f"attribution_{w.indicator}"))
    return panels


def unit_label(kind: str, a) -> str:
    """An attributed unit as a table names it: a court by its short name ("长安区法院")."""
    name = a.unit_name or a.unit
    return rollup.short_name(name) if kind == "court" else name


def who_moves(f: BriefingFigures) -> list[str]:
    """The units behind several 短板, grouped: one sentence per level naming each unit once with the
    indicators it weighs on most (instead of one "影响较大的" line per indicator)."""
    out = []
    for kind, opener in (("division", "从部门看"), ("judge", "从法官看")):
        units: dict[str, list[str]] = defaultdict(list)
        for w in f.weak:
            for a in [a for a in w.attribution.get(kind, []) if a.harm > 0][:TOP_CONTRIBUTORS]:
                units[a.unit_name or a.unit].append(weak_label(f.ctx, w))
        if not units:
            continue
        ordered = sorted(units.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        shown = ordered[:5] if kind == "division" else ordered[:6]
        parts = [f"{u}涉及{'、'.join(ids[:3])}{'等' if len(ids) > 3 else ''}{len(ids)}项" if len(ids) > 1
                 else f"{u}影响{ids[0]}" for u, ids in shown]
        rest = len(ordered) - len(shown)
        out.append(f"{opener}，" + "；".join(parts) + (f"；另有{rest}个{UNIT_KINDS[kind]}各影响1项" if rest else "")
                   + "。")
    return out


def basis_sentence(f: BriefingFigures, basis: Basis) -> str:
    """Which courts every reference contains (like with like: a court against its own level)."""
    code = f.ctx.court_code
    names = {r.group.get("court_code"): r.group.get("court_name") for r in f.evaluations.by_court}
    group = peer_group(code, names)
    level = LEVEL_NAMES[group.level]
    if not basis.city_courts:
        text = f"比较口径：数据中没有与本院同级的其他{level}，本期不与其他法院比较"
    else:
        text = (f"比较口径：{basis.city_label}平均为{len(basis.city_courts)}家{level}"
                f"（{court_list(basis.city_courts, names)}）案件合并计算的数值；{basis.peer_label}平均为本院以外"
                f"{len(basis.peer_courts)}家{level}各自数值的算术平均")
    if group.apart:
        text += f"；{court_list(group.apart, names)}与本院不同级，数据单独列示，不计入任何平均"
    return text + "。"
