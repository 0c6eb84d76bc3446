"""The city view (issue 16 §1): every cell is the court's own figure; the basic courts' average and the
intermediate court stand apart; no order unless 对标 is asked for."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.analysis._synth import case, write
from zhixiao.analysis import ranges
from zhixiao.analysis.city import city_matrix
from zhixiao.analysis.peers import pooled
from zhixiao.analysis.weak import weak_indicators
from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.evaluate import evaluate

YEAR = (date(2025, 1, 1), date(2025, 12, 31))
FIELDS = ("value", "numerator", "denominator", "previous", "yoy", "yoy_unit", "improved")


def _cases(court: str, n: int, days: int, seq0: int) -> list[dict]:
    filed = date(2025, 2, 2)
    return [case(court, 2025, seq0 + i, filed, filed + timedelta(days=days), "J" + court[-2:], "法官" + court,
                 "民一庭") for i in range(n)]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """冀0102: 10 cases × 30 days; 冀0103: 10 × 40; the intermediate court 冀01: 80 × 10; 冀0202 belongs to
    another city (its parent is 冀02) and must not appear."""
    rows = (_cases("冀0102", 10, 30, 1) + _cases("冀0103", 10, 40, 101) + _cases("冀01", 80, 10, 201)
            + _cases("冀0202", 5, 99, 401))
    return connect(write(tmp_path_factory.mktemp("city"), rows).root)


def test_hand_made_city(small):
    m = city_matrix(small, "冀01", *YEAR, compare=None, indicators=["closed", "avg_days", "closure_rate"])
    assert [ln.court_code for ln in m.basic] == ["冀0102", "冀0103"]  # by code; 冀0202 is another city's
    assert m.intermediate.court_code == "冀01" and m.intermediate.level == "intermediate"
    cell = {ln.court_code: ln.cells for ln in [*m.basic, m.intermediate]}
    assert (cell["冀0102"]["avg_days"].value, cell["冀0103"]["avg_days"].value, cell["冀01"]["avg_days"].value) \
        == (30, 40, 10)
    # basic courts only: (10 × 30 + 10 × 40) / 20 = 35.00 days (with 冀01 pooled it would be 15.00)
    assert m.average["avg_days"].value == pytest.approx(35.0)
    # a count is the mean per basic court: (10 + 10) / 2 = 10, never the total 20
    assert m.average["closed"].value == 10
    # 结案率 100% in [93%, 100%] for a calendar year
    assert cell["冀0102"]["closure_rate"].status == ranges.IN_RANGE
    # 冀0103 is worse than the pool (35.00) and the other basic court (30.00); 冀0102 better than both;
    # the intermediate court is compared with no one
    assert [w.indicator for w in m.basic[1].weak] == ["avg_days"]
    assert [r.kind for r in m.basic[1].weak[0].reasons] == ["worse_than_city", "worse_than_peers"]
    assert m.basic[0].weak == [] and m.intermediate.weak == []
    assert m.benchmark is None


def test_partial_period_is_only_a_reference(small):
    m = city_matrix(small, "冀01", date(2025, 1, 1), date(2025, 6, 30), compare=None, indicators=["closure_rate"])
    assert m.column("closure_rate").range_applies is False
    assert {ln.cells["closure_rate"].status for ln in [*m.basic, m.intermediate]} == {ranges.REFERENCE}
    assert m.average["closure_rate"].status == ranges.REFERENCE


def test_benchmark_sorts_one_indicator_by_its_direction(small):
    m = city_matrix(small, "冀01", *YEAR, compare=None, indicators=["avg_days"], benchmark="avg_days")
    # lower is better: 冀0102 (30 days) first; 冀0103's gap to it is +10 days; 冀01 is not in the order
    assert m.benchmark.order == ["冀0102", "冀0103"]
    assert (m.benchmark.best, m.benchmark.gaps) == (30, {"冀0102": 0, "冀0103": 10})
    with pytest.raises(UserError, match="对标指标"):
        city_matrix(small, "冀01", *YEAR, compare=None, indicators=["avg_days"], benchmark="closure_rate")


def test_a_basic_court_has_no_city_view(small):
    with pytest.raises(UserError, match="中级法院"):
        city_matrix(small, "冀0102", *YEAR)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from zhixiao.demo.generate import build_city

    d = tmp_path_factory.mktemp("democity")
    build_city(d, date(2025, 12, 31), seed=7, scale=0.02, progress=False)
    return connect(d)


def test_every_cell_equals_the_courts_own_evaluation(demo):
    """Must show: each number of the matrix is what ``zhixiao indicators --court X --compare yoy`` gives."""
    m = city_matrix(demo, "冀01", *YEAR)
    assert len(m.basic) == 7 and m.intermediate is not None
    checked = 0
    for ln in [*m.basic, m.intermediate]:
        alone = {r.indicator: r for r in evaluate(demo, "court-classic", *YEAR, compare="yoy",
                                                   filters={"court_code": ln.court_code}).rows}
        assert set(ln.cells) == {c.indicator for c in m.columns} <= set(alone)
        for i, cell in ln.cells.items():
            assert tuple(getattr(cell, f) for f in FIELDS) == tuple(getattr(alone[i], f) for f in FIELDS), \
                (ln.court_code, i)
            checked += 1
        # the 短板 are those of weak_indicators for that court against the same basic courts
        own = weak_indicators(demo, "court-classic", *YEAR, ln.court_code, attribute_by=())
        assert [w.to_dict() for w in ln.weak] == [w.to_dict() for w in own]
    # every court-classic indicator of the period (30 since the 执行 indicators: 19 + 11), for 7 basic courts + 冀01
    assert checked == 8 * len(m.columns) == 8 * len(load_profile("court-classic", YEAR[1]))


def test_the_average_pools_the_basic_courts_only(demo):
    m = city_matrix(demo, "冀01", *YEAR, compare=None)
    catalogue = {i.id: i for i in load_profile("court-classic", YEAR[1])}
    by_court = evaluate(demo, "court-classic", *YEAR, by=("court",)).rows
    basic = [ln.court_code for ln in m.basic]
    pool = pooled(by_court, catalogue, basic, lambda ids, cs: evaluate(
        demo, "court-classic", *YEAR, indicators=ids, filters={"court_code": cs}).rows)
    for c in m.columns:
        expected = pool[c.indicator].value
        if c.unit == "count":
            expected = expected / len(basic)
        assert m.average[c.indicator].value == pytest.approx(expected), c.indicator


def test_every_courts_weak_from_one_evaluation_equals_its_own(demo):
    """``weak_by_court`` (the dashboard's precompute: one evaluation by court, one by court × unit per kind)
    gives each court exactly ``weak_indicators`` asked for it alone — reasons, references and the division and
    judge lines behind each 短板."""
    from zhixiao.analysis.weak import weak_by_court

    courts = sorted({r.group["court_code"] for r in evaluate(demo, "court-classic", *YEAR, by=("court",),
                                                              indicators=["new_cases"]).rows})
    many = weak_by_court(demo, "court-classic", *YEAR, courts, attribute_by=("division", "judge"), top=3)
    lines = 0
    for code in courts:
        own = weak_indicators(demo, "court-classic", *YEAR, code, attribute_by=("division", "judge"), top=3)
        assert [w.to_dict() for w in many[code]] == [w.to_dict() for w in own], code
        lines += sum(len(v) for w in own for v in w.attribution.values())
    assert sum(len(v) for v in many.values()) >= 8 and lines >= 20  # the comparison covers real 短板 and lines
