"""Hypothesis-fuzzed exports: whatever the mix of good and bad rows and the encoding, accepted +
rejected == rows read, every rejected row is in the rejects list, and good unique rows are kept."""

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest._ingest_helpers import HEADER, SNAP, csv_bytes, good_row
from zhixiao.ingest.importer import validate

BAD_CELLS = {
    0: ["", "(2025)冀0123民初0号", "垃圾", "=cmd|' /C calc'!A0", "(2025)冀0123民初1号", "(20x5)冀0123民初3号"],
    1: ["", "2025-02-30", "2026-01-01", "昨天", "2025/13/1"],
    2: ["2024-12-31", "不详"],
    7: ["-1", "一百", "1e3x"],
    8: ["也许"],
}

row_st = st.one_of(
    st.tuples(st.just("good"), st.integers(1, 40), st.sampled_from(["", "2025-03-01", "2025年4月1日"])),
    st.tuples(st.just("bad"), st.integers(1, 40), st.sampled_from(sorted(BAD_CELLS)), st.integers(0, 5)),
    st.tuples(st.just("blank_cells"), st.integers(1, 40), st.just(0)),
)


def _row(spec) -> list[str]:
    kind, seq = spec[0], spec[1]
    if kind == "good":
        return good_row(seq, closing=spec[2])
    r = good_row(seq)
    if kind == "bad":
        col, k = spec[2], spec[3]
        r[col] = BAD_CELLS[col][k % len(BAD_CELLS[col])]
    else:
        r[3] = r[4] = r[5] = ""
    return r


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row_st, min_size=0, max_size=30), st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
def test_every_row_is_accounted_for(specs, encoding):
    rows = [_row(s) for s in specs]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.csv"
        p.write_bytes(csv_bytes(HEADER, rows, encoding))
        f = validate([p], snapshot_date=SNAP).files[0]
    assert f.rows_read == len(rows)
    assert f.accepted + f.rejected == f.rows_read
    rejected_rows = {r.row for r in f.rejects}
    assert len(rejected_rows) == f.rejected
    assert rejected_rows <= set(range(2, len(rows) + 2))
    ids = f.data.column("case_id").to_pylist()
    assert len(ids) == len(set(ids))  # no duplicate 案号 survives
    # a row with a unique, fully good 案号 and no bad cell is always accepted
    bad_ids = {r[0] for s, r in zip(specs, rows, strict=True) if s[0] != "good"}
    good = [r for s, r in zip(specs, rows, strict=True) if s[0] == "good"]
    for r in good:
        same = [x for x in rows if x[0] == r[0]]
        if len(same) == 1 and r[0] not in bad_ids:
            assert r[0] in ids
    for d in f.data.column("filing_date").to_pylist():
        assert date(2025, 1, 1) <= d <= SNAP
