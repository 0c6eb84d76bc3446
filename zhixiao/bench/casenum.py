"""``zhixiao bench casenum``: 案号 parsing throughput against a bare regex match of the same strings.

The floor is one precompiled ``re.fullmatch`` per string (what any parser must at least do); the
parser adds normalisation, registry look-ups and a typed value. Target: ≥ 200k numbers/s.
"""

from __future__ import annotations

import random
import re
import time
from typing import Annotated

import typer
from rich.console import Console

_FLOOR = re.compile(r"[(（〔]\d{4}[)）〕][^\d]{1,3}\d{0,4}[^\d]{1,6}\d+号")
console = Console()
TYPES = ["民初", "民终", "执", "执恢", "刑初", "行初", "执异", "民特", "诉前调书", "财保"]


def sample(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    brackets = [("(", ")"), ("（", "）"), ("〔", "〕")]
    out = []
    for _ in range(n):
        o, c = rnd.choice(brackets)
        court = rnd.choice(["冀0123", "冀01", "粤0304", "京73", "沪0115"])
        out.append(f"{o}{rnd.randint(2016, 2026)}{c}{court}{rnd.choice(TYPES)}{rnd.randint(1, 30000)}号")
    return out


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("casenum")
    def bench_casenum(n: Annotated[int, typer.Option("--n", help="案号条数 / how many numbers")] = 500_000) -> None:
        """案号解析吞吐量，对比裸正则匹配 / case-number parsing throughput vs a bare regex floor."""
        from zhixiao.domain.case_number import parse_many

        texts = sample(n)
        t0 = time.perf_counter()
        hits = sum(1 for t in texts if _FLOOR.fullmatch(t))
        floor_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        parsed = parse_many(texts)
        ours_s = time.perf_counter() - t0
        ok = sum(1 for p in parsed if not isinstance(p, Exception))
        rate = n / ours_s
        console.print(f"案号 {n:,} 条：解析成功 {ok:,}（正则命中 {hits:,}）")
        console.print(f"  裸正则基线 / regex floor: {n / floor_s:,.0f} 条/秒")
        console.print(f"  zhixiao 解析 / parser:     {rate:,.0f} 条/秒（为基线的 {floor_s / ours_s:.2f} 倍速度）")
        verdict = "PASS" if rate >= 200_000 else "FAIL"
        console.print(f"  目标 ≥200,000 条/秒：{verdict}")
