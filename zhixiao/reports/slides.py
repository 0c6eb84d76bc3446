"""The 会商会 slide deck (.pptx, 16:9): one message per slide, the title is the message, charts are native
PowerPoint charts (python-pptx) a court can edit, restyle or copy into its own deck.

Reads only the ``Briefing`` object (the same numbers as the .docx and .xlsx): 总体态势, 收结存, 核心指标与区间,
短板弱项 and who moves them, 审限 and 长期未结, 执行, 诉讼服务, 目标与测算, 下一步. A slide whose figures the
briefing does not hold (no 12368 data, no targets) is left out rather than shown empty.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.util import Inches, Pt

from zhixiao.reports import narrative as nv
from zhixiao.reports.fonts import SLIDE_BODY_FACE, SLIDE_TITLE_FACE
from zhixiao.reports.model import Briefing, Section, Table

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
RED, BLUE, GREY, GREEN = RGBColor(0xC0, 0x00, 0x00), RGBColor(0x1F, 0x4E, 0x79), RGBColor(0x7F, 0x7F, 0x7F), \
    RGBColor(0x38, 0x76, 0x1D)
LINES = ("刑事", "民事", "行政", "执行")


def _east_asian(run, face: str) -> None:
    """python-pptx's ``font.name`` writes a:latin only; Chinese text needs a:ea (as w:eastAsia in Word)."""
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:latin", "a:ea"):
        el = rpr.find(qn(tag))
        if el is None:
            el = etree.SubElement(rpr, qn(tag))
        el.set("typeface", face)


class Deck:
    def __init__(self, b: Briefing):
        self.b = b
        self.prs: PresentationType = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.blank = self.prs.slide_layouts[6]

    # -- primitives ----------------------------------------------------------------------------------
    def _text(self, slide, text: str, left, top, width, height, size: int, face: str, *, bold=False,
              color: RGBColor | None = None, center=False) -> None:
        box = slide.shapes.add_textbox(left, top, width, height)
        tf = box.text_frame
        tf.word_wrap = True
        for i, line in enumerate(text.split("\n")):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            if center:
                p.alignment = PP_ALIGN.CENTER
            run = p.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            if color is not None:
                run.font.color.rgb = color
            _east_asian(run, face)

    def slide(self, title: str, note: str | None = None):
        s = self.prs.slides.add_slide(self.blank)
        self._text(s, title, Inches(0.5), Inches(0.3), Inches(12.3), Inches(1.0), 28, SLIDE_TITLE_FACE, bold=True,
                   color=BLUE)
        if note:
            self._text(s, note, Inches(0.5), Inches(6.7), Inches(12.3), Inches(0.6), 12, SLIDE_BODY_FACE, color=GREY)
        return s

    def chart(self, slide, kind, categories: list[str], series: dict[str, list], *, number_format: str = "0",
              left=Inches(0.6), top=Inches(1.4), width=Inches(12.1), height=Inches(5.2), legend=True):
        data = CategoryChartData(number_format=number_format)
        data.categories = categories
        for name, values in series.items():
            data.add_series(name, [None if v is None else float(v) for v in values])
        gframe = slide.shapes.add_chart(kind, left, top, width, height, data)
        ch = gframe.chart
        ch.has_title = False  # the slide title carries the message
        ch.has_legend = legend and len(series) > 1
        if ch.has_legend:
            ch.legend.position = XL_LEGEND_POSITION.BOTTOM
            ch.legend.include_in_layout = False
            ch.legend.font.size = Pt(12)
        plot = ch.plots[0]
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format = number_format
        labels.number_format_is_linked = False
        labels.font.size = Pt(11)
        if kind in (XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED):
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
        ch.category_axis.tick_labels.font.size = Pt(12)
        ch.value_axis.tick_labels.font.size = Pt(11)
        ch.value_axis.has_major_gridlines = True
        ch.value_axis.tick_labels.number_format = "0%" if "%" in number_format else "0"
        ch.value_axis.tick_labels.number_format_is_linked = False
        ch.font.name = SLIDE_BODY_FACE
        return ch

    def bullets(self, slide, lines: list[str], top=Inches(1.5)) -> None:
        self._text(slide, "\n".join(lines), Inches(0.7), top, Inches(11.9), Inches(5.0), 18, SLIDE_BODY_FACE)

    # -- slides --------------------------------------------------------------------------------------
    def build(self) -> PresentationType:
        b = self.b
        s = self.prs.slides.add_slide(self.blank)
        head, sep, rest = b.title.partition(b.court_name)
        self._text(s, (b.court_name + "\n" + rest) if sep and not head else b.title, Inches(0.8), Inches(2.2),
                   Inches(11.7), Inches(2.0), 36, SLIDE_TITLE_FACE, bold=True, color=BLUE, center=True)
        self._text(s, f"{b.office}\n{_cn_date(b.issued or b.end)}", Inches(0.8), Inches(4.8), Inches(11.7),
                   Inches(1.2), 18, SLIDE_BODY_FACE, center=True)
        for make in (self.overview, self.caseload, self.indicators, self.weak, self.deadlines, self.enforcement,
                     self.services, self.targets, self.proposals):
            make()
        return self.prs

    def overview(self) -> None:
        f = self.b.figures
        cr, nc = f.get("closure_rate") or {}, f.get("new_cases") or {}
        weak = (f.get("weak") or {}).get("indicators") or []
        parts = [f"结案率{nv.fmt_percent(cr.get('value'))}"]
        if self.b.compare and cr.get("previous") is not None:
            parts.append(nv.yoy_phrase(cr["value"], cr["previous"], "rate"))
        parts.append(f"{len(weak)}项短板弱项" if weak else "未发现短板弱项")
        keys = [("new_cases", "新收"), ("closed", "结案"), ("pending", "未结")]
        series = {"本期": [(f.get(k) or {}).get("value") for k, _ in keys]}
        if self.b.compare and nc.get("previous") is not None:
            series["上年同期"] = [(f.get(k) or {}).get("previous") for k, _ in keys]
        s = self.slide("，".join(parts), f"统计期间：{nv.period_label(self.b.start, self.b.end)}；单位：件")
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [n for _, n in keys], series)

    def caseload(self) -> None:
        t = _table(self.b, "caseload", "收结存情况（按条线）")
        rows = [r for r in (t.rows if t else []) if r.get("label") in LINES]
        if not rows:
            return
        total = (self.b.figures.get("pending") or {}).get("value") or 0
        big = max(rows, key=lambda r: r.get("pending") or 0)
        share = (big.get("pending") or 0) / total if total else None
        title = f"{big['label']}条线未结{nv.fmt_count(big.get('pending'))}件，占全部未结的{nv.fmt_percent(share, 0)}"
        s = self.slide(title, "新收、结案为本期流量，未结为期末存量；单位：件")
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [r["label"] for r in rows],
                   {"新收": [r.get("new_cases") for r in rows], "结案": [r.get("closed") for r in rows],
                    "未结": [r.get("pending") for r in rows]})

    def indicators(self) -> None:
        rows = [r for r in _indicator_rows(self.b) if r.get("unit") == "rate" and r.get("value") is not None]
        if not rows:
            return
        with_city = [r for r in rows if r.get("city") is not None]
        worse = [r for r in with_city if _worse(r)]
        if with_city:
            title = (f"{len(worse)}项比率指标劣于全市基层法院平均，{len(with_city) - len(worse)}项持平或更优"
                     if worse else "各项比率指标均不劣于全市基层法院平均")
        else:
            title = f"{len(rows)}项比率指标本期数值"
        series = {"本院" if self.b.scope == "court" else "全市": [r["value"] for r in rows]}
        if with_city:
            series["全市基层法院平均"] = [r.get("city") for r in rows]
        s = self.slide(title, "合理区间见报告正文；年度区间在不足一年的统计期内仅供参考")
        self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, [r["name"] for r in rows], series, number_format="0.00%")

    def weak(self) -> None:
        sec = _section(self.b, "weak")
        top = next((t for t in (sec.tables if sec else []) if t.where == "both" and t.rows), None)
        weak = (self.b.figures.get("weak") or {}).get("indicators") or []
        if not weak or top is None:
            return
        level = "部门" if any(r["kind"] == "部门" for r in top.rows) else "法院"  # the city: its courts
        divs: dict[str, int] = {}
        for r in top.rows:
            if r["kind"] == level:
                divs[r["unit_name"]] = divs.get(r["unit_name"], 0) + 1
        if not divs:
            return
        ordered = sorted(divs.items(), key=lambda kv: (-kv[1], kv[0]))
        lead = ordered[0]
        s = self.slide(f"{len(weak)}项短板弱项，{lead[0]}涉及其中{lead[1]}项",
                       f"各{level}影响的短板项数（每项短板取影响最大的3个{level}）；按影响列示，不作排名")
        self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, [k for k, _ in ordered], {"涉及短板项数": [v for _, v in ordered]})

    def deadlines(self) -> None:
        st = self.b.figures.get("deadline_status") or {}
        if not st:
            return
        lp = (self.b.figures.get("long_pending_12m") or {}).get("value")
        title = f"超审限未结{st.get('超审限', 0)}件" + (f"，超12个月未结{nv.fmt_count(lp)}件" if lp is not None else "")
        s = self.slide(title, f"截至{_cn_date(self.b.end)}未结案件的审限状态；单位：件")
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, list(st), {"件数": list(st.values())}, legend=False)

    def enforcement(self) -> None:
        """执行: the 执行 track's 收结存 (a count chart) beside the 执行 rates (a rate chart), from the briefing's
        执行 section; the title names the first three rates."""
        e = self.b.figures.get("enforcement") or {}
        flow = e.get("flow") or {}
        sec = _section(self.b, "enforcement")
        table = next((t for t in (sec.tables if sec else []) if t.flag_key), None)
        rates = [r for r in (table.rows if table else []) if r.get("unit") == "rate" and r.get("value") is not None]
        if not flow.get("received") and not rates:
            return
        if rates:
            title = "，".join(f"{r['name']}{nv.fmt_percent(r['value'])}" for r in rates[:3])
        else:
            title = f"执行案件执结{nv.fmt_count(flow.get('closed'))}件，未结{nv.fmt_count(flow.get('pending'))}件"
        led = e.get("ledger") or {}
        note = "执行案件收结存（件）" + ("与执行质效指标" if rates else "")
        if led.get("pending"):
            note += (f"；台账在办执行案件{led['pending']}件，其中无财产可供执行{led['no_property']}件，"
                     f"符合终本条件{led['zhongben_candidates']}件")
        s = self.slide(title, note)
        keys = [("carried_over", "旧存"), ("new_cases", "新收"), ("closed", "执结"), ("pending", "未结")]
        half = Inches(6.0) if rates else Inches(12.1)
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [n for _, n in keys], {"执行": [flow.get(k) for k, _ in keys]},
                   legend=False, width=half)
        if rates:  # rates on their own chart: never a count and a rate on one axis
            self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, [r["name"] for r in rates], {"本期": [r["value"] for r in rates]},
                       number_format="0.00%", left=Inches(6.8), width=Inches(6.0), legend=False)

    def services(self) -> None:
        h = ((self.b.figures.get("services") or {}).get("hotline")) or {}
        if not h.get("tickets"):
            return
        title = f"12368工单{h['tickets']}件，按期答复率{nv.fmt_percent(h.get('on_time_rate'))}"
        if h.get("contact_judge"):
            title += f"，联系法官成功率{nv.fmt_percent(h.get('contact_judge_success_rate'))}"
        s = self.slide(title, "12368工单按类别；单位：件")
        cats = h.get("by_category") or {}
        self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, list(cats), {"工单": list(cats.values())}, legend=False)

    def targets(self) -> None:
        if self.b.figures.get("targets_met"):
            self._targets_met()
        elif self.b.figures.get("city_targets"):
            self._city_targets()
        else:
            self._targets_forecast()

    def _targets_met(self) -> None:
        """At the year end: each target met or not, with the actual figure (no forecast once the year is over)."""
        rows = self.b.figures["targets_met"]
        missed = [r["name"] for r in rows if r["status"] == "未完成"]
        title = (f"年度目标{len(rows)}项完成{len(rows) - len(missed)}项"
                 + (f"，{'、'.join(missed)}未完成" if missed else "，全部完成"))
        s = self.slide(title, f"{self.b.end.year}年度目标与年末实际")
        self.bullets(s, [f"{r['name']}：目标{_val(r['target'], r['unit'])}，实际{_val(r['actual'], r['unit'])}，"
                         f"{r['status']}" + (f"（差距{r['gap']}）" if r["status"] == "未完成" else "")
                         for r in rows])

    def _city_targets(self) -> None:
        """The basic courts' own targets, counted per indicator: courts on course and not."""
        rows = self.b.figures["city_targets"]
        year_end = self.b.end.month == 12 and self.b.end.day == 31
        ok, behind = ("已完成", "未完成") if year_end else ("预计可达标", "预计未达标")
        worst = max(rows, key=lambda r: r["behind"])
        title = (f"基层法院年度目标：{worst['name']}{worst['behind']}家{behind}" if worst["behind"]
                 else f"基层法院年度目标均{ok}")
        s = self.slide(title, "各基层法院自行设定的年度目标（全市未设统一目标）；单位：家")
        names = [r["name"] for r in rows]
        self.chart(s, XL_CHART_TYPE.BAR_STACKED, names, {ok: [r["on_course"] for r in rows],
                                                          behind: [r["behind"] for r in rows]})

    def _targets_forecast(self) -> None:
        fc = self.b.figures.get("forecast") or {}
        sec = _section(self.b, "targets")
        prog = next((t for t in (sec.tables if sec else []) if t.title.endswith("年度目标进度")), None)
        rate = next((r for r in (prog.rows if prog else []) if r.get("indicator") == "closure_rate"), None)
        if not fc and rate is None:
            return
        if rate is not None:
            title = (f"预计年末结案率{nv.fmt_percent(rate['forecast'])}，"
                     f"{'低于' if rate['forecast'] < rate['target'] else '达到'}目标{nv.fmt_percent(rate['target'])}")
        else:
            title = f"预计年末结案率{nv.fmt_percent(fc.get('closure_rate'))}"
        s = self.slide(title, "年末数据按往年收结案季节规律测算；单位：件")
        keys = [("new_cases", "新收"), ("closed", "结案"), ("pending", "未结")]
        self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [n for _, n in keys],
                   {"预计年末": [fc.get(k) for k, _ in keys]}, legend=False)
        units = self.b.figures.get("target_units") or {}
        by_div = units.get("closings_by_division") or {}
        if any(by_div.values()):  # the 结案率 target shared out to the divisions (by workload)
            s = self.slide(f"实现结案率年度目标，全院年内尚需结案{units.get('closings_total')}件，"
                           f"分解到{sum(1 for v in by_div.values() if v)}个部门",
                           "按各部门旧存与预计新收的工作量分摊，逐部门取整；按部门名称排列，不作排名；单位：件")
            names = sorted(by_div)
            self.chart(s, XL_CHART_TYPE.BAR_CLUSTERED, names, {"尚需结案": [by_div[n] for n in names]}, legend=False)

    def proposals(self) -> None:
        props = self.b.figures.get("proposals") or []
        if not props:
            s = self.slide("下一步：保持各项指标，继续清理长期未结案件")
            self.bullets(s, ["本期未发现需要专项整改的短板弱项。"])
            return
        first = re.split(r"(?:\d{4}年)?为|，", props[0], maxsplit=1)[0]  # the indicator's name
        s = self.slide(f"下一步：{first}等{len(props)}项需专项推进" if len(props) > 1 else f"下一步：{first}")
        self.bullets(s, [f"{i}. {p}" for i, p in enumerate(props[:6], start=1)])


def _section(b: Briefing, key: str) -> Section | None:
    return next((sub for sec in b.sections for sub in sec.walk() if sub.key == key), None)


def _table(b: Briefing, key: str, title: str) -> Table | None:
    sec = _section(b, key)
    return next((t for t in (sec.tables if sec else []) if t.title == title), None)


def _indicator_rows(b: Briefing) -> list[dict[str, Any]]:
    sec = _section(b, "quality")
    out = []
    for sub in (sec.walk() if sec else []):
        for t in sub.tables:
            if t.flag_key:
                out += t.rows
    return out


def _worse(r: dict) -> bool:
    lower = r.get("direction") == "lower"
    return r["value"] > r["city"] if lower else r["value"] < r["city"]


def _val(v, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "rate":
        return nv.fmt_percent(v)
    return f"{v:.2f}天" if unit == "days" else f"{int(round(v))}件"


def _cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def write_pptx(briefing: Briefing, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Deck(briefing).build().save(str(path))
    return path
