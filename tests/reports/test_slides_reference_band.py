"""The 会商会 deck of a partial year (issue 13 §4): a rate's annual 合理区间 is drawn as a grey band, said in the
slide note to be for reference only; a full year's deck draws the same ranges green, as before.

Built from the generated demo city (正定, 冀0123) through the whole briefing, so the range travels from the
profile through the evaluator and the indicator tables to the deck.
"""

from __future__ import annotations

from datetime import date

import pytest
from pptx import Presentation

from zhixiao.reports.briefing import collect
from zhixiao.reports.slides import write_pptx

generate = pytest.importorskip("zhixiao.demo.generate", reason="演示城市生成器尚未安装")

COURT = "冀0123"
# court-classic's annual 合理区间 of the rates (data/indicators/court-classic.toml): 简易程序适用率 ≥90%,
# 结案率 ≥93%, 结收比 100%–150%, 一审服判息诉率 ≥85%; 发改率 and the other rates have none
RANGED = {"简易程序适用率", "结案率", "结收比", "一审服判息诉率"}
GREEN, GREY_FILL = "70AD47", "A6A6A6"
REFERENCE_NOTE = "灰色阴影为年度合理区间，本期仅供参考"


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from zhixiao.engine import connect

    root = tmp_path_factory.mktemp("demo-city-bands")
    generate.build_city(root, date(2026, 3, 31), seed=2026, scale=0.01, progress=False)
    engine = connect(root)
    out = {}
    for key, end in (("partial", date(2025, 11, 30)), ("year", date(2025, 12, 31))):
        path = write_pptx(collect(engine, COURT, date(2025, 1, 1), end), root / f"{key}.pptx")
        out[key] = Presentation(str(path))
    return out


def _indicator_slide(deck):
    """The slide of rate panels: the one whose charts are titled by indicator names."""
    return next(s for s in deck.slides
                if any(sh.has_chart and sh.chart.has_title and sh.chart.chart_title.text_frame.text == "结案率"
                       for sh in s.shapes))


def _bands(slide):
    return [sh for sh in slide.shapes if sh.name in ("合理区间", "年度合理区间（仅供参考）")]


def _panel_of(slide, band) -> str:
    """The indicator whose panel the band lies over."""
    frame = next(sh for sh in slide.shapes if sh.has_chart and sh.left <= band.left < sh.left + sh.width
                 and sh.top <= band.top < sh.top + sh.height)
    return frame.chart.chart_title.text_frame.text


def _texts(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def test_partial_year_draws_the_annual_ranges_grey_and_says_so(decks):
    slide = _indicator_slide(decks["partial"])
    bands = _bands(slide)
    assert {_panel_of(slide, b) for b in bands} == RANGED
    assert len(bands) == len(RANGED)
    for b in bands:
        assert b.name == "年度合理区间（仅供参考）"
        assert str(b.fill.fore_color.rgb) == GREY_FILL
    text = _texts(slide)
    assert REFERENCE_NOTE in text
    assert "绿色阴影" not in text  # nothing on a 1—11月 slide is judged against its range


def test_full_year_draws_the_same_ranges_green(decks):
    slide = _indicator_slide(decks["year"])
    bands = _bands(slide)
    assert {_panel_of(slide, b) for b in bands} == RANGED
    assert len(bands) == len(RANGED)
    for b in bands:
        assert b.name == "合理区间"
        assert str(b.fill.fore_color.rgb) == GREEN
    text = _texts(slide)
    assert "绿色阴影为合理区间" in text and "仅供参考" not in text
