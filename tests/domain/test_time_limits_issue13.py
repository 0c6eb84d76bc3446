"""Issue 13: the limit table against primary law and the counting rules, worked by hand.

Each row: the statute's limit, counted from the day after 立案 (若干规定 art 8), months first (不分大小月: the
corresponding day or the month's last day), then days; a rest-day expiry rolls to the next working day of the
State Council calendar (CPL 2023 art 85) — except an hour limit, which ends on 立案 + ⌈hours/24⌉ and does not
roll (data/time_limits.toml). Calendar facts used (chinesecalendar 1.11): 2025 劳动节 05-01..05 off; 2025 国庆
10-01..08 off, 10-11 (Sat) 调休 working; 2026 元旦 01-01..03 off, 01-04 (Sun) working; 2026 春节 02-15..23 off,
02-14 and 02-28 (Sat) working; 2024 春节 02-10..17 off, 02-18 (Sun) working; 2025-09-03 is an ordinary Wednesday
in the package (its State Council status was not checked beyond the package).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.domain import case_types
from zhixiao.domain.time_limits import LIMITS, Interval, compute_deadline, event_inputs

D = date

# (procedure, filed, keyword arguments, expected deadline, working)
HAND = [
    # ---- 行申/行赔申: 6 months (法释〔2018〕1号 第112条), was 3
    ("admin_retrial_review", D(2025, 3, 3), {}, D(2025, 9, 3), "6个月: 03-03 → 09-03 (Wed)"),
    ("admin_retrial_review", D(2024, 8, 31), {}, D(2025, 2, 28), "6个月: 08-31 → Feb has no 31st → 02-28 (Fri)"),
    # ---- 刑事简易 一个半月 = one month, then 15 days, from 受理 (CrPL art 220), once extended
    ("criminal_simplified", D(2025, 1, 31), {"extensions": [(0, 25)]}, D(2025, 3, 17),
     "01-31 + 1个月 = 02-28, + 15 = 03-15 (Sat) → 03-17 (Mon); 20 + 25 days would give 03-17 too only by luck"),
    ("criminal_simplified", D(2024, 1, 31), {"extensions": [(0, 25)]}, D(2024, 3, 15),
     "leap year: 01-31 + 1个月 = 02-29, + 15 = 03-15 (Fri)"),
    ("criminal_simplified", D(2025, 1, 30), {"extensions": [(0, 25)]}, D(2025, 3, 17),
     "01-30 + 1个月 = 02-28, + 15 = 03-15 (Sat) → 03-17"),
    ("criminal_simplified", D(2025, 12, 31), {"extensions": [(0, 25)]}, D(2026, 2, 24),
     "12-31 + 1个月 = 01-31, + 15 = 02-15, 春节 (02-15..23 off) → 02-24 (Tue)"),
    ("criminal_simplified", D(2023, 12, 31), {"extensions": [(0, 25)]}, D(2024, 2, 18),
     "12-31 + 1个月 = 01-31, + 15 = 02-15 inside 春节 2024 (02-10..17 off) → 02-18, a 调休 working Sunday"),
    ("criminal_simplified", D(2025, 3, 31), {"extensions": [(1, 0)]}, D(2025, 5, 15),
     "03-31 + 1个月 = 04-30, + 15 = 05-15 (Thu) — whatever length the event records, the total is 一个半月"),
    ("criminal_simplified", D(2025, 8, 31), {"extensions": [(0, 25)]}, D(2025, 10, 15),
     "08-31 + 1个月 = 09-30, + 15 = 10-15 (Wed); 45 days would give 10-15 too, 20 + 25 as well"),
    ("criminal_simplified", D(2025, 2, 28), {"extensions": [(0, 25)]}, D(2025, 4, 14),
     "02-28 + 1个月 = 03-28, + 15 = 04-12 (Sat) → 04-14 (Mon); 45 days would give 04-14 via 04-14 itself"),
    ("criminal_simplified", D(2025, 3, 31), {}, D(2025, 4, 21), "20日: 03-31 + 20 = 04-20 (Sun) → 04-21"),
    ("criminal_speedy", D(2025, 6, 2), {"extensions": [(0, 5)]}, D(2025, 6, 17), "延长至十五日: 06-02 + 15 = 06-17 (Tue)"),
    # ---- 刑事 简易/速裁 → 普通: from the conversion decision (刑诉法解释)
    ("criminal_simplified", D(2025, 3, 3), {"procedure_changes": [(D(2025, 3, 14), "criminal_public")]},
     D(2025, 6, 16), "转普通 on 03-14: 3个月 → 06-14 (Sat) → 06-16 (Mon); from 立案 it would be 06-03"),
    ("criminal_speedy", D(2025, 6, 30), {"procedure_changes": [(D(2025, 7, 8), "criminal_public")]},
     D(2025, 10, 9), "转普通 on 07-08: 3个月 → 10-08 inside 国庆 (10-01..08) → 10-09"),
    ("criminal_public", D(2025, 4, 7), {"conversions": [D(2025, 4, 15)]}, D(2025, 7, 15),
     "stored form (final procedure + conversion date): 04-15 + 3个月 = 07-15 (Tue)"),
    # ---- civil 简易 → 普通 keeps 立案 (民诉解释 258)
    ("civil_simplified", D(2025, 4, 30), {"procedure_changes": [(D(2025, 6, 1), "civil_ordinary")]},
     D(2025, 10, 30), "普通 6个月 from 立案 04-30 → 10-30 (Thu), not from 06-01"),
    # ---- late deductions do not revive an expired deadline
    ("civil_ordinary", D(2025, 3, 3), {"deductions": [(D(2025, 9, 20), D(2025, 10, 19))], "as_of": D(2025, 11, 1)},
     D(2025, 9, 3), "the issue's example: expiry 09-03 (Wed, a working day) passed before 鉴定 09-20 began"),
    ("civil_ordinary", D(2025, 3, 3), {"deductions": [(D(2025, 9, 3), D(2025, 9, 12))], "as_of": D(2025, 11, 1)},
     D(2025, 9, 15), "a deduction starting ON the last day counts: 09-03 + 10 = 09-13 (Sat) → 09-15"),
    ("civil_ordinary", D(2025, 3, 3), {"deductions": [(D(2025, 9, 4), D(2025, 9, 12))], "as_of": D(2025, 11, 1)},
     D(2025, 9, 3), "one day after the last day: late, nothing deducted"),
    ("civil_ordinary", D(2025, 3, 6), {"deductions": [(D(2025, 9, 7), D(2025, 9, 16))], "as_of": D(2025, 11, 1)},
     D(2025, 9, 16), "expiry 09-06 (Sat) rolls to 09-08, so a 鉴定 from Sunday 09-07 still stops the clock: 09-06 + 10 = 09-16"),
    ("civil_ordinary", D(2025, 3, 6), {"deductions": [(D(2025, 9, 9), D(2025, 9, 16))], "as_of": D(2025, 11, 1)},
     D(2025, 9, 8), "from 09-09, after the rolled expiry 09-08: late"),
    ("civil_simplified", D(2025, 1, 10),
     {"deductions": [(D(2025, 3, 1), D(2025, 3, 30)), (D(2025, 5, 5), D(2025, 5, 14)), (D(2025, 6, 1), D(2025, 6, 5))],
      "as_of": D(2025, 7, 1)}, D(2025, 5, 20),
     "04-10 + 公告 30 = 05-10 (Sat, due 05-12); 鉴定 from 05-05 counts: + 10 = 05-20 (Tue); 06-01 > 05-20: late 5"),
    ("civil_ordinary", D(2025, 1, 2), {"deductions": [Interval(D(2025, 8, 1), None, "suspension")], "as_of": D(2025, 9, 30)},
     D(2025, 7, 2), "an open 中止 from 08-01 begun after expiry 07-02 (Wed): not counted, deadline stays"),
    # ---- limits in hours: ⌈hours/24⌉ days, no roll-forward
    ("protection_order", D(2025, 5, 1), {}, D(2025, 5, 4), "72小时: 05-01 + 3 = 05-04, inside 劳动节 but no roll"),
    ("protection_order", D(2025, 10, 1), {"tags": ["urgent"]}, D(2025, 10, 2), "情况紧急 24小时: 10-01 + 1 = 10-02"),
    ("preservation_pre_suit", D(2025, 1, 24), {}, D(2025, 1, 26), "48小时: Fri 01-24 + 2 = Sun 01-26, no roll"),
    ("preservation_pre_suit", D(2025, 9, 30), {}, D(2025, 10, 2), "48小时 across 国庆: 10-02, no roll"),
    # ---- types that had no limit
    ("preservation_in_suit", D(2025, 4, 30), {}, D(2025, 5, 6), "5日: 05-05 inside 劳动节 → 05-06"),
    ("civil_payment_order", D(2025, 9, 16), {}, D(2025, 10, 9), "民督 15日: 09-16 + 15 = 10-01 国庆 → 10-09"),
    ("state_comp_committee", D(2025, 3, 31), {}, D(2025, 6, 30), "委赔 3个月: 03-31 → 06-30 (Mon)"),
    ("state_comp_committee", D(2025, 3, 31), {"extensions": [(3, 0)]}, D(2025, 9, 30), "+3个月 (院长): 09-30 (Tue)"),
    ("state_comp_court", D(2025, 12, 31), {}, D(2026, 2, 28), "法赔 2个月: 12-31 → 02-28, a 调休 working Saturday"),
    ("admin_nonlit_review", D(2025, 6, 27), {}, D(2025, 7, 4), "行审 7日: 06-27 + 7 = 07-04 (Fri)"),
    ("admin_nonlit_review", D(2025, 6, 27), {"tags": ["parties_heard"]}, D(2025, 7, 28),
     "听取意见 30日: 06-27 + 30 = 07-27 (Sun) → 07-28"),
    ("admin_nonlit_reconsider", D(2025, 12, 2), {}, D(2026, 1, 4), "行审复 30日: 12-02 + 30 = 01-01 元旦 → 01-04 (working Sunday)"),
    ("bankruptcy_application", D(2025, 2, 20), {}, D(2025, 3, 7), "破申 15日: 02-20 + 8 = 02-28, + 7 = 03-07 (Fri)"),
    ("bankruptcy_application", D(2025, 2, 20), {"extensions": [(0, 15)]}, D(2025, 3, 24),
     "+15日 (上一级): 03-22 (Sat) → 03-24"),
    ("criminal_medical", D(2025, 1, 26), {}, D(2025, 2, 26), "刑医 1个月: 01-26 → 02-26 (Wed)"),
    ("sentence_change", D(2025, 4, 30), {}, D(2025, 5, 30), "刑更 1个月: 04-30 → 05-30 (Fri)"),
    ("criminal_petition_review", D(2025, 6, 15), {}, D(2025, 9, 15), "刑申 3个月: 06-15 → 09-15 (Mon)"),
    ("civil_protest_review", D(2025, 4, 1), {}, D(2025, 5, 6), "民抗 30日: 04-01 + 30 = 05-01 劳动节 → 05-06"),
    # ---- repeated extensions approved by the SPC (CrPL arts 208, 243)
    ("criminal_public", D(2025, 1, 2), {"extensions": [(3, 0), (3, 0), (3, 0)]}, D(2026, 1, 4),
     "3 + 3 (上一级) + 3 + 3 (最高院, twice) = 12个月: 2026-01-02 元旦 → 01-04 (working Sunday)"),
    ("criminal_second", D(2025, 2, 10), {"extensions": [(2, 0), (1, 0), (1, 0)]}, D(2025, 8, 11),
     "2 + 2 (高院) + 1 + 1 (最高院, twice) = 6个月: 08-10 (Sun) → 08-11"),
]


@pytest.mark.parametrize(("procedure", "filed", "kw", "expected", "why"), HAND, ids=[f"{h[0]}-{i}" for i, h in enumerate(HAND)])
def test_hand_worked_deadline(procedure, filed, kw, expected, why):
    kw = {"as_of": filed, **kw}
    assert compute_deadline(procedure, filed, **kw).deadline == expected, why


def test_at_least_thirty_hand_worked_deadlines():
    assert len(HAND) >= 30


def test_late_deduction_is_reported():
    r = compute_deadline("civil_ordinary", D(2025, 3, 3), deductions=[(D(2025, 9, 20), D(2025, 10, 19))],
                         as_of=D(2025, 11, 1))
    # 09-20..10-19 = 11 + 19 = 30 days, none counted
    assert (r.deducted_days, r.late_deducted_days, r.raw_deadline) == (0, 30, D(2025, 9, 3))
    assert any("超审限后补扣" in n for n in r.notes)
    chained = compute_deadline("civil_simplified", D(2025, 1, 10), as_of=D(2025, 7, 1), deductions=[
        (D(2025, 3, 1), D(2025, 3, 30)), (D(2025, 5, 5), D(2025, 5, 14)), (D(2025, 6, 1), D(2025, 6, 5))])
    assert (chained.deducted_days, chained.late_deducted_days) == (40, 5)


def test_hour_limits_are_never_provisional_and_never_roll():
    # 2027 is unknown to the calendar: a day limit there is provisional, an hour limit does not depend on it
    r = compute_deadline("preservation_pre_suit", D(2027, 2, 5), as_of=D(2027, 2, 5))
    assert (r.deadline, r.provisional, r.unit) == (D(2027, 2, 7), False, "hour")  # a Sunday, kept


def test_norm_milestone_of_criminal_public():
    # 二个月 norm: 03-03 + 2个月 = 05-03; with a counted 10-day 精神病鉴定 05-13. The binding limit stays 3个月.
    r = compute_deadline("criminal_public", D(2025, 3, 3), as_of=D(2025, 4, 1))
    assert (r.norm_date, r.deadline) == (D(2025, 5, 3), D(2025, 6, 3))
    r = compute_deadline("criminal_public", D(2025, 3, 3), deductions=[(D(2025, 3, 10), D(2025, 3, 19))],
                         as_of=D(2025, 4, 1))
    assert r.norm_date == D(2025, 5, 13)


def test_unconfirmed_rows_carry_their_mark():
    r = compute_deadline("preservation_pre_suit", D(2025, 1, 24), as_of=D(2025, 1, 24))
    assert r.unconfirmed and r.unconfirmed_reason and r.to_json()["unconfirmed"] is True
    assert not compute_deadline("civil_ordinary", D(2025, 1, 2)).unconfirmed
    assert all(lim.unconfirmed_reason for lim in LIMITS.values() if not lim.confirmed)


def test_json_keeps_its_keys():
    keys = list(compute_deadline("civil_ordinary", D(2025, 1, 2)).to_json())
    assert keys[:7] == ["deadline", "base_deadline", "deducted_days", "extension_days", "provisional", "rule", "citation"]
    assert {"unit", "unconfirmed", "late_deducted_days"} <= set(keys)


def test_lead_times_of_2018_rule():
    # 法释〔2018〕9号 第1条: 民商事 15 days before expiry, decided 5 days before (was 10 from the 2000 text)
    for code in ("civil_ordinary", "civil_simplified", "civil_small_claims", "civil_second_judgment"):
        assert (LIMITS[code].lead_days, LIMITS[code].decide_days) == (15, 5), code
    assert LIMITS["criminal_public"].lead_days == 15 and LIMITS["criminal_public"].unconfirmed_reason


def test_extension_ceilings():
    # 简易: 4 months in all (民诉解释 258): 2025-03-10 → 07-10; 刑事简易: 一个半月; 公诉: repeatable, no ceiling
    assert LIMITS["civil_simplified"].max_extended(D(2025, 3, 10)) == D(2025, 7, 10)
    assert LIMITS["criminal_simplified"].max_extended(D(2025, 1, 31)) == D(2025, 3, 15)
    assert LIMITS["criminal_public"].max_extended(D(2025, 1, 2)) is None
    assert any(x.get("times") == "unlimited" for x in LIMITS["criminal_second"].extension)
    r = compute_deadline("civil_simplified", D(2025, 3, 10), extensions=[(2, 0)])
    assert any("法定上限" in n for n in r.notes)


@pytest.mark.parametrize(("code", "procedure"), [
    ("民督", "civil_payment_order"), ("委赔", "state_comp_committee"), ("法赔", "state_comp_court"),
    ("行审", "admin_nonlit_review"), ("行审复", "admin_nonlit_reconsider"), ("民保令", "protection_order"),
    ("司惩复", "sanction_review"), ("财保", "preservation_pre_suit"), ("行保", "preservation_pre_suit"),
    ("民抗", "civil_protest_review"), ("破申", "bankruptcy_application"), ("刑医", "criminal_medical"),
    ("刑更", "sentence_change"), ("刑申", "criminal_petition_review"), ("行申", "admin_retrial_review"),
    ("行赔申", "admin_retrial_review"),
])
def test_types_with_a_statutory_limit_have_one(code, procedure):
    assert case_types.get(code).default_procedure == procedure
    assert not LIMITS[procedure].no_limit


def test_event_inputs_carry_criminal_conversions_only():
    ev = [{"kind": "procedure_change", "start_date": D(2025, 3, 14), "detail": "criminal_public"},
          {"kind": "procedure_change", "start_date": D(2025, 3, 20), "detail": "civil_ordinary"}]
    assert event_inputs(ev)["conversions"] == [D(2025, 3, 14)]


CODES = sorted(c for c, lim in LIMITS.items() if not lim.no_limit)
dates = st.dates(D(2010, 1, 1), D(2026, 6, 30))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES), dates, st.lists(st.tuples(st.integers(1, 200), st.integers(0, 60)), max_size=3),
       st.integers(1, 120), st.integers(0, 90), st.booleans())
def test_a_deduction_after_the_deadline_never_moves_it(code, filed, deds, after, length, open_):
    """Adding a period that starts after the current deadline leaves the deadline as it was."""
    spans = [(filed + timedelta(days=s), filed + timedelta(days=s + n)) for s, n in deds]
    as_of = filed + timedelta(days=900)
    r = compute_deadline(code, filed, deductions=spans, as_of=as_of)
    start = r.deadline + timedelta(days=after)
    extra = (start, None if open_ else start + timedelta(days=length))
    r2 = compute_deadline(code, filed, deductions=[*spans, extra], as_of=max(as_of, start))
    assert r2.deadline == r.deadline and r2.deducted_days == r.deducted_days
    assert r2.late_deducted_days >= r.late_deducted_days  # (it may overlap a period already late)
