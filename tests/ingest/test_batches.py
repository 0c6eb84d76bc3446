"""Validation works on whole batches: whatever the batch size, the same rows are stored and rejected."""

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest._ingest_helpers import HEADER, csv_bytes, good_row
from zhixiao.config import Settings
from zhixiao.ingest import importer
from zhixiao.store.cases import CaseStore

SNAP = date(2025, 6, 30)
row_st = st.tuples(st.integers(1, 25), st.sampled_from(["", "2025-03-01", "2025-02-30", "1900-01-01"]),
                   st.sampled_from(["1000", "-1", "", "12.5万元"]), st.sampled_from(["冀0123", "冀0125", "冀0199", "X"]))  # X: a 案号 that does not parse


def _import(path: Path, batch_rows: int, monkeypatch) -> tuple[list[dict], list[tuple]]:
    monkeypatch.setattr(importer, "BATCH_ROWS", batch_rows)
    with tempfile.TemporaryDirectory() as d:
        res = importer.import_files([path], Settings(data_dir=Path(d)), snapshot_date=SNAP)
        stored = sorted(CaseStore(d).read("cases").to_pylist(), key=lambda r: r["case_id"])
    return stored, sorted((r.row, r.column, r.reason) for r in res.report.rejects)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(row_st, min_size=1, max_size=40), st.integers(1, 12))
def test_any_batch_size_gives_the_same_store(monkeypatch, specs, batch_rows):
    rows = [good_row(seq, closing=closing, court=court, amount=amount) for seq, closing, amount, court in specs]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "in.csv"
        p.write_bytes(csv_bytes(HEADER, rows, "gbk"))
        whole = _import(p, 1 << 20, monkeypatch)
        assert _import(p, batch_rows, monkeypatch) == whole


def test_unparsable_case_numbers_in_several_batches(tmp_path, monkeypatch):
    """Each batch's parsed court codes carry a null for its bad 案号: several such batches still merge."""
    rows = [good_row(i, court="X" if i % 2 else "冀0123") for i in range(1, 9)]
    p = tmp_path / "in.csv"
    p.write_bytes(csv_bytes(HEADER, rows, "gbk"))
    stored, rejects = _import(p, 2, monkeypatch)
    assert [r["case_id"] for r in stored] == [f"(2025)冀0123民初{i}号" for i in (2, 4, 6, 8)]
    assert [r[0] for r in rejects] == [2, 4, 6, 8]  # rows 2, 4, 6, 8 of the file hold seq 1, 3, 5, 7
