"""spc-2024 against the public record of the SPC's 2024 list (REFERENCE §1.1, §1.2): which 执行 indicators it
carries, what each cites for being on the list, and 平均结案时间 without 执行 cases."""

from __future__ import annotations

import pytest

from tests.metrics.test_enforcement import END, START, cases_table
from zhixiao.engine import connect
from zhixiao.metrics.catalogue import load_profile
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore

# the 执行 indicators public sources name for the 2024 system: 执行到位率 (审管办 Q&A, 人民法院报 图说),
# 执行完毕率 (人民法院报 图说; national values), 首执案件终本率 (only a local 会商: inferred). 终本合格率, 实际执结率,
# 执行标的到位率, 恢复执行率, 首次执行案件结案平均用时 and the 执行异议 figures are local or 2008-system ones
# (REFERENCE §1.2, §1.5): court-classic carries them, spc-2024 must not.
PUBLISHED = {"enforcement_collection_rate": "[C]", "enforcement_completion_rate": "[C]", "termination_rate": "[I]"}


def test_spc_2024_carries_only_the_published_enforcement_indicators():
    inds = {i.id: i for i in load_profile("spc-2024", END)}
    assert {i for i, ind in inds.items() if ind.line == "执行"} == set(PUBLISHED)
    for iid, mark in PUBLISHED.items():
        ind = inds[iid]
        where = ind.source if mark == "[C]" else ind.unpublished
        assert "列入" in where and mark in where, iid  # membership cited, or marked as this catalogue's inference
        assert "合理区间未公开" in ind.unpublished, iid
    # 裁判申请执行率: name and direction published, membership of the 18 not: marked [M]
    assert "[M]" in inds["enforcement_application_rate"].unpublished
    assert "18 项" in inds["enforcement_application_rate"].unpublished
    classic = {i.id for i in load_profile("court-classic", END) if i.line == "执行"}
    assert set(PUBLISHED) < classic and "termination_compliance_rate" in classic - set(inds)


@pytest.fixture(scope="module")
def enforcement_court(tmp_path_factory):
    path = tmp_path_factory.mktemp("spc_enforcement")
    with CaseStore(path).transaction() as tx:
        tx.write("cases", cases_table())
    return connect(path)


def test_average_closing_time_leaves_enforcement_out(enforcement_court):
    # the enforcement court of test_enforcement.py holds only 执行 cases: spc-2024's 平均结案时间 counts none of
    # them (0 ÷ 0 → no value) while court-classic's 首次执行案件结案平均用时 is 846 days over 9 = 94.0
    spc = evaluate(enforcement_court, "spc-2024", START, END, indicators=["avg_days"]).rows[0]
    assert (spc.numerator, spc.denominator, spc.value) == (0, 0, None)
    classic = evaluate(enforcement_court, "court-classic", START, END, indicators=["enforcement_avg_days"]).rows[0]
    assert (classic.numerator, classic.denominator, classic.value) == (846, 9, 94.0)
