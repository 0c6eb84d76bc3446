"""The bench's floor reads (and writes) the same cases as the read-only reference scan and the engine."""

from __future__ import annotations

from zhixiao.bench.deadlines import generate, run_engine, run_floor, run_scan


def test_floor_and_scan_count_every_case(tmp_path):
    generate(tmp_path, 1200, seed=3)
    assert run_floor(str(tmp_path))[0] == run_scan(str(tmp_path))[0] == run_engine(str(tmp_path))[0] == 1200
