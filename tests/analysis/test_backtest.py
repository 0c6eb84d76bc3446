"""Forecast backtest on the demo city: forecast 2025-12-31 from 2025-06-30, compare with the actual."""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.analysis import flows
from zhixiao.analysis.forecast import forecast_year_end
from zhixiao.demo import generate
from zhixiao.engine import connect


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    generate.build_city(d, date(2025, 12, 31), seed=2026, scale=0.1, progress=False)
    return connect(d)


@pytest.mark.parametrize("court", ["冀0102", "冀0123"])
def test_backtest_from_30_june(city, court):
    """Tolerance: a scale-0.1 basic court has ~1,300–1,800 受理 and ~700 second-half closings. Poisson
    noise on those (±26) plus the error of the first-half closing pace (±4% of 700) gives σ ≈ 2.4 pp of
    结案率, so we allow 5 pp (≈2σ). Measured over all 8 courts (seed 2026): scale 0.1 mean |error| 0.74 pp,
    max 1.60 pp, pending off by 7.1% on average, 8 of 8 inside the 90% interval; scale 0.2: 1.02 pp,
    max 2.47 pp, 9.6%, 6 of 8."""
    fc = forecast_year_end(city, court, date(2025, 6, 30))
    frame = flows.monthly(city, court, date(2025, 1, 1), date(2025, 12, 31))
    received = fc.carried_over + frame["filings"].sum()
    actual_rate = frame["closings"].sum() / received
    actual_pending = flows.pending_count(city, court, date(2025, 12, 31))
    assert fc.history_years == [2024]  # 2023 is the generator's warm-up year: a partial extract, skipped
    assert abs(fc.closure_rate.point - actual_rate) < 0.05
    assert abs(fc.pending.point - actual_pending) < 0.25 * actual_pending


BASIC_COURTS = ("冀0102", "冀0104", "冀0105", "冀0108", "冀0109", "冀0110", "冀0123")


def test_backtest_interval_coverage(city):
    """The 90% interval of 结案率 should hold the actual for most courts, not for a chosen one: with 7 basic
    courts and p = 0.9 the chance that 5 or more are inside is 97% (binomial), so fewer than 5 means the
    interval is too narrow. A single court outside is expected one time in ten."""
    inside = 0
    for court in BASIC_COURTS:
        fc = forecast_year_end(city, court, date(2025, 6, 30))
        frame = flows.monthly(city, court, date(2025, 1, 1), date(2025, 12, 31))
        actual_rate = frame["closings"].sum() / (fc.carried_over + frame["filings"].sum())
        inside += fc.closure_rate.low <= actual_rate <= fc.closure_rate.high
    assert inside >= 5, f"{inside} of {len(BASIC_COURTS)} courts inside the 90% interval"
