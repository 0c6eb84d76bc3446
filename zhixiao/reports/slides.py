"""The 会商会 slide deck (.pptx, 16:9): one message per slide, the title is the message, charts are native
PowerPoint charts (python-pptx) a court can edit, restyle or copy into its own deck.

Reads only the ``Briefing`` object (the same numbers as the .docx and .xlsx): 总体态势, 收结存, 核心指标与区间,
短板弱项 and who moves them, 审限 and 长期未结, 执行, 诉讼服务, 目标与测算, 下一步. A slide whose figures the
briefing does not hold (no 12368 data, no targets) is left out rather than shown empty.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu, Inches, Pt

from zhixiao.reports import narrative as nv
from zhixiao.reports.fonts import SLIDE_BODY_FACE, SLIDE_TITLE_FACE
from zhixiao.reports.model import Briefing, Section, Table

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
RED, BLUE, GREY, GREEN = RGBColor(0xC0, 0x00, 0x00), RGBColor(0x1F, 0x4E, 0x79), RGBColor(0x7F, 0x7F, 0x7F), \
    RGBColor(0x38, 0x76, 0x1D)
LINES = ("刑事", "民事", "行政", "执行")
BAND = RGBColor(0x70, 0xAD, 0x47)  # the 合理区间, as the .docx charts shade it
# an annual 合理区间 a shorter period is not judged against (issue 13 §4): grey, as the city page's legend
# "年度区间，本期仅供参考" (web/routes/city.py)
REFERENCE_BAND = RGBColor(0xA6, 0xA6, 0xA6)
FORMATS = {"rate": "0.00%", "days": "0.00", "count": "0"}
# The inner plot area of a panel chart, as fractions of the chart frame: fixed so a 合理区间 band drawn over it
# lands on the value axis (c:manualLayout, layoutTarget inner)
PLOT = (0.16, 0.2, 0.8, 0.62)


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
        size = 28 if len(title) <= 30 else 24 if len(title) <= 36 else 20  # the message on one line
        self._text(s, title, Inches(0.5), Inches(0.3), Inches(12.3), Inches(1.0), size, SLIDE_TITLE_FACE, bold=True,
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
        crowded = len(series) > 1 and len(categories) * len(series) > 6  # "54419" beside "54336", side by side
        labels.font.size = Pt(9 if crowded else 11)
        _no_wrap(labels)
        if kind in (XL_CHART_TYPE.COLUMN_CLUSTERED, XL_CHART_TYPE.BAR_CLUSTERED):
            labels.position = XL_LABEL_POSITION.OUTSIDE_END
            if len(series) > 1:
                plot.overlap = -12  # a gap between a category's columns keeps their labels apart
        ch.category_axis.tick_labels.font.size = Pt(12)
        ch.value_axis.tick_labels.font.size = Pt(11)
        ch.value_axis.has_major_gridlines = True
        ch.value_axis.tick_labels.number_format = "0%" if "%" in number_format else "0"
        ch.value_axis.tick_labels.number_format_is_linked = False
        if "%" in number_format:  # a rate axis ends at 100% (or at the largest value, a 结收比 above it)
            values = [v for vs in series.values() for v in vs if v is not None]
            ch.value_axis.minimum_scale = 0
            ch.value_axis.maximum_scale = max([1.0, *values]) if values and max(values) > 1 else 1.0
            ch.value_axis.major_unit = 0.2
        else:  # a count's bars start at 0 (LibreOffice would otherwise cut the axis at 9,200)
            ch.value_axis.minimum_scale = 0
        ch.font.name = SLIDE_BODY_FACE
        return ch

    def panels(self, slide, items: list[dict], *, top=Inches(1.35), bottom=Inches(6.6)) -> list:
        """Small multiples: one native chart per indicator, its value axis fitted to its own figures, so that
        a 0.71% 发改率 and a 97% 审限内结案率 both show their differences; the 合理区间 (``band``: lo, hi) as a
        shaded band across the plot, grey where ``reference`` (an annual range a shorter period is only shown
        against). Each item: title, categories, values, unit, band, reference, colors (per point)."""
        cols = 4 if len(items) > 9 else 3 if len(items) > 4 else max(len(items), 1)
        rows = math.ceil(len(items) / cols)
        w, h = Emu(Inches(12.3) // cols), Emu((bottom - top) // max(rows, 1))  # whole EMU: a:off is an integer
        out = []
        for i, it in enumerate(items):
            left, y = Inches(0.5) + w * (i % cols), top + h * (i // cols)
            fmt = FORMATS[it["unit"]]
            data = CategoryChartData(number_format=fmt)
            data.categories = it["categories"]
            data.add_series(it["title"], [None if v is None else float(v) for v in it["values"]])
            ch = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, y, w, h, data).chart
            _panel_style(ch, it, fmt)
            lo, hi, _step = _fit([v for v in it["values"] if v is not None], it.get("band"), it["unit"])
            band = it.get("band")
            if band:
                self._band(slide, (left, y, w, h), (lo, hi), band, reference=bool(it.get("reference")))
            out.append(ch)
        return out

    def _band(self, slide, frame, axis: tuple[float, float], band: tuple, *, reference: bool = False) -> None:
        """The 合理区间 as a translucent rectangle over the panel's plot area, clipped to the axis: green, or grey
        for an annual range the period is not judged against."""
        left, top, w, h = frame
        lo, hi = axis
        b_lo = lo if band[0] is None else max(lo, min(hi, band[0]))
        b_hi = hi if band[1] is None else max(lo, min(hi, band[1]))
        if b_hi <= b_lo:
            return
        px, py, pw, ph = PLOT
        y_top = top + int(h * (py + ph * (hi - b_hi) / (hi - lo)))
        y_bot = top + int(h * (py + ph * (hi - b_lo) / (hi - lo)))
        rect = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left + int(w * px), y_top, int(w * pw), y_bot - y_top)
        rect.name = "年度合理区间（仅供参考）" if reference else "合理区间"
        rect.line.fill.background()
        rect.fill.solid()
        rect.fill.fore_color.rgb = REFERENCE_BAND if reference else BAND
        alpha = etree.SubElement(rect.fill._xPr.find(qn("a:solidFill"))[0], qn("a:alpha"))
        alpha.set("val", "30000")  # 30% opaque: the columns and their labels stay readable through it

    def bullets(self, slide, lines: list[str], top=Inches(1.5)) -> None:
        self._text(slide, "\n".join(lines), Inches(0.7), top, Inches(11.9), Inches(5.0), 18, SLIDE_BODY_FACE)

    # -- slides --------------------------------------------------------------------------------------
    def build(self) -> PresentationType:
        b = self.b
        s = self.prs.slides.add_slide(self.blank)
        head, sep, rest = b.title.partition(b.court_name)
        text = b.title
        if sep and not head:
            scope = re.match(r"（[^）]*）", rest)  # "（全市）" stays on the court's line
            cut = scope.end() if scope else 0
            text = b.court_name + rest[:cut] + "\n" + rest[cut:]
        self._text(s, text, Inches(0.8), Inches(2.2),
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
        flows, stock = [("new_cases", "新收"), ("closed", "结案")], [("pending", "期末未结")]
        yoy = bool(self.b.compare and nc.get("previous") is not None)
        s = self.slide("，".join(parts), f"统计期间：{nv.period_label(self.b.start, self.b.end)}；"
                                       "左为本期流量，右为期末存量；单位：件")
        for keys, left, width, name in ((flows, Inches(0.6), Inches(7.4), "新收与结案"),
                                        (stock, Inches(8.4), Inches(4.3), "期末未结")):
            series = {"本期": [(f.get(k) or {}).get("value") for k, _ in keys]}
            if yoy:
                series["上年同期"] = [(f.get(k) or {}).get("previous") for k, _ in keys]
            _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, [n for _, n in keys], series, left=left,
                               width=width), name)

    def caseload(self) -> None:
        t = _table(self.b, "caseload", "收结存情况（按条线）")
        rows = [r for r in (t.rows if t else []) if r.get("label") in LINES]
        if not rows:
            return
        total = (self.b.figures.get("pending") or {}).get("value") or 0
        big = max(rows, key=lambda r: r.get("pending") or 0)
        share = (big.get("pending") or 0) / total if total else None
        title = f"{big['label']}条线未结{nv.fmt_count(big.get('pending'))}件，占全部未结的{nv.fmt_percent(share, 0)}"
        s = self.slide(title, "左为本期流量（新收、结案），右为期末存量（未结），分列两图；单位：件")
        labels = [r["label"] for r in rows]
        _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, labels,
                           {"新收": [r.get("new_cases") for r in rows], "结案": [r.get("closed") for r in rows]},
                           width=Inches(7.4)), "新收与结案")
        _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, labels, {"未结": [r.get("pending") for r in rows]},
                           left=Inches(8.4), width=Inches(4.3), legend=False), "期末未结")

    def indicators(self) -> None:
        """One panel per rate: the court beside the 全市基层法院平均 (the city, having none, beside 上年同期),
        each on its own fitted axis with its 合理区间."""
        rows = [r for r in _indicator_rows(self.b) if r.get("unit") == "rate" and r.get("value") is not None]
        if not rows:
            return
        with_city = [r for r in rows if r.get("city") is not None]
        if with_city:
            key, other = "city", "全市基层法院平均"
            worse = [r for r in with_city if _worse(r, "city")]
            title = (f"{len(worse)}项比率指标劣于全市基层法院平均，{len(with_city) - len(worse)}项持平或更优"
                     if worse else "各项比率指标均不劣于全市基层法院平均")
        else:
            key, other = "previous", "上年同期"
            prev = [r for r in rows if self.b.compare and r.get("previous") is not None]
            worse = [r for r in prev if _worse(r, "previous")]
            title = (f"{len(worse)}项比率指标同比趋劣，{len(prev) - len(worse)}项持平或改善" if prev
                     else f"{len(rows)}项比率指标本期数值")
        own = "本院" if self.b.scope == "court" else "全市"
        items = []
        for r in rows:
            both = r.get(key) is not None and (key == "city" or bool(self.b.compare))
            band = r.get("range") or r.get("reference_range")  # a partial year: the annual range, for reference
            items.append({"title": r["name"], "unit": "rate", "categories": [own, other] if both else [own],
                          "values": [r["value"], r[key]] if both else [r["value"]],
                          "band": tuple(band) if band else None, "reference": bool(band) and not r.get("range"),
                          "colors": [RED if both and _worse(r, key) else BLUE, GREY] if both else [BLUE]})
        note = "各图纵轴按本项数值取范围" + (
            "；绿色阴影为合理区间" if any(it["band"] and not it["reference"] for it in items) else "") + (
            "；灰色阴影为年度合理区间，本期仅供参考" if any(it["reference"] for it in items) else "") + (
            f"；红色柱为劣于{other}" if worse else "")
        s = self.slide(title, note)
        self.panels(s, items)

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
            note += f"；台账在办执行案件{led['pending']}件" + _breakdown(flow.get("pending"), led) + (
                f"，其中无财产可供执行{led['no_property']}件，符合终本条件{led['zhongben_candidates']}件")
        s = self.slide(title, note)
        half = Inches(2.9) if rates else Inches(5.9)  # flows and stocks on charts of their own
        _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, ["新收", "执结"],
                           {"执行": [flow.get("new_cases"), flow.get("closed")]}, legend=False, width=half), "流量")
        _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, ["旧存", "未结"],
                           {"执行": [flow.get("carried_over"), flow.get("pending")]}, legend=False,
                           left=Inches(0.6) + half + Inches(0.1), width=half), "存量")
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
        gaps = "；".join(f"{r['name']}差距{r['gap']}" for r in rows if r["status"] == "未完成")
        s = self.slide(title, f"{self.b.end.year}年度目标（灰）与年末实际（绿为完成，红为未完成）"
                              + (f"；{gaps}" if gaps else ""))
        self.panels(s, [{"title": f"{r['name']}（{r['status']}）", "unit": r["unit"], "categories": ["年度目标", "实际"],
                         "values": [r["target"], r["actual"]], "band": None,
                         "colors": [GREY, RED if r["status"] == "未完成" else GREEN]} for r in rows])

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
        self.chart(s, XL_CHART_TYPE.BAR_STACKED, names, {ok: [r["on_course"] or None for r in rows],
                                                          behind: [r["behind"] or None for r in rows]})

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
        s = self.slide(title, "年末数据按往年收结案季节规律测算；左为全年流量，右为年末存量；单位：件")
        _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, ["新收", "结案"],
                           {"预计年末": [fc.get("new_cases"), fc.get("closed")]}, legend=False, width=Inches(7.4)),
                "预计全年新收与结案")
        _titled(self.chart(s, XL_CHART_TYPE.COLUMN_CLUSTERED, ["未结"], {"预计年末": [fc.get("pending")]},
                           legend=False, left=Inches(8.4), width=Inches(4.3)), "预计年末未结")
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


def _nice(step: float) -> float:
    """The tick step of 1, 2, 2.5 or 5 × 10^k at or above ``step``."""
    base = 10 ** math.floor(math.log10(step))
    return next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= step - 1e-12)


def _fit(values: list[float], band: tuple | None, unit: str) -> tuple[float, float, float]:
    """A value axis fitted to the figures (and the 合理区间's finite ends) with a margin, on round ticks; a rate
    axis never below 0 nor above 100% unless a figure is (结收比 100.47%)."""
    top = max([1.0, *values]) if unit == "rate" else math.inf  # a band's open end (结收比 ≤150%) is clipped
    pts = [*values, *[min(x, top) for x in (band or ()) if x is not None]]
    lo, hi = (min(pts), max(pts)) if pts else (0.0, 1.0)
    # at least 2 个百分点 (or 5% of the figure) on the axis: a 0.01-point wobble is not drawn as a gap
    least = 0.02 if unit == "rate" else max(abs(hi) * 0.05, 1.0)
    if hi - lo < least:
        lo, hi = lo - (least - (hi - lo)) / 2, hi + (least - (hi - lo)) / 2
        lo, hi = (0.0, hi - lo) if lo < 0 <= min(pts or [0]) else (lo, hi)
    span = hi - lo
    step = _nice(span * 1.6 / 4)
    a = math.floor((lo - span * 0.3) / step) * step
    b = math.ceil((hi + span * 0.45) / step) * step  # room for the top column's label under the panel title
    a = max(a, 0.0) if lo >= 0 else a
    if unit == "rate":
        b = min(b, 1.0) if top <= 1.0 else min(b, math.ceil(top / step) * step + step)
    return round(a, 10), round(b, 10), step


def _panel_style(ch, it: dict, fmt: str) -> None:
    lo, hi, step = _fit([v for v in it["values"] if v is not None], it.get("band"), it["unit"])
    ch.has_title = True
    ch.chart_title.text_frame.text = it["title"]
    run = ch.chart_title.text_frame.paragraphs[0].runs[0]
    run.font.size, run.font.bold = Pt(13), True
    _east_asian(run, SLIDE_BODY_FACE)
    ch.has_legend = False
    ch.font.name = SLIDE_BODY_FACE
    ch.font.size = Pt(11)
    ax = ch.value_axis
    ax.minimum_scale, ax.maximum_scale, ax.major_unit = lo, hi, step
    ax.has_major_gridlines = True
    tick = step * (100 if it["unit"] == "rate" else 1)
    decimals = next(d for d in range(4) if abs(round(tick, d) - tick) < 1e-9 or d == 3)  # 0.25 → "0.00"
    ax.tick_labels.number_format = ("0." + "0" * decimals if decimals else "0") + ("%" if it["unit"] == "rate" else "")
    ax.tick_labels.number_format_is_linked = False
    plot = ch.plots[0]
    plot.gap_width = 80
    plot.has_data_labels = True
    plot.data_labels.number_format, plot.data_labels.number_format_is_linked = fmt, False
    plot.data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
    plot.data_labels.font.size = Pt(11)
    if max((v for v in it["values"] if v is not None), default=lo) > hi - (hi - lo) * 0.15:
        # a column reaching the axis end (a rate near 100%): its label inside, not on the panel title
        plot.data_labels.position = XL_LABEL_POSITION.INSIDE_END
        plot.data_labels.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    _no_wrap(plot.data_labels)
    for j, color in enumerate(it.get("colors") or []):
        pt = plot.series[0].points[j]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = color
    area = ch._chartSpace.chart.plotArea
    layout = area.find(qn("c:layout"))
    if layout is None:  # c:layout is the plot area's first child (CT_PlotArea)
        layout = etree.Element(qn("c:layout"))
        area.insert(0, layout)
    _manual_layout(layout)


def _no_wrap(labels) -> None:
    """"100.47%" on one line: LibreOffice wraps a data label wider than its column otherwise."""
    body = labels._element.get_or_add_txPr().find(qn("a:bodyPr"))
    body.set("wrap", "none")


def _manual_layout(layout) -> None:
    for child in list(layout):
        layout.remove(child)
    ml = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, val in (("c:layoutTarget", "inner"), ("c:xMode", "edge"), ("c:yMode", "edge")):
        etree.SubElement(ml, qn(tag)).set("val", val)
    for tag, val in zip(("c:x", "c:y", "c:w", "c:h"), PLOT, strict=True):
        etree.SubElement(ml, qn(tag)).set("val", str(val))


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


def _titled(ch, text: str):
    """A small chart title naming what one of two charts on a slide holds (the slide title is the message)."""
    ch.has_title = True
    ch.chart_title.text_frame.text = text
    run = ch.chart_title.text_frame.paragraphs[0].runs[0]
    run.font.size, run.font.bold = Pt(14), True
    _east_asian(run, SLIDE_BODY_FACE)
    return ch


def _breakdown(flow_pending, led: dict) -> str:
    """"（= 收结存未结773件 + 执恢52件 + 执保10件）": the ledger also counts the 执恢 and 执保 cases that 收结存's
    未结 leaves out (as the briefing's 执行 section says); parts that do not add up are listed, not equated."""
    outside = led.get("outside_flow") or {}
    if not outside:
        return ""
    parts = " + ".join(f"{k}{n}件" for k, n in outside.items())
    if flow_pending is not None and flow_pending + sum(outside.values()) == led["pending"]:
        return f"（= 收结存未结{flow_pending}件 + {parts}）"
    return f"（含收结存未结不计的{parts.replace(' + ', '、')}）"


def _worse(r: dict, key: str = "city") -> bool:
    """Worse than the comparison figure (the 全市基层法院平均 or 上年同期), by the indicator's direction."""
    lower = r.get("direction") == "lower"
    return r["value"] > r[key] if lower else r["value"] < r[key]


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
