"""Validation works on whole batches: whatever the batch size, the same rows are stored and rejected."""

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest._ingest_helpers import HEADER, csv_bytes, good_row
from zhixiao.config import Settings
from zhixiao.ingest import importer, readers
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


def test_row_numbers_across_small_read_blocks(tmp_path, monkeypatch):
    """Read in blocks of a few rows, the rows the reader leaves out (two short rows, a long row) fall in
    different blocks: every row keeps the number Excel shows, as when the file is read in one block."""
    lines = ["案号,立案日期,当事人"]
    for i in range(1, 41):  # line 1 is the header, so case i sits on line i + 1 ...
        filed = "2025-02-30" if i in (25, 40) else "2025-01-02"  # rejected with the number this import gives
        lines.append(f'(2025)冀0123民初{i}号,{filed},"张三，\n李四"')  # a quoted line break: one row, two lines
        if i in (7, 19):
            lines.append("(2025)冀0123民初9999号")  # ... plus one for each row added before it
        if i == 30:
            lines.append("(2025)冀0123民初9998号,2025-01-02,张三,多余")
        if i == 12:
            lines.append("")  # an empty line is not a row, but Excel shows it: it has a number
    p = tmp_path / "in.csv"
    p.write_text("\n".join(lines) + "\n", "utf-8")

    def rejected(block: int) -> list[tuple[int, str]]:
        monkeypatch.setattr(readers, "BLOCK_BYTES", block)
        with tempfile.TemporaryDirectory() as d:
            res = importer.import_files([p], Settings(data_dir=Path(d)), snapshot_date=SNAP)
            assert res.report.accepted == 38 and res.report.rows_read == 43  # 40 cases + 3 ragged rows
        return sorted((r.row, r.reason) for r in res.report.rejects)

    # case i is on row i + 1 up to case 7 (row 8), then the short row 9; case 12 is row 14 and the empty
    # line row 15 (a blank row); case 19 is row 19 + 3 = 22, the short row 23; case 25 is row 25 + 4 = 29;
    # case 30 is row 34, the long row 35; case 40 is row 40 + 5 = 45.
    bad_day = "日期不存在（2025年2月30日）"
    expected = [(9, "列数不符：表头有 3 列，此行有 1 列"), (23, "列数不符：表头有 3 列，此行有 1 列"), (29, bad_day),
                (35, "列数不符：表头有 3 列，此行有 4 列"), (45, bad_day)]
    assert rejected(1 << 23) == expected
    assert rejected(256) == expected


_STOP_MID_FILE = """
import sys
from pathlib import Path
from zhixiao.ingest import importer, readers
readers.BLOCK_BYTES = 1 << 16
def fail(*args):
    raise RuntimeError("validation failed")
importer.validate_chunk = fail
importer.validate_file(Path(sys.argv[1]))
"""


def test_a_failure_mid_file_exits_cleanly(tmp_path):
    """Validation stopping at the first batch of a GBK file: pyarrow's reader, decoding ahead with a Python
    codec in its own thread, is read to the end first; left mid-file it aborted the interpreter at exit
    ("Fatal Python error: PyGILState_Release") or hung instead of the error exiting normally (a race: here
    one run in three of the old code failed)."""
    p = tmp_path / "in.csv"
    p.write_bytes(csv_bytes(HEADER, [good_row(i) for i in range(1, 50001)], "gbk"))
    done = subprocess.run([sys.executable, "-c", _STOP_MID_FILE, str(p)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "RuntimeError: validation failed" in done.stderr
    assert "Fatal Python error" not in done.stderr
