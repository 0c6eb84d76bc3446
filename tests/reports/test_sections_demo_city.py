"""The city briefing of the generated demo city (石家庄, 冀01): its 短板 are attributed to the basic courts
only (issue 17: like with like), each basic court's line the same as the attribution over all the city's
courts gives it."""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.analysis.attribution import attribute
from zhixiao.analysis.peers import level_of
from zhixiao.analysis.weak import to_value
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.evaluate import evaluate
from zhixiao.reports.briefing import collect
from zhixiao.reports.rollup import short_name
from zhixiao.reports.sections.common import ind_label

generate = pytest.importorskip("zhixiao.demo.generate", reason="演示城市生成器尚未安装")

YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from zhixiao.engine import connect

    root = tmp_path_factory.mktemp("demo-city-attribution")
    generate.build_city(root, date(2026, 3, 31), seed=2026, scale=0.02, progress=False)
    return connect(root)


def test_demo_city_weak_indicators_are_attributed_to_basic_courts(demo):
    b = collect(demo, "冀01", *YEAR, scope="city")
    weak = next(s for s in b.sections if s.key == "weak")
    rows = next(t for t in weak.tables if t.where == "xlsx").rows
    assert b.figures["weak"]["indicators"] and rows
    names = {r.group["court_code"]: r.group["court_name"]
             for r in evaluate(demo, "court-classic", *YEAR, by=("court",), indicators=["new_cases"]).rows}
    basic = {short_name(n) for c, n in names.items() if level_of(c) == "basic"}  # a city table's court names
    assert "冀01" in names  # the demo city has its 中院's cases …
    assert {r["unit_name"] for r in rows} <= basic  # … and none of its lines
    charts = [p for c in weak.charts for p in c.panels]
    assert all(set(p.categories) <= basic for p in charts)
    # each 短板: the basic courts' lines of the attribution over every court of the city, in the same order
    ind = {i.id: i for i in load_profile("court-classic", YEAR[1])}
    by_court = evaluate(demo, "court-classic", *YEAR, by=("court",), indicators=b.figures["weak"]["indicators"],
                        compare=None).rows
    top = {r.indicator: r for r in evaluate(demo, "court-classic", *YEAR, indicators=b.figures["weak"]["indicators"],
                                            compare=None).rows}
    with_intermediate = 0
    for i in b.figures["weak"]["indicators"]:
        t = top[i]
        units = [{"unit": r.group["court_code"], "unit_name": r.group["court_name"], "value": r.value,
                  "numerator": r.numerator, "denominator": r.denominator} for r in by_court if r.indicator == i]
        every = attribute(t.value, t.numerator, t.denominator, units, name=t.name, unit=t.unit,
                          direction=ind[i].direction, rng=ind[i].range, unit_kind="court", to_value=to_value(ind[i]))
        with_intermediate += any(a.unit == "冀01" for a in every[:5])
        want = [(short_name(a.unit_name), a.value_without) for a in every if a.unit != "冀01"][:5]
        label = ind_label({"name": t.name, "line": ind[i].line})
        got = [(r["unit_name"], r["value_without"]) for r in rows if r["indicator_name"] == label]
        assert got == [(n, pytest.approx(v)) for n, v in want], i
    assert with_intermediate  # the 中院 would have been among the top lines of some 短板 (the defect)
