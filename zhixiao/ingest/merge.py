"""Merge accepted rows into the case store in one transaction: the latest snapshot of a key wins.

For each affected (court_code, year) partition the current rows and the new rows are combined and
one row per key is kept: the latest ``snapshot_date``; on a tie the newer import (then the later
file of the same import) wins. Tables without a snapshot date (people) let the newer row win.
Works with Arrow hash look-ups (``is_in``) rather than a sort, so a million-row import stays linear.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.ingest.validate import DUP_KEY, key_column
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES, conform

TEST_HOOK = "ZHIXIAO_TEST_IMPORT_HOOK"  # tests: path of a marker file; the import sleeps inside the transaction
WRITERS = 2  # partitions are written in parallel (Parquet encoding releases the GIL)


def combine(old: pa.Table, new: pa.Table, table: str) -> pa.Table:
    """``old`` ∪ ``new`` with one row per key (each side already unique): new wins unless old is newer."""
    keys = DUP_KEY[table]
    if old.num_rows == 0:
        return new
    if new.num_rows == 0:
        return old
    k_old, k_new = key_column(old, keys), key_column(new, keys)
    clash = pc.is_in(k_old, value_set=k_new)
    if not pc.any(clash).as_py():
        return pa.concat_tables([old, new])
    keep_old = pc.invert(clash)
    if "snapshot_date" in TABLES[table].names:
        o = pa.table({"k": k_old, "s": old.column("snapshot_date")}).filter(clash)
        n = pa.table({"k": k_new, "t": new.column("snapshot_date")})
        j = o.join(n, "k")
        newer = j.filter(pc.fill_null(pc.greater(j.column("s"), j.column("t")), False)).column("k")
        if len(newer):
            keep_old = pc.or_(keep_old, pc.is_in(k_old, value_set=newer.combine_chunks()))
            new = new.filter(pc.invert(pc.is_in(k_new, value_set=newer.combine_chunks())))
    return pa.concat_tables([old.filter(keep_old), new])


def _court_ids(col: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Integer id per row for court_code (plain or dictionary chunks, duplicates in dictionaries merged)."""
    ids: dict[str, int] = {}
    parts = []
    for ch in col.chunks:
        enc = ch if pa.types.is_dictionary(ch.type) else pc.dictionary_encode(ch)
        lut = np.array([ids.setdefault(v, len(ids)) for v in enc.dictionary.to_pylist()] or [0], dtype=np.int64)
        parts.append(lut[enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)])
    return (np.concatenate(parts) if parts else np.zeros(0, np.int64)), list(ids)


Pieces = list[tuple[int, np.ndarray | slice]]  # (record batch, its rows: indices, or a run)


def _split(t: pa.Table) -> tuple[list[pa.RecordBatch], dict[tuple[str, int], Pieces | None]]:
    """Rows per (court_code, year) (None = all rows) as runs or indices in ``t``'s record batches (runs when
    a batch is already grouped, see ``group_by_partition``; else from one small-integer sort per batch).
    Indexed rows are gathered in the writer threads, batch by batch (a take on a chunked table would
    concatenate every column per partition), so only the partitions being written are copied at any time."""
    court, names = _court_ids(t.column("court_code"))
    years = t.column("year").to_numpy().astype(np.int64)
    y0, width = (int(years.min()), int(years.max() - years.min()) + 1) if len(years) else (0, 1)
    code = court * width + (years - y0)
    present = np.flatnonzero(np.bincount(code))
    keys = {int(u): (names[int(u // width)], int(u % width) + y0) for u in present}
    if len(keys) == 1:
        return [], {next(iter(keys.values())): None}
    small = code.astype(np.int16) if code.max() < 1 << 15 else code
    batches = t.to_batches()
    parts: dict[tuple[str, int], Pieces] = {k: [] for k in keys.values()}
    start = 0
    for b, batch in enumerate(batches):
        c = small[start: start + batch.num_rows]
        start += batch.num_rows
        order = None if (c[1:] >= c[:-1]).all() else np.argsort(c, kind="stable")  # radix sort
        counts = np.bincount(c, minlength=int(code.max()) + 1)
        bounds = np.concatenate([[0], np.cumsum(counts)])
        for u in np.flatnonzero(counts):
            lo, hi = int(bounds[u]), int(bounds[u + 1])
            parts[keys[int(u)]].append((b, slice(lo, hi) if order is None else order[lo:hi]))
    return batches, parts


def _rows(pieces: Pieces | None, everything: int) -> int:
    if pieces is None:
        return everything
    return sum(r.stop - r.start if isinstance(r, slice) else len(r) for _, r in pieces)


def gather(batches: list[pa.RecordBatch], pieces: Pieces, schema: pa.Schema) -> pa.Table:
    """One partition's rows: runs are sliced (no copy), indexed rows taken."""
    return pa.Table.from_batches([batches[b].slice(rows.start, rows.stop - rows.start) if isinstance(rows, slice)
                                  else batches[b].take(pa.array(rows)) for b, rows in pieces], schema=schema)


def group_by_partition(t: pa.Table) -> pa.Table:
    """``t`` (one batch of accepted rows) with its rows stably ordered by (court_code, year): each partition
    is then one run that the writers slice instead of gathering. File order within a partition stays."""
    if t.num_rows < 2:
        return t
    court, _ = _court_ids(t.column("court_code"))
    code = court * 10_000 + pc.fill_null(t.column("year"), 0).to_numpy().astype(np.int64)
    if (code[1:] >= code[:-1]).all():
        return t
    return t.take(pa.array(np.argsort(code, kind="stable")))


def _align(table: str, t: pa.Table) -> pa.Table:
    """Canonical column order; missing columns are added per partition by the store (``conform``), and
    dictionary-encoded columns stay encoded."""
    return t.select([f.name for f in TABLES[table] if f.name in t.column_names])


def merge_into_store(store: CaseStore, table: str, new: list[pa.Table]) -> tuple[int, list[tuple[str, int]]]:
    """Write ``new`` (accepted tables in file order) into ``store``; returns (manifest version, partitions)."""
    incoming = None
    for t in new:
        if t.num_rows:
            incoming = _align(table, t) if incoming is None else combine(conform(table, incoming), conform(table, t), table)
    if incoming is None:
        return store.manifest().version, []
    _release_unused()
    batches, parts = _split(incoming)
    with store.transaction() as tx:
        def write(key: tuple[str, int]) -> None:
            pieces = parts[key]
            rows = incoming if pieces is None else gather(batches, pieces, incoming.schema)
            current = tx.current(table, key)
            data = rows if current is None else combine(current, conform(table, rows), table)
            tx.replace_partition(table, key, data)
            _release_unused()

        with ThreadPoolExecutor(WRITERS) as pool:  # biggest first: no writer is left alone with a big one
            list(pool.map(write, sorted(parts, key=lambda k: -_rows(parts[k], incoming.num_rows))))
        _test_pause()
    return store.manifest().version, sorted(parts)


def _release_unused() -> None:
    """Hand memory Arrow's allocator keeps for reuse back to the system. Memory freed by a thread other
    than the one that allocated it (reader → validator → writers) is otherwise kept: ~80 MB lower peak."""
    pa.default_memory_pool().release_unused()


def _test_pause() -> None:
    marker = os.environ.get(TEST_HOOK)
    if marker:
        Path(marker).write_text("in transaction")
        time.sleep(float(os.environ.get("ZHIXIAO_TEST_IMPORT_SLEEP", "60")))
