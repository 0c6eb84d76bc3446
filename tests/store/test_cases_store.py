"""The manifest store: partitions replace atomically; a failed transaction changes nothing."""

from datetime import date

import pyarrow as pa
import pytest

from zhixiao.engine import connect
from zhixiao.store.cases import CaseStore


def _cases(ids, court="冀0123", year=2025):
    n = len(ids)
    return pa.table({
        "case_id": ids, "court_code": [court] * n, "year": [year] * n,
        "filing_date": [date(year, 3, 1)] * n, "category": ["civil"] * n,
    })


def test_write_replace_and_read(tmp_path):
    store = CaseStore(tmp_path)
    with store.transaction() as tx:
        assert tx.write("cases", _cases(["a", "b"])) == [("冀0123", 2025)]
        tx.write("cases", _cases(["c"], year=2024))
    assert store.read("cases").num_rows == 3
    with store.transaction() as tx:
        tx.write("cases", _cases(["x"]))  # replaces 2025 only
    assert sorted(store.read("cases").column("case_id").to_pylist()) == ["c", "x"]
    assert store.manifest().version == 2


def test_failed_transaction_leaves_snapshot(tmp_path):
    store = CaseStore(tmp_path)
    with store.transaction() as tx:
        tx.write("cases", _cases(["a"]))
    before = store.manifest_path.read_text("utf-8")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write("cases", _cases(["b", "c"]))
        raise RuntimeError("crash mid-import")
    assert store.manifest_path.read_text("utf-8") == before
    assert store.read("cases").column("case_id").to_pylist() == ["a"]
    assert len(list(tmp_path.rglob("*.parquet"))) == 1  # the staged file was removed


def test_engine_duckdb_reads_snapshot_and_empty_tables(tmp_path):
    store = CaseStore(tmp_path)
    with store.transaction() as tx:
        tx.write("cases", _cases(["a", "b", "c"]))
    eng = connect(tmp_path)
    assert eng.cases.count().execute() == 3
    assert eng.case_events.count().execute() == 0
    assert eng.cases.filing_date.type().is_date()
