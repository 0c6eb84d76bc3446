"""DataHub's indicator pages and trend over the snapshot's indicator cube: a month-aligned question is
answered without the evaluator's scan (which is made to fail here), equal to the plain path; a mid-month
question still goes to the evaluator; the cube is kept beside the snapshot."""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.config import Settings
from zhixiao.metrics import evaluate as ev
from zhixiao.metrics import plan
from zhixiao.metrics.series import monthly
from zhixiao.web.data import HEADLINE, DataHub

AS_OF = date(2025, 11, 30)
COURT = "冀0123"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    from zhixiao.demo.generate import build_city

    d = tmp_path_factory.mktemp("web_cube")
    build_city(d, AS_OF, seed=3, scale=0.01, progress=False)
    return DataHub(Settings(data_dir=d), readers=2)


def plain(hub: DataHub, start, end, filters, by) -> list[dict]:
    res = hub.run(lambda e: ev.evaluate(e, hub.settings.profile, start, end, by=by, compare="yoy", filters=filters,
                                        indicators=list(HEADLINE), passes=plan.PLAIN))
    return [r.to_dict() for r in res.rows]


def no_scan(*_a, **_k):
    raise AssertionError("the evaluator scanned the cases: the cube should have answered")


@pytest.mark.parametrize(("end", "filters", "by"), [
    (date(2025, 3, 31), None, ("court",)),
    (date(2025, 6, 30), {"court_code": COURT}, ("division",)),
    (date(2025, 11, 30), {"court_code": COURT}, ("judge",)),
], ids=["city_by_court", "court_by_division", "court_by_judge"])
def test_month_aligned_pages_come_from_the_cube(hub, monkeypatch, end, filters, by):
    start = date(2025, 1, 1)
    want = plain(hub, start, end, filters, by)
    monkeypatch.setattr(ev, "_scanned", no_scan)
    got = hub.indicators(start, end, filters, by=by)
    assert got == want and got
    version = hub.version()
    kept = list((hub.settings.data_dir / "aggregates" / str(version)).glob("cube_*.parquet"))
    assert len(kept) == 1


def test_a_mid_month_page_goes_to_the_evaluator(hub, monkeypatch):
    start, end = date(2025, 1, 1), date(2025, 5, 20)
    want = plain(hub, start, end, {"court_code": COURT}, ())
    calls = []
    scanned = ev._scanned
    monkeypatch.setattr(ev, "_scanned", lambda *a, **k: calls.append(1) or scanned(*a, **k))
    assert hub.indicators(start, end, {"court_code": COURT}) == want
    assert calls == [1]


def test_the_trend_comes_from_the_cube(hub, monkeypatch):
    f = {"court_code": COURT}
    want = hub.run(lambda e: monthly(e, date(2025, 1, 1), date(2025, 10, 31), filters=f, previous_year=True))
    calls = []
    real = monthly.__globals__["apply_filters"]
    monkeypatch.setitem(monthly.__globals__, "apply_filters", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = hub.trend(date(2025, 1, 1), date(2025, 10, 31), f)
    assert got == want and len(got) == 10
    assert calls == []  # the series' own scan (apply_filters over the cases) never ran


def test_a_trend_up_to_an_earlier_month_end_is_the_start_of_the_full_series(hub):
    """1 January → 31 March is the first three months of 1 January → the data's date: one engine question for
    both; each month equals the series' own scan."""
    f = {"court_code": "冀0105"}
    full = hub.trend(date(2025, 1, 1), AS_OF, f)
    asked = hub.misses
    got = hub.trend(date(2025, 1, 1), date(2025, 3, 31), f)
    assert hub.misses == asked
    assert got == full[:3] and [r["month"] for r in got] == ["2025-01", "2025-02", "2025-03"]
    assert got == hub.run(lambda e: monthly(e, date(2025, 1, 1), date(2025, 3, 31), filters=f, previous_year=True))
    # a mid-month end is its own question (its last month is partial)
    hub.trend(date(2025, 1, 1), date(2025, 3, 15), f)
    assert hub.misses == asked + 1
