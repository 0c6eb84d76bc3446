"""A hand-made court: 30 cases over two courts, written out so every indicator can be worked out by hand.

Period under test: 2025-01-01 … 2025-12-31 (as of 2025-12-31); 同比 period: 2024. Each case's line says
what it is for (boundaries, exclusions, empty group). The expected numbers live in the tests.
"""

from __future__ import annotations

from datetime import date as d
from decimal import Decimal

import pyarrow as pa
import pytest

from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASES as CASES_SCHEMA
from zhixiao.store.schema import conform

BASIC, BASIC_NAME, MID, MID_NAME = "冀0123", "正定县人民法院", "冀01", "石家庄市中级人民法院"
START, END = d(2025, 1, 1), d(2025, 12, 31)

# id, court, category, stage, type_code, procedure, filing, closing, method, division, judge, extra
CASES = [
    ("C1", BASIC, "civil", "first", "民初", "civil_simplified", d(2024, 11, 10), d(2025, 1, 20), "判决", "民一庭", "J1",
     dict(appealed=True, appeal_date=d(2025, 1, 28), transfer_date=d(2025, 2, 10), ruled_in_court=False, dispute_id="D1")),
    ("C2", BASIC, "civil", "first", "民初", "civil_small_claims", d(2025, 2, 1), d(2025, 3, 3), "调解", "民一庭", "J1",
     dict(dispute_id="D2")),
    ("C3", BASIC, "civil", "first", "民初", "civil_ordinary", d(2025, 3, 1), d(2025, 8, 29), "判决", "民一庭", "J2",
     dict(ruled_in_court=True, hearing_held=True, appealed=False, dispute_id="D3")),  # 181 days: just over 180
    ("C4", BASIC, "civil", "first", "民初", "civil_simplified", d(2025, 6, 10), d(2025, 7, 10), "撤诉", "民一庭", "J2", {}),
    ("C5", BASIC, "civil", "first", "民初", "civil_ordinary", d(2025, 10, 1), None, None, "民一庭", "J1", {}),
    ("C6", BASIC, "civil", "first", "民初", "civil_ordinary", d(2023, 6, 30), None, None, "民一庭", "J2", {}),  # >12m, >24m
    ("C7", BASIC, "civil", "first", "民初", "civil_ordinary", d(2024, 12, 31), None, None, "民一庭", "J1", {}),  # exactly 12m
    ("C8", BASIC, "civil", "first", "民初", "civil_simplified", d(2024, 3, 1), d(2024, 12, 31), "判决", "民一庭", "J1", {}),
    ("C9", BASIC, "civil", "first", "民初", "civil_ordinary", d(2025, 12, 31), d(2026, 1, 5), "判决", "民一庭", "J1", {}),
    ("C10", BASIC, "civil", "first", "民初", "civil_ordinary", d(2021, 5, 1), None, None, "民一庭", "J2", {}),  # >36m
    ("C11", BASIC, "civil", "first", "诉前调书", "pre_suit_mediation", d(2025, 4, 1), d(2025, 4, 2), "调解", "民一庭", "J1", {}),
    ("C12", BASIC, "mediation", "other", "民诉前调", "pre_suit_mediation", d(2025, 5, 1), d(2025, 5, 20), "调解成功",
     "诉讼服务中心", None, {}),
    ("C13", BASIC, "mediation", "other", "民诉前调", "pre_suit_mediation", d(2025, 6, 1), d(2025, 6, 25), "调解不成功",
     "诉讼服务中心", None, {}),
    ("C14", BASIC, "enforcement", "enforcement", "执保", "enforcement", d(2025, 2, 1), d(2025, 2, 10), "执行完毕", "执行局", "J4", {}),
    ("C15", BASIC, "enforcement", "enforcement", "执恢", "enforcement", d(2025, 3, 1), None, None, "执行局", "J4", {}),
    ("C16", BASIC, "criminal", "first", "刑初", "criminal_public", d(2025, 1, 15), d(2025, 3, 10), "判决", "刑庭", "J3",
     dict(appealed=True, appeal_date=d(2025, 3, 20), transfer_date=d(2025, 4, 1), ruled_in_court=True)),
    ("C17", BASIC, "criminal", "first", "刑初", "criminal_public", d(2024, 12, 1), d(2025, 1, 10), "判决", "刑庭", "J3",
     dict(ruled_in_court=False, appealed=False)),
    ("C18", BASIC, "criminal", "first", "刑初", "criminal_public", d(2025, 11, 1), None, None, "刑庭", "J3", {}),
    ("C19", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 1, 5), d(2025, 5, 5), "执行完毕", "执行局", "J4",
     dict(enforcement_applied_amount=Decimal("10000.00"), enforcement_collected_amount=Decimal("10000.00"))),
    ("C20", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 2, 1), d(2025, 6, 1), "终结本次执行程序", "执行局",
     "J4", dict(enforcement_applied_amount=Decimal("50000.00"), enforcement_collected_amount=Decimal("5000.00"))),
    ("C21", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2024, 10, 1), d(2025, 2, 1), "执行完毕", "执行局", "J4",
     dict(enforcement_applied_amount=Decimal("20000.00"), enforcement_collected_amount=Decimal("20000.00"))),
    ("C22", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 9, 1), None, None, "执行局", "J4", {}),  # suspended
    ("C23", MID, "civil", "second", "民终", "civil_second_judgment", d(2025, 2, 15), d(2025, 4, 15), "判决", "民二庭", "J5",
     dict(appeal_result="reversed", hearing_held=True, origin_case_id="C1", dispute_id="D1")),
    ("C24", MID, "civil", "second", "民终", "civil_second_ruling", d(2025, 3, 1), d(2025, 5, 1), "裁定", "民二庭", "J5",
     dict(appeal_result="remanded", hearing_held=False, dispute_id="D9", origin_case_id="冀0199民初1号")),  # 原审 not here
    ("C25", MID, "civil", "second", "民终", "civil_second_judgment", d(2025, 4, 1), d(2025, 6, 1), "判决", "民二庭", "J5",
     dict(appeal_result="upheld", hearing_held=True)),
    ("C26", MID, "civil", "second", "民终", "civil_second_judgment", d(2024, 8, 1), d(2024, 10, 1), "判决", "民二庭", "J5",
     dict(appeal_result="reversed")),
    ("C27", MID, "civil", "retrial_review", "民申", "civil_retrial_review", d(2025, 7, 1), None, None, "民二庭", "J5", {}),
    ("C28", MID, "criminal", "second", "刑终", "criminal_second", d(2025, 4, 5), d(2025, 5, 30), "判决", "民二庭", "J5",
     dict(appeal_result="upheld", hearing_held=False, origin_case_id="C16")),
    ("C29", BASIC, "civil", "first", "民初", "civil_ordinary", d(2023, 1, 1), d(2023, 3, 1), "判决", "立案庭", None, {}),  # empty group
    ("C30", BASIC, "civil", "first", "民初", "civil_ordinary", d(2024, 5, 1), d(2025, 12, 31), "判决", "民一庭", "J1",
     dict(ruled_in_court=False, appealed=False, dispute_id="D10")),  # closed on the last day; 609 days
]

JUDGES = {"J1": "张三", "J2": "李四", "J3": "王五", "J4": "赵六", "J5": "孙七"}

# judge_id, name, court, division, post, active_from, active_to
PEOPLE = [
    ("J1", "张三", BASIC, "民一庭", "员额法官", d(2020, 1, 1), None),
    ("J2", "李四", BASIC, "民一庭", "员额法官", d(2025, 3, 1), None),  # joined in 2025: not in the 2024 count
    ("J3", "王五", BASIC, "刑庭", "员额法官", d(2019, 1, 1), None),
    ("J4", "赵六", BASIC, "执行局", "员额法官", d(2019, 1, 1), None),
    ("J5", "孙七", MID, "民二庭", "员额法官", d(2018, 1, 1), None),
    ("J6", "周八", BASIC, "民一庭", "法官助理", d(2021, 1, 1), None),  # not a 员额法官
    ("J7", "吴九", BASIC, "民一庭", "员额法官", d(2015, 1, 1), d(2024, 12, 31)),  # left before 2025
]

# case_id, kind, start, end
EVENTS = [
    ("C22", "suspension", d(2025, 10, 1), None),  # suspended on the as-of date → not active
    ("C6", "suspension", d(2025, 1, 1), d(2025, 3, 1)),  # suspension over → active
    ("C5", "suspension", d(2026, 1, 10), None),  # starts after the as-of date → active
]


def cases_table() -> pa.Table:
    rows = []
    for cid, court, cat, stage, tc, proc, filed, closed, method, div, judge, extra in CASES:
        rows.append(dict(
            case_id=cid, court_code=court, court_name=BASIC_NAME if court == BASIC else MID_NAME,
            year=filed.year, category=cat, stage=stage, type_code=tc, procedure=proc, filing_date=filed,
            closing_date=closed, closing_method=method, division=div, judge_id=judge,
            judge_name=JUDGES.get(judge), **extra,
        ))
    return conform("cases", pa.Table.from_pylist(rows, schema=CASES_SCHEMA))


def people_table() -> pa.Table:
    return conform("people", pa.Table.from_pylist([
        dict(judge_id=j, name=n, court_code=c, division=dv, post=p, active_from=f, active_to=t, year=2025)
        for j, n, c, dv, p, f, t in PEOPLE
    ]))


def events_table() -> pa.Table:
    courts = {c[0]: c[1] for c in CASES}
    return conform("case_events", pa.Table.from_pylist([
        dict(case_id=cid, court_code=courts[cid], year=2025, kind=k, start_date=s, end_date=e)
        for cid, k, s, e in EVENTS
    ]))


@pytest.fixture(scope="session")
def court_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("court")
    store = CaseStore(path)
    with store.transaction() as tx:
        tx.write("cases", cases_table())
        tx.write("people", people_table())
        tx.write("case_events", events_table())
    return path


@pytest.fixture(scope="session")
def duck(court_dir):
    from zhixiao.engine import connect

    return connect(court_dir, "duckdb")


@pytest.fixture
def spark_engine(court_dir):
    """Connected for each test: a Spark engine's tables are the session's global temp views, which any other
    ``connect(…, "spark")`` (test_definitions, test_enforcement) re-points at its own store."""
    from zhixiao.engine import connect

    return connect(court_dir, "spark")


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request):
    return request.getfixturevalue("duck" if request.param == "duckdb" else "spark_engine")
