"""审限 deadlines worked out by hand from the law (REFERENCE §2.1–2.2); the arithmetic is in the comments.

Rules: count from the day after 立案 (若干规定 art 8) → N days end on filed + N; months end on the
corresponding day or the month's last day; a rest-day expiry rolls to the next working day (CPL art 85).
"""

from __future__ import annotations

from datetime import date

import pytest

from zhixiao.domain.calendar import WorkCalendar
from zhixiao.domain.time_limits import (
    LIMITS,
    Interval,
    add_months,
    case_status,
    compute_deadline,
    merge_intervals,
    pending_months,
)

D = date

# (procedure, filed, expected deadline, why)
HAND = [
    ("civil_ordinary", D(2025, 3, 10), D(2025, 9, 10), "6个月: 03-10 → 09-10 (Wed)"),
    ("civil_simplified", D(2024, 11, 30), D(2025, 2, 28), "3个月: 11-30 → Feb has no 30th → 02-28 (Fri)"),
    ("civil_small_claims", D(2024, 12, 31), D(2025, 2, 28), "2个月 across the year end: 12-31 → 02-28 (Fri)"),
    ("civil_special", D(2025, 9, 1), D(2025, 10, 9), "30日: 09-01 + 30 = 10-01 国庆 (10-01..08 off) → 10-09"),
    ("civil_second_judgment", D(2024, 10, 28), D(2025, 2, 5), "3个月: 01-28 春节 (01-28..02-04 off) → 02-05"),
    ("civil_second_ruling", D(2025, 1, 9), D(2025, 2, 8), "30日: 01-09 + 30 = 02-08, a 调休 working Saturday"),
    ("civil_retrial_review", D(2014, 5, 28), D(2014, 8, 28), "3个月: the SPC's own example 05-28 → 08-28"),
    # 6 months since issue 13 (法释〔2018〕1号 第112条; the old row said 3 months → 06-03)
    ("admin_retrial_review", D(2025, 3, 1), D(2025, 9, 1), "6个月: 03-01 → 09-01 (Mon)"),
    ("civil_maritime", D(2023, 6, 15), D(2024, 6, 17), "1年: 2024-06-15 is a Saturday → Monday 06-17"),
    ("sanction_review", D(2025, 4, 30), D(2025, 5, 6), "5日: 05-05 inside 劳动节 (05-01..05) → 05-06"),
    ("criminal_public", D(2025, 7, 4), D(2025, 10, 9), "3个月: 10-04 国庆 → 10-09"),
    ("criminal_private_detained", D(2024, 12, 31), D(2025, 3, 31), "3个月: 12-31 → 03-31 (Mon)"),
    ("criminal_private_free", D(2024, 8, 31), D(2025, 2, 28), "6个月: 08-31 → Feb → 02-28 (Fri)"),
    ("criminal_simplified", D(2025, 12, 12), D(2026, 1, 4),
     "20日: 12-12 + 20 = 2026-01-01 元旦 (01-01..03 off), 01-04 is a 调休 working Sunday"),
    ("criminal_speedy", D(2025, 9, 25), D(2025, 10, 9), "10日: 09-25 + 10 = 10-05 国庆 → 10-09"),
    ("criminal_second", D(2025, 12, 20), D(2026, 2, 24), "2个月: 2026-02-20 春节 (02-15..23 off) → 02-24"),
    ("criminal_retrial", D(2025, 5, 31), D(2025, 9, 1), "3个月: 08-31 is a Sunday → 09-01"),
    ("admin_first", D(2025, 5, 19), D(2025, 11, 19), "6个月: 05-19 → 11-19 (Wed)"),
    ("admin_simplified", D(2025, 3, 1), D(2025, 4, 15), "45日: 03-01 + 30 = 03-31, + 15 = 04-15 (Tue)"),
    ("admin_second", D(2026, 9, 30), D(2026, 12, 30), "3个月: 09-30 → 12-30 (Wed)"),
    ("enforcement", D(2025, 1, 15), D(2025, 7, 15), "6个月: 01-15 → 07-15 (Tue)"),
    ("enforcement_non_litigation", D(2025, 6, 30), D(2025, 9, 30), "3个月: 06-30 → 09-30 (Tue)"),
    ("enforcement_objection", D(2025, 2, 20), D(2025, 3, 7), "15日: 02-20 + 8 = 02-28, + 7 = 03-07 (Fri)"),
    ("enforcement_review", D(2024, 2, 1), D(2024, 3, 4), "30日 in a leap year: 02-01 + 29 = 03-01, + 1 = 03-02 Sat → 03-04"),
    ("pre_suit_mediation", D(2025, 6, 2), D(2025, 7, 2), "30日: 06-02 + 28 = 06-30, + 2 = 07-02 (Wed)"),
]


def test_every_procedure_has_a_hand_computed_case():
    from tests.domain.test_time_limits_issue13 import HAND as HAND13
    from zhixiao.domain.time_limits import resolve_procedure

    issue13 = {resolve_procedure(p, kw.get("tags", ())) for p, _, kw, *_ in HAND13}
    assert {p for p, *_ in HAND} | issue13 | {"no_limit"} == set(LIMITS)


@pytest.mark.parametrize(("procedure", "filed", "expected", "why"), HAND, ids=[h[0] for h in HAND])
def test_hand_computed_deadline(procedure, filed, expected, why):
    r = compute_deadline(procedure, filed, as_of=filed)
    assert r.deadline == expected, why
    assert not r.provisional and r.rule == procedure and r.citation == LIMITS[procedure].citation


def test_base_deadline_is_before_roll_forward():
    r = compute_deadline("civil_special", D(2025, 9, 1), as_of=D(2025, 9, 1))
    assert r.base_deadline == D(2025, 10, 1) and r.deadline == D(2025, 10, 9)


def test_adjusted_saturday_rolls_when_setting_is_off():
    # 02-08 (调休 Sat) is a working day by default; with the setting off → Sun 02-09 → Mon 02-10.
    strict = WorkCalendar(roll_on_adjusted_workday=False)
    assert compute_deadline("civil_second_ruling", D(2025, 1, 9), calendar=strict).deadline == D(2025, 2, 10)
    # and with roll-forward off entirely the statutory day stands even on a holiday
    assert compute_deadline("civil_special", D(2025, 9, 1), roll_forward=False).deadline == D(2025, 10, 1)


def test_unknown_future_year_is_provisional():
    # 3个月: 2026-11-06 → 2027-02-06, a Saturday; 2027 unknown → weekends-only → Monday 02-08, provisional.
    r = compute_deadline("enforcement_non_litigation", D(2026, 11, 6), as_of=D(2026, 11, 6))
    assert r.deadline == D(2027, 2, 8) and r.provisional
    # once the court enters a (test) arrangement for 2027 the flag goes and the holiday applies
    cal = WorkCalendar({"year": {"2027": {"holidays": ["2027-02-06..2027-02-12"]}}})
    r = compute_deadline("enforcement_non_litigation", D(2026, 11, 6), calendar=cal)
    assert r.deadline == D(2027, 2, 15) and not r.provisional


def test_extension_months_are_added_to_the_whole_period():
    # 普通 6个月 + 院长延长 6个月 from 2024-08-31: 12 months → 2025-08-31 (Sun) → 09-01;
    # base 2025-02-28; extension_days = 02-28 → 08-31 = 31+30+31+30+31+31 = 184.
    r = compute_deadline("civil_ordinary", D(2024, 8, 31), extensions=[(6, 0)], as_of=D(2025, 3, 1))
    assert (r.base_deadline, r.deadline, r.extension_days) == (D(2025, 2, 28), D(2025, 9, 1), 184)
    assert r.to_json()["extension_days"] == 184
    # 简易 3个月 + 1个月 (民诉解释 258): 2025-03-10 → 07-10 (Thu)
    assert compute_deadline("civil_simplified", D(2025, 3, 10), extensions=[(1, 0)]).deadline == D(2025, 7, 10)


def test_overlapping_deductions_count_once():
    # 普通 filed 2025-03-10 → 09-10. 公告 04-01..04-30 (30 d) ∪ 鉴定 04-15..05-14 = 04-01..05-14 = 30 + 14 = 44;
    # 和解 06-01..06-10 = 10 → 54 days. 09-10 + 54: +20 = 09-30, +31 = 10-31, +3 = 11-03 (Mon).
    r = compute_deadline(
        "civil_ordinary", D(2025, 3, 10), as_of=D(2025, 7, 1),
        deductions=[(D(2025, 4, 1), D(2025, 4, 30)), (D(2025, 4, 15), D(2025, 5, 14)), (D(2025, 6, 1), D(2025, 6, 10))],
    )
    assert (r.deducted_days, r.deadline, r.open_deduction) == (54, D(2025, 11, 3), False)


def test_open_deduction_counts_to_as_of_and_is_flagged():
    # 管辖异议 from 05-01, no end; as-of 06-30: 05-01..06-30 = 31 + 30 = 61 days. 09-10 + 61 = 11-10 (Mon).
    r = compute_deadline("civil_ordinary", D(2025, 3, 10), deductions=[(D(2025, 5, 1), None)], as_of=D(2025, 6, 30))
    assert (r.deducted_days, r.deadline, r.open_deduction) == (61, D(2025, 11, 10), True)
    assert case_status(r, D(2025, 6, 30)).status == "扣除中"
    # a closed case's open interval stops at the closing date: 05-01..05-20 = 20 days → 09-30 (Tue)
    r = compute_deadline("civil_ordinary", D(2025, 3, 10), deductions=[(D(2025, 5, 1), None)],
                         as_of=D(2025, 6, 30), closed=D(2025, 5, 20))
    assert (r.deducted_days, r.deadline) == (20, D(2025, 9, 30))


def test_suspension_status_and_deduction_before_filing_is_clipped():
    # 中止 from 2025-02-01 (before filing 03-10) counts only from 03-11: 03-11..04-09 = 21 + 9 = 30 → 10-10 (Fri).
    r = compute_deadline("civil_ordinary", D(2025, 3, 10), as_of=D(2025, 4, 1),
                         deductions=[Interval(D(2025, 2, 1), D(2025, 4, 9), "suspension")])
    assert (r.deducted_days, r.deadline) == (30, D(2025, 10, 10))
    assert case_status(r, D(2025, 4, 1)).status == "中止中"


def test_procedure_change_keeps_filing_date():
    # 简易 filed 2025-01-10, 转普通 on 03-01 → 普通 6 months from 01-10 = 07-10 (Thu), not from 03-01.
    r = compute_deadline("civil_simplified", D(2025, 1, 10), procedure_changes=[(D(2025, 3, 1), "civil_ordinary")])
    assert (r.deadline, r.rule) == (D(2025, 7, 10), "civil_ordinary")


def test_restart_restarts_the_clock():
    # 公诉 filed 2025-03-03; 补充侦查 returned 05-06 → 3 months from 05-06 = 08-06 (Wed); the 公告 before
    # the restart no longer counts.
    r = compute_deadline("criminal_public", D(2025, 3, 3), restarts=[D(2025, 5, 6)],
                         deductions=[(D(2025, 3, 10), D(2025, 3, 20))])
    assert (r.start, r.deadline, r.deducted_days) == (D(2025, 5, 6), D(2025, 8, 6), 0)


def test_no_limit_and_foreign_related():
    assert compute_deadline("no_limit", D(2025, 1, 1)).no_limit
    r = compute_deadline("civil_ordinary", D(2025, 1, 1), tags=["foreign_related"])
    assert r.no_limit and r.deadline is None and "涉外" in r.citation
    assert case_status(r, D(2026, 1, 1)).status == "不计审限"
    # the 涉外 exemption is civil only: a foreign-related criminal case keeps its limit
    assert not compute_deadline("criminal_public", D(2025, 1, 1), tags=["foreign_related"]).no_limit


def test_unknown_procedure_is_rejected():
    with pytest.raises(ValueError, match="未知的程序代码"):
        compute_deadline("civil_bogus", D(2025, 1, 1))


def test_case_status_ladder():
    r = compute_deadline("civil_ordinary", D(2025, 3, 10))  # deadline 09-10; 184 days from 03-10
    assert case_status(r, D(2025, 5, 1)).status == "正常"
    near = case_status(r, D(2025, 7, 15))  # 127/184 = 0.69 ≥ 2/3
    assert near.status == "临近" and near.days_remaining == 57
    assert case_status(r, D(2025, 9, 10)).status == "临近"  # the last day is still within the limit
    over = case_status(r, D(2025, 9, 11))
    assert over.status == "超审限" and over.days_remaining == -1
    done = case_status(r, D(2025, 12, 1), closed=D(2025, 9, 10))
    assert done.status == "已结" and done.closed_within_limit is True and done.days_remaining is None
    assert case_status(r, D(2025, 12, 1), closed=D(2025, 9, 11)).closed_within_limit is False
    # closed after the as-of date → still pending at as-of
    assert case_status(r, D(2025, 5, 1), closed=D(2025, 6, 1)).status == "正常"


def test_month_helpers():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert pending_months(D(2025, 1, 31), D(2025, 2, 28)) == 1  # 02-28 is the month-end counterpart
    assert pending_months(D(2025, 1, 15), D(2026, 1, 14)) == 11
    assert pending_months(D(2025, 1, 15), D(2026, 1, 15)) == 12
    assert merge_intervals([(D(2025, 1, 5), D(2025, 1, 9)), (D(2025, 1, 1), D(2025, 1, 5)),
                            (D(2025, 1, 20), D(2025, 1, 20))]) == [(D(2025, 1, 1), D(2025, 1, 9)),
                                                                    (D(2025, 1, 20), D(2025, 1, 20))]


def test_open_suspension_closed_by_resumption():
    from zhixiao.domain.time_limits import close_suspensions

    ivs = close_suspensions([Interval(D(2025, 4, 1), None, "suspension"), (D(2025, 5, 1), None)],
                            [D(2025, 3, 1), D(2025, 4, 20), D(2025, 6, 1)])
    # the 中止 ends at the first 恢复 on/after it (04-20); an open 扣除 is not touched by a 恢复
    assert ivs == [Interval(D(2025, 4, 1), D(2025, 4, 20), "suspension"), Interval(D(2025, 5, 1), None, "deduction")]
