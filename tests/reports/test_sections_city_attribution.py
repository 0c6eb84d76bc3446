"""The city briefing's 短板 attribution (issue 17): like with like, the courts that move a city 短板 are the
basic courts; the 中院 (冀01), which hears appeals and 再审, is never listed among them."""

from __future__ import annotations

from datetime import date, timedelta

import pyarrow as pa
import pytest

from tests.analysis._synth import case
from zhixiao.engine import connect
from zhixiao.reports.briefing import collect
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import conform

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


def _cases(court: str, year: int, n: int, days: int, seq0: int) -> list[dict]:
    filed = date(year, 2, 3)
    return [case(court, year, seq0 + i, filed, filed + timedelta(days=days), f"{court}-J1", f"法官{court}", "民一庭")
            for i in range(n)]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """平均审理天数 2025: 冀0102 10 cases × 56 days = 560, 冀0103 10 × 30 = 300, 冀01 (中院) 20 × 60 = 1200;
    the city 2060 / 40 = 51.50 against 2024's 20.00 (冀0102 10 × 20): a 短板 (同比趋劣)."""
    rows = (_cases("冀0102", 2025, 10, 56, 1) + _cases("冀0103", 2025, 10, 30, 101)
            + _cases("冀01", 2025, 20, 60, 201) + _cases("冀0102", 2024, 10, 20, 1))
    people = [{"judge_id": f"{c}-J1", "name": f"法官{c}", "court_code": c, "year": y, "division": "民一庭",
               "post": "员额法官", "active_from": date(2020, 1, 1)}
              for c in ("冀0102", "冀0103", "冀01") for y in (2024, 2025)]
    root = tmp_path_factory.mktemp("city-attribution")
    with CaseStore(root).transaction() as tx:
        tx.write("cases", conform("cases", pa.Table.from_pylist(rows)))
        tx.write("people", conform("people", pa.Table.from_pylist(people)))
    return connect(root)


def _attribution_rows(b) -> list[dict]:
    sec = next(s for s in b.sections if s.key == "weak")
    return next(t for t in sec.tables if t.where == "xlsx").rows  # every unit (the .docx shows the top 3)


def test_city_weak_indicator_is_attributed_to_basic_courts_only(city):
    b = collect(city, "冀01", *YEAR, scope="city")
    assert "avg_days" in b.figures["weak"]["indicators"]
    assert b.figures["avg_days"]["value"] == pytest.approx(2060 / 40)
    rows = [r for r in _attribution_rows(b) if r["indicator_name"] == "平均审理天数"]
    # The 中院's 60.00 days weigh most on the city's 51.50 (at the city's level the city would read
    # (2060 − 1200 + 20 × 51.5) / 40 = 47.25) but it is no basic court: not listed. 冀0102 at 51.50:
    # (2060 − 560 + 10 × 51.5) / 40 = 50.375; 冀0103's 30.00 pulls the city the right way: not listed.
    assert [(r["kind"], r["unit_name"], r["value"], r["value_without"]) for r in rows] == [
        ("法院", "冀0102法院", 56, pytest.approx(2015 / 40))]
    assert not any(r["unit_name"].startswith("冀01法院") for r in _attribution_rows(b))
    # the chart of the 短板 names the same courts
    sec = next(s for s in b.sections if s.key == "weak")
    panel = next(p for c in sec.charts for p in c.panels if p.key == "attribution_avg_days")
    assert panel.categories == ["冀0102法院"]


def test_city_attribution_keeps_the_basic_courts_figures(city):
    """The rows of the basic courts are the attribution's own (``analysis.attribution.attribute`` over the
    city figure), unchanged by leaving the 中院 out."""
    from zhixiao.analysis.attribution import attribute
    from zhixiao.metrics.evaluate import evaluate

    b = collect(city, "冀01", *YEAR, scope="city")
    res = evaluate(city, "court-classic", *YEAR, by=("court",), indicators=["avg_days"], compare=None)
    top = evaluate(city, "court-classic", *YEAR, indicators=["avg_days"], compare=None).rows[0]
    units = [{"unit": r.group["court_code"], "unit_name": r.group["court_name"], "value": r.value,
              "numerator": r.numerator, "denominator": r.denominator} for r in res.rows]
    every = attribute(top.value, top.numerator, top.denominator, units, name="平均审理天数", unit="days",
                      direction="lower", unit_kind="court")
    assert [a.unit for a in every] == ["冀01", "冀0102"]  # all courts pooled: the 中院 first
    basic = [(a.unit_name, a.value_without) for a in every if a.unit != "冀01"]
    rows = [r for r in _attribution_rows(b) if r["indicator_name"] == "平均审理天数"]
    assert [(r["unit_name"], r["value_without"]) for r in rows] == basic
