"""``zhixiao bench indicators`` compares like with like: the pandas baseline gives the evaluator's answer on every
cell (审限内结案率 included), and the scan floor reads the columns the suite uses (no timing asserted)."""

from __future__ import annotations

from zhixiao.bench.indicators import (
    _agree,
    columns_used,
    generate,
    run_evaluator,
    run_pandas,
    run_scan,
    suite,
)


def test_pandas_baseline_agrees_with_the_evaluator(tmp_path):
    generate(tmp_path, 6000, seed=11)
    assert any(i.id == "on_time_rate" for i in suite(str(tmp_path)))
    ours, _, _ = run_evaluator(str(tmp_path))
    theirs, _, _ = run_pandas(str(tmp_path))
    n, bad = _agree(ours, theirs)
    assert n > 500 and bad == 0
    on_time = [v for (p, ind, *_g), v in ours.items() if ind == "on_time_rate" and v[0] is not None]
    assert on_time and any(0 < v[0] < 100 for v in on_time)  # real values, not all empty or trivial
    assert run_scan(str(tmp_path))[0] == 6000
    assert {"procedure", "tl_closed_days", "filing_date", "closing_date"} <= set(columns_used(str(tmp_path)))


def test_floor_reads_what_the_evaluator_reads(tmp_path, monkeypatch):
    """The scan floor is fair: exactly the case columns the evaluator's queries read (DuckDB's own plans)."""
    from tests._plans import parquet_scans
    from zhixiao.bench import indicators as bench
    from zhixiao.engine import connect
    from zhixiao.metrics import evaluate as ev
    from zhixiao.store.schema import PEOPLE

    generate(tmp_path, 2000, seed=12)
    e = connect(tmp_path)
    read: set[str] = set()
    original = ev._records

    def profiled(expr):
        prof = tmp_path / "profile.json"
        e.con.con.execute(f"PRAGMA enable_profiling='json'; PRAGMA profiling_output='{prof}'")
        out = original(expr)
        e.con.con.execute("PRAGMA disable_profiling")
        for cols in parquet_scans(prof):
            read.update(cols)
        return out

    monkeypatch.setattr(ev, "_records", profiled)
    inds = suite(str(tmp_path))
    ev.evaluate_profiles(e, bench.PROFILES, bench.START, bench.END, by=bench.BY, compare="yoy",
                         indicators={p: [i.id for i in inds if i.profile == p] for p in bench.PROFILES})
    people_only = set(PEOPLE.names) - {"court_code", "division", "year"}
    assert read - people_only == set(columns_used(str(tmp_path)))
