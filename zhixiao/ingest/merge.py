"""Merge accepted rows into the case store in one transaction: the latest snapshot of a key wins.

For each affected (court_code, year) partition the current rows and the new rows are unioned and
one row per key is kept: the latest ``snapshot_date``; on a tie the newer import (then the later
file of the same import) wins. Tables without a snapshot date (people) let the new row win.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from zhixiao.ingest.validate import DUP_KEY
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES, conform

PRIO = "_prio"  # larger = newer: existing rows -1, then files of this import in order
TEST_HOOK = "ZHIXIAO_TEST_IMPORT_HOOK"  # tests: path of a marker file; the import sleeps inside the transaction


def latest(t: pa.Table, table: str) -> pa.Table:
    """One row per key: latest snapshot_date, then highest PRIO; sorted by court, year, key."""
    keys = ", ".join(f'"{k}"' for k in DUP_KEY[table])
    order = ('snapshot_date DESC NULLS LAST, ' if "snapshot_date" in TABLES[table].names else "") + f"{PRIO} DESC"
    con = duckdb.connect()
    try:
        con.register("t", t)
        out = con.sql(
            f"SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS _rn "
            f"FROM t) WHERE _rn = 1 ORDER BY court_code, year, {keys}").to_arrow_table()
    finally:
        con.close()
    return out


def _with_prio(t: pa.Table, prio: int | pa.Array) -> pa.Table:
    col = prio if isinstance(prio, (pa.Array, pa.ChunkedArray)) else pa.array(np.full(t.num_rows, prio, np.int32))
    return t.append_column(PRIO, col)


def merge_into_store(store: CaseStore, table: str, new: list[pa.Table]) -> tuple[int, list[tuple[str, int]]]:
    """Write ``new`` (accepted tables in file order) into ``store``; returns (manifest version, partitions)."""
    parts = [_with_prio(conform(table, t), i) for i, t in enumerate(new) if t.num_rows]
    if not parts:
        return store.manifest().version, []
    incoming = latest(pa.concat_tables(parts), table)
    courts = incoming.column("court_code").to_numpy(zero_copy_only=False)
    years = incoming.column("year").to_numpy(zero_copy_only=False)
    # incoming is sorted by (court, year): cut it into runs.
    change = np.ones(len(courts), dtype=bool)
    change[1:] = (courts[1:] != courts[:-1]) | (years[1:] != years[:-1])
    starts = list(np.where(change)[0]) + [len(courts)]
    written: list[tuple[str, int]] = []
    with store.transaction() as tx:
        for a, b in zip(starts[:-1], starts[1:], strict=True):
            key = (str(courts[a]), int(years[a]))
            chunk = incoming.slice(a, b - a)
            current = tx.current(table, key)
            if current is not None and current.num_rows:
                fresh = _with_prio(conform(table, chunk.drop_columns([PRIO])), chunk.column(PRIO).cast(pa.int32()))
                merged = latest(pa.concat_tables([_with_prio(current, -1), fresh]), table)
            else:
                merged = chunk
            tx.replace_partition(table, key, merged.drop_columns([PRIO]))
            written.append(key)
        _test_pause()
    return store.manifest().version, written


def _test_pause() -> None:
    marker = os.environ.get(TEST_HOOK)
    if marker:
        Path(marker).write_text("in transaction")
        time.sleep(float(os.environ.get("ZHIXIAO_TEST_IMPORT_SLEEP", "60")))

