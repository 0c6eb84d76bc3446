"""Deducted intervals that the clipping empties (before the filing or the restart) or cuts short, mixed with
overlapping, adjacent, open and resumed ones: the engine's one-window merge agrees with the Python function,
on DuckDB and on Spark."""

from __future__ import annotations

from datetime import date

import pytest

from tests.supervision.conftest import write_store
from tests.supervision.test_deadlines_engine import COMPARED, assert_agree, python_rows
from zhixiao.deadlines import deadline_table
from zhixiao.engine import connect

d = date
AS_OF = d(2025, 6, 30)
CASES = [
    {"case_id": k, "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10)} for k in "pqrstuvw"
] + [{"case_id": "x", "procedure": "civil_ordinary", "filing_date": d(2025, 3, 10), "closing_date": d(2025, 6, 10)}]
EVENTS = [
    # p: one interval wholly before the filing (emptied), one straddling it (cut), one after
    {"case_id": "p", "kind": "deduction", "start_date": d(2025, 2, 1), "end_date": d(2025, 2, 20)},
    {"case_id": "p", "kind": "deduction", "start_date": d(2025, 3, 1), "end_date": d(2025, 3, 15)},
    {"case_id": "p", "kind": "deduction", "start_date": d(2025, 4, 1), "end_date": d(2025, 4, 10)},
    # q: everything before a restart is emptied; an open one after it runs to the as-of date
    {"case_id": "q", "kind": "deduction", "start_date": d(2025, 3, 20), "end_date": d(2025, 4, 30)},
    {"case_id": "q", "kind": "restart", "start_date": d(2025, 5, 5)},
    {"case_id": "q", "kind": "deduction", "start_date": d(2025, 5, 1), "end_date": d(2025, 5, 3)},
    {"case_id": "q", "kind": "suspension", "start_date": d(2025, 6, 1), "end_date": None},
    # r: bad data (end before start) next to a real interval with the same start
    {"case_id": "r", "kind": "deduction", "start_date": d(2025, 4, 10), "end_date": d(2025, 4, 1)},
    {"case_id": "r", "kind": "deduction", "start_date": d(2025, 4, 10), "end_date": d(2025, 4, 20)},
    # s: adjacent and nested intervals
    {"case_id": "s", "kind": "deduction", "start_date": d(2025, 4, 1), "end_date": d(2025, 4, 10)},
    {"case_id": "s", "kind": "deduction", "start_date": d(2025, 4, 11), "end_date": d(2025, 4, 30)},
    {"case_id": "s", "kind": "suspension", "start_date": d(2025, 4, 5), "end_date": d(2025, 4, 7)},
    # t: an open interval inside a closed one that ends after the as-of date
    {"case_id": "t", "kind": "deduction", "start_date": d(2025, 6, 1), "end_date": d(2025, 7, 31)},
    {"case_id": "t", "kind": "deduction", "start_date": d(2025, 6, 10), "end_date": None},
    # u: 中止 closed by a later 恢复, another still open; in suspension at the as-of date
    {"case_id": "u", "kind": "suspension", "start_date": d(2025, 4, 1), "end_date": None},
    {"case_id": "u", "kind": "resumption", "start_date": d(2025, 4, 15)},
    {"case_id": "u", "kind": "suspension", "start_date": d(2025, 6, 20), "end_date": None},
    # v: starts on the filing date (the filing day itself is not deducted)
    {"case_id": "v", "kind": "deduction", "start_date": d(2025, 3, 10), "end_date": d(2025, 3, 12)},
    # w: only an emptied interval — deducted 0 but it still counts as a deduction on record
    {"case_id": "w", "kind": "deduction", "start_date": d(2025, 1, 5), "end_date": d(2025, 1, 9)},
    # x: closed case with an open deduction: it runs to the closing date
    {"case_id": "x", "kind": "deduction", "start_date": d(2025, 5, 1), "end_date": None},
    {"case_id": "x", "kind": "deduction", "start_date": d(2025, 4, 20), "end_date": d(2025, 5, 5)},
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    p = tmp_path_factory.mktemp("clip")
    write_store(p, CASES, EVENTS)
    return p


def test_clipped_and_emptied_intervals_agree_with_python(store):
    rows = deadline_table(connect(store), AS_OF).to_pyarrow().to_pylist()
    assert_agree(rows, python_rows(store, AS_OF))
    by = {r["case_id"]: r for r in rows}
    assert by["w"]["deducted_days"] == 0 and by["w"]["has_deduction"]
    assert by["q"]["in_suspension"] and by["q"]["open_deduction"]


@pytest.mark.spark
def test_spark_agrees_on_clipped_intervals(store):
    duck = {r["case_id"]: r for r in deadline_table(connect(store), AS_OF).to_pyarrow().to_pylist()}
    spark = deadline_table(connect(store, "spark"), AS_OF).to_pyarrow().to_pylist()
    cols = (*COMPARED, "has_deduction", "has_suspension", "in_deduction", "in_suspension")
    bad = [(r["case_id"], k, r[k], duck[r["case_id"]][k]) for r in spark for k in cols if r[k] != duck[r["case_id"]][k]]
    assert len(spark) == len(duck) and not bad, bad
