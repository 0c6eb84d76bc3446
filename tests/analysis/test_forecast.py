"""Stock-flow forecast and closing curves on synthetic series with known seasonality."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analysis._synth import SHARE, make_cases, write
from zhixiao.analysis import flows
from zhixiao.analysis.curves import closing_curve, curve_at, mean_curve
from zhixiao.analysis.forecast import forecast_from_flows, forecast_year_end, history_seasons, season_of
from zhixiao.engine import connect

HAZ = [0.20, 0.15, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.30, 0.45]


def run(opening: int, annual: int) -> tuple[list[int], list[int], int]:
    """Deterministic stock-flow year: filings by SHARE, closings = hazard × (stock + filings)."""
    p, f, c = opening, [], []
    for m in range(12):
        ff = round(annual * SHARE[m])
        cc = round(HAZ[m] * (p + ff))
        p += ff - cc
        f.append(ff)
        c.append(cc)
    return f, c, p


def test_season_of_hand_computed():
    # opening 10; Jan: 10 filed, 5 closed → hazard 5/20; Feb: 0 filed, 15 closed of 15 → 1.0
    s = season_of(2024, [10, 0] + [0] * 10, [5, 15] + [0] * 10, 10)
    assert s.hazard[:2] == (0.25, 1.0)
    assert s.filing_share[0] == 1.0 and s.filing_share[1] == 0.0
    assert s.closing_share[0] == 0.25 and s.closing_share[1] == 1.0
    assert s.progress[1] == 20 / 20  # 20 closed of 受理 10 + 10


def test_forecast_recovers_known_seasonality():
    seasons, opening = [], 300
    for y in (2022, 2023, 2024):
        f, c, p = run(opening, 1200)
        seasons.append(season_of(y, f, c, opening))
        opening = p
    f, c, p_end = run(opening, 1200)
    fc = forecast_from_flows(opening, f[:6], c[:6], date(2025, 6, 30), seasons)
    assert fc.closed.point == pytest.approx(sum(c), abs=3)  # only rounding separates model and series
    assert fc.pending.point == pytest.approx(p_end, abs=3)
    assert fc.closure_rate.point == pytest.approx(sum(c) / (opening + sum(f)), abs=0.003)
    assert fc.closing_pace == pytest.approx(1.0, abs=0.01)
    assert fc.new_cases.point == pytest.approx(sum(f), abs=2)


def test_forecast_scales_with_this_years_pace():
    """A court closing 20% faster than its history must be forecast to close more than history says."""
    seasons, opening = [], 300
    for y in (2023, 2024):
        f, c, p = run(opening, 1200)
        seasons.append(season_of(y, f, c, opening))
        opening = p
    f, c, _ = run(opening, 1200)
    fast = [round(x * 1.2) for x in c[:6]]
    base = forecast_from_flows(opening, f[:6], c[:6], date(2025, 6, 30), seasons)
    quick = forecast_from_flows(opening, f[:6], fast, date(2025, 6, 30), seasons)
    # faster closing also leaves a smaller stock, so the hazard ratio exceeds the 1.2 count ratio
    assert 1.2 < quick.closing_pace < 1.6
    assert quick.closure_rate.point > base.closure_rate.point + 0.02


def test_interval_comes_from_year_to_year_spread():
    s1 = season_of(2023, [100] * 12, [90] * 12, 100)
    s2 = season_of(2024, [100] * 12, [110] * 12, 100)
    fc = forecast_from_flows(100, [100] * 6, [100] * 6, date(2025, 6, 30), [s1, s2])
    assert fc.pending.low < fc.pending.point < fc.pending.high
    one = forecast_from_flows(100, [100] * 6, [100] * 6, date(2025, 6, 30), [s1])
    assert one.pending.low < one.pending.point < one.pending.high  # sampling noise even with one year
    assert (one.pending.high - one.pending.low) < (fc.pending.high - fc.pending.low)
    flat = forecast_from_flows(100, [100] * 6, [100] * 6, date(2025, 6, 30), [])
    assert flat.note and flat.pending.low == flat.pending.high == flat.pending.point


def test_mid_month_as_of_counts_the_rest_of_the_month():
    s = season_of(2024, [120] * 12, [0] * 12, 0)  # nothing ever closes
    fc = forecast_from_flows(0, [120] * 5 + [60], [0] * 6, date(2025, 6, 15), [s])
    assert fc.new_cases.point == pytest.approx(120 * 12, rel=1e-9)
    assert fc.pending.point == pytest.approx(1440, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 500), min_size=12, max_size=12), st.lists(st.floats(0, 1), min_size=12, max_size=12),
       st.integers(0, 1000), st.integers(1, 12))
def test_stock_flow_identity(filings, hazards, opening, month):
    """pending[end] = carried_over + new_cases − closed, whatever the history."""
    closings, p = [], opening
    for f, h in zip(filings, hazards, strict=True):
        c = int(h * (p + f))
        closings.append(c)
        p += f - c
    s = season_of(2024, filings, closings, opening)
    as_of = date(2025, month, 28)
    fc = forecast_from_flows(opening, filings[:month], closings[:month], as_of, [s])
    assert fc.pending.point == pytest.approx(opening + fc.new_cases.point - fc.closed.point, abs=1e-6)
    assert fc.pending.point >= -1e-9
    if fc.closure_rate.point is not None:
        assert 0 <= fc.closure_rate.point <= 1 + 1e-9


def test_curves():
    assert mean_curve([]) == [pytest.approx((m + 1) / 12) for m in range(12)]
    assert curve_at([0.1] + [1.0] * 11, date(2025, 1, 31)) == pytest.approx(0.1)
    # halfway through February (14 of 28 days) between 0.1 and 0.3
    assert curve_at([0.1, 0.3] + [1.0] * 10, date(2025, 2, 14)) == pytest.approx(0.2)


def _actual(engine, court: str, year: int) -> tuple[float, int]:
    end = date(year, 12, 31)
    frame = flows.monthly(engine, court, date(year, 1, 1), end)
    carried = flows.pending_count(engine, court, date(year - 1, 12, 31))
    return frame["closings"].sum() / (carried + frame["filings"].sum()), flows.pending_count(engine, court, end)


def test_backtest_on_synthetic_courts(tmp_path):
    """Forecast 2025-12-31 from 2025-06-30 for six synthetic courts and compare with the actual year end.

    Tolerance: ~650 second-half closings carry Poisson noise of ±26 and the first half's pace (k) is
    itself estimated from ~570 closings (±4%), together σ ≈ 36 closings ≈ 2.4 pp of 结案率 on ~1,500
    受理; we allow 4 pp per court (measured: mean 1.0 pp, max 2.9 pp over 12 seeds) and require the 90%
    interval to hold the actual value for at least 5 of 6 courts (measured 11 of 12).
    """
    end = date(2025, 12, 31)
    rows = []
    for seed in range(6):
        rows += make_cases(f"冀01{seed:02d}", range(2022, 2026), 1200, 75, seed, end)
    engine = connect(write(tmp_path, rows).root)
    inside = 0
    for seed in range(6):
        court = f"冀01{seed:02d}"
        fc = forecast_year_end(engine, court, date(2025, 6, 30))
        rate, pending = _actual(engine, court, 2025)
        assert fc.history_years == [2023, 2024]  # 2022 is the first year on record: its opening stock is thin
        assert abs(fc.closure_rate.point - rate) < 0.04
        assert abs(fc.pending.point - pending) < 0.04 * fc.received.point
        inside += fc.closure_rate.low <= rate <= fc.closure_rate.high
    assert inside >= 5


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    end = date(2025, 12, 31)
    rows = make_cases("冀0102", range(2022, 2026), 1200, 75, 1, end) + make_cases("冀0103", range(2022, 2026), 600, 50, 2, end)
    write(d, rows)
    return connect(d)


def test_history_closing_curve_ends_at_one(synth):
    curve = closing_curve(history_seasons(synth, "冀0102", 2025))
    assert curve[-1] == pytest.approx(1.0)
    assert all(a <= b for a, b in zip(curve, curve[1:], strict=False))
    # flat-ish filings and a constant hazard: about half of the closings by the end of June
    assert 0.4 < curve[5] < 0.6
