"""The demo city's enforcement is realistic (issue 16 §2): money collected far below applied, a sizeable 终本
share among 首执 closings, 终本 checks mostly passed, 恢复执行 after 终本, measured through the indicators."""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.demo.generate import build_city
from zhixiao.engine import connect
from zhixiao.metrics.evaluate import evaluate
from zhixiao.metrics.tracks import flow_by_track

Y25 = (date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    d = tmp_path_factory.mktemp("city")
    build_city(d, date(2025, 12, 31), seed=2026, scale=0.05, progress=False)
    return connect(d)


def test_enforcement_figures_are_realistic(engine):
    res = evaluate(engine, "court-classic", *Y25, filters={"court_code": "冀0123"},
                   indicators=["enforcement_collection_rate", "enforcement_completion_rate", "termination_rate",
                               "termination_compliance_rate", "resumption_rate", "actual_enforcement_rate",
                               "enforcement_target_rate"])
    v = {r.indicator: r.value for r in res.rows}
    assert 0.30 <= v["enforcement_collection_rate"] <= 0.80  # national 2025Q1 56.74%
    assert 0.30 <= v["enforcement_completion_rate"] <= 0.60  # national 2025Q1 44.32%
    assert 0.25 <= v["termination_rate"] <= 0.55  # a sizeable 终本 share
    assert 0.75 <= v["termination_compliance_rate"] < 1  # mostly passed, not all
    assert 0 < v["resumption_rate"] <= 0.5
    # the 2008 到位率 leaves out part payments in 终本 cases: lower than 执行到位率
    assert v["enforcement_target_rate"] < v["enforcement_collection_rate"]
    assert v["actual_enforcement_rate"] >= v["enforcement_completion_rate"] * 0.9


def test_resumptions_link_to_a_zhongben_case(engine):
    t = engine.cases
    hf = t.filter(t.type_code == "执恢").select("origin_case_id").execute()
    origins = set(hf.origin_case_id)
    zb = t.filter(t.case_id.isin(list(origins))).select("closing_method").execute()
    assert len(hf) > 0 and set(zb.closing_method) == {"终结本次执行程序"}


def test_flow_is_split_into_trial_enforcement_and_preservation(engine):
    tracks = flow_by_track(engine, *Y25, filters={"court_code": "冀0123"})
    new = {k: res.get("new_cases").value for k, res in tracks.items()}
    assert new["审判"] > new["执行"] > new["非诉保全"] > 0
    whole = evaluate(engine, "court-classic", *Y25, filters={"court_code": "冀0123"}, indicators=["new_cases"])
    assert sum(new.values()) == whole.get("new_cases").value


def test_zhongben_ledger_has_candidates_reviewed_on_record(engine):
    """The demo's 执行局 has begun the 终本 review of some pending 首执 cases (zb_* on record), so the 终本 ledger
    shows candidates (all five conditions recorded and met) beside cases a check contradicts — not only cases to
    verify. A candidate is pending on the as-of date, a 执 case, filed three months or more before it (规定(试行)
    第1条(四))."""
    from zhixiao.domain.time_limits import add_months
    from zhixiao.services.ledgers import enforcement_hard

    as_of = Y25[1]
    hard = enforcement_hard(engine, as_of)  # the whole city: the fixture is small
    cands = hard["zhongben_candidates"]
    assert cands, "the demo's 终本 ledger has no candidate"
    for c in cands:
        assert c["type_code"] == "执" and (c["closing_date"] is None or c["closing_date"] > as_of)
        assert add_months(c["filing_date"], 3) <= as_of
        assert all(x["met"] is True for x in c["conditions"]) and c["unverified"] == []
    pending_zb = engine.cases.filter(engine.cases.zb_notice.notnull() & engine.cases.closing_date.isnull()).count().execute()
    assert len(cands) < pending_zb  # some reviews found a condition not met: those are no candidates
