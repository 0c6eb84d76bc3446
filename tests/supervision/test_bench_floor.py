"""The bench's floor scans exactly the columns the engine's computation reads, and all workloads see every case."""

from __future__ import annotations

from tests._plans import parquet_scans
from zhixiao.bench.deadlines import AS_OF, _aggregate, generate, run_cached, run_engine, run_scan
from zhixiao.deadlines import INPUT_COLUMNS, with_deadlines
from zhixiao.engine import connect


def test_floor_and_engine_count_every_case(tmp_path):
    generate(tmp_path, 1200, seed=3)
    assert run_scan(str(tmp_path))[0] == run_engine(str(tmp_path))[0] == run_cached(str(tmp_path))[0] == 1200


def test_floor_reads_the_columns_the_engine_reads(tmp_path):
    generate(tmp_path, 300, seed=4)
    e = connect(tmp_path)
    prof = tmp_path / "profile.json"
    e.con.con.execute(f"PRAGMA enable_profiling='json'; PRAGMA profiling_output='{prof}'")
    _aggregate(with_deadlines(e, e.cases, AS_OF)).to_pyarrow()
    scans = parquet_scans(prof)
    assert len(scans) == 1  # one pass over the cases; the event table is not read
    assert set(scans[0]) == set(INPUT_COLUMNS)
