"""``zhixiao bench import``: a 1 M-row GBK court export, our import vs ``pandas.read_csv + to_parquet``.

Targets: at least the baseline's speed (ratio ≥ 1.0) and under 1 GB peak memory. Both sides run in
fresh child processes (``_util.measure``) on the same file in the same run. CPU and peak memory include
the processes each side starts (the import validates big files in two processes); memory is the sum of
each process's peak.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from statistics import median
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhixiao.bench._util import measure

HEADER = ["案号", "法院名称", "立案日期", "结案日期", "承办人", "承办部门", "立案案由", "结案方式", "适用程序",
          "标的额", "是否开庭", "当事人", "代理人", "原审案号"]
COURTS = [("冀0123", "正定县人民法院"), ("冀0125", "行唐县人民法院"), ("冀0121", "井陉县人民法院"), ("冀01", "石家庄市中级人民法院")]
TYPES = [("民初", "简易程序", 0.45), ("民初", "普通程序", 0.15), ("民初", "小额诉讼程序", 0.05), ("刑初", "速裁程序", 0.05),
         ("刑初", "普通程序", 0.04), ("执", "", 0.2), ("行初", "普通程序", 0.02), ("民终", "第二审程序", 0.04)]
CAUSES = ["买卖合同纠纷", "民间借贷纠纷", "金融借款合同纠纷", "离婚纠纷", "机动车交通事故责任纠纷", "劳动争议", "物业服务合同纠纷",
          "盗窃罪", "危险驾驶罪", "申请执行人执行"]
METHODS = ["判决", "调解", "撤诉", "终结本次执行程序", "执行完毕", "驳回起诉"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TARGET_RATIO = 1.0
TARGET_MEMORY = 1 << 30


def generate(path: Path, rows: int, seed: int = 7) -> Path:
    """Write a realistic GBK export with ``rows`` valid rows (unique 案号, Chinese headers)."""
    rnd = random.Random(seed)
    weights = [t[2] for t in TYPES]
    seqs: dict[tuple, int] = {}
    base = date(2022, 1, 1)
    judges = [rnd.choice(SURNAMES) + rnd.choice("建国志强秀英丽华明军海燕") for _ in range(300)]
    with open(path, "w", encoding="gbk", newline="") as fh:
        fh.write(",".join(HEADER) + "\r\n")
        lines = []
        for _ in range(rows):
            court, cname = COURTS[rnd.randrange(len(COURTS))]
            tcode, proc, _w = rnd.choices(TYPES, weights)[0]
            if tcode == "民终":
                court, cname = COURTS[3]
            filed = base + timedelta(days=rnd.randrange(1200))
            key = (filed.year, court, tcode)
            seqs[key] = seqs.get(key, 0) + 1
            closed = filed + timedelta(days=rnd.randrange(5, 400))
            closing = closed.isoformat() if closed < date(2025, 6, 30) and rnd.random() < 0.85 else ""
            amount = f"{rnd.randrange(1000, 5_000_000) / 100:.2f}" if tcode != "刑初" else ""
            origin = f"({filed.year - 1}){court}民初{rnd.randrange(1, 9000)}号" if tcode in ("执", "民终") else ""
            lines.append(",".join((
                f"({filed.year}){court}{tcode}{seqs[key]}号", cname, filed.isoformat(), closing,
                judges[rnd.randrange(300)], "民一庭" if tcode.startswith("民") else "刑事审判庭" if tcode == "刑初" else "执行局",
                CAUSES[rnd.randrange(len(CAUSES))], METHODS[rnd.randrange(len(METHODS))] if closing else "", proc, amount,
                "是" if rnd.random() < 0.6 else "否", f"{rnd.choice(SURNAMES)}某某；某某有限公司", "某律师事务所", origin)))
            if len(lines) >= 50_000:
                fh.write("\r\n".join(lines) + "\r\n")
                lines = []
        if lines:
            fh.write("\r\n".join(lines) + "\r\n")
    return path


def _children() -> tuple[float, int]:
    """(CPU seconds, peak RSS bytes) of the finished child processes (the import's validation worker): our
    CPU and memory include theirs — the memory reported is the sum of each process's peak."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def _initialise(store: Path) -> None:
    """An installed, empty data directory (its ops database created, as by the first command ever run on it):
    a court imports into its installation; creating the database once is not part of an import."""
    from zhixiao.config import Settings
    from zhixiao.store.ops import migrate

    migrate(Settings(data_dir=store).ops_url)


def run_ours(path: str, data_dir: str) -> tuple[int, int, float, int]:
    """(accepted, rejected, CPU seconds of this process (all threads) and its children, children's peak RSS)."""
    import time

    cpu = time.process_time()
    from zhixiao.ingest import prehash

    prehash.start([path])  # as ``zhixiao import`` does first (``zhixiao.launch``)
    from zhixiao.config import Settings
    from zhixiao.ingest.importer import import_files
    from zhixiao.ingest.split import import_process

    import_process()  # as ``zhixiao import`` does (``cli.main``)

    res = import_files([Path(path)], Settings(data_dir=Path(data_dir)), user="bench", snapshot_date=date(2025, 6, 30))
    child_cpu, child_peak = _children()
    return res.report.accepted, res.report.rejected, time.process_time() - cpu + child_cpu, child_peak


def run_baseline(path: str, out: str) -> tuple[int, int, float, int]:
    import time

    cpu = time.process_time()
    import pandas as pd

    df = pd.read_csv(path, encoding="gbk")
    df.to_parquet(out)
    child_cpu, child_peak = _children()
    return len(df), 0, time.process_time() - cpu + child_cpu, child_peak


def bench_import(rows: Annotated[int, typer.Option("--rows", help="生成的行数 / rows to generate")] = 1_000_000,
                 keep: Annotated[Path | None, typer.Option("--keep", help="保留生成文件与结果的目录 / keep files here")] = None,
                 repeat: Annotated[int, typer.Option("--repeat", min=1,
                                                     help="交替运行次数，取中位数 / alternating runs, median reported")] = 3,
                 ) -> None:
    """导入基准：100 万行 GBK 导出文件，对比 pandas.read_csv+to_parquet。 / Import benchmark vs pandas baseline."""
    console = Console()
    work = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="zhixiao-bench-import-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        src = work / "export-gbk.csv"
        with console.status(f"生成 {rows:,} 行 GBK 测试文件 / generating"):
            generate(src, rows)
            os.sync()  # the kernel writing the new file back must not run during the timings
        size = src.stat().st_size
        base: list[tuple] = []
        ours: list[tuple] = []
        for i in range(repeat):  # alternating, so a slower stretch of the machine hits both sides
            os.sync()  # what the previous run wrote is on disk: no writeback during this one
            with console.status(f"基线：pandas.read_csv + to_parquet / baseline（{i + 1}/{repeat}）"):
                b_s, b_mem, b_res = measure(run_baseline, str(src), str(work / "baseline.parquet"))
                base.append((b_s, b_mem + b_res[3], b_res))
            store = work / "store"
            shutil.rmtree(store, ignore_errors=True)  # a kept store has this file already: the import would be a no-op
            _initialise(store)
            os.sync()
            with console.status(f"zhixiao import（{i + 1}/{repeat}）"):
                o_s, o_mem, o_res = measure(run_ours, str(src), str(store))
                ours.append((o_s, o_mem + o_res[3], o_res))
        b_s, o_s = median(r[0] for r in base), median(r[0] for r in ours)
        b_cpu, o_cpu = median(r[2][2] for r in base), median(r[2][2] for r in ours)
        b_mem, o_mem = max(r[1] for r in base), max(r[1] for r in ours)
        b_res, o_res = base[-1][2], ours[-1][2]
        ratio = b_s / o_s if o_s else float("inf")
        t = Table(title=f"导入基准 / import benchmark：{rows:,} 行，{size / 1e6:.0f} MB GBK，导入已初始化的空数据目录 / "
                        f"into an initialised, empty data directory；{repeat} 次中位数 / median of {repeat}")
        for c in ("方案", "耗时(秒)", "CPU(秒)", "行/秒", "峰值内存(MB)", "入库/拒收"):
            t.add_column(c)
        t.add_row("pandas.read_csv+to_parquet", f"{b_s:.2f}", f"{b_cpu:.2f}", f"{rows / b_s:,.0f}",
                  f"{b_mem / 2**20:,.0f}", f"{b_res[0]:,}/–")
        t.add_row("zhixiao import", f"{o_s:.2f}", f"{o_cpu:.2f}", f"{rows / o_s:,.0f}", f"{o_mem / 2**20:,.0f}",
                  f"{o_res[0]:,}/{o_res[1]:,}")
        runs = "、".join(f"{b[0] / o[0]:.2f}" for b, o in zip(base, ours, strict=True))
        console.print(t)
        speed_ok, mem_ok = ratio >= TARGET_RATIO, o_mem < TARGET_MEMORY
        console.print(f"速度比（基线耗时 ÷ 我们耗时，中位数）/ speed ratio (medians)：{ratio:.2f}×（目标 ≥ {TARGET_RATIO:.1f}×）"
                      f"{'PASS' if speed_ok else 'FAIL'}；各次 / per run：{runs}")
        console.print(f"CPU 时间比 / CPU-time ratio：{b_cpu / o_cpu:.2f}×（机器繁忙时参考此项）")
        console.print(f"峰值内存 / peak memory：{o_mem / 2**20:,.0f} MB（目标 < 1024 MB）{'PASS' if mem_ok else 'FAIL'}")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def register(bench_app: typer.Typer) -> None:
    bench_app.command("import", help=bench_import.__doc__)(bench_import)
