"""The synthetic store of ``zhixiao bench deadlines`` is valid input: the three workloads see the same cases
and the engine agrees with the Python function on it (no timing assertions here)."""

from __future__ import annotations

from zhixiao.bench.deadlines import AS_OF, generate, run_engine, run_python_sample, run_scan
from zhixiao.deadlines import deadline_table
from zhixiao.engine import connect


def test_bench_store_and_workloads(tmp_path):
    from tests.supervision.test_deadlines_engine import assert_agree, python_rows

    generate(tmp_path, 3000, seed=5)
    assert run_scan(str(tmp_path))[0] == 3000 and run_engine(str(tmp_path))[0] == 3000
    k, _ = run_python_sample(str(tmp_path), 500)
    assert k == 500
    rows = deadline_table(connect(tmp_path), AS_OF).to_pyarrow().to_pylist()
    assert_agree(rows, python_rows(tmp_path, AS_OF))
    assert any(r["open_deduction"] for r in rows) and any(r["deducted_days"] for r in rows)
