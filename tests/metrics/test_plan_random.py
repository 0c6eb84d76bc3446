"""All planner passes together give the plain compile path's answer on generated courts: cases of every kind
of the hand-made court, their dates on and beside every date a comparison turns on, random 纠纷编号, 原审
links, 中止 and decimal amounts, evaluated for both shipped catalogues under a random grouping."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.metrics.conftest import BASIC, BASIC_NAME, CASES, MID, MID_NAME, people_table
from zhixiao.engine import connect
from zhixiao.metrics import plan
from zhixiao.metrics.evaluate import evaluate_profiles
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASE_EVENTS, conform
from zhixiao.store.schema import CASES as CASES_SCHEMA

START, END = date(2025, 1, 1), date(2025, 12, 31)
# the periods' ends (2025 and 同比 2024), the fixture's literal dates, 12/24/36-month ages
ANCHORS = [date(2025, 1, 1), date(2025, 12, 31), date(2024, 1, 1), date(2024, 12, 31), date(2023, 12, 31),
           date(2022, 12, 31), date(2025, 6, 30), date(2021, 12, 31)]
KINDS = sorted({(c[2], c[3], c[4], c[5], c[8], c[9]) for c in CASES}, key=str)  # category … method, division
JUDGES = {"J1": "张三", "J2": "李四", "J3": "王五", "J4": "赵六", "J5": "孙七"}


def near() -> st.SearchStrategy:
    return st.builds(lambda a, k: date.fromordinal(a.toordinal() + k), st.sampled_from(ANCHORS), st.integers(-1, 1))


CASE = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS), "court": st.sampled_from([BASIC, MID]), "judge": st.sampled_from(sorted(JUDGES)),
    "filing_date": near(), "closing_date": st.one_of(st.none(), near()), "appeal_date": st.one_of(st.none(), near()),
    "transfer_date": st.one_of(st.none(), near()), "dispute_id": st.sampled_from([None, "D1", "D2", "D3"]),
    "origin": st.one_of(st.none(), st.integers(0, 29)),
    "appeal_result": st.sampled_from([None, "reversed", "remanded", "upheld"]),
    "ruled_in_court": st.sampled_from([None, True, False]), "hearing_held": st.sampled_from([None, True, False]),
    "amount": st.sampled_from([None, Decimal("100.00"), Decimal("2500.50")]),
    "suspended": st.booleans(),
})


def write(root, cases: list[dict]) -> None:
    rows, events = [], []
    for i, c in enumerate(cases):
        cat, stage, tc, proc, method, div = c["kind"]
        closed = max(c["closing_date"], c["filing_date"]) if c["closing_date"] else None
        rows.append(dict(
            case_id=f"c{i}", court_code=c["court"], court_name=BASIC_NAME if c["court"] == BASIC else MID_NAME,
            year=c["filing_date"].year, category=cat, stage=stage, type_code=tc, procedure=proc,
            filing_date=c["filing_date"], closing_date=closed, closing_method=method if closed else None, division=div,
            judge_id=c["judge"], judge_name=JUDGES[c["judge"]], appeal_date=c["appeal_date"],
            transfer_date=c["transfer_date"], appealed=c["appeal_date"] is not None, dispute_id=c["dispute_id"],
            origin_case_id=None if c["origin"] is None else f"c{c['origin']}", appeal_result=c["appeal_result"],
            ruled_in_court=c["ruled_in_court"], hearing_held=c["hearing_held"],
            enforcement_applied_amount=c["amount"], enforcement_collected_amount=c["amount"] and c["amount"] / 2,
        ))
        if c["suspended"]:
            events.append(dict(case_id=f"c{i}", court_code=c["court"], year=c["filing_date"].year, kind="suspension",
                               start_date=c["filing_date"], end_date=None))
    with CaseStore(root).transaction() as tx:
        tx.write("cases", conform("cases", pa.Table.from_pylist(rows, schema=CASES_SCHEMA)))
        tx.write("people", people_table())
        if events:
            tx.write("case_events", conform("case_events", pa.Table.from_pylist(events, schema=CASE_EVENTS)))


def dump(results: dict) -> dict[str, str]:
    return {p: json.dumps(r.to_dict(), ensure_ascii=False, sort_keys=True, default=repr) for p, r in results.items()}


def test_all_passes_give_the_plain_answer_on_generated_courts(tmp_path_factory):
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(CASE, min_size=1, max_size=30),
           st.sampled_from([(), ("court",), ("court", "division"), ("judge",), ("line",)]))
    def check(cases, by):
        root = tmp_path_factory.mktemp("plan")
        write(root, cases)
        e = connect(root)
        fast, slow = (dump(evaluate_profiles(e, ["court-classic", "spc-2024"], START, END, by=by, compare="yoy",
                                             passes=passes)) for passes in (plan.ALL, plan.PLAIN))
        assert fast == slow

    check()
