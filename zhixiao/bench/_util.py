"""Measure wall time and peak memory of a callable in a child process, so baselines don't share heaps."""

from __future__ import annotations

import multiprocessing as mp
import resource
import time
from collections.abc import Callable
from typing import Any


def _child(fn: Callable[..., Any], args: tuple, q: mp.Queue) -> None:
    t0 = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    q.put((elapsed, peak_kb * 1024, result))


def measure(fn: Callable[..., Any], *args: Any) -> tuple[float, int, Any]:
    """Run ``fn(*args)`` in a fresh process: (seconds, peak RSS bytes, return value). ``fn`` must be importable."""
    ctx = mp.get_context("spawn")
    q: mp.Queue = ctx.Queue()
    p = ctx.Process(target=_child, args=(fn, args, q))
    p.start()
    out = q.get()
    p.join()
    return out
