"""Stage accepted rows in a store transaction: the latest snapshot of a key wins, field by field.

The update rule (README, ``zhixiao import --help``): a file updates only the columns it carries; for a
case already stored, the columns the file does not carry keep their stored values (a narrower export
must not blank 承办人 or 标的额). A row whose ``snapshot_date`` is older than the stored row's is not
applied and is counted as ``stale`` for its file; on a tie the newer import, then the later file of the
same import, wins. Tables without a snapshot date (people) let the newer row win.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.ingest.validate import DUP_KEY, key_column
from zhixiao.store.cases import Partition, Transaction
from zhixiao.store.schema import TABLES, conform, null_free_dictionaries


@dataclass
class Incoming:
    data: pa.Table  # one file's accepted rows
    carried: frozenset[str]  # the columns the file gives (or its 案号 implies)


def combine(old: pa.Table | None, new: pa.Table, table: str, carried: frozenset[str]) -> tuple[pa.Table, int]:
    """(``old`` ∪ ``new`` with one row per key, rows of ``new`` not applied because ``old`` is newer).
    Each side is unique on the key."""
    if old is None or old.num_rows == 0:
        return new, 0
    schema = TABLES[table]
    keys = DUP_KEY[table]
    old, new = conform(table, old), conform(table, new)
    pos = pc.index_in(key_column(new, keys), value_set=key_column(old, keys))  # the stored row of each new row
    if pos.null_count == len(pos):
        return pa.concat_tables([old, new]), 0
    stale = 0
    if "snapshot_date" in schema.names:
        older = pc.fill_null(pc.less(new.column("snapshot_date"), pc.take(old.column("snapshot_date"), pos)), False)
        stale = int(pc.sum(older).as_py() or 0)
        if stale:
            new, pos = new.filter(pc.invert(older)), pos.filter(pc.invert(older))
    stored = pc.is_valid(pos)
    cols = [new.column(f.name) if f.name in carried else
            pc.if_else(stored, pc.take(old.column(f.name), pos), new.column(f.name)) for f in schema]
    new = pa.Table.from_arrays(cols, schema=schema)
    replaced = np.zeros(old.num_rows, dtype=bool)
    replaced[pos.drop_null().to_numpy()] = True
    return pa.concat_tables([old.filter(pa.array(~replaced)), new]), stale


def partitions(t: pa.Table) -> dict[Partition, pa.Table]:
    """``t``'s rows per (court_code, year), file order kept within each."""
    if t.num_rows == 0:
        return {}
    court = pc.dictionary_encode(t.column("court_code").cast(pa.string()).combine_chunks())
    years = t.column("year").to_numpy().astype(np.int64)
    y0, width = int(years.min()), int(years.max() - years.min()) + 1
    code = court.indices.to_numpy().astype(np.int64) * width + (years - y0)
    if not (code[1:] >= code[:-1]).all():  # a take concatenates chunks: their dictionaries must be null-free
        t = pa.table({n: null_free_dictionaries(c) if pa.types.is_dictionary(c.type) else c for n, c in zip(
            t.column_names, t.columns, strict=True)})
        order = np.argsort(code, kind="stable")
        t, code = t.take(pa.array(order)), code[order]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    names, ends = court.dictionary.to_pylist(), [*starts[1:].tolist(), len(code)]
    return {(names[int(code[a] // width)], int(code[a] % width) + y0): t.slice(int(a), int(b - a))
            for a, b in zip(starts.tolist(), ends, strict=True)}


def stage(tx: Transaction, table: str, files: list[Incoming]) -> tuple[list[Partition], list[int]]:
    """Stage ``files`` (in order) in ``tx``: (partitions written, per file the rows not applied)."""
    stale = [0] * len(files)
    pending: dict[Partition, pa.Table] = {}
    with ThreadPoolExecutor(pa.cpu_count()) as pool:  # Arrow's kernels and Parquet's writer release the GIL
        for i, inc in enumerate(files):
            parts = partitions(inc.data)

            def step(key: Partition, parts=parts, inc=inc) -> tuple[Partition, pa.Table, int]:
                old = pending[key] if key in pending else tx.current(table, key)
                return (key, *combine(old, parts[key], table, inc.carried))

            for key, merged, n in pool.map(step, list(parts)):
                stale[i] += n
                if n < parts[key].num_rows:
                    pending[key] = merged
        order = sorted(pending, key=lambda k: -pending[k].num_rows)  # biggest first: none is left alone at the end
        list(pool.map(lambda k: tx.replace_partition(table, k, pending[k]), order))
    return sorted(pending), stale
