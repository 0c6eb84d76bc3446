"""The engine's whole-store deadline table agrees with the single-case Python function on every case of
the demo city (DuckDB, and Spark with the same data), plus hand-made edge cases."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import pytest

from zhixiao.deadlines import COMPUTED, deadline_table, with_deadlines
from zhixiao.domain.time_limits import case_status, compute_deadline, event_inputs
from zhixiao.engine import connect
from zhixiao.store.cases import CaseStore

AS_OF = date(2026, 11, 20)
COMPARED = ("deadline", "base_deadline", "extension_days", "deducted_days", "provisional", "no_limit",
            "open_deduction", "status", "days_remaining", "closed_within_limit", "pending_months",
            "late_deducted_days", "unconfirmed", "rule", "unit")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from zhixiao.demo.generate import build_city

    d = tmp_path_factory.mktemp("city")
    build_city(d, AS_OF, seed=7, scale=0.03, progress=False)
    return d


def python_rows(data_dir, as_of):
    """Reference: compute_deadline + case_status per case, events gathered from the store."""
    from zhixiao.domain.time_limits import pending_months

    store = CaseStore(data_dir)
    ev = defaultdict(list)
    for e in store.read("case_events").to_pylist():
        ev[e["case_id"]].append(e)
    out = {}
    for c in store.read("cases").to_pylist():
        es = ev[c["case_id"]]
        closed = c["closing_date"] if c["closing_date"] and c["closing_date"] <= as_of else None
        try:
            r = compute_deadline(c["procedure"], c["filing_date"], as_of=as_of, closed=closed,
                                 tags=c["tags"] or (), **event_inputs(es))
        except ValueError:  # unknown procedure code: the engine reports 不计审限
            out[c["case_id"]] = {"status": "不计审限", "no_limit": True}
            continue
        s = case_status(r, as_of, c["closing_date"])
        out[c["case_id"]] = {
            "deadline": r.deadline, "base_deadline": r.base_deadline, "extension_days": r.extension_days,
            "deducted_days": r.deducted_days, "provisional": r.provisional, "no_limit": r.no_limit,
            "open_deduction": r.open_deduction, "status": s.status, "days_remaining": s.days_remaining,
            "closed_within_limit": s.closed_within_limit, "elapsed_share": s.elapsed_share,
            "pending_months": pending_months(c["filing_date"], as_of) if closed is None else None,
            "late_deducted_days": r.late_deducted_days if not r.no_limit else 0, "unconfirmed": r.unconfirmed,
            "rule": r.rule, "unit": r.unit,
        }
    return out


def assert_agree(engine_rows, ref):
    assert len(engine_rows) == len(ref)
    bad = []
    for row in engine_rows:
        exp = ref[row["case_id"]]
        for k in COMPARED:
            if k in exp and row[k] != exp[k]:
                bad.append((row["case_id"], k, row[k], exp[k]))
        if exp.get("elapsed_share") is not None and not math.isclose(row["elapsed_share"], exp["elapsed_share"],
                                                                     rel_tol=1e-9):
            bad.append((row["case_id"], "elapsed_share", row["elapsed_share"], exp["elapsed_share"]))
    assert not bad, bad[:10]


def test_engine_agrees_with_python_on_every_demo_case(city):
    rows = deadline_table(connect(city), AS_OF).to_pyarrow().to_pylist()
    ref = python_rows(city, AS_OF)
    assert_agree(rows, ref)
    statuses = {r["status"] for r in rows}
    assert {"已结", "超审限"} <= statuses  # the city exercises more than one branch
    assert any(r["provisional"] for r in rows)  # deadlines in 2027 are provisional
    assert any(r["deducted_days"] for r in rows) and any(r["extension_days"] for r in rows)


def test_engine_agrees_on_an_earlier_date(city):
    d = date(2025, 6, 30)  # cases closed later count as pending then
    assert_agree(deadline_table(connect(city), d).to_pyarrow().to_pylist(), python_rows(city, d))


@pytest.mark.parametrize("as_of", [AS_OF, date(2025, 6, 30)])
def test_court_subset_equals_the_whole_table_filtered(city, as_of):
    """``courts=`` computes only those courts' cases: the rows (every column) are the whole table's rows of
    those courts, whether computed alone (fresh engine) or filtered from a whole table already cached."""
    def key(rows):
        return sorted(rows, key=lambda r: r["case_id"])

    whole_engine = connect(city)
    whole = deadline_table(whole_engine, as_of).to_pyarrow().to_pylist()
    courts = sorted({r["court_code"] for r in whole})
    assert len(courts) > 2
    for pick in ([courts[0]], courts[1:3]):
        want = key([r for r in whole if r["court_code"] in pick])
        assert want and len(want) < len(whole)
        alone = key(deadline_table(connect(city), as_of, courts=pick).to_pyarrow().to_pylist())
        assert alone == want
        cached = key(deadline_table(whole_engine, as_of, courts=pick).to_pyarrow().to_pylist())
        assert cached == want
    # every court of the store is the whole table itself (one cache entry for a city and its checks)
    assert deadline_table(whole_engine, as_of, courts=courts) is deadline_table(whole_engine, as_of)


@pytest.mark.parametrize("as_of", [AS_OF, date(2025, 6, 30)])
def test_each_output_alone_equals_the_full_computation(city, as_of):
    """``only=`` builds just what one output reads (see ``_READS``): each alone must give the full table's values."""
    e = connect(city)
    full = {r["case_id"]: r for r in with_deadlines(e, e.cases, as_of).to_pyarrow().to_pylist()}
    for col in COMPUTED:
        alone = with_deadlines(e, e.cases, as_of, only=[col])
        assert alone.columns[-1] == col and col not in e.cases.columns
        got = {r["case_id"]: r[col] for r in alone.select("case_id", col).to_pyarrow().to_pylist()}
        bad = [(k, v, full[k][col]) for k, v in got.items() if v != full[k][col]
               and not (isinstance(v, float) and math.isclose(v, full[k][col]))]
        assert len(got) == len(full) and not bad, (col, bad[:5])
        assert len({v for v in got.values()}) > 1 or col in ("lead_days",), col  # the city varies each output


@pytest.mark.spark
def test_spark_agrees_with_duckdb(city):
    duck = {r["case_id"]: r for r in deadline_table(connect(city), AS_OF).to_pyarrow().to_pylist()}
    spark = deadline_table(connect(city, "spark"), AS_OF).to_pyarrow().to_pylist()
    assert len(spark) == len(duck)
    bad = [(r["case_id"], k, r[k], duck[r["case_id"]][k]) for r in spark for k in (*COMPARED, "lead_days")
           if r[k] != duck[r["case_id"]][k]]
    assert not bad, bad[:10]


def test_edge_cases_overlap_open_restart_foreign(tmp_path):
    from tests.supervision.conftest import write_store

    d = date
    cases = [
        {"case_id": "a", "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10)},
        {"case_id": "b", "procedure": "criminal_public", "filing_date": d(2025, 3, 3), "category": "criminal"},
        {"case_id": "c", "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10), "tags": ["foreign_related"]},
        {"case_id": "e", "procedure": "civil_ordinary", "filing_date": d(2024, 8, 31)},
        {"case_id": "f", "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10)},
    ]
    events = [  # a: 公告 ∪ 鉴定 overlap (44 days) + open 管辖异议 from 06-01 → as of 06-30: 30 days → 74
        {"case_id": "a", "kind": "deduction", "start_date": d(2025, 4, 1), "end_date": d(2025, 4, 30)},
        {"case_id": "a", "kind": "deduction", "start_date": d(2025, 4, 15), "end_date": d(2025, 5, 14)},
        {"case_id": "a", "kind": "deduction", "start_date": d(2025, 6, 1), "end_date": None},
        {"case_id": "b", "kind": "deduction", "start_date": d(2025, 3, 10), "end_date": d(2025, 3, 20)},
        {"case_id": "b", "kind": "restart", "start_date": d(2025, 5, 6)},
        {"case_id": "e", "kind": "extension", "start_date": d(2025, 2, 10), "months": 6},
        # f: 中止 from 04-01 with no end, 恢复 on 04-20 → 20 days; a 恢复 before the 中止 does not count
        {"case_id": "f", "kind": "resumption", "start_date": d(2025, 3, 20)},
        {"case_id": "f", "kind": "suspension", "start_date": d(2025, 4, 1), "end_date": None},
        {"case_id": "f", "kind": "resumption", "start_date": d(2025, 4, 20)},
    ]
    write_store(tmp_path, cases, events)
    rows = {r["case_id"]: r for r in deadline_table(connect(tmp_path), d(2025, 6, 30)).to_pyarrow().to_pylist()}
    # a: 09-10 + 74 days = 11-23 (Sun) → 11-24 (Mon)
    assert (rows["a"]["deducted_days"], rows["a"]["deadline"], rows["a"]["open_deduction"], rows["a"]["status"]) == \
        (74, d(2025, 11, 24), True, "扣除中")
    assert (rows["b"]["deadline"], rows["b"]["deducted_days"]) == (d(2025, 8, 6), 0)  # restart 05-06 + 3 months
    assert rows["c"]["no_limit"] and rows["c"]["status"] == "不计审限" and rows["c"]["deadline"] is None
    assert rows["c"]["pending_months"] == 3  # still on the 长期未结 clock
    # e: 12 months from 2024-08-31 → 2025-08-31 (Sun) → 09-01; base 2025-02-28; extension 184 days
    assert (rows["e"]["deadline"], rows["e"]["base_deadline"], rows["e"]["extension_days"]) == \
        (d(2025, 9, 1), d(2025, 2, 28), 184)
    # f: 09-10 + 20 days = 09-30 (Tue); not open any more, not suspended at 06-30
    assert (rows["f"]["deducted_days"], rows["f"]["deadline"], rows["f"]["open_deduction"], rows["f"]["status"]) == \
        (20, d(2025, 9, 30), False, "正常")
