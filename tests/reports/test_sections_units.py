"""Defects found by reading the 正定 and 冀01 briefings (issue 17 §1), on the conftest store whose figures are
worked out by hand: columns that count something else than cases say so in their header (家, 次, 个), one
format per indicator, the 审判/执行/非诉保全 table's rates, city tables naming courts (short names, not codes),
12368 by court and department, the whole court's 年内已结 said once, and annexes without internal codes.

The 审判/执行 split of 正定 2026年1—2月 (conftest): 执行 = cases 9 (旧存, closed 02-10), 16 (new, closed 02-26),
17 (new, pending) → 旧存 1, 新收 2, 受理 3, 结案 2, 未结 1; 结案率 2/3 = 66.67%, 结收比 2/2 = 100.00%; 2025年1—2月:
case 5 filed 02-01, closed 04-01 → 受理 1, 结案 0: 结案率 0% → 同比 +66.67个百分点. 审判 = the rest: 旧存 6, 7, 8;
新收 10–15; 结案 6, 10, 11, 14 → 受理 9, 结案 4, 未结 5; 结案率 4/9 = 44.44%, 结收比 4/6 = 66.67%; 2025: 旧存 8,
新收 1–4, 结案 1, 3, 4 → 3/5 = 60.00% → 同比 44.44 − 60.00 = −15.56个百分点; 新收 6 vs 4 (+50.00%), 结案 4 vs 3
(+33.33%). The two add up to 合计 (结案 6 of 受理 12 = 50%).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from docx import Document

from zhixiao.config import Settings
from zhixiao.metrics.card import card
from zhixiao.metrics.catalogue import load_profile, profiles
from zhixiao.reports.briefing import collect
from zhixiao.reports.model import header_text
from zhixiao.reports.narrative import MINUS
from zhixiao.reports.sections.annexes import _plain

PERIOD = (date(2026, 1, 1), date(2026, 2, 28))  # as in conftest
CODE = re.compile(r"[a-z_]{4,}")


def _table(doc, first_header: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)


def _section(b, key):
    return next(sub for s in b.sections for sub in s.walk() if sub.key == key)


def _headers(table) -> list[str]:
    return [header_text(c) for c in table.columns]


def test_track_table_shows_each_tracks_rates(files):
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in _table(Document(str(files.docx)), "类别").rows[1:]}
    assert rows["审判"] == ["审判", "3", "6", "+50.00", "9", "4", "+33.33", "5", "44.44%", f"{MINUS}15.56", "66.67%"]
    # 结案同比 on a base of 0 closings is no percentage
    assert rows["执行"] == ["执行", "1", "2", "+100.00", "3", "2", "—", "1", "66.67%", "+66.67", "100.00%"]
    assert set(rows) == {"审判", "执行"}  # no 非诉保全 case in the store


def test_by_line_table_writes_per_judge_figures_as_the_indicator_table(files):
    doc = Document(str(files.docx))
    # 人均结案数 = 6 closed ÷ 4 员额法官 = 1.50件, in the indicator table and in the 按条线 matrix alike
    matrix = next(t for t in doc.tables if t.rows[0].cells[1].text == "全院"
                  and any(r.cells[0].text == "人均结案数" for r in t.rows))
    row = next(r for r in matrix.rows if r.cells[0].text == "人均结案数")
    assert row.cells[1].text == "1.50件"


def test_annexes_print_no_internal_codes(files):
    b = files.briefing
    texts = []
    for sec in b.appendices:
        for sub in sec.walk():
            texts += [sub.title, *sub.paragraphs]
            for t in sub.tables:
                texts += [t.title, t.note or "", *_headers(t)]
                texts += [str(v) for r in t.rows for v in r.values() if isinstance(v, str)]
    for t in b.annex:
        texts += [t.title, t.note or "", *_headers(t)]
    found = {m for text in texts for m in CODE.findall(text)}
    assert not found, found
    cards = next(t for s in b.appendices for sub in s.walk() for t in sub.tables if t.title == "指标口径")
    by_name = {r["name"]: r for r in cards.rows}
    assert "适用程序属于｛民事一审简易程序、小额诉讼程序｝" in by_name["简易程序适用率"]["numerator"]
    assert "标签含“信访”" in by_name["一审服判息诉率"]["numerator"]
    assert by_name["人均结案数"]["denominator"].startswith("人数｜在岗人员（人员名册，期间内在岗）")
    assert "终本核查：已发执行通知和报告财产令 ＝ 是" in by_name["终本合格率"]["numerator"]
    assert "标签含“执行和解”" in by_name["实际执结率"]["numerator"]


@pytest.mark.parametrize("profile", ["court-classic", "spc-2024", "courtools"])
def test_every_card_says_its_conditions_in_chinese(profile):
    """What the 口径 annex prints of a card (its formula, numerator, denominator and exclusions' names), for
    every indicator of every shipped profile."""
    for ind in load_profile(profile, date(2026, 11, 30)):
        c = card(ind)
        for text in (c.formula, c.numerator, c.denominator or "", *(x.split("：")[0] for x in c.exclusions)):
            assert not CODE.findall(_plain(text)), (profile, ind.id, text)
    assert profile in profiles()


@pytest.fixture(scope="module")
def city_ops(small_store, tmp_path_factory):
    """Two tickets of the same department name in two courts; a 2026 结案率 target at each basic court."""
    from zhixiao.analysis.targets import set_target
    from zhixiao.services.hotline import add_ticket
    from zhixiao.store.ops import migrate, session_factory

    url = f"sqlite:///{tmp_path_factory.mktemp('ops-city') / 'ops.sqlite'}"
    migrate(url)
    with session_factory(url)() as s, s.begin():
        add_ticket(s, court_code="冀0123", ticket_no="Z1", category="诉讼咨询", received_at=datetime(2026, 1, 5, 9),
                   division="民事审判庭")
        add_ticket(s, court_code="冀0123", ticket_no="Z2", category="联系法官", received_at=datetime(2026, 1, 6, 9),
                   division="民事审判庭")
        add_ticket(s, court_code="冀0102", ticket_no="C1", category="诉讼咨询", received_at=datetime(2026, 1, 7, 9),
                   division="民事审判庭")
    for code in ("冀0123", "冀0102"):
        set_target(url, code, 2026, "closure_rate", 0.9)
    return Settings(data_dir=small_store, sql_url=url)


@pytest.fixture(scope="module")
def city(engine, city_ops):
    return collect(engine, "冀01", *PERIOD, scope="city", settings=city_ops)


def test_city_hotline_by_court_and_department(city):
    t = _section(city, "hotline").tables[0]
    assert _headers(t) == ["法院", "承办部门", "工单（件）"]
    # 民事审判庭 of 长安 and of 正定 are two departments, never one row of 3
    assert [(r["court"], r["division"], r["n"]) for r in t.rows] == [
        ("长安区法院", "民事审判庭", 1), ("正定县法院", "民事审判庭", 2)]


def test_city_tables_name_courts_and_count_courts_in_jia(city):
    dl = _section(city, "deadlines").tables[0]
    # 未结 at 2026-02-28: 正定 7, 8, 12, 13 (民事审判一庭), 15 (刑事审判庭), 17 (执行局); 长安 19 (民事审判庭)
    assert {(r["court"], r["division"], r["pending"]) for r in dl.rows} == {
        ("正定县法院", "民事审判一庭", 4), ("正定县法院", "刑事审判庭", 1), ("正定县法院", "执行局", 1),
        ("长安区法院", "民事审判庭", 1)}
    four = _section(city, "four_pending").tables[0]
    assert all(not r["court"].startswith("冀") for r in four.rows)
    roll = next(t for t in _section(city, "targets").tables if t.title.startswith("基层法院"))
    assert _headers(roll)[1:4] == ["设定目标法院（家）", "预计可达标（家）", "预计未达标（家）"]
    assert roll.rows[0]["set"] == 2
    matrix = _section(city, "city_courts").tables
    cols = {header_text(c) for t in matrix for c in t.columns}
    assert "人均结案数（件）" in cols
    assert {r["court"] for r in matrix[0].rows} >= {"长安区法院", "正定县法院"}
    dq = next(t for s in city.appendices for sub in s.walk() for t in sub.tables if t.title == "数据质量体检结果")
    assert "断号（个）" in _headers(dq) and {r["court"] for r in dq.rows} >= {"长安区法院", "正定县法院"}


def test_court_tables_units_and_the_whole_courts_closings_once(engine, city_ops):
    from zhixiao.services.satisfaction import add_rating
    from zhixiao.store.ops import session_factory

    with session_factory(city_ops.sql_url)() as s, s.begin():
        add_rating(s, court_code="冀0123", item="立案", rated_on=date(2026, 2, 3), score=5)
    b = collect(engine, "冀0123", *PERIOD, settings=city_ops)
    sat = _section(b, "satisfaction").tables[0]
    assert _headers(sat) == ["服务事项", "评价（次）", "满意（次）", "满意率"]
    progress = next(t for t in _section(b, "targets").tables if t.title == "2026年度目标进度")
    assert "closed_ytd" not in progress.keys()  # the court's 6 closings are not a figure of the target
    assert progress.note.startswith("全院年内已结6件；")
    needed = _section(b, "closings_needed").tables[0]
    assert "每工作日需结（件）" in _headers(needed)
    weak = _section(b, "weak")
    assert all("Excel工作簿" not in t.title for t in weak.tables)
    assert all(len(c.panels) <= 6 for c in weak.charts if c.kind == "panels")
