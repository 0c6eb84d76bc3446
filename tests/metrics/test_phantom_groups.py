"""No phantom groups: a store holding only a court's cases (no people table, no events, no appeals whose
原审 is stored) gives exactly the groups its cases have — never an extra group with an empty court and zeros."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tests.metrics.conftest import BASIC, END, START, cases_table
from zhixiao.engine import connect
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import LINE_OF_CATEGORY


@pytest.fixture(scope="module")
def cases_only(tmp_path_factory):
    """The basic court's cases of the hand-made court, written as a cases-only import writes them."""
    path = tmp_path_factory.mktemp("cases_only")
    t = cases_table()
    t = t.filter(pa.compute.equal(t["court_code"], BASIC))
    with CaseStore(path).transaction() as tx:
        tx.write("cases", t)
    return connect(path, "duckdb")


@pytest.mark.parametrize("profile", ["court-classic", "spc-2024", "courtools"])
@pytest.mark.parametrize("by", [("court",), ("division",), ("judge",), ("court", "division"), ("line",)])
def test_every_group_is_a_group_of_the_cases(cases_only, profile, by):
    res = evaluate(cases_only, profile, START, END, by=by)
    cols = list(res.rows[0].group)
    groups = {tuple(r.group.values()) for r in res.rows}
    # the groups the stored cases have (the 立案庭 case C29 has no judge: (None, None) is a real judge group)
    stored = {tuple(LINE_OF_CATEGORY[r["category"]] if c == "line" else r[c] for c in cols)
              for r in cases_only.cases.to_pyarrow().to_pylist()}
    assert groups == stored  # before the fix: one more, all None, with zeros
    if by == ("court",):
        assert groups == {(BASIC, "正定县人民法院")}
