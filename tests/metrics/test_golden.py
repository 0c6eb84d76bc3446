"""Golden tests: every indicator of every profile on the hand-made court (conftest.py), numerator and
denominator worked out by hand below; the same suite runs on DuckDB and on Spark."""

from __future__ import annotations

from datetime import date

import pytest

from tests.metrics.conftest import BASIC, END, MID, START
from zhixiao.metrics.evaluate import evaluate

# Cases in 2025 after the default exclusions (C11 诉前调书, C12/C13 民诉前调, C14 执保, C15 执恢 are out):
#   new (filed 2025): C2 C3 C4 C5 C9 C16 C18 C19 C20 C22 C23 C24 C25 C27 C28            = 15
#   carried over (filed <2025, open on 1 Jan): C1 C6 C7 C10 C17 C21 C30                  = 7
#   closed in 2025: C1 C2 C3 C4 C16 C17 C19 C20 C21 C23 C24 C25 C28 C30                  = 14
#   pending 31 Dec: C5 C6 C7 C9 (closes 2026-01-05) C10 C18 C22 C27                       = 8
#   days of the 14 closed: 71+30+181+30+54+40+120+120+123+59+61+61+55+609               = 1614
#   first-instance closed: C1 C2 C3 C4 C16 C17 C30 = 7, appealed C1 C16 = 2
CLASSIC = {  # id: (numerator, denominator, value)
    "new_cases": (15, None, 15),
    "carried_over": (7, None, 7),
    "received": (22, None, 22),
    "closed": (14, None, 14),
    "pending": (8, None, 8),
    "closure_rate": (14, 22, 14 / 22),
    "clearance_ratio": (14, 15, 14 / 15),
    "avg_days": (1614, 14, 1614 / 14),
    "long_pending_12m": (2, None, 2),  # C6 (2023-06-30), C10; C7 filed exactly 12 months before: not over
    "long_pending_24m": (2, None, 2),  # C6, C10
    "long_pending_36m": (1, None, 1),  # C10
    # 1 − (appealed C1 C16) ÷ 7, shown as the 5 accepted judgments of 7 (numerator = denominator − x)
    "acceptance_rate": (5, 7, 1 - 2 / 7),
    "reversal_rate": (1, 7, 1 / 7),  # C23 reversed (原审 C1); C24's 原审 is not in the store
    "mediation_withdrawal_rate": (2, 5, 2 / 5),  # civil first closed C1 C2 C3 C4 C30; 调解 C2, 撤诉 C4
    "simplified_rate": (3, 5, 3 / 5),  # C1, C4 simplified; C2 small claims
    "small_claims_rate": (1, 5, 1 / 5),
    "ruled_in_court_rate": (2, 5, 2 / 5),  # 判决 first: C1 C3 C16 C17 C30; 当庭 C3, C16
    "closed_per_judge": (14, 5, 14 / 5),  # 员额法官 active in 2025: J1 J2 J3 J4 J5 (J6 助理, J7 left 2024)
}
SPC = {
    "case_dispute_ratio": (6, 5, 6 / 5),  # C1 C23 (D1), C2 (D2), C3 (D3), C24 (D9), C30 (D10)
    "long_pending_12m_ratio": (2, 8, 2 / 8),
    "enforcement_collection_rate": (35000, 80000, 35000 / 80000),  # C19 C20 C21
    "enforcement_completion_rate": (2, 3, 2 / 3),  # C19, C21
    "termination_rate": (1, 3, 1 / 3),  # C20
    "second_hearing_rate": (2, 4, 2 / 4),  # C23 C25 of C23 C24 C25 C28
    "appeal_transfer_days": (25, 2, 12.5),  # C1 13 days, C16 12 days
    # no exclusions: C12 success; new 民诉前调/民初: C2 C3 C4 C5 C9 C12 C13, each its own dispute (C2 D2, C3 D3,
    # the rest without a 纠纷编号)
    "pre_suit_mediation_ratio": (1, 7, 1 / 7),
    "second_reversal_remand_ratio": (1, 1, 1.0),
    "retrial_reversal_remand_ratio": (0, 0, None),  # zero denominator → no value, not inf
    "appeal_rate": (2, 7, 2 / 7),
    "petition_rate": (1, 11, 1 / 11),  # C27; first+second closed 7 + 4
    "mediation_rate": (1, 8, 1 / 8),  # civil closed C1 C2 C3 C4 C23 C24 C25 C30
    # new 执 C19 C20 C22 carry no 执行依据 案号 (origin_case_id), so none is a civil judgment's or mediation's
    # enforcement; civil 判决/调解 C1 C2 C3 C23 C25 C30 (test_definitions.py has the counted cases)
    "enforcement_application_rate": (0, 6, 0.0),
    # 审判 only (the SPC publishes it per 刑事/民商事/行政 line): court-classic's 1614 days over 14 closings, less
    # 执 C19 (01-05 → 05-05, 120 days), C20 (02-01 → 06-01, 120) and C21 (2024-10-01 → 02-01, 123) = 363
    "avg_days": (1614 - 363, 14 - 3, 1251 / 11),
}
COURTOOLS = {
    "clearance_ratio": (14, 15, 14 / 15),
    "ttd_civil_180": (6, 8, 6 / 8),  # C3 181 days and C30 609 days miss
    "ttd_civil_365": (7, 8, 7 / 8),
    "ttd_civil_540": (7, 8, 7 / 8),
    "ttd_criminal_90": (3, 3, 1.0),  # C16 54, C17 40, C28 55
    "ttd_criminal_180": (3, 3, 1.0),
    "ttd_criminal_365": (3, 3, 1.0),
    "active_pending": (7, None, 7),  # C22 suspended on 31 Dec
    "active_pending_age": (3319, 7, 3319 / 7),  # 91 + 915 + 365 + 0 + 1705 + 60 + 183
    "backlog_rate": (2, 7, 2 / 7),  # C6 915, C10 1705 (C7 exactly 365 is not over)
    "disposition_time": (8, 14, 365 * 8 / 14),
    "case_turnover_ratio": (14, 8, 14 / 8),
}
NO_DEADLINE = {"court-classic": CLASSIC, "spc-2024": SPC, "courtools": COURTOOLS}


def _check(result, expected):
    got = {r.indicator: r for r in result.rows}
    assert set(got) == set(expected)
    for iid, (num, den, value) in expected.items():
        r = got[iid]
        assert (r.numerator, r.denominator) == (num, den), iid
        assert r.value == pytest.approx(value) if value is not None else r.value is None, iid


@pytest.mark.parametrize("profile", list(NO_DEADLINE))
def test_every_indicator_by_hand(engine, profile):
    expected = NO_DEADLINE[profile]
    result = evaluate(engine, profile, START, END, indicators=list(expected))
    _check(result, expected)


def test_yoy_against_2024(engine):
    # 2024: new C1 C7 C8 C17 C21 C26 C30 = 7; carried over C6 C10 = 2; closed C8 C26 = 2
    res = evaluate(engine, "court-classic", START, END, compare="yoy",
                   indicators=["new_cases", "received", "closure_rate", "clearance_ratio", "long_pending_36m",
                               "closed_per_judge", "acceptance_rate"])
    new = res.get("new_cases")
    assert (new.previous, new.yoy, new.yoy_unit, new.improved) == (7, pytest.approx((15 - 7) / 7 * 100), "%", True)
    cr = res.get("closure_rate")
    assert cr.previous == pytest.approx(2 / 9)
    assert cr.yoy == pytest.approx((14 / 22 - 2 / 9) * 100) and cr.yoy_unit == "pp" and cr.improved is True
    assert res.get("clearance_ratio").previous == pytest.approx(2 / 7)
    lp = res.get("long_pending_36m")  # C10 was already over 36 months? 2021-05-01 < 2021-12-31 → yes in 2024 too
    assert (lp.value, lp.previous, lp.yoy, lp.improved) == (1, 1, 0.0, None)
    assert res.get("closed_per_judge").previous == pytest.approx(2 / 5)  # J1 J3 J4 J5 J7 in 2024
    acc = res.get("acceptance_rate")  # 2024 first-instance closed: C8 only, not appealed
    assert acc.previous == pytest.approx(1.0) and acc.yoy == pytest.approx((5 / 7 - 1) * 100) and acc.improved is False


def test_by_division_includes_empty_group_and_judge_headcount(engine):
    res = evaluate(engine, "court-classic", START, END, by=("court", "division"),
                   indicators=["new_cases", "closed", "received", "pending", "closure_rate", "closed_per_judge"])
    civil = {r.indicator: r for r in res.rows if r.group == {"court_code": BASIC, "court_name": "正定县人民法院",
                                                              "division": "民一庭"}}
    # 民一庭: new C2 C3 C4 C5 C9; closed C1 C2 C3 C4 C30; carried C1 C6 C7 C10 C30; 员额法官 J1 J2
    assert [civil[i].value for i in ("new_cases", "closed", "received", "pending")] == [5, 5, 10, 5]
    assert civil["closed_per_judge"].value == pytest.approx(5 / 2)
    empty = {r.indicator: r for r in res.rows if r.group.get("division") == "立案庭"}
    assert empty["closed"].value == 0 and empty["received"].value == 0
    assert empty["closure_rate"].value is None and empty["closure_rate"].in_range is None  # 0/0: no value
    assert empty["closed_per_judge"].value is None  # nobody on the roster
    mid = res.get("closed", court_code=MID, division="民二庭")
    assert mid.value == 4  # C23 C24 C25 C28


def test_reversal_rate_is_attributed_to_the_first_instance_cell(engine):
    res = evaluate(engine, "court-classic", START, END, by=("court", "division"), indicators=["reversal_rate"])
    civil = res.get("reversal_rate", court_code=BASIC, division="民一庭")
    assert (civil.numerator, civil.denominator) == (1, 5)  # C23 reversed C1; 民一庭 first closed C1 C2 C3 C4 C30
    appeal_court = res.get("reversal_rate", court_code=MID, division="民二庭")
    assert (appeal_court.numerator, appeal_court.denominator, appeal_court.value) == (0, 0, None)
    judges = evaluate(engine, "court-classic", START, END, by=("judge",), indicators=["reversal_rate"])
    assert judges.get("reversal_rate", judge_id="J1").numerator == 1  # C1's judge, not the appeal judge J5
    assert judges.get("reversal_rate", judge_id="J5").numerator == 0


def test_by_judge_and_line_and_filter(engine):
    res = evaluate(engine, "court-classic", START, END, by=("judge",), indicators=["closed", "closed_per_judge"])
    assert res.get("closed", judge_id="J1").value == 3  # C1 C2 C30
    assert res.get("closed_per_judge", judge_id="J1").value == pytest.approx(3.0)
    by_line = evaluate(engine, "court-classic", START, END, by=("line",), indicators=["closed", "closed_per_judge"])
    assert by_line.get("closed", line="刑事").value == 3  # C16 C17 C28
    assert by_line.get("closed", line="执行").value == 3  # C19 C20 C21 (C14 执保 excluded)
    assert by_line.get("closed_per_judge", line="民事").value is None  # the roster has no 条线
    only_mid = evaluate(engine, "court-classic", START, END, filters={"court_code": MID}, indicators=["closed"])
    assert only_mid.rows[0].value == 4


def test_month_series_and_month_grouping(engine):
    from zhixiao.metrics.series import monthly

    rows = monthly(engine, START, date(2025, 3, 31))
    # Jan: new C16 C19, closed C1 C17; Feb: new C2 C20 C23, closed C21; Mar: new C3 C24, closed C2 C16
    assert [(r["new_cases"], r["closed"], r["pending_end"]) for r in rows] == [(2, 2, 7), (3, 1, 9), (2, 2, 9)]
    res = evaluate(engine, "court-classic", START, date(2025, 2, 28), by=("month",), indicators=["closed"])
    assert [(r.group["month"], r.value) for r in res.rows] == [("2025-01", 2), ("2025-02", 1)]


def test_as_of_snapshot_before_period_end(engine):
    # pending on 30 June 2025 (filed by then, open then): C3 (closes Aug), C4 (Jul), C6, C7, C10, C30 (Dec);
    # C5 C18 C22 C27 are filed later; C19 C20 C23 C24 C25 C28 closed by June
    res = evaluate(engine, "court-classic", START, END, as_of=date(2025, 6, 30), indicators=["pending"])
    assert res.rows[0].value == 6
