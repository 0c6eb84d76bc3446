"""The full-year and city briefings read right (issue 17 §1–2): at the year end targets are met or not (no
预计年末, no 按进度应结), proposals speak of the next year, the city rolls its basic courts' targets up, and
the language rules hold in the .docx and .pptx text read back."""

from __future__ import annotations

import re
from datetime import date

import pytest
from docx import Document
from pptx import Presentation

from zhixiao.config import Settings
from zhixiao.reports.render import write_briefing

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def target_settings(small_store, tmp_path_factory):
    """正定 sets three 2025 targets; 长安区 (no 2025 cases) sets none."""
    from zhixiao.analysis.targets import set_target
    from zhixiao.store.ops import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('ops-year') / 'ops.sqlite'}"
    migrate(url)
    for ind, value in (("closure_rate", 0.9), ("clearance_ratio", 0.5), ("long_pending_12m", 0.0)):
        set_target(url, "冀0123", 2025, ind, value)
    return Settings(data_dir=small_store, sql_url=url)


@pytest.fixture(scope="module")
def year_files(engine, target_settings, tmp_path_factory):
    return write_briefing(target_settings, "冀0123", *YEAR, tmp_path_factory.mktemp("year"), engine=engine, pdf=False)


@pytest.fixture(scope="module")
def city_files(engine, target_settings, tmp_path_factory):
    return write_briefing(target_settings, "冀01", *YEAR, tmp_path_factory.mktemp("city"), scope="city",
                          engine=engine, pdf=False)


def _docx_text(path) -> str:
    doc = Document(str(path))
    cells = ["\t".join(c.text for c in row.cells) for t in doc.tables for row in t.rows]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _table(path, header: str) -> list[list[str]]:
    doc = Document(str(path))
    t = next(t for t in doc.tables if t.rows[0].cells[0].text == header)
    return [[c.text for c in r.cells] for r in t.rows]


def _pptx_text(path) -> str:
    out = []
    for s in Presentation(str(path)).slides:
        out += [sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
    return "\n".join(out)


def test_year_end_targets_table_shows_target_actual_gap(year_files):
    # 正定 2025: 受理 9 (旧存 case 8 + 新收 1–7, 9), 结案 5 (1–5) → 结案率 5/9 = 55.56% against 90% → 34.44个百分点
    # short; 结收比 5/8 = 62.50% ≥ 50% → met; 超12个月未结 1 (case 8, filed 2024-10-01) against 0 → 1件 short
    rows = _table(year_files.docx, "目标指标")
    assert rows[0] == ["目标指标", "年度目标", "实际", "差距", "完成情况"]
    assert rows[1:] == [["结收比", "50.00%", "62.50%", "—", "已完成"],
                        ["结案率", "90.00%", "55.56%", "34.44个百分点", "未完成"],
                        # by indicator id, as the targets are stored; a count in a mixed column says 件 (test_cells)
                        ["超12个月未结", "0件", "1件", "1件", "未完成"]]
    text = _docx_text(year_files.docx)
    assert "预计年末" not in text and "按进度应结" not in text
    assert "年度目标完成情况：共3项，完成1项。" in text
    # the actual 结案率 is the evaluator's, the same as 收结存 says (not the stock-flow forecast)
    assert "结案率55.56%" in text


def test_year_end_proposals_speak_of_the_next_year(year_files):
    props = year_files.briefing.figures["proposals"]
    assert props, "the 2025 briefing has 短板 (超12个月未结 1件 against a nil range)"
    for p in props:
        assert "月底前" not in p and "2026年一季度" in p
    # a nil range reads "应为0件", never "合理区间0～0" or "上限0件"
    lp = next(p for p in props if p.startswith("超12个月未结案件数"))
    assert "清结超12个月未结案件1件，方可符合应为0件的要求" in lp
    text = _docx_text(year_files.docx) + _pptx_text(year_files.pptx)
    assert not re.search(r"\d{1,2}月底前", text)
    assert "0～0" not in text and "上限0件" not in text


def test_year_end_targets_slide(year_files):
    text = _pptx_text(year_files.pptx)
    assert "年度目标3项完成1项，结案率、超12个月未结未完成" in text
    assert "结案率差距34.44个百分点" in text
    panels = {sh.chart.chart_title.text_frame.text: list(sh.chart.plots[0].series[0].values)
              for s in Presentation(str(year_files.pptx)).slides for sh in s.shapes if sh.has_chart
              and sh.chart.has_title and sh.chart.plots[0].categories[0] == "年度目标"}
    assert panels["结案率（未完成）"] == pytest.approx([0.90, 5 / 9])  # target 90%, actual 5 of 9 = 55.56%
    assert "预计年末" not in text


def test_city_rolls_up_the_basic_courts_targets(city_files):
    b = city_files.briefing
    # two basic courts (正定, 长安区), only 正定 set targets; no city target is made up
    assert b.figures["city_targets"] == [
        {"name": "结案率", "set": 1, "on_course": 0, "behind": 1, "courts": "正定县法院55.56%"},
        {"name": "结收比", "set": 1, "on_course": 1, "behind": 0, "courts": "—"},
        {"name": "超12个月未结", "set": 1, "on_course": 0, "behind": 1, "courts": "正定县法院1件"}]
    text = _docx_text(city_files.docx)
    assert "尚未设定" not in text
    assert "全市未设定统一的2025年度目标；2家基层法院中1家设定了本院年度目标，完成情况如下。" in text
    assert "结案率（目标90.00%）：1家法院设定目标，均未完成（各院数值见下表）。" in text
    assert "结收比（目标50.00%）：1家法院设定目标，均已完成。" in text
    slides = _pptx_text(city_files.pptx)
    assert "基层法院年度目标：结案率1家未完成" in slides


def test_language_of_the_documents(year_files, city_files, files):
    """Issue 17 §1: one word for getting worse, one minus sign, no command names or profile ids, no % change
    of a count on a small base."""
    for f in (year_files, city_files, files):
        text = _docx_text(f.docx) + "\n" + _pptx_text(f.pptx)
        assert "趋差" not in text and "持平/无可比" not in text
        assert not re.search(r"(?<![0-9A-Za-z])-\d", text), "ASCII hyphen as a minus sign"
        assert "zhixiao" not in text and "court-classic" not in text
        # counts on a small base (< 20 the year before) change in 件 only: "同比+1件", not "+1件，+100.00%"
        assert not re.search(r"件，[+−]\d+\.\d+%）", text)
