"""Two hearings of one civil case at most one month apart (法释〔2018〕9号 第2条): the domain rule worked by hand,
the engine's ``hearing_gaps`` column equal to it, and the ladder's 督办 for pending civil cases."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from tests.supervision.conftest import write_store
from zhixiao.deadlines import deadline_table
from zhixiao.domain.time_limits import add_months, hearing_gaps
from zhixiao.engine import connect
from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import list_alerts, run_daily

d = date


def test_hearing_gaps_by_hand():
    # one month from 01-31 ends on 02-28 (不分大小月: no 02-31, so the month's last day): 02-28 is in time
    assert hearing_gaps([d(2025, 1, 31), d(2025, 2, 28)]) == []
    # from 02-28 one month ends on 03-28: 03-31 is three days late
    assert hearing_gaps([d(2025, 2, 28), d(2025, 3, 31)]) == [(d(2025, 2, 28), d(2025, 3, 31))]
    # 03-15 → 04-15 is exactly one month; 04-16 is not; order and repeats of the input do not matter
    assert hearing_gaps([d(2025, 4, 15), d(2025, 3, 15), d(2025, 3, 15)]) == []
    assert hearing_gaps([d(2025, 3, 15), d(2025, 4, 16)]) == [(d(2025, 3, 15), d(2025, 4, 16))]
    # leap year: 2024-01-31 + 1 month = 02-29
    assert hearing_gaps([d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 1)]) == []
    assert hearing_gaps([d(2025, 1, 1)]) == [] and hearing_gaps([]) == []


@given(st.lists(st.dates(d(2000, 1, 1), d(2030, 12, 31)), max_size=8))
def test_every_gap_is_a_consecutive_pair_over_a_month(days):
    gaps = hearing_gaps(days)
    s = sorted(set(days))
    assert all(b > add_months(a, 1) and s.index(b) == s.index(a) + 1 for a, b in gaps)
    assert len(gaps) == sum(b > add_months(a, 1) for a, b in zip(s, s[1:], strict=False))


CASES = [
    {"case_id": "A", "procedure": "civil_ordinary", "filing_date": d(2025, 7, 1)},  # within its 6 months
    {"case_id": "B", "procedure": "civil_ordinary", "filing_date": d(2025, 4, 1)},
    {"case_id": "C", "procedure": "civil_simplified", "filing_date": d(2025, 9, 1)},
    {"case_id": "D", "procedure": "civil_ordinary", "filing_date": d(2025, 1, 2), "closing_date": d(2025, 6, 1)},
]
# A: 08-31 → 09-30 is one month (no 09-31: the month's last day); 09-30 → 10-31 is a day over (10-30): one gap
HEARINGS = {"A": [d(2025, 8, 31), d(2025, 9, 30), d(2025, 10, 31)],
            "B": [d(2025, 5, 10), d(2025, 6, 10)],  # exactly a month: none
            "C": [d(2025, 10, 1), d(2025, 11, 20)],  # a hearing scheduled 50 days after the last: one gap
            "D": [d(2025, 2, 1), d(2025, 4, 1)]}  # a gap, but the case is closed: no alert
EVENTS = [{"case_id": c, "kind": "hearing", "start_date": h} for c, hs in HEARINGS.items() for h in hs]


def test_engine_column_equals_the_domain_rule(tmp_path):
    write_store(tmp_path, CASES, EVENTS)
    rows = deadline_table(connect(tmp_path), d(2025, 11, 1)).to_pyarrow().to_pylist()
    got = {r["case_id"]: r["hearing_gaps"] for r in rows}
    assert got == {c: len(hearing_gaps(h)) for c, h in HEARINGS.items()} == {"A": 1, "B": 0, "C": 1, "D": 1}


def test_the_ladder_supervises_pending_civil_cases_with_a_gap(make_settings):
    st_ = make_settings(CASES, EVENTS)
    run_daily(st_, d(2025, 11, 1))
    with session_factory(st_.ops_url)() as s:
        flagged = sorted(a.case_id for a in list_alerts(s, {}) if a.rule_id == "supervise_hearing_gap")
    assert flagged == ["A", "C"]  # B has no gap, D is closed (the ladder watches pending cases)
