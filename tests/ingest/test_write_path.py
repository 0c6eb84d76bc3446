"""The write path keeps dictionary columns encoded up to the Parquet writer; the files read back as the
canonical schema, and the per-partition split puts every row in exactly one partition, in file order."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.ingest.merge import Incoming, partitions, stage
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASES, conform


def _cases(courts: list[str | None], years: list[int], names: list[str | None]) -> pa.Table:
    n = len(courts)
    names_dict = pa.DictionaryArray.from_arrays(pa.array(list(range(n)), pa.int32()), pa.array(names, pa.string()))
    return pa.table({
        "case_id": pa.array([f"({y}){c}民初{i}号" for i, (c, y) in enumerate(zip(courts, years, strict=True))]),
        "court_code": pc_dict(courts),
        "year": pa.array(years, pa.int32()),
        "judge_name": names_dict,  # a dictionary with nulls in it (Parquet cannot write those as they are)
    })


def pc_dict(values: list) -> pa.Array:
    import pyarrow.compute as pc

    return pc.dictionary_encode(pa.array(values, pa.string()))


def test_dictionary_with_nulls_is_written_and_reads_back_canonical(tmp_path):
    t = _cases(["冀0123", "冀0123", "冀0125"], [2024, 2025, 2024], ["王", None, "李"])
    store = CaseStore(tmp_path)
    with store.transaction() as tx:
        stage(tx, "cases", [Incoming(t, frozenset(t.column_names))])
    back = store.read("cases").sort_by("case_id")
    assert back.schema.equals(CASES)
    assert back.column("judge_name").to_pylist() == ["王", "李", None]  # sorted by case_id: 2024 rows first
    for f in store.files("cases"):
        plain = pq.read_table(f)  # no schema given: as DuckDB/Spark/pandas readers see it
        assert plain.select(CASES.names).schema.equals(CASES)


@given(st.lists(st.tuples(st.sampled_from(["冀0123", "冀0125", "冀01"]), st.integers(2019, 2026)), min_size=1,
                max_size=300), st.integers(1, 7))
@settings(max_examples=80, deadline=None)
def test_split_puts_every_row_in_its_partition_once(rows, n_batches):
    """Rows as validated, in any number of record batches: every row lands in its partition once, in file order."""
    courts, years = [r[0] for r in rows], [r[1] for r in rows]
    t = _cases(courts, years, ["x"] * len(rows))
    in_file = t.column("case_id").to_pylist()
    bounds = sorted(set(np.linspace(0, len(rows), n_batches + 1).astype(int)))
    t = pa.concat_tables([t.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False)])
    seen: list[str] = []
    for (court, year), got in partitions(t).items():
        assert set(got.column("court_code").to_pylist()) == {court}
        assert set(got.column("year").to_pylist()) == {year}
        ids = got.column("case_id").to_pylist()
        assert ids == [c for c in in_file if c in set(ids)]  # file order kept
        seen += ids
    assert sorted(seen) == sorted(in_file)


def test_conform_keeps_dictionaries_only_when_asked():
    t = _cases(["冀0123"], [2024], ["王"])
    assert pa.types.is_dictionary(conform("cases", t, keep_dictionaries=True).schema.field("judge_name").type)
    assert conform("cases", t).schema.equals(CASES)
