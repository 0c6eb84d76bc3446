"""The 审限 timeline the store keeps on each case: hand-worked values, a property against the Python merge,
freshness when events change in a later transaction, and the upgrade of a store written without it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.deadlines import deadline_table
from zhixiao.domain.time_limits import merge_intervals
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASE_EVENTS, CASES, conform
from zhixiao.store.timeline import summarise

EPOCH = date(1970, 1, 1)


def day(d: date) -> int:
    return (d - EPOCH).days


def cases_table(rows: list[dict]) -> pa.Table:
    base = {"court_code": "X", "year": 2025, "procedure": "civil_ordinary"}
    return conform("cases", pa.Table.from_pylist([{**base, **r} for r in rows], schema=CASES))


def events_table(rows: list[dict]) -> pa.Table:
    return conform("case_events", pa.Table.from_pylist([{"court_code": "X", "year": 2025, **r} for r in rows],
                                                       schema=CASE_EVENTS))


D = date


def test_hand_worked_timeline():
    cases = cases_table([{"case_id": "a", "filing_date": D(2025, 3, 10)}, {"case_id": "none", "filing_date": D(2025, 1, 2)},
                         {"case_id": "b", "filing_date": D(2025, 3, 3)}, {"case_id": "f", "filing_date": D(2025, 3, 10)}])
    events = events_table([
        # a: 04-01..04-30 ∪ 04-15..05-14 = 44 days; an open deduction from 06-01; two extensions
        {"case_id": "a", "kind": "deduction", "start_date": D(2025, 4, 1), "end_date": D(2025, 4, 30)},
        {"case_id": "a", "kind": "deduction", "start_date": D(2025, 4, 15), "end_date": D(2025, 5, 14)},
        {"case_id": "a", "kind": "deduction", "start_date": D(2025, 6, 1)},
        {"case_id": "a", "kind": "extension", "start_date": D(2025, 8, 1), "months": 6},
        {"case_id": "a", "kind": "extension", "start_date": D(2025, 12, 1), "days": 15},
        # b: a deduction before the restart is cut to the day after the restart (05-07..05-20 = 14 days)
        {"case_id": "b", "kind": "deduction", "start_date": D(2025, 3, 10), "end_date": D(2025, 5, 20)},
        {"case_id": "b", "kind": "restart", "start_date": D(2025, 5, 6)},
        # f: 中止 with no end, closed by the first 恢复 on or after it (04-20): 20 days
        {"case_id": "f", "kind": "resumption", "start_date": D(2025, 3, 20)},
        {"case_id": "f", "kind": "suspension", "start_date": D(2025, 4, 1)},
        {"case_id": "f", "kind": "resumption", "start_date": D(2025, 4, 20)},
        {"case_id": "ghost", "kind": "deduction", "start_date": D(2025, 4, 1), "end_date": D(2025, 4, 2)},
    ])
    got = {r["case_id"]: r for r in
           summarise(cases, events).append_column("case_id", cases.column("case_id")).to_pylist()}
    a = got["a"]
    assert (a["tl_ext_months"], a["tl_ext_days"], a["tl_n_ext"], a["tl_restart"]) == (6, 15, 2, None)
    assert (a["tl_closed_days"], a["tl_u_lo"], a["tl_u_hi"]) == (44, day(D(2025, 4, 1)), day(D(2025, 5, 14)))
    # touching pieces merge (as merge_intervals does): one piece 04-01..05-14, no days before it (c = 0)
    assert a["tl_pieces"] == [{"a": day(D(2025, 4, 1)), "b": day(D(2025, 5, 14)), "c": 0}]
    assert a["tl_late_key"] == day(D(2025, 4, 1))  # max(a − c)
    assert (a["tl_open_d"], a["tl_open_s"], a["tl_has_deduction"], a["tl_has_suspension"]) == \
        (day(D(2025, 6, 1)), None, True, False)
    assert len(a["tl_spans"]) == 2
    assert all(v is None for v in got["none"].values() if v != "none")
    b = got["b"]
    assert (b["tl_restart"], b["tl_closed_days"]) == (D(2025, 5, 6), 14)
    assert b["tl_pieces"] == [{"a": day(D(2025, 5, 7)), "b": day(D(2025, 5, 20)), "c": 0}]
    f = got["f"]
    assert (f["tl_closed_days"], f["tl_open_s"], f["tl_has_suspension"]) == (20, None, True)
    assert f["tl_spans"] == [{"s": day(D(2025, 4, 1)), "e": day(D(2025, 4, 20)), "susp": True}]


intervals = st.lists(st.tuples(st.integers(0, 200), st.integers(0, 60), st.booleans()), max_size=6)


@settings(max_examples=150, deadline=None)
@given(intervals, st.integers(0, 120), st.one_of(st.none(), st.integers(0, 150)))
def test_closed_union_matches_the_python_merge(ivs, filed_off, restart_off):
    filed = D(2024, 1, 1) + timedelta(days=filed_off)
    ev = [{"case_id": "x", "kind": "deduction", "start_date": D(2024, 1, 1) + timedelta(days=s),
           "end_date": None if open_ else D(2024, 1, 1) + timedelta(days=s + n)} for s, n, open_ in ivs]
    if restart_off is not None:
        ev.append({"case_id": "x", "kind": "restart", "start_date": D(2024, 1, 1) + timedelta(days=restart_off)})
    row = summarise(cases_table([{"case_id": "x", "filing_date": filed}]), events_table(ev) if ev else None).to_pylist()[0]
    start = max([filed] + [e["start_date"] for e in ev if e["kind"] == "restart"])
    first = start + timedelta(days=1)
    closed = [(max(e["start_date"], first), e["end_date"]) for e in ev if e["kind"] == "deduction" and e["end_date"]]
    merged = merge_intervals([(s, e) for s, e in closed if e >= s])
    expected = sum((e - s).days + 1 for s, e in merged)
    deductions = [e for e in ev if e["kind"] == "deduction"]
    assert (row["tl_closed_days"] or 0) == expected
    if deductions:
        assert row["tl_closed_days"] is not None
    if row["tl_pieces"] is not None:  # the merged pieces themselves, each with the days before it
        ps = row["tl_pieces"]
        assert [(p["a"], p["b"]) for p in ps] == [(day(s), day(e)) for s, e in merged]
        assert [p["c"] for p in ps] == [sum(q["b"] - q["a"] + 1 for q in ps[:i]) for i in range(len(ps))]
        assert row["tl_late_key"] == max(p["a"] - p["c"] for p in ps)


def _timeline(store: CaseStore, case_id: str) -> dict:
    import duckdb

    files = [str(f) for f in store.files("cases")]
    return duckdb.connect().execute("SELECT * FROM read_parquet(?) WHERE case_id = ?", [files, case_id]).fetchdf() \
        .to_dict("records")[0]


def test_criminal_conversion_is_kept_and_moves_the_start():
    """A conversion into 普通 (刑事) is stored and deductions before it are cut, like a restart's; a civil one is not."""
    cases = cases_table([{"case_id": "k", "filing_date": D(2025, 3, 3), "procedure": "criminal_public"},
                         {"case_id": "m", "filing_date": D(2025, 3, 3)}])
    events = events_table([
        {"case_id": "k", "kind": "procedure_change", "start_date": D(2025, 3, 14), "detail": "criminal_public"},
        # 03-10..03-20 cut to 03-15..03-20 = 6 days
        {"case_id": "k", "kind": "deduction", "start_date": D(2025, 3, 10), "end_date": D(2025, 3, 20)},
        {"case_id": "m", "kind": "procedure_change", "start_date": D(2025, 3, 14), "detail": "civil_ordinary"},
    ])
    k, m = summarise(cases, events).to_pylist()
    assert (k["tl_convert"], k["tl_closed_days"], k["tl_restart"]) == (D(2025, 3, 14), 6, None)
    assert m["tl_convert"] is None


def test_events_written_later_refresh_the_timeline(tmp_path):
    store = CaseStore(tmp_path)
    with store.transaction() as tx:
        tx.write("cases", cases_table([{"case_id": "a", "filing_date": D(2025, 3, 10)}]))
    assert pd.isna(_timeline(store, "a")["tl_closed_days"])  # no events yet
    with store.transaction() as tx:  # events only: the cases file is rewritten in the same transaction
        tx.write("case_events", events_table(
            [{"case_id": "a", "kind": "deduction", "start_date": D(2025, 4, 1), "end_date": D(2025, 4, 10)}]))
    assert _timeline(store, "a")["tl_closed_days"] == 10
    with store.transaction() as tx:
        tx.drop_partition("case_events", ("X", 2025))
    assert pd.isna(_timeline(store, "a")["tl_has_deduction"])


def test_a_store_without_timelines_is_upgraded_on_open(tmp_path):
    from zhixiao.engine import connect

    store = CaseStore(tmp_path)
    with store.transaction() as tx:
        tx.write("case_events", events_table(
            [{"case_id": "a", "kind": "deduction", "start_date": D(2025, 4, 1), "end_date": D(2025, 4, 10)}]))
        tx.write("cases", cases_table([{"case_id": "a", "filing_date": D(2025, 3, 10)}]))
    # make it look like a format-1 store: cases file without tl_* columns, manifest without "format"
    f = store.files("cases")[0]
    pq.write_table(pq.read_table(f, schema=CASES), f)
    raw = json.loads(store.manifest_path.read_text("utf-8"))
    raw.pop("format")
    store.manifest_path.write_text(json.dumps(raw), "utf-8")
    assert store.manifest().format == 1
    row = deadline_table(connect(tmp_path), D(2025, 6, 30)).to_pyarrow().to_pylist()[0]
    assert store.manifest().format == 4
    assert row["deducted_days"] == 10 and row["deadline"] == D(2025, 9, 22)  # 09-10 + 10 days = 09-20 (Sat) → 09-22
