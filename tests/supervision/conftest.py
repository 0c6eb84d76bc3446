"""Small hand-made stores for supervision tests."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from zhixiao.config import Settings
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASE_EVENTS, CASES


def _table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema)


def write_store(data_dir, cases: list[dict], events: list[dict] = ()) -> CaseStore:
    """Write cases/events (dicts with canonical column names; court X, year from filing) into a store."""
    store = CaseStore(data_dir)
    defaults = {"court_code": "X", "division": "民一庭", "judge_id": "J1", "judge_name": "张三", "category": "civil",
                "type_code": "民初", "tags": []}
    rows = [{**defaults, **c} for c in cases]
    for r in rows:
        r.setdefault("year", r["filing_date"].year)
    # a case's events live in its partition (the importer derives both keys from the 案号)
    part = {r["case_id"]: (r["court_code"], r["year"]) for r in rows}
    ev = [{"court_code": part.get(e["case_id"], ("X", 2025))[0], "year": part.get(e["case_id"], ("X", 2025))[1], **e}
          for e in events]
    with store.transaction() as tx:
        tx.write("cases", _table(rows, CASES))
        if ev:
            tx.write("case_events", _table(ev, CASE_EVENTS))
    return store


@pytest.fixture
def make_settings(tmp_path, sql_url):
    def make(cases, events=()):
        write_store(tmp_path / "data", cases, events)
        return Settings(data_dir=tmp_path / "data", sql_url=sql_url)

    return make


D = date
