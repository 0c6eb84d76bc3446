"""The 收结存 by track (``metrics.tracks``) from the indicator cube: the cube keeps the case category among its
group columns, so each track's question (the scope's filter and ``category IN`` the track's categories) is a
query of the cube, and its answer equals the evaluator's scan cell for cell — on the hand-made court and on a
generated demo city. Each comparison first asserts that the cube served every track (no scan ran)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.metrics.conftest import BASIC, MID
from zhixiao.metrics import cube as cubemod
from zhixiao.metrics import evaluate as ev
from zhixiao.metrics.evaluate import _select
from zhixiao.metrics.tracks import FLOW, flow_definitions, flow_rows

HEADLINE = ["new_cases", "closed", "pending", "closure_rate", "clearance_ratio", "on_time_rate", "avg_days",
            "long_pending_12m"]
PROFILE = "court-classic"
AS_OF = date(2025, 12, 31)


def make_cube(engine, as_of: date, path) -> cubemod.Cube:
    """The cube as ``cube.for_snapshot`` builds it for the dashboard: HEADLINE and the 收结存 by track."""
    inds = _select(engine, PROFILE, as_of, HEADLINE, None)
    have = {(i.profile, i.id) for i in inds}
    inds += [i for i in flow_definitions(PROFILE, as_of, None).values() if (i.profile, i.id) not in have]
    from zhixiao.aggregates import stored_cube

    meta = stored_cube(path, lambda: cubemod.build(engine, inds, as_of))
    assert meta is not None and "category" in meta["columns"]
    return cubemod.attach(engine, path, meta)


@pytest.fixture
def scans(monkeypatch):
    """The evaluator's scans run from here on (the cube's answers run none)."""
    calls: list[int] = []
    real = ev._scanned
    monkeypatch.setattr(ev, "_scanned", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


@pytest.fixture(scope="module")
def hand_cube(duck, tmp_path_factory):
    return make_cube(duck, AS_OF, tmp_path_factory.mktemp("cube_tracks") / "cube.parquet")


def both(engine, cube, scans, start, end, **kw) -> tuple[list[dict], list[dict]]:
    got = flow_rows(engine, start, end, profile=PROFILE, cube=cube, **kw)
    assert scans == [], "a track's question went to the evaluator"
    want = flow_rows(engine, start, end, profile=PROFILE, **kw)
    assert scans, "the plain answer was not scanned"
    return got, want


HAND = [(date(2025, 1, 1), date(2025, m, d)) for m, d in ((1, 31), (3, 31), (6, 30), (12, 31))] + [
    (date(2025, 2, 1), date(2025, 2, 28)), (date(2025, 4, 1), date(2025, 6, 30))]
SCOPES = [({}, ()), ({}, ("court",)), ({"court_code": BASIC}, ()), ({"court_code": BASIC}, ("division",)),
          ({"court_code": MID, "division": "民二庭"}, ()), ({"court_code": BASIC}, ("judge",))]


@pytest.mark.parametrize(("start", "end"), HAND, ids=[f"{s:%m%d}-{e:%m%d}" for s, e in HAND])
@pytest.mark.parametrize(("filters", "by"), SCOPES, ids=["city", "by_court", "court", "court_by_division",
                                                         "division", "court_by_judge"])
def test_tracks_from_the_cube_equal_the_scan_on_the_hand_made_court(duck, hand_cube, scans, start, end, filters, by):
    got, want = both(duck, hand_cube, scans, start, end, filters=filters or None, by=by)
    assert got == want


def test_a_hand_computed_track_from_the_cube(duck, hand_cube, scans):
    """冀0123 in 2025 (test_tracks.py's working): 执行 new C19 C20 C22, carried over C21, closed C19 C20 C21,
    pending C22 — 3/1/4/3/1, 结案率 3 ÷ 4; C14 执保 and C15 执恢 are excluded. 审判 of 冀0123: 新收 C2 C3 C4 C5 C9
    C16 C18 = 7 (C11 诉前调书 excluded; C12/C13 民诉前调 are category mediation and excluded)."""
    rows = flow_rows(duck, date(2025, 1, 1), AS_OF, profile=PROFILE, filters={"court_code": BASIC}, cube=hand_cube)
    assert scans == []
    got = {r["track"]: r for r in rows}
    assert [got["执行"][i] for i in FLOW] == [3, 1, 4, 3, 1]
    assert got["执行"]["closure_rate"] == 0.75
    assert got["审判"]["new_cases"] == 7
    assert [got["非诉保全"][i] for i in FLOW] == [0, 0, 0, 0, 0] and got["非诉保全"]["closure_rate"] is None


def test_a_mid_month_period_goes_to_the_evaluator(duck, hand_cube, scans):
    """1 January – 15 March: its cut (16 March) is no cube cut; every track is scanned, and still right."""
    s, e = date(2025, 1, 1), date(2025, 3, 15)
    got = flow_rows(duck, s, e, profile=PROFILE, cube=hand_cube)
    assert len(scans) == 3  # one evaluation per track
    assert got == flow_rows(duck, s, e, profile=PROFILE)


# ── a generated demo city ───────────────────────────────────────────────────────────────────────────
DEMO_AS_OF = date(2025, 11, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from zhixiao.demo.generate import build_city
    from zhixiao.engine import connect

    d = tmp_path_factory.mktemp("demo_cube_tracks")
    build_city(d, DEMO_AS_OF, seed=5, scale=0.01, progress=False)
    eng = connect(d)
    return eng, make_cube(eng, DEMO_AS_OF, d / "cube.parquet")


DEMO = [(date(2025, 1, 1), date(2025, 11, 30), {}, ()), (date(2025, 1, 1), date(2025, 4, 30), {}, ("court",)),
        (date(2025, 1, 1), date(2025, 7, 31), {"court_code": BASIC}, ()),
        (date(2025, 8, 1), date(2025, 8, 31), {"court_code": BASIC}, ("division",)),
        (date(2024, 1, 1), date(2024, 12, 31), {}, ("court",))]


@pytest.mark.parametrize(("start", "end", "filters", "by"), DEMO,
                         ids=[f"{s:%Y%m%d}-{e:%m%d}-{'_'.join(b) or 'all'}" for s, e, _f, b in DEMO])
def test_tracks_from_the_cube_equal_the_scan_on_a_generated_city(demo, scans, start, end, filters, by):
    eng, cube = demo
    got, want = both(eng, cube, scans, start, end, filters=filters or None, by=by)
    assert got == want
    if not filters:  # the city has 财保 cases: all three tracks are answered with cases
        assert any(r["track"] == "非诉保全" and r["received"] for r in got)
