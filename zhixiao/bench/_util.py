"""Measure wall time and peak memory of a callable in a child process, so baselines don't share heaps."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from collections.abc import Callable
from typing import Any


def _child(fn: Callable[..., Any], args: tuple, q: mp.Queue, cores: int | None) -> None:
    if cores is not None:  # this process and every thread it starts (Arrow's pools included) on that many cores
        import pyarrow as pa

        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])
        pa.set_cpu_count(cores)
    t0 = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - t0
    q.put((elapsed, peak_rss(), result))


def peak_rss() -> int:
    """This process's peak resident memory in bytes: VmHWM of its own address space. Not ``ru_maxrss``: Linux
    carries that over from the forking parent's memory through exec, so a child spawned by a parent holding a
    large generated file would report at least the parent's size."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/self/status 中没有 VmHWM：基准的内存测量需要 Linux")


def measure(fn: Callable[..., Any], *args: Any, cores: int | None = None) -> tuple[float, int, Any]:
    """Run ``fn(*args)`` in a fresh process: (seconds, peak RSS bytes, return value). ``fn`` must be importable.
    ``cores``: pin the child to its first ``cores`` allowed cores. A child that dies is an error, not a hang."""
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=_child, args=(fn, args, q, cores))
    p.start()
    while True:
        try:
            out = q.get(timeout=1)
            break
        except queue.Empty:
            if not p.is_alive():
                raise RuntimeError(f"benchmark child {fn.__name__} exited with code {p.exitcode}") from None
    p.join()
    return out
