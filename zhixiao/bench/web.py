"""``zhixiao bench web``: a bounded load test of the dashboard on loopback.

20 concurrent users (each with its own login session) browse the 总览 and 指标 drill-down pages of the demo
city for 60 s against ``zhixiao serve`` running in its own process on 127.0.0.1. Printed: p50/p95/p99
latency, errors, throughput, PASS/FAIL against p95 < 300 ms with no errors, and the ratio to an in-run
baseline (the same users loading the static-free /login page, which touches no data).
"""

from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

import typer
from rich.console import Console
from rich.progress import Progress, track
from rich.table import Table

HOST = "127.0.0.1"  # loopback only: never load-test anything else
TARGET_P95_MS = 300.0
console = Console()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _prepare(data_dir: Path, scale: float, as_of: date) -> tuple[str, str]:
    """Demo city (if the directory is empty) and a fresh analyst account for the load users."""
    from zhixiao.config import load_settings
    from zhixiao.store.cases import CaseStore
    from zhixiao.store.ops import session_factory
    from zhixiao.web import auth
    from zhixiao.web.models import User

    if not CaseStore(data_dir).files("cases"):
        from zhixiao.demo.generate import build_city

        console.print(f"生成演示城市（规模 {scale:g}）到 {data_dir} …")
        build_city(data_dir, as_of, scale=scale, progress=False)
    settings = load_settings(data_dir)
    password = auth.new_password()
    with session_factory(settings.ops_url)() as s, s.begin():
        s.query(User).filter(User.username == "bench_analyst").delete()
        auth.create_user(s, "bench_analyst", password, "analyst", "压测账号")
    return "bench_analyst", password


def _login(base: str, username: str, password: str):
    import httpx

    c = httpx.Client(base_url=base, timeout=30)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": tok, "next": "/"})
    if r.status_code not in (200, 303) or "zx_session" not in c.cookies:
        raise RuntimeError(f"压测账号登录失败：HTTP {r.status_code}")
    return c


def _urls(data_dir: Path, start: date, end: date) -> list[str]:
    """总览 (city and each court) and 指标 drill-down (city → court → division) of the demo city."""
    from zhixiao.store.cases import CaseStore

    t = CaseStore(data_dir).read("cases", ["court_code", "division"]).to_pandas().dropna().drop_duplicates()
    p = {"start": start.isoformat(), "end": end.isoformat()}
    urls = [f"/?{urlencode(p)}", f"/indicators?{urlencode(p)}", f"/api/chart/courts?{urlencode(p)}"]
    for court in sorted(t.court_code.unique()):
        q = urlencode({"court": court, **p})
        urls += [f"/?{q}", f"/indicators?{q}", f"/api/chart/trend?{q}"]
        for div in sorted(t[t.court_code == court].division.unique())[:3]:
            urls.append(f"/indicators?{urlencode({'court': court, 'division': div, **p})}")
    return urls


def _run(clients, urls: list[str], seconds: float, seed: int, label: str) -> tuple[list[float], int, int]:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def user(i: int, c) -> None:
        nonlocal errors
        rnd = random.Random(seed + i)
        while time.perf_counter() < stop:
            url = rnd.choice(urls)
            t0 = time.perf_counter()
            try:
                ok = c.get(url).status_code == 200
            except Exception:  # noqa: BLE001 — a timeout or reset is an error of the run, not of the bench
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                errors += not ok

    threads = [threading.Thread(target=user, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    with Progress(transient=True, console=console) as bar:
        task = bar.add_task(f"{label}：{len(clients)} 个用户", total=seconds)
        while any(t.is_alive() for t in threads):
            bar.update(task, completed=min(seconds, seconds - (stop - time.perf_counter())))
            time.sleep(0.5)
    for t in threads:
        t.join()
    return lat, errors, len(lat)


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] * 1000


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("web", help="看板压测：20 个并发用户在本机浏览总览与指标下钻页面，p95 < 300 ms / dashboard load test")
    def web(
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="数据目录（默认临时生成演示城市）/ data directory")] = None,
        seconds: Annotated[float, typer.Option("--seconds", help="压测时长（秒）/ duration")] = 60.0,
        users: Annotated[int, typer.Option("--users", help="并发用户数 / concurrent users")] = 20,
        scale: Annotated[float, typer.Option("--scale", help="演示城市规模（目录为空时）/ demo scale")] = 0.05,
        as_of: Annotated[str, typer.Option("--as-of", help="演示数据截止日 / demo as-of")] = "2025-11-20",
        seed: Annotated[int, typer.Option("--seed", help="浏览顺序随机种子 / browsing seed")] = 1,
    ) -> None:
        day = date.fromisoformat(as_of)
        tmp = None
        if data_dir is None:
            tmp = tempfile.TemporaryDirectory(prefix="zhixiao-bench-web-")
            data_dir = Path(tmp.name)
        username, password = _prepare(data_dir, scale, day)
        port = _free_port()
        base = f"http://{HOST}:{port}"
        env = {**os.environ, "ZHIXIAO_CONFIG": os.devnull}
        server = subprocess.Popen([sys.executable, "-m", "zhixiao.cli", "serve", "--data-dir", str(data_dir),
                                   "--host", HOST, "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _wait(base, server)
            start = date(day.year, 1, 1)
            urls = _urls(data_dir, start, day)
            clients = [_login(base, username, password) for _ in range(users)]
            t0 = time.perf_counter()
            cold = []
            for url in track(urls, description="预热（首次计算各页面）", console=console, transient=True):  # first computation of every page (then cached per data version)
                t = time.perf_counter()
                clients[0].get(url)
                cold.append(time.perf_counter() - t)
            warm_s = time.perf_counter() - t0
            base_s = max(3.0, seconds / 10)
            b_lat, b_err, b_n = _run(clients, ["/login"], base_s, seed, "基线")
            lat, errors, n = _run(clients, urls, seconds, seed, "压测")
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
            if tmp is not None:
                tmp.cleanup()
        p95 = _pct(lat, 0.95)
        ok = p95 < TARGET_P95_MS and errors == 0 and n > 0
        t = Table(title=f"看板压测：{users} 个并发用户，{seconds:g} 秒，{len(urls)} 个页面（总览 + 指标下钻），{base}")
        for col in ("场景", "请求数", "吞吐（次/秒）", "p50 ms", "p95 ms", "p99 ms", "最大 ms", "错误"):
            t.add_column(col)
        t.add_row("看板页面", f"{n:,}", f"{n / seconds:.1f}", f"{_pct(lat, .5):.1f}", f"{p95:.1f}",
                  f"{_pct(lat, .99):.1f}", f"{_pct(lat, 1):.1f}", str(errors))
        t.add_row("基线：登录页（不读数据）", f"{b_n:,}", f"{b_n / base_s:.1f}", f"{_pct(b_lat, .5):.1f}",
                  f"{_pct(b_lat, .95):.1f}", f"{_pct(b_lat, .99):.1f}", f"{_pct(b_lat, 1):.1f}", str(b_err))
        console.print(t)
        console.print(f"预热：{len(urls)} 个页面首次计算共 {warm_s:.1f} 秒（最慢 {max(cold) * 1000:.0f} ms），之后按数据版本缓存。")
        console.print(f"p95 与基线之比：{p95 / max(_pct(b_lat, .95), 1e-9):.2f}×")
        verdict = "[bold green]PASS[/]" if ok else "[bold red]FAIL[/]"
        console.print(f"{verdict}：p95 = {p95:.1f} ms（目标 < {TARGET_P95_MS:.0f} ms），错误 {errors} 次")
        if not ok:
            raise typer.Exit(1)


def _wait(base: str, server: subprocess.Popen, timeout: float = 60) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"看板进程已退出：{(server.stderr.read() if server.stderr else '')[-2000:]}")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"看板在 {timeout:.0f} 秒内没有启动")
