"""``zhixiao bench deadlines``: the whole-store 审限 computation against two in-run baselines.

- floor: a bare DuckDB read of the same columns (cases + case_events) into temp tables, the same sink the
  engine's cached table uses — no engine can beat reading and writing them;
- Python: ``compute_deadline`` + ``case_status`` per case on a sample, extrapolated to the whole store.

The synthetic store is generated one (court, year) partition at a time straight into the case store
(numpy + pyarrow, no per-row Python), so 10 million cases never sit in memory at once.
"""

from __future__ import annotations

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
                tx.replace_partition("cases", (court, year), cases)
                tx.replace_partition("case_events", (court, year), events)
            prog.advance(task)


# ── the three measured workloads (top-level so the child process can import them) ──────────────────────

def run_engine(data_dir: str) -> tuple[int, float, float]:
    """(cases, wall seconds after imports, CPU seconds of all threads): connect, build, compile and run the
    whole-store computation."""
    import time

    from zhixiao.engine import connect
    from zhixiao.supervision.deadlines import deadline_table

    t0, c0 = time.perf_counter(), time.process_time()
    t = deadline_table(connect(data_dir), AS_OF)
    agg = t.group_by("status").aggregate(n=t.count(), on_time=t.closed_within_limit.sum(), last=t.deadline.max(),
                                        ded=t.deducted_days.sum(), prov=t.provisional.sum())
    n = int(sum(r["n"] for r in agg.to_pyarrow().to_pylist()))
    return n, time.perf_counter() - t0, time.process_time() - c0


CASE_COLUMNS = ("case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
                "filing_date", "closing_date", "tags")
EVENT_COLUMNS = ("case_id", "kind", "start_date", "end_date", "days", "months")


def run_floor(data_dir: str) -> tuple[int, float, float]:
    """(cases, wall seconds after imports, CPU seconds) of a bare DuckDB read of the same columns with the same sink.

    ``deadline_table`` reads ``CASE_COLUMNS`` and ``EVENT_COLUMNS`` and materialises its result as a DuckDB
    temp table (the cached table every consumer joins), so the floor does the same with the bare columns:
    every value is read and written once, nothing computed. (Hashing the columns into a sum instead would
    compare a table-writing engine with a read-only scan and bill the table writes to the engine.)
    """
    import time

    import duckdb

    from zhixiao.store.cases import CaseStore

    t0, c0 = time.perf_counter(), time.process_time()
    store = CaseStore(data_dir)
    con = duckdb.connect()
    cases = [str(f) for f in store.files("cases")]
    events = [str(f) for f in store.files("case_events")]
    con.execute(f"CREATE TEMP TABLE floor_cases AS SELECT {', '.join(CASE_COLUMNS)} FROM read_parquet(?)", [cases])
    con.execute(f"CREATE TEMP TABLE floor_events AS SELECT {', '.join(EVENT_COLUMNS)} FROM read_parquet(?)",
                [events])
    n = con.execute("SELECT count(*) FROM floor_cases").fetchone()[0]
    return int(n), time.perf_counter() - t0, time.process_time() - c0


def run_scan(data_dir: str) -> tuple[int, float, float]:
    """(cases, wall seconds after imports, CPU seconds) of a read-only scan of the same columns (hashed into sums, nothing
    written): shown for reference next to the floor, it is what the floor was before it had a sink."""
    import time

    import duckdb

    from zhixiao.store.cases import CaseStore

    t0, c0 = time.perf_counter(), time.process_time()
    store = CaseStore(data_dir)
    con = duckdb.connect()
    hashed = ", ".join(f"sum(hash({c}))" for c in CASE_COLUMNS if not c.endswith("_date"))
    n = con.execute(
        f"SELECT count(*), {hashed}, sum(filing_date - DATE '2000-01-01'), sum(closing_date - DATE '2000-01-01') "
        "FROM read_parquet(?)", [[str(f) for f in store.files("cases")]]).fetchone()[0]
    con.execute("SELECT sum(hash(case_id)), sum(hash(kind)), sum(start_date - DATE '2000-01-01'), "
                "sum(end_date - DATE '2000-01-01'), sum(months), sum(days) FROM read_parquet(?)",
                [[str(f) for f in store.files("case_events")]]).fetchone()
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
        tmp = data_dir is None
        d = Path(tempfile.mkdtemp(prefix="zx-bench-")) if tmp else Path(data_dir)
        try:
            if not (d / "manifest.json").is_file():
                gen_s, _, _ = measure(generate, d, cases)
                console.print(f"生成 {cases:,} 件合成案件：{gen_s:.1f} 秒（{d}）")
            floor_wall, floor_mem, (n, floor_s, floor_cpu) = measure(run_floor, str(d))
            _, _, (_, scan_s, scan_cpu) = measure(run_scan, str(d))
            eng_wall, eng_mem, (n_eng, eng_s, eng_cpu) = measure(run_engine, str(d))
            _, _, (k, py_s) = measure(run_python_sample, str(d), sample)
            py_total = py_s / max(k, 1) * n
            ratio = eng_s / floor_s
            console.print(f"案件数 {n:,}（引擎统计 {n_eng:,}）；以下时间不含 Python 模块导入，括号内为含启动的子进程总时长")
            console.print(f"DuckDB 裸读写同列（下限，读入临时表）：{floor_s:.2f} 秒（{floor_wall:.2f}），"
                          f"CPU {floor_cpu:.2f} 秒，峰值内存 {floor_mem / 2**20:.0f} MiB")
            console.print(f"参考：同列只扫描不落表 {scan_s:.2f} 秒，CPU {scan_cpu:.2f} 秒"
                          f"（引擎 / 扫描 = {eng_s / scan_s:.2f}×）")
            console.print(f"引擎全库审限计算：{eng_s:.2f} 秒（{eng_wall:.2f}），CPU {eng_cpu:.2f} 秒，"
                          f"峰值内存 {eng_mem / 2**20:.0f} MiB")
            console.print(f"逐案 Python（{k:,} 件样本外推）：{py_total:.1f} 秒")
            console.print(f"引擎 / 下限 = {ratio:.2f}×（CPU {eng_cpu / floor_cpu:.2f}×）；逐案 Python / 引擎 = "
                          f"{py_total / eng_s:.1f}×")
            verdict = "[bold green]PASS[/]" if ratio <= TARGET else "[bold red]FAIL[/]"
            console.print(f"{verdict} 目标：引擎不超过下限的 {TARGET:g} 倍 / engine within {TARGET:g}× the floor")
        finally:
            if tmp and not keep:
                shutil.rmtree(d, ignore_errors=True)
