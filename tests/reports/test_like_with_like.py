"""The briefing presents the analysis layer's fair comparisons (issue 13 §4, §5) and fails loudly (issue 14 §1).

A hand-made city (``city`` below): two basic courts and the intermediate court 冀01, full year 2025 and
January–February 2026.
"""

from __future__ import annotations

import importlib
import sys
from datetime import date, timedelta

import pyarrow as pa
import pytest

from tests.analysis._synth import case
from zhixiao.engine import connect
from zhixiao.reports import briefing as briefing_module
from zhixiao.reports import figures as figures_module
from zhixiao.reports.briefing import collect
from zhixiao.reports.docx_builder import cell_text
from zhixiao.reports.model import cell_kind
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import conform

YEAR = (date(2025, 1, 1), date(2025, 12, 31))
TWO_MONTHS = (date(2026, 1, 1), date(2026, 2, 28))


def _cases(court: str, n: int, days: int, seq0: int) -> list[dict]:
    filed = date(2025, 2, 2)
    return [case(court, 2025, seq0 + i, filed, filed + timedelta(days=days), f"{court}-J1", f"法官{court}", "民一庭")
            for i in range(n)]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """2025 平均审理天数: 冀0102 10 cases × 30 days = 30.00, 冀0103 10 × 40 = 40.00, 冀01 80 × 10 = 10.00.
    The old briefing pooled all three (city 1500 / 100 = 15.00; peers of 冀0102 (40 + 10) / 2 = 25.00) and
    named 冀0102's 30.00 a 短板; basic courts alone give 700 / 20 = 35.00 and 40.00: no 短板.
    2026: 冀0102 files 4 cases on 5 Jan and closes 1 on 10 Feb → 1—2月 结案率 1 / 4 = 25%.
    One 员额法官 per court: 人均结案数 2025 冀0102 = 10 / 1 = 10.00件; 2026 1—2月 1 / 1 = 1.00件."""
    rows = _cases("冀0102", 10, 30, 1) + _cases("冀0103", 10, 40, 101) + _cases("冀01", 80, 10, 201)
    rows += [case("冀0102", 2026, 300 + i, date(2026, 1, 5), date(2026, 2, 10) if i == 0 else None, "冀0102-J1",
                  "法官冀0102", "民一庭") for i in range(4)]
    people = [{"judge_id": f"{c}-J1", "name": f"法官{c}", "court_code": c, "year": y, "division": "民一庭",
               "post": "员额法官", "active_from": date(2020, 1, 1)} for c in ("冀0102", "冀0103", "冀01") for y in (2026,)]
    root = tmp_path_factory.mktemp("like-city")
    with CaseStore(root).transaction() as tx:
        tx.write("cases", conform("cases", pa.Table.from_pylist(rows)))
        tx.write("people", conform("people", pa.Table.from_pylist(people)))
    return connect(root)


def _weak(b):
    return next(s for s in b.sections if s.key == "weak")


def test_briefing_compares_a_basic_court_with_basic_courts_only(city):
    b = collect(city, "冀0102", *YEAR, compare=None)
    assert "avg_days" not in b.figures["weak"]["indicators"]  # old: 劣于全市15.00天；劣于同类法院平均25.00天
    assert b.figures["weak"]["city_courts"] == ["冀0102", "冀0103"]
    assert b.figures["weak"]["peer_courts"] == ["冀0103"]
    assert _weak(b).paragraphs[0] == (
        "比较口径：全市基层法院平均为2家基层法院（冀0102法院、冀0103法院）案件合并计算的数值；其他基层法院平均为"
        "本院以外1家基层法院各自数值的算术平均；冀01法院与本院不同级，数据单独列示，不计入任何平均。")
    other = collect(city, "冀0103", *YEAR, compare=None)
    assert any(p.startswith("1.平均审理天数为40.00天，劣于全市基层法院平均35.00天（2家）；劣于其他基层法院平均30.00天"
                            "（1家）") for p in _weak(other).paragraphs)


def test_intermediate_court_briefing_stands_apart(city):
    b = collect(city, "冀01", *YEAR, compare=None)
    assert b.figures["weak"]["city_courts"] == [] and b.figures["weak"]["peer_courts"] == []
    assert _weak(b).paragraphs[0] == ("比较口径：数据中没有与本院同级的其他中级法院，本期不与其他法院比较；"
                                      "冀0102法院、冀0103法院与本院不同级，数据单独列示，不计入任何平均。")


def test_annual_range_marks_and_judges_only_a_year(city):
    year = collect(city, "冀0102", *YEAR, compare=None)
    caseload = year.sections[0].tables[0]
    assert caseload.ranges["closure_rate"] == (0.93, 1.0)  # a year: cells outside 93%–100% turn red
    part = collect(city, "冀0102", *TWO_MONTHS, compare=None)
    assert "closure_rate" not in part.sections[0].tables[0].ranges
    assert part.figures["closure_rate"]["value"] == 0.25 and part.figures["closure_rate"]["in_range"] is None
    assert "closure_rate" not in part.figures["weak"]["indicators"]  # old: 25% < 93% was a 短板
    table = next(t for s in part.sections for sub in s.walk() for t in sub.tables if t.title == "效率指标")
    row = next(r for r in table.rows if r["indicator"] == "closure_rate")
    # the reference is said once, in the table's note (issue 17 §1), not in every 合理区间 cell
    assert (row["range_label"], row["flag"], row["range"]) == ("93.00%～100.00%", "—", None)
    assert table.note == "合理区间为年度区间，仅供参考（本期不足一年），不据以判断是否达标。"


def test_per_judge_change_is_in_jian(city):
    b = collect(city, "冀0102", *TWO_MONTHS)  # against 2025 1—2月: nothing closed then, 0 件 per judge
    table = next(t for s in b.sections for sub in s.walk() for t in sub.tables if t.title == "效率指标")
    row = next(r for r in table.rows if r["indicator"] == "closed_per_judge")
    col = next(c for c in table.columns if c.key == "change")
    # 1.00件 now against 0.00件 a year earlier: +1.00件 per judge (old table: only the engine's "—" % change)
    assert (row["value"], row["previous"]) == (1, 0)
    assert cell_text(row["change"], cell_kind(col, row)) == "+1.00件"
    days = next(r for r in table.rows if r["indicator"] == "avg_days")
    assert cell_kind(col, days) == "delta_days"


def test_a_missing_module_fails_the_briefing(monkeypatch):
    """No "尚未安装" note in place of a section: the briefing module does not import without its parts."""
    monkeypatch.setitem(sys.modules, "zhixiao.services.suggestions", None)
    with pytest.raises(ImportError):  # the figures step imports the services (issue 14 §3: figures apart)
        importlib.reload(figures_module)
    monkeypatch.undo()
    importlib.reload(figures_module)
    importlib.reload(briefing_module)
