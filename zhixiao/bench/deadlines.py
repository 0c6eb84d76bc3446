"""``zhixiao bench deadlines``: the whole-store 审限 computation against two in-run baselines.

- floor: a bare DuckDB scan of exactly the columns the engine reads (the cases with their stored timeline),
  each counted — the engine's run is streamed into a small aggregate the same way;
- Python: ``compute_deadline`` + ``case_status`` per case on a sample, extrapolated to the whole store.
The cached path (``deadline_table`` writing its result to a temp table for repeated use) is shown too.

The synthetic store is generated one (court, year) partition at a time straight into the case store
(numpy + pyarrow, no per-row Python), so 10 million cases never sit in memory at once.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import typer
from rich.console import Console
from rich.progress import Progress

from zhixiao.bench._util import measure

AS_OF = date(2026, 6, 30)
TARGET = 3.0  # engine within 3× the floor
COURTS = [f"冀01{n:02d}" for n in range(2, 22)]
YEARS = list(range(2017, 2027))
PROCS = [("civil_ordinary", "民初", "civil", 0.30), ("civil_simplified", "民初", "civil", 0.25),
         ("civil_small_claims", "民初", "civil", 0.05), ("civil_second_judgment", "民终", "civil", 0.05),
         ("criminal_public", "刑初", "criminal", 0.07), ("criminal_speedy", "刑初", "criminal", 0.03),
         ("admin_first", "行初", "administrative", 0.03), ("enforcement", "执", "enforcement", 0.20),
         ("enforcement_objection", "执异", "enforcement", 0.02)]
console = Console()


def _partition(court: str, year: int, n: int, rng: np.random.Generator) -> tuple[pa.Table, pa.Table]:
    probs = np.array([p[3] for p in PROCS])
    k = rng.choice(len(PROCS), size=n, p=probs / probs.sum())
    start = np.datetime64(f"{year}-01-01")
    filing = start + rng.integers(0, 365, n).astype("timedelta64[D]")
    dur = rng.gamma(2.0, 60.0, n).astype("int64") + 5
    closing = filing + dur.astype("timedelta64[D]")
    closing = np.where(closing <= np.datetime64(AS_OF), closing, np.datetime64("NaT"))
    seq = np.arange(1, n + 1)
    type_code = np.array([p[1] for p in PROCS])[k]
    case_id = pc.binary_join_element_wise(
        pa.array(np.full(n, f"({year}){court}")), pa.array(type_code), pa.array(seq.astype(str)), pa.array(np.full(n, "号")), ""
    )
    foreign = rng.random(n) < 0.01
    tags = pa.array([["foreign_related"] if f else [] for f in foreign], pa.list_(pa.string()))
    cases = pa.table({
        "case_id": case_id, "court_code": pa.array(np.full(n, court)), "year": pa.array(np.full(n, year, np.int32)),
        "type_code": pa.array(type_code), "seq": pa.array(seq), "category": pa.array(np.array([p[2] for p in PROCS])[k]),
        "procedure": pa.array(np.array([p[0] for p in PROCS])[k]),
        "filing_date": pa.array(filing.astype("datetime64[D]"), pa.date32()),
        "closing_date": pa.array(closing.astype("datetime64[D]"), pa.date32()),
        "division": pa.array(np.array(["民一庭", "民二庭", "刑事庭", "执行局"])[rng.integers(0, 4, n)]),
        "judge_id": pa.array(np.char.add(f"{court}-J", rng.integers(0, 60, n).astype(str))),
        "tags": tags,
    })
    # ~15 % of cases carry an event: deductions (some open, some overlapping), suspensions, extensions, restarts
    m = rng.random(n) < 0.15
    idx = np.nonzero(m)[0]
    kinds = np.array(["deduction", "deduction", "suspension", "extension", "restart"])[rng.integers(0, 5, len(idx))]
    s = filing[idx] + rng.integers(1, 90, len(idx)).astype("timedelta64[D]")
    length = rng.integers(5, 60, len(idx)).astype("timedelta64[D]")
    open_end = rng.random(len(idx)) < 0.1
    end = np.where(open_end | (kinds == "extension") | (kinds == "restart"), np.datetime64("NaT"), s + length)
    months = np.where(kinds == "extension", rng.integers(1, 7, len(idx)), 0)
    events = pa.table({
        "case_id": case_id.take(pa.array(idx)), "court_code": pa.array(np.full(len(idx), court)),
        "year": pa.array(np.full(len(idx), year, np.int32)), "kind": pa.array(kinds),
        "start_date": pa.array(s.astype("datetime64[D]"), pa.date32()),
        "end_date": pa.array(end.astype("datetime64[D]"), pa.date32()),
        "months": pa.array(months.astype(np.int32), mask=kinds != "extension"),
    })
    return cases, events


def generate(data_dir: Path, n_cases: int, seed: int = 1) -> None:
    """Write ``n_cases`` synthetic cases into a store, one partition at a time."""
    from zhixiao.store.cases import CaseStore

    rng = np.random.default_rng(seed)
    parts = [(c, y) for c in COURTS for y in YEARS]
    per = np.full(len(parts), n_cases // len(parts))
    per[: n_cases % len(parts)] += 1
    store = CaseStore(data_dir)
    with Progress(console=console, transient=True) as prog, store.transaction() as tx:
        task = prog.add_task(f"生成 {n_cases:,} 件合成案件", total=len(parts))
        for (court, year), n in zip(parts, per, strict=True):
            if n:
                cases, events = _partition(court, year, int(n), rng)
                tx.replace_partition("case_events", (court, year), events)  # first: cases get their timeline once
                tx.replace_partition("cases", (court, year), cases)
            prog.advance(task)


# ── the measured workloads (top-level so the child process can import them) ────────────────────────────

def _aggregate(t):
    """What the engine workloads return: per status, counts and sums over every case's result, plus a checksum
    of the 案号 (the result is per case, so the case id is read as any consumer would)."""
    return t.group_by("status").aggregate(n=t.count(), on_time=t.closed_within_limit.sum(), last=t.deadline.max(),
                                         ded=t.deducted_days.sum(), prov=t.provisional.sum(),
                                         ext=t.n_extensions.sum(), hd=t.has_deduction.sum(),
                                         hs=t.has_suspension.sum(), hg=t.hearing_gaps.sum(),
                                         ids=(t.case_id.hash() % 7).sum())


def _timed_engine(data_dir: str, cached: bool) -> tuple[int, float, float]:
    """(cases, wall seconds after imports, CPU seconds of all threads) of opening the store and running the
    whole-store computation into ``_aggregate``."""
    import time

    import ibis.backends.duckdb  # noqa: F401 — libraries imported before the clock, as the floor's duckdb is
    import pandas  # noqa: F401 — (ibis and pyarrow load them lazily on first use: imports, not work)

    from zhixiao.deadlines import deadline_table, with_deadlines
    from zhixiao.engine import connect

    t0, c0 = time.perf_counter(), time.process_time()
    e = connect(data_dir)
    table = deadline_table(e, AS_OF) if cached else with_deadlines(e, e.cases, AS_OF)
    rows = _aggregate(table).to_pyarrow().to_pylist()
    return int(sum(r["n"] for r in rows)), time.perf_counter() - t0, time.process_time() - c0


def run_engine(data_dir: str) -> tuple[int, float, float]:
    """The whole-store computation streamed into the aggregate (nothing materialised)."""
    return _timed_engine(data_dir, cached=False)


def run_cached(data_dir: str) -> tuple[int, float, float]:
    """The same through ``deadline_table``, which first writes the 34-column result to a DuckDB temp table that
    the briefing, the web app and the ledger then query many times (shown, no target)."""
    return _timed_engine(data_dir, cached=True)


def scan_sql() -> str:
    """The floor's query: every column the engine reads (``INPUT_COLUMNS``) counted — DuckDB reads and decodes
    each one (a test checks its plan) and does nothing else, as ``bench indicators``' floor."""
    from zhixiao.deadlines import INPUT_COLUMNS

    return f"SELECT count(*), {', '.join(f'count({c})' for c in INPUT_COLUMNS)} FROM read_parquet(?)"


def run_scan(data_dir: str) -> tuple[int, float, float]:
    """(cases, wall seconds after imports, CPU seconds) of the floor: a bare DuckDB scan of the columns the
    engine reads, each counted (nothing computed, nothing written)."""
    import time

    import duckdb

    from zhixiao.store.cases import CaseStore

    t0, c0 = time.perf_counter(), time.process_time()
    files = [str(f) for f in CaseStore(data_dir).files("cases")]
    n = duckdb.connect().execute(scan_sql(), [files]).fetchone()[0]
    return int(n), time.perf_counter() - t0, time.process_time() - c0


def run_python_sample(data_dir: str, sample: int) -> tuple[int, float]:
    """compute_deadline + case_status on the first ``sample`` cases; returns (n, seconds of compute only)."""
    import time
    from collections import defaultdict

    import pyarrow.parquet as pq

    from zhixiao.domain.calendar import WorkCalendar
    from zhixiao.domain.time_limits import case_status, compute_deadline, event_inputs
    from zhixiao.store.cases import CaseStore

    store = CaseStore(data_dir)
    cases: list[dict] = []
    ev = defaultdict(list)
    for f_cases, f_events in zip(store.files("cases"), store.files("case_events"), strict=False):
        cases += pq.read_table(f_cases).slice(0, sample - len(cases)).to_pylist()
        for e in pq.read_table(f_events).to_pylist():
            ev[e["case_id"]].append(e)
        if len(cases) >= sample:
            break
    cal = WorkCalendar()
    t0 = time.perf_counter()
    for c in cases:
        closed = c["closing_date"] if c["closing_date"] and c["closing_date"] <= AS_OF else None
        r = compute_deadline(c["procedure"], c["filing_date"], as_of=AS_OF, closed=closed, tags=c["tags"] or (),
                             calendar=cal, **event_inputs(ev[c["case_id"]]))
        case_status(r, AS_OF, c["closing_date"])
    return len(cases), time.perf_counter() - t0


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("deadlines", help="全库审限计算 vs 逐案 Python 与 DuckDB 裸扫描 / whole-store deadlines vs baselines")
    def deadlines(
        cases: Annotated[int, typer.Option("--cases", help="合成案件数 / number of synthetic cases")] = 10_000_000,
        sample: Annotated[int, typer.Option("--sample", help="逐案 Python 基线的样本量 / Python sample size")] = 20_000,
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="合成数据目录（默认临时目录）/ where to generate")] = None,
        keep: Annotated[bool, typer.Option("--keep", help="保留合成数据 / keep the generated store")] = False,
    ) -> None:
        from zhixiao.deadlines import INPUT_COLUMNS

        tmp = data_dir is None
        d = Path(tempfile.mkdtemp(prefix="zx-bench-")) if tmp else Path(data_dir)
        try:
            if not (d / "manifest.json").is_file():
                gen_s, _, _ = measure(generate, d, cases)
                console.print(f"生成 {cases:,} 件合成案件：{gen_s:.1f} 秒（{d}）")
                os.sync()  # the kernel writing the new files back must not run during the timings
            scan_wall, scan_mem, (n, scan_s, scan_cpu) = measure(run_scan, str(d))
            eng_wall, eng_mem, (n_eng, eng_s, eng_cpu) = measure(run_engine, str(d))
            cached_wall, _, (_, cached_s, cached_cpu) = measure(run_cached, str(d))
            _, _, (k, py_s) = measure(run_python_sample, str(d), sample)
            py_total = py_s / max(k, 1) * n
            ratio = eng_s / scan_s
            console.print(f"案件数 {n:,}（引擎统计 {n_eng:,}）；时间不含 Python 模块导入，括号内为含启动的子进程总时长")
            console.print(f"DuckDB 裸扫描引擎所读的 {len(INPUT_COLUMNS)} 列（下限）：{scan_s:.2f} 秒（{scan_wall:.2f}），"
                          f"CPU {scan_cpu:.2f} 秒，峰值内存 {scan_mem / 2**20:.0f} MiB")
            console.print(f"引擎全库审限计算（流式汇总，不落表）：{eng_s:.2f} 秒（{eng_wall:.2f}），CPU {eng_cpu:.2f} 秒，"
                          f"峰值内存 {eng_mem / 2**20:.0f} MiB")
            console.print(f"参考：经 deadline_table 先写入 34 列缓存表再汇总：{cached_s:.2f} 秒（{cached_wall:.2f}），"
                          f"CPU {cached_cpu:.2f} 秒（缓存表供简报、网页、督办台账反复查询；无目标）")
            console.print(f"逐案 Python（{k:,} 件样本外推）：{py_total:.1f} 秒")
            console.print(f"引擎 / 下限 = {ratio:.2f}×（CPU {eng_cpu / scan_cpu:.2f}×）；逐案 Python / 引擎 = "
                          f"{py_total / eng_s:.1f}×")
            verdict = "[bold green]PASS[/]" if ratio <= TARGET else "[bold red]FAIL[/]"
            console.print(f"{verdict} 目标：引擎不超过下限的 {TARGET:g} 倍 / engine within {TARGET:g}× the floor")
        finally:
            if tmp and not keep:
                shutil.rmtree(d, ignore_errors=True)
