"""数据质量体检 (issue 16 §3): every planted defect is found, with the case behind it, and a clean hand-made
set gives no finding at all. Dates are worked out in the comments (2025-01-01 is a Wednesday)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis._synth import case, event
from zhixiao.engine import connect
from zhixiao.quality import record, run_checks, with_previous
from zhixiao.quality.checks import CHECK_NAMES
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

COURT, OTHER = "冀0102", "冀0103"
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
ROSTER = [{"judge_id": "J02", "name": "法官甲", "court_code": COURT, "year": 2025, "division": "民一庭",
           "post": "员额法官"}]


def _c(seq: int, filed: date, closed: date | None, court: str = COURT, **kw) -> dict:
    row = case(court, 2025, seq, filed, closed, "J02", "法官甲", "民一庭", **kw)
    row["parties"] = kw.get("parties") or f"原告{court}{seq}；被告{seq}"
    row["dispute_id"] = None  # pa.Table.from_pylist takes its columns from the first row
    return row


def _write(path, cases: list[dict], events: list[dict]) -> CaseStore:
    store = CaseStore(path)
    with store.transaction() as tx:
        tx.write("cases", pa.Table.from_pylist(cases))
        tx.write("case_events", pa.Table.from_pylist(events))
        tx.write("people", pa.Table.from_pylist(ROSTER))
    return store


def _clean() -> tuple[list[dict], list[dict]]:
    """冀0102 民初 2025 numbers 1–8, all sound:
    1–3 ordinary closed cases; 4 extended in time: civil_ordinary filed 2025-01-06, 6 months → 2025-07-06, a
    Sunday, rolled to Monday 07-07; the extension approved on 07-07 is in time; 5 a deduction 03-01–03-10
    inside its limit; 6 撤诉 on 03-10 and 7 refiled by the same parties on 03-20 (after the first closed: a
    new case, not a duplicate); 8 pending. 冀0103 has no roster: its judges are not checked."""
    d = date
    cases = [_c(1, d(2025, 1, 2), d(2025, 2, 1)), _c(2, d(2025, 1, 3), d(2025, 3, 1)),
             _c(3, d(2025, 1, 4), d(2025, 4, 1)), _c(4, d(2025, 1, 6), d(2025, 9, 1)),
             _c(5, d(2025, 2, 1), d(2025, 5, 1), procedure="civil_simplified"),
             _c(6, d(2025, 3, 1), d(2025, 3, 10), method="撤诉", parties="甲；乙"),
             _c(7, d(2025, 3, 20), None, parties="甲；乙"), _c(8, d(2025, 6, 1), None),
             {**_c(1, d(2025, 2, 1), d(2025, 3, 1), court=OTHER), "judge_id": "X1"}]
    events = [event(cases[3], "extension", d(2025, 7, 7), months=6),
              event(cases[4], "deduction", d(2025, 3, 1), d(2025, 3, 10))]
    return cases, events


def _planted() -> tuple[list[dict], list[dict], dict[str, list[str]]]:
    """The clean set plus one defect per check; returns the case ids each check must list."""
    cases, events = _clean()
    d = date
    n = {}

    def add(seq: int, check: str, row: dict) -> dict:
        cases.append(row)
        n.setdefault(check, []).append(row["case_id"])
        return row

    add(10, "closed_no_method", {**_c(10, d(2025, 4, 1), d(2025, 5, 1)), "closing_method": None})
    add(11, "closed_no_judge", {**_c(11, d(2025, 4, 2), d(2025, 5, 2)), "judge_id": None, "judge_name": None})
    add(12, "closed_before_filed", _c(12, d(2025, 4, 3), d(2025, 4, 1)))
    late_event = add(13, "events_after_closing", _c(13, d(2025, 4, 4), d(2025, 5, 4)))
    events.append(event(late_event, "suspension", d(2025, 6, 1), d(2025, 6, 10)))  # a month after closing
    add(14, "filing_outside_year", _c(14, d(2024, 12, 30), d(2025, 2, 1)))  # (2025) number, filed in 2024
    # 9, 15–16, 18 never registered: numbers 1–8, 10–14, 17, 19–22 exist → gaps 9, 15–16, 18
    add(17, "duplicate_registration", _c(17, d(2025, 3, 25), d(2025, 6, 1), parties="甲；乙"))  # 7 still pending
    first = _c(19, d(2025, 5, 1), None)
    first["dispute_id"] = "D-1"
    cases.append(first)
    dup = add(20, "duplicate_registration", {**_c(20, d(2025, 5, 11), None), "dispute_id": "D-1"})  # 10 days later
    dup["parties"] = "另一写法的当事人"
    add(21, "judge_not_on_roster", {**_c(21, d(2025, 5, 2), None), "judge_id": "J99", "judge_name": "名册外"})
    # civil_simplified filed 2025-01-10: 3 months → 2025-04-10 (Thursday, a working day)
    late_d = add(22, "late_deduction", _c(22, d(2025, 1, 10), d(2025, 6, 30), procedure="civil_simplified"))
    events.append(event(late_d, "deduction", d(2025, 5, 1), d(2025, 5, 20)))  # begins 21 days after 04-10
    late_e = add(23, "late_extension", _c(23, d(2025, 1, 10), d(2025, 5, 5), procedure="civil_simplified"))
    events.append(event(late_e, "extension", d(2025, 4, 20), months=1))  # approved 10 days after 04-10
    n["seq_gaps"] = ["(2025)冀0102民初15-16号", "(2025)冀0102民初18号", "(2025)冀0102民初9号"]
    return cases, events, n


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return connect(_write(tmp_path_factory.mktemp("clean"), *_clean()).root)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    cases, events, expected = _planted()
    return connect(_write(tmp_path_factory.mktemp("planted"), cases, events).root), expected


def test_a_clean_set_has_no_finding(clean):
    rep = run_checks(clean, None, *PERIOD)
    assert {k: v for k, v in rep.findings.items() if v} == {}
    assert set(rep.findings) == set(CHECK_NAMES)  # every check ran
    assert [(c.court_code, c.checked, c.score) for c in rep.courts] == [(COURT, 8, 100.0), (OTHER, 1, 100.0)]


def test_every_planted_defect_is_found(planted):
    engine, expected = planted
    rep = run_checks(engine, COURT, *PERIOD)
    found = {k: sorted(r["case_id"] for r in v) for k, v in rep.findings.items() if v}
    assert found == {k: sorted(v) for k, v in expected.items()}
    gaps = {r["case_id"]: r["missing"] for r in rep.findings["seq_gaps"]}
    assert gaps == {"(2025)冀0102民初9号": 1, "(2025)冀0102民初15-16号": 2, "(2025)冀0102民初18号": 1}
    (c,) = rep.courts
    # 8 clean + 11 planted rows (10–14, 17, 19–23) = 19 cases; 10 with a finding (all planted but 19, the
    # first of its dispute), 4 numbers missing: score = 100 × (1 − (10 + 4) ÷ (19 + 4)) = 100 × 9/23 = 39.13
    assert (c.checked, c.flagged, c.missing, c.score) == (19, 10, 4, 39.13)
    assert c.counts["seq_gaps"] == 4 and c.counts["duplicate_registration"] == 2
    late = next(r for r in rep.findings["late_extension"])
    assert late["detail"] == "审限届满日 2025-04-10，延长于 2025-04-20 批准（共 1 次超期延长）"


def test_an_intermediate_court_checks_its_basic_courts(planted):
    engine, _ = planted
    rep = run_checks(engine, "冀01", *PERIOD, checks=["closed_no_method"])
    assert [c.court_code for c in rep.courts] == [COURT, OTHER]
    assert rep.scope == "冀01"


def test_trend_since_the_last_check(planted, clean, tmp_path):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    engine, _ = planted
    with Session() as s, s.begin():
        first = run_checks(engine, COURT, *PERIOD)
        run_id = record(s, first, "审管办")
        assert with_previous(s, first, before=run_id).previous_at is None  # nothing before the first
    with Session() as s, s.begin():
        second = with_previous(s, run_checks(clean, COURT, *PERIOD))
    (c,) = second.courts
    assert c.previous_score == 39.13 and c.score == 100.0
    assert c.change("seq_gaps") == -4 and c.change("late_extension") == -1 and c.change("closed_no_method") == -1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.integers(1, 60), min_size=1, max_size=40))
def test_gap_ranges_are_exactly_the_missing_numbers(tmp_path_factory, seqs):
    """For any set of registered numbers, the 断号 ranges cover exactly {1 … max} minus the set, each range
    maximal (no two ranges touch)."""
    rows = [_c(s, date(2025, 3, 1), None) for s in sorted(seqs)]
    engine = connect(_write(tmp_path_factory.mktemp("gaps"), rows, []).root)
    found = run_checks(engine, COURT, *PERIOD, checks=["seq_gaps"]).findings["seq_gaps"]
    spans = []
    for r in found:
        lo, _, hi = r["case_id"].removeprefix("(2025)冀0102民初").removesuffix("号").partition("-")
        spans.append((int(lo), int(hi or lo)))
        assert r["missing"] == spans[-1][1] - spans[-1][0] + 1
    covered = [n for lo, hi in spans for n in range(lo, hi + 1)]
    assert sorted(covered) == sorted(set(range(1, max(seqs) + 1)) - seqs)
    assert all(a[1] + 1 < b[0] for a, b in zip(sorted(spans), sorted(spans)[1:], strict=False))


def test_duplicates_by_either_rule_once_each(tmp_path):
    """The two matching rules (same 纠纷编号; or, where either has none, same 当事人 and 案由) each on its own
    join. 1 (D-5, 甲乙) pending; 2 filed 5 days later with no 纠纷编号 and the same parties: rule 2 → duplicate
    of 1. 3 (D-5, 甲乙) 8 days later matches 1 by both rules and 2 by rule 2: listed once, first = 1. 4 (D-6,
    甲乙): another 纠纷编号 and both numbered → no rule applies to 1 or 3; only 2 (no 纠纷编号) pairs with it."""
    d = date
    rows = [{**_c(1, d(2025, 3, 1), None, parties="甲；乙"), "dispute_id": "D-5"},
            _c(2, d(2025, 3, 6), None, parties="甲；乙"),
            {**_c(3, d(2025, 3, 9), None, parties="甲；乙"), "dispute_id": "D-5"},
            {**_c(4, d(2025, 3, 10), None, parties="甲；乙"), "dispute_id": "D-6"}]
    rows[1]["dispute_id"] = None
    engine = connect(_write(tmp_path, rows, []).root)
    rep = run_checks(engine, COURT, *PERIOD, checks=["duplicate_registration"])
    found = {r["case_id"]: r["detail"] for r in rep.findings["duplicate_registration"]}
    first = "(2025)冀0102民初1号"
    assert found == {"(2025)冀0102民初2号": f"与 {first} 同一纠纷，前案未结时又立案",
                     "(2025)冀0102民初3号": f"与 {first} 同一纠纷，前案未结时又立案",
                     "(2025)冀0102民初4号": "与 (2025)冀0102民初2号 同一纠纷，前案未结时又立案"}


def test_a_court_read_from_the_whole_check_equals_its_own(tmp_path):
    """``Report.within``: the page of one court (or an intermediate court's) is read from the check of every
    court. Equal to checking it alone, field for field, because each check reads one court's record: here
    冀0103 has its own defects (no 结案方式; a 断号 at 2) and shares a 纠纷编号 with a 冀0102 case, which is no
    duplicate across courts."""
    from zhixiao.quality import scope_courts

    cases, events, _ = _planted()
    cases += [{**_c(3, date(2025, 4, 1), date(2025, 5, 1), court=OTHER), "closing_method": None},
              {**_c(4, date(2025, 5, 3), None, court=OTHER), "dispute_id": "D-1"}]
    engine = connect(_write(tmp_path, cases, events).root)
    whole = run_checks(engine, None, *PERIOD)
    for court in (COURT, OTHER, "冀01"):
        label, members = scope_courts(engine, court)
        assert whole.within(label, members).to_dict() == run_checks(engine, court, *PERIOD).to_dict()
    other = whole.within(*scope_courts(engine, OTHER))
    assert {k: [r["case_id"] for r in v] for k, v in other.findings.items() if v} == {
        "closed_no_method": ["(2025)冀0103民初3号"], "seq_gaps": ["(2025)冀0103民初2号"]}
    with pytest.raises(ValueError):
        other.within("冀0102", [COURT])
