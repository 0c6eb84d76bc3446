"""``zhixiao bench import``: a court export drawn from the demo city (GBK; quoted party lists with commas
and line breaks, blank cells, a few bad rows), our import vs ``pandas.read_csv + to_parquet``.

Targets: at least the baseline's speed (ratio ≥ 1.0) and under 1 GB peak memory. Both sides run in fresh
child processes (``_util.measure``) on the same file, alternating, medians reported; each side is run on
all the cores this process may use and pinned to one core, so a reader sees what more cores buy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from statistics import median
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhixiao.bench._util import measure

TARGET_RATIO = 1.0
PIPE_WIDTH = 1000  # as commands.common's tables (bench sits below commands)
TARGET_MEMORY = 1 << 30
AS_OF = date(2025, 6, 30)
CASES_PER_SCALE = 181_000  # demo city cases at scale 1.0 (warm-up years included), to size the city
BAD_ROWS = ['"(2025)冀0123民初0号","正定县人民法院","2025-01-02"', '"不是案号","正定县人民法院","2025-01-02"',
            '"(2025)冀0123民初999999号","正定县人民法院","2025-02-30"', '"(2025)冀0123民初999998号","正定县人民法院","1900-01-01"']


def generate(path: Path, rows: int) -> Path:
    """Write ``rows`` demo-city cases as one GBK export plus ``BAD_ROWS`` (the rest of their cells blank)."""
    from zhixiao.demo.export import HEADERS, export_city_csv
    from zhixiao.demo.generate import build_city

    city = path.parent / "city"
    shutil.rmtree(city, ignore_errors=True)
    build_city(city, AS_OF, scale=max(0.01, rows * 1.1 / CASES_PER_SCALE), progress=False)
    n = export_city_csv(city, path, rows - len(BAD_ROWS))
    shutil.rmtree(city, ignore_errors=True)
    blank = "," * (len(HEADERS) - 3)
    with open(path, "a", encoding="gbk", newline="") as fh:
        fh.write("".join(f"{r}{blank}\n" for r in BAD_ROWS))
    assert n == rows - len(BAD_ROWS), f"the demo city has only {n} cases"
    return path


def _children() -> tuple[float, int]:
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def _initialise(store: Path) -> None:
    """An installed, empty data directory (its ops database created, as by the first command run on it)."""
    from zhixiao.config import Settings
    from zhixiao.store.ops import migrate

    migrate(Settings(data_dir=store).ops_url)


def run_ours(path: str, data_dir: str) -> tuple[int, int, float]:
    """(accepted, rejected, CPU seconds of this process, all threads)."""
    import time

    cpu = time.process_time()
    from zhixiao.config import Settings
    from zhixiao.ingest.importer import import_files

    res = import_files([Path(path)], Settings(data_dir=Path(data_dir)), user="bench", snapshot_date=AS_OF)
    return res.report.accepted, res.report.rejected, time.process_time() - cpu + _children()[0]


def run_baseline(path: str, out: str) -> tuple[int, int, float]:
    import time

    cpu = time.process_time()
    import pandas as pd

    df = pd.read_csv(path, encoding="gbk")
    df.to_parquet(out)
    return len(df), 0, time.process_time() - cpu


def _runs(src: Path, work: Path, repeat: int, cores: int | None, console: Console, label: str) -> tuple[list, list]:
    base: list[tuple] = []
    ours: list[tuple] = []
    for i in range(repeat):  # alternating, so a slower stretch of the machine hits both sides
        os.sync()
        with console.status(f"基线 / baseline，{label}（{i + 1}/{repeat}）"):
            base.append(measure(run_baseline, str(src), str(work / "baseline.parquet"), cores=cores))
        store = work / "store"
        shutil.rmtree(store, ignore_errors=True)  # a kept store has this file already: the import would be a no-op
        _initialise(store)
        os.sync()
        with console.status(f"zhixiao import，{label}（{i + 1}/{repeat}）"):
            ours.append(measure(run_ours, str(src), str(store), cores=cores))
    return base, ours


def bench_import(rows: Annotated[int, typer.Option("--rows", help="生成的行数 / rows to generate")] = 1_000_000,
                 keep: Annotated[Path | None, typer.Option("--keep", help="保留生成文件与结果的目录 / keep files here")] = None,
                 repeat: Annotated[int, typer.Option("--repeat", min=1,
                                                     help="交替运行次数，取中位数 / alternating runs, median reported")] = 3,
                 ) -> None:
    """导入基准：演示城市导出的 GBK 文件（含带逗号与换行的引号单元格、空单元格、少量坏行），对比 pandas.read_csv+to_parquet；全部核心与单核各测一次。 / Import benchmark vs the pandas baseline, on all cores and pinned to one."""
    console = Console()
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="zhixiao-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / f"export-gbk-{rows}.csv"
        if not src.is_file():  # a kept directory keeps its file: the demo city is slow to build
            with console.status(f"由演示城市生成 {rows:,} 行 GBK 导出文件 / generating from the demo city"):
                generate(src, rows)
                os.sync()
        size = src.stat().st_size
        all_cores = len(os.sched_getaffinity(0))
        t = Table(title=f"导入基准 / import benchmark：{rows:,} 行，{size / 1e6:.0f} MB GBK，导入已初始化的空数据目录；"
                        f"{repeat} 次交替运行的中位数 / medians of {repeat} alternating runs")
        for c in ("核心 / cores", "方案", "耗时(秒)", "CPU(秒)", "行/秒", "峰值内存(MB)", "入库/拒收", "速度比"):
            t.add_column(c)
        verdict = []
        for cores, label in ((None, f"全部 {all_cores} 核 / all cores"), (1, "单核 / one core")):
            base, ours = _runs(src, work, repeat, cores, console, label)
            b_s, o_s = median(r[0] for r in base), median(r[0] for r in ours)
            b_cpu, o_cpu = median(r[2][2] for r in base), median(r[2][2] for r in ours)
            b_mem, o_mem = max(r[1] for r in base), max(r[1] for r in ours)
            runs = "、".join(f"{b[0] / o[0]:.2f}" for b, o in zip(base, ours, strict=True))
            t.add_row(label, "pandas.read_csv+to_parquet", f"{b_s:.2f}", f"{b_cpu:.2f}", f"{rows / b_s:,.0f}",
                      f"{b_mem / 2**20:,.0f}", f"{base[-1][2][0]:,}/–", "")
            t.add_row(label, "zhixiao import", f"{o_s:.2f}", f"{o_cpu:.2f}", f"{rows / o_s:,.0f}", f"{o_mem / 2**20:,.0f}",
                      f"{ours[-1][2][0]:,}/{ours[-1][2][1]:,}", f"{b_s / o_s:.2f}×（各次 / per run：{runs}）")
            if cores is None:
                verdict = [b_s / o_s, b_cpu / o_cpu, o_mem]
        # piped: not cut to 80 columns (the per-run ratios stay readable); rich caps a print at its console's width
        (console if console.is_terminal else Console(width=PIPE_WIDTH)).print(t)
        ratio, cpu_ratio, mem = verdict
        console.print(f"速度比（全部核心，基线耗时 ÷ 我们耗时，中位数）/ speed ratio：{ratio:.2f}×（目标 ≥ {TARGET_RATIO:.1f}×）"
                      f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}；CPU 时间比 / CPU-time ratio：{cpu_ratio:.2f}×")
        console.print(f"峰值内存 / peak memory：{mem / 2**20:,.0f} MB（目标 < 1024 MB）{'PASS' if mem < TARGET_MEMORY else 'FAIL'}")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def register(bench_app: typer.Typer) -> None:
    bench_app.command("import", help=bench_import.__doc__)(bench_import)
