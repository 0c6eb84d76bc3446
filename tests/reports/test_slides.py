"""The 会商会 deck read back (issue 17 §3): rate axes end at 100%, flows and stocks on charts of their own, each
rate on its own fitted axis with its 合理区间 band, the year-end targets as a native chart of target against
actual, and the 执行 slide's ledger split into 收结存未结 + 执恢 + 执保.

The briefing is built by hand (the figures of 正定's 2025 demo report) so each number below is checked against
the Briefing it came from, not against the deck's own code.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Emu

from zhixiao.reports.model import Briefing, Column, Section, Table
from zhixiao.reports.slides import PLOT, _fit, write_pptx

FLOWS, STOCKS = {"新收", "结案", "执结"}, {"未结", "旧存", "期末未结"}


def _rate(name, value, city, rng=None, direction="higher", previous=None):
    return {"indicator": name, "name": name, "unit": "rate", "value": value, "city": city, "previous": previous,
            "range": rng, "range_applies": rng is not None, "direction": direction}


RATES = [_rate("发改率", 0.0059, 0.0069, direction="lower"), _rate("结案率", 0.8566, 0.8614, (0.93, 1.0)),
         _rate("结收比", 1.0047, 0.9987, (1.0, 1.5)), _rate("一审服判息诉率", 0.9410, 0.9416, (0.85, 1.0))]
TARGETS = [
    {"name": "平均审理天数", "unit": "days", "target": 70.0, "actual": 70.726, "gap": "0.73天", "status": "未完成"},
    {"name": "结收比", "unit": "rate", "target": 1.0, "actual": 1.0047, "gap": "—", "status": "已完成"},
    {"name": "结案率", "unit": "rate", "target": 0.93, "actual": 0.8566, "gap": "7.34个百分点", "status": "未完成"},
    {"name": "超12个月未结", "unit": "count", "target": 25.0, "actual": 85, "gap": "60件", "status": "未完成"},
]
ENF_RATES = [_rate("执行完毕率", 0.4261, None), _rate("执行异议审限内结案率", 0.9640, None)]


def briefing(*, scope="court", ledger_pending=752, targets=True) -> Briefing:
    court = ("冀0123", "正定县人民法院") if scope == "court" else ("冀01", "河北省石家庄市中级人民法院")
    title = court[1] + ("（全市）" if scope == "city" else "") + "2025年审判执行质效数据会商报告"
    b = Briefing(court[0], court[1], scope, date(2025, 1, 1), date(2025, 12, 31), "yoy", "court-classic", title,
                 "全院", office=court[1] + "审判管理办公室", issued=date(2026, 1, 5))
    lines = [{"label": "刑事", "new_cases": 1002, "closed": 991, "pending": 101},
             {"label": "民事", "new_cases": 6247, "closed": 6285, "pending": 920},
             {"label": "执行", "new_cases": 2974, "closed": 3000, "pending": 705}]
    caseload = Section("caseload", "收结存", tables=[Table("收结存情况（按条线）", [Column("label", "条线")], lines)])
    quality = Section("quality", "质效", subsections=[
        Section("quality_效率", "效率", tables=[Table("效率指标", [Column("name", "指标")], RATES, flag_key="flag")])])
    enforcement = Section("enforcement", "执行", tables=[
        Table("执行质效指标", [Column("name", "指标")], ENF_RATES, flag_key="flag")])
    b.sections = [Section("overview", "总体", subsections=[caseload, quality, enforcement])]
    b.figures = {
        "closure_rate": {"value": 0.8566, "previous": 0.8536}, "new_cases": {"value": 10764, "previous": 10995},
        "closed": {"value": 10815, "previous": 10854}, "pending": {"value": 1811, "previous": 1862},
        "deadline_status": {"正常": 1352, "临近": 142, "超审限": 114},
        "enforcement": {"flow": {"carried_over": 731, "new_cases": 2974, "received": 3705, "closed": 3000,
                                 "pending": 705},
                        "ledger": {"pending": ledger_pending, "no_property": 433, "long_running": 24,
                                   "zhongben_candidates": 0, "zhongben_to_verify": 32,
                                   "outside_flow": {"执恢": 41, "执保": 6}}},
    }
    if targets:
        b.figures["targets_met"] = TARGETS
    return b


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    path = write_pptx(briefing(), tmp_path_factory.mktemp("slides") / "deck.pptx")
    return Presentation(str(path))


def _title(slide) -> str:
    return next(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def _slide(deck, prefix: str):
    return next(s for s in deck.slides if _title(s).startswith(prefix))


def _charts(slide):
    return [sh for sh in slide.shapes if sh.has_chart]


def _rate_chart(ch) -> bool:
    return "%" in ch.plots[0].data_labels.number_format


def test_every_rate_axis_ends_at_100_percent_unless_a_figure_is_above(deck):
    rate_charts = [sh.chart for s in deck.slides for sh in _charts(s) if _rate_chart(sh.chart)]
    assert len(rate_charts) >= len(RATES) + 1 + 2  # the indicator panels, the 执行 rates, 结收比 and 结案率 targets
    for ch in rate_charts:
        values = [v for p in ch.plots for sr in p.series for v in sr.values if v is not None]
        top = ch.value_axis.maximum_scale
        assert top is not None
        if max(values) <= 1.0:
            assert top <= 1.0
        else:  # 结收比 100.47%: the axis ends one tick above the figure's tick (room for its label), not at 120%
            assert max(values) <= top <= max(values) + 2 * ch.value_axis.major_unit < 1.1
        assert ch.value_axis.minimum_scale is not None and ch.value_axis.minimum_scale >= 0


def test_each_rate_has_its_own_fitted_axis_beside_the_city_average(deck):
    # 发改率 0.59% < 0.69% (lower is better) and 结收比 100.47% > 99.87% are better; 结案率, 一审服判息诉率 worse
    slide = _slide(deck, "2项比率指标劣于全市基层法院平均，2项持平或更优")
    charts = {sh.chart.chart_title.text_frame.text: sh.chart for sh in _charts(slide)}
    assert list(charts) == [r["name"] for r in RATES]
    for r in RATES:
        ch = charts[r["name"]]
        assert ch.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        assert list(ch.plots[0].categories) == ["本院", "全市基层法院平均"]
        assert list(ch.plots[0].series[0].values) == pytest.approx([r["value"], r["city"]])
        worse = r["name"] in ("结案率", "一审服判息诉率")
        assert str(ch.plots[0].series[0].points[0].format.fill.fore_color.rgb) == ("C00000" if worse else "1F4E79")
        lo, hi = ch.value_axis.minimum_scale, ch.value_axis.maximum_scale
        assert lo <= min(r["value"], r["city"]) and max(r["value"], r["city"]) <= hi
    # fitted, not 0–100%: 发改率 0.59% vs 0.69% on an axis of at most a few points, 结案率 not from 0
    assert charts["发改率"].value_axis.maximum_scale <= 0.05
    assert charts["结案率"].value_axis.minimum_scale >= 0.5


def test_the_reasonable_range_is_a_band_on_the_axis(deck):
    slide = _slide(deck, "2项比率指标")
    bands = [sh for sh in slide.shapes if sh.name == "合理区间"]
    assert len(bands) == 3  # 结案率, 结收比, 一审服判息诉率 have a range; 发改率 none
    frame = next(sh for sh in _charts(slide) if sh.chart.chart_title.text_frame.text == "结案率")
    ax = frame.chart.value_axis
    assert (ax.minimum_scale, ax.maximum_scale) == pytest.approx((0.8, 1.0))
    band = min(bands, key=lambda b: abs(b.left - frame.left) + abs(b.top - frame.top))
    # 93%–100% on an 80%–100% axis: the band fills the top 7/20 of the plot's height
    plot_top = frame.top + frame.height * PLOT[1]
    plot_h = frame.height * PLOT[3]
    assert band.top == pytest.approx(plot_top, abs=Emu(2000))
    assert band.height == pytest.approx(plot_h * 0.07 / 0.20, abs=Emu(2000))
    assert band.width == pytest.approx(frame.width * PLOT[2], abs=Emu(2000))


def test_year_end_targets_are_a_native_chart_of_target_and_actual(deck):
    slide = _slide(deck, "年度目标4项完成1项")
    assert "平均审理天数、结案率、超12个月未结未完成" in _title(slide)
    charts = [sh.chart for sh in _charts(slide)]
    assert len(charts) == len(TARGETS)
    for ch, t in zip(charts, TARGETS, strict=True):
        assert ch.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        assert ch.chart_title.text_frame.text == f"{t['name']}（{t['status']}）"
        assert list(ch.plots[0].categories) == ["年度目标", "实际"]
        assert list(ch.plots[0].series[0].values) == pytest.approx([t["target"], t["actual"]])
    rate = charts[2]  # 结案率: target 93.00%, actual 85.66%, on a 0.00% label
    assert list(rate.plots[0].series[0].values) == [0.93, 0.8566]
    assert rate.plots[0].data_labels.number_format == "0.00%"
    assert charts[0].plots[0].data_labels.number_format == "0.00"  # 天
    assert charts[3].plots[0].data_labels.number_format == "0"  # 件
    # the missed target's column is red, the met one green
    assert str(rate.plots[0].series[0].points[1].format.fill.fore_color.rgb) == "C00000"
    assert str(charts[1].plots[0].series[0].points[1].format.fill.fore_color.rgb) == "38761D"


def _enforcement_note(deck) -> str:
    slide = _slide(deck, "执行完毕率")
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame][-1]


def test_enforcement_ledger_breakdown_adds_up_to_its_total(deck):
    note = _enforcement_note(deck)
    m = re.search(r"台账在办执行案件(\d+)件（= 收结存未结(\d+)件 \+ 执恢(\d+)件 \+ 执保(\d+)件）", note)
    assert m, note
    total, flow, restored, preserved = map(int, m.groups())
    assert (total, flow, restored, preserved) == (752, 705, 41, 6)  # the Briefing's ledger and 收结存 figures
    assert flow + restored + preserved == total


def test_enforcement_breakdown_that_does_not_add_up_is_listed_not_equated(tmp_path):
    deck = Presentation(str(write_pptx(briefing(ledger_pending=760), tmp_path / "d.pptx")))
    note = _enforcement_note(deck)
    assert "台账在办执行案件760件（含收结存未结不计的执恢41件、执保6件）" in note
    assert "=" not in note


def test_flows_and_stocks_never_share_an_axis(deck):
    for slide in deck.slides:
        for sh in _charts(slide):
            cats = set(sh.chart.plots[0].categories)
            names = {sr.name for sr in sh.chart.plots[0].series}
            labels = cats | names
            assert not (labels & FLOWS and labels & STOCKS), (_title(slide), labels)
    overview = _slide(deck, "结案率85.66%")
    counts = [list(sh.chart.plots[0].series[0].values) for sh in _charts(overview)]
    assert counts == [[10764, 10815], [1811]]
    assert all(sh.chart.value_axis.minimum_scale == 0 for sh in _charts(overview))  # count bars start at 0


def test_city_title_keeps_its_scope_on_the_court_line(tmp_path):
    deck = Presentation(str(write_pptx(briefing(scope="city", targets=False), tmp_path / "c.pptx")))
    cover = _title(deck.slides[0])
    assert cover.split("\n") == ["河北省石家庄市中级人民法院（全市）", "2025年审判执行质效数据会商报告"]


@pytest.mark.parametrize(("values", "band", "unit"), [
    ([0.9424, 0.9423], None, "rate"), ([0.0068, 0.0065], None, "rate"), ([1.0047, 0.9987], (1.0, 1.5), "rate"),
    ([0.8566, 0.8614], (0.93, 1.0), "rate"), ([70.0, 70.73], None, "days"), ([25, 85], None, "count")])
def test_fit_holds_the_figures_and_stops_at_100_percent(values, band, unit):
    lo, hi, step = _fit(values, band, unit)
    assert lo <= min(values) and max(values) < hi
    assert lo >= 0
    if unit == "rate":
        assert hi - lo >= 0.02  # a 0.01-point wobble is not blown up to the full height
        assert hi <= (1.0 if max(values) <= 1.0 else max(values) + 2 * step)
    assert round((hi - lo) / step, 6) == int(round((hi - lo) / step, 6))  # round ticks
