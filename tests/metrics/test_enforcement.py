"""Golden tests of the 执行 indicators (issue 16 §2) on a small hand-made enforcement court, every value
worked out below; the same suite runs on DuckDB and on Spark (``engine`` fixture of this file).

Period 2025-01-01 … 2025-12-31. Amounts in yuan. Days = closing − filing.

首次执行 (执) at 冀0123:
  Z1  filed 01-10 closed 03-10 执行完毕            applied 100,000 collected 100,000   59 days (31 + 28)
  Z2  filed 02-01 closed 06-30 执行完毕 settlement  applied 200,000 collected 150,000  149 days (28+31+30+31+29)
  Z3  filed 01-15 closed 05-20 终本, all five checks on record (立案满三个月 on 04-15)
                                                    applied 300,000 collected  30,000  125 days (31+28+31+30+5)
  Z4  filed 03-01 closed 05-30 终本, 立案满三个月 recorded False (due 06-01), the other four True
                                                    applied  50,000 collected       0   90 days (31+30+29)
  Z5  filed 2024-11-30 closed 02-28 终本, all five (11-30 + 3 months = 02-28, month end)
                                                    applied  80,000 collected       0   90 days (31+31+28)
  Z6  filed 01-05 closed 07-05 终本, 限制消费 not on record (null) ✗
                                                    applied 120,000 collected   6,000  181 days (31+28+31+30+31+30)
  Z7  filed 04-01 closed 08-01 终结执行 settlement (和解, then the applicant withdrew)
                                                    applied  40,000 collected  20,000  122 days (30+31+30+31)
  Z8  filed 05-01 closed 05-21 不予执行              applied  60,000 collected       0   20 days
  Z9  filed 06-01 closed 06-11 销案                  applied  10,000 collected       0   10 days
  Z10 filed 09-01 pending                           applied  70,000
  Z11 filed 2024-06-01 closed 2024-10-08 终本 (last year: the origin of R1)
恢复执行 (执恢):
  R1  filed 03-03, origin Z11, closed 09-30 执行完毕  applied  90,000 collected  90,000
  R2  filed 08-15, origin Z3, pending
  R3  filed 10-01, no origin recorded, pending
  R4  filed 02-01, origin (2024)冀0123执50号 (not in the store), closed 11-30 终本, all five checks
                                                    applied  30,000 collected   3,000
执保 P1 closed 03-01 执行完毕 applied = collected 500,000: executes a preservation ruling, counted nowhere here.
执行异议 (执异, 15 days, 民事诉讼法 2023 第236条) at 冀0123:
  O1 filed 03-03 closed 03-14 驳回 (11 days, on time); O2 filed 04-01 closed 05-20 驳回 (49 days, late);
  O3 filed 06-02 closed 06-10 撤销 (8 days, on time)
执行复议 (执复) at 冀01: V1 origin O1 closed 04-20 撤销 (changed); V2 origin O2 closed 06-25 驳回 (upheld).
"""

from __future__ import annotations

from datetime import date as d
from decimal import Decimal

import pyarrow as pa
import pytest

from tests.metrics.test_golden import _check
from zhixiao.engine import connect
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASES as CASES_SCHEMA
from zhixiao.store.schema import conform

BASIC, MID = "冀0123", "冀01"
START, END = d(2025, 1, 1), d(2025, 12, 31)
ALL_CHECKS = dict(zb_notice=True, zb_restriction=True, zb_investigation=True, zb_three_months=True, zb_whereabouts=True)


def _id(tc: str, n: int, year: int = 2025, court: str = BASIC) -> str:
    return f"({year}){court}{tc}{n}号"


def _money(applied: int | None, collected: int | None = None) -> dict:
    out = {}
    if applied is not None:
        out["enforcement_applied_amount"] = Decimal(applied)
    if collected is not None:
        out["enforcement_collected_amount"] = Decimal(collected)
    return out


Z = {n: _id("执", n) for n in range(1, 11)}
Z[5] = _id("执", 5, 2024)
Z[11] = _id("执", 11, 2024)
R = {n: _id("执恢", n) for n in range(1, 5)}
OB = {n: _id("执异", n) for n in range(1, 4)}
V = {n: _id("执复", n, court=MID) for n in range(1, 3)}

# id, court, type_code, procedure, filed, closed, method, extra
CASES = [
    (Z[1], BASIC, "执", "enforcement", d(2025, 1, 10), d(2025, 3, 10), "执行完毕", _money(100_000, 100_000)),
    (Z[2], BASIC, "执", "enforcement", d(2025, 2, 1), d(2025, 6, 30), "执行完毕",
     {**_money(200_000, 150_000), "tags": ["settlement"]}),
    (Z[3], BASIC, "执", "enforcement", d(2025, 1, 15), d(2025, 5, 20), "终结本次执行程序",
     {**_money(300_000, 30_000), **ALL_CHECKS}),
    (Z[4], BASIC, "执", "enforcement", d(2025, 3, 1), d(2025, 5, 30), "终结本次执行程序",
     {**_money(50_000, 0), **ALL_CHECKS, "zb_three_months": False}),
    (Z[5], BASIC, "执", "enforcement", d(2024, 11, 30), d(2025, 2, 28), "终结本次执行程序",
     {**_money(80_000, 0), **ALL_CHECKS}),
    (Z[6], BASIC, "执", "enforcement", d(2025, 1, 5), d(2025, 7, 5), "终结本次执行程序",
     {**_money(120_000, 6_000), **ALL_CHECKS, "zb_restriction": None}),
    (Z[7], BASIC, "执", "enforcement", d(2025, 4, 1), d(2025, 8, 1), "终结执行",
     {**_money(40_000, 20_000), "tags": ["settlement"]}),
    (Z[8], BASIC, "执", "enforcement", d(2025, 5, 1), d(2025, 5, 21), "不予执行", _money(60_000, 0)),
    (Z[9], BASIC, "执", "enforcement", d(2025, 6, 1), d(2025, 6, 11), "销案", _money(10_000, 0)),
    (Z[10], BASIC, "执", "enforcement", d(2025, 9, 1), None, None, _money(70_000)),
    (Z[11], BASIC, "执", "enforcement", d(2024, 6, 1), d(2024, 10, 8), "终结本次执行程序",
     {**_money(90_000, 0), **ALL_CHECKS}),
    (R[1], BASIC, "执恢", "enforcement", d(2025, 3, 3), d(2025, 9, 30), "执行完毕",
     {**_money(90_000, 90_000), "origin_case_id": Z[11]}),
    (R[2], BASIC, "执恢", "enforcement", d(2025, 8, 15), None, None, {**_money(270_000), "origin_case_id": Z[3]}),
    (R[3], BASIC, "执恢", "enforcement", d(2025, 10, 1), None, None, _money(5_000)),
    (R[4], BASIC, "执恢", "enforcement", d(2025, 2, 1), d(2025, 11, 30), "终结本次执行程序",
     {**_money(30_000, 3_000), **ALL_CHECKS, "origin_case_id": _id("执", 50, 2024)}),
    (_id("执保", 1), BASIC, "执保", "enforcement", d(2025, 2, 20), d(2025, 3, 1), "执行完毕",
     _money(500_000, 500_000)),
    (OB[1], BASIC, "执异", "enforcement_objection", d(2025, 3, 3), d(2025, 3, 14), "驳回", {"origin_case_id": Z[1]}),
    (OB[2], BASIC, "执异", "enforcement_objection", d(2025, 4, 1), d(2025, 5, 20), "驳回", {"origin_case_id": Z[3]}),
    (OB[3], BASIC, "执异", "enforcement_objection", d(2025, 6, 2), d(2025, 6, 10), "撤销", {"origin_case_id": Z[7]}),
    (V[1], MID, "执复", "enforcement_review", d(2025, 3, 25), d(2025, 4, 20), "撤销", {"origin_case_id": OB[1]}),
    (V[2], MID, "执复", "enforcement_review", d(2025, 6, 1), d(2025, 6, 25), "驳回", {"origin_case_id": OB[2]}),
]
STAGE = {"执": "enforcement", "执恢": "enforcement", "执保": "enforcement", "执异": "enforcement_review",
         "执复": "enforcement_review"}

# id: (numerator, denominator, value)
CLASSIC = {
    # 首执 closed in 2025: Z1…Z9 = 9; 执行完毕 Z1 Z2
    "enforcement_completion_rate": (2, 9, 2 / 9),
    # collected 100,000 + 150,000 + 30,000 + 0 + 0 + 6,000 + 20,000 + 0 + 0 = 306,000;
    # applied 100k + 200k + 300k + 50k + 80k + 120k + 40k + 60k + 10k = 960,000
    "enforcement_collection_rate": (306_000, 960_000, 0.31875),
    # days 59 + 149 + 125 + 90 + 90 + 181 + 122 + 20 + 10 = 846 over 9 cases
    "enforcement_avg_days": (846, 9, 94.0),
    "termination_rate": (4, 9, 4 / 9),  # 终本 Z3 Z4 Z5 Z6
    # 终本 closings of 执/执恢 in 2025: Z3 Z4 Z5 Z6 R4 = 5; all five conditions True: Z3, Z5, R4 = 3;
    # Z4 closed before 立案满三个月, Z6 has no 限制消费 on record
    "termination_compliance_rate": (3, 5, 3 / 5),
    # 执行实施 closed in 2025: Z1…Z9, R1, R4 = 11; 执行完毕 Z1 Z2 R1, settlement Z7 (Z2 counted once) = 4
    "actual_enforcement_rate": (4, 11, 4 / 11),
    # collected of Z1 Z2 R1 Z7 = 100,000 + 150,000 + 90,000 + 20,000 = 360,000;
    # applied of the 11 = 960,000 + 90,000 (R1) + 30,000 (R4) = 1,080,000
    "enforcement_target_rate": (360_000, 1_080_000, 1 / 3),
    # new 执恢 2025 with an enforcement origin: R1 (Z11), R2 (Z3), R4 (执50) = 3 (R3 has none); 终本 closings 5
    "resumption_rate": (3, 5, 3 / 5),
    "objection_closed": (3, None, 3),  # O1 O2 O3
    "objection_on_time_rate": (2, 3, 2 / 3),  # O2 took 49 days against 15
    # 执复 closed 2025 that changed a 执异 ruling: V1 (O1, 冀0123); 执异 closed 3 — over both courts (冀01 has none)
    "objection_changed_rate": (1, 3, 1 / 3),
}
SPC = {iid: CLASSIC[iid] for iid in ("enforcement_completion_rate", "enforcement_collection_rate", "termination_rate")}


def cases_table() -> pa.Table:
    rows = []
    for cid, court, tc, proc, filed, closed, method, extra in CASES:
        rows.append(dict(case_id=cid, court_code=court, court_name="正定县人民法院" if court == BASIC else "石家庄市中级人民法院",
                         year=int(cid[1:5]), category="enforcement", stage=STAGE[tc], type_code=tc, procedure=proc,
                         filing_date=filed, closing_date=closed, closing_method=method, division="执行局",
                         judge_id="J4" if court == BASIC else "J5", **extra))
    return conform("cases", pa.Table.from_pylist(rows, schema=CASES_SCHEMA))


@pytest.fixture(scope="module")
def court_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("enforcement")
    with CaseStore(path).transaction() as tx:
        tx.write("cases", cases_table())
    return path


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request, court_dir):
    return connect(court_dir, request.param)


@pytest.mark.parametrize(("profile", "expected"), [("court-classic", CLASSIC), ("spc-2024", SPC)])
def test_every_enforcement_indicator_by_hand(engine, profile, expected):
    _check(evaluate(engine, profile, START, END, indicators=list(expected)), expected)


def test_objection_change_counts_under_the_court_that_ruled(engine):
    # V1 changed O1's ruling: the 撤销 counts at 冀0123 (O1's court), not at 冀01 where V1 was decided
    res = evaluate(engine, "court-classic", START, END, by=("court",), indicators=["objection_changed_rate"])
    basic, mid = res.get("objection_changed_rate", court_code=BASIC), res.get("objection_changed_rate", court_code=MID)
    assert (basic.numerator, basic.denominator) == (1, 3)
    assert (mid.numerator, mid.denominator, mid.value) == (0, 0, None)


def test_every_enforcement_entry_cites_its_source_and_line():
    from zhixiao.metrics.catalogue import load_profile

    inds = {i.id: i for i in load_profile("court-classic", END)}
    for iid in CLASSIC:
        ind = inds[iid]
        assert ind.line == "执行" and ind.source, iid
        assert ind.group in ("效果", "效率", "质量"), iid
    # what no public text fixes is said on the card
    for iid in ("termination_compliance_rate", "actual_enforcement_rate", "enforcement_target_rate", "resumption_rate",
                "objection_changed_rate"):
        assert "[I]" in inds[iid].unpublished or "[M]" in inds[iid].unpublished, iid
