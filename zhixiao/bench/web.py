"""``zhixiao bench web``: load tests of the dashboard on loopback, against ``zhixiao serve`` in its own process.

Three figures, each beside an in-run baseline (the same users loading /login, which touches no data):
(a) the demo city, 20 users with 1–3 s think time browsing every page kind (总览, 下钻, 案件清单, 审限监控,
台账, 目标, 全市, 体检, 诉讼服务, 会商报告 — one report is generated in the background meanwhile):
p95 < 300 ms, no errors; (b) the same users with no think time: throughput and p95 (stress); (c) with
``--large-scale N``: a large store, first view of every page kind after start < 2 s, p95 < 1 s under (a)'s
load. Periods and filters vary (本年累计 and month-ends of the year) so the cache does not hide the work;
each store's aggregates are precomputed first, as after an import.
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
from rich.progress import Progress
from rich.table import Table

HOST = "127.0.0.1"  # loopback only: never load-test anything else
TARGET_P95_MS = 300.0  # (a) demo city under think-time load
LARGE_P95_MS = 1000.0  # (c) large store under the same load
LARGE_FIRST_MS = 2000.0  # (c) first view of every page kind after start
console = Console()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _prepare(data_dir: Path) -> tuple[str, str, float, date]:
    """The store's aggregates (as an import leaves them; seconds returned), a fresh analyst account for
    the load users, and the data's as-of date (an existing store's own, whatever ``--as-of`` says)."""
    from zhixiao.config import load_settings
    from zhixiao.store.ops import session_factory
    from zhixiao.web import auth
    from zhixiao.web.app import add_warmers
    from zhixiao.web.data import DataHub
    from zhixiao.web.models import User

    settings = load_settings(data_dir)
    console.print(f"预计算数据版本的聚合（{data_dir}）…")
    t0 = time.perf_counter()
    hub = DataHub(settings)
    add_warmers(hub)  # the same default pages the server precomputes after an import
    hub.precompute(hub.version())
    pre_s = time.perf_counter() - t0
    day = hub.as_of()
    password = auth.new_password()
    with session_factory(settings.ops_url)() as s, s.begin():
        s.query(User).filter(User.username == "bench_analyst").delete()
        auth.create_user(s, "bench_analyst", password, "analyst", "压测账号")
    return "bench_analyst", password, pre_s, day


def _login(base: str, username: str, password: str):
    import httpx

    c = httpx.Client(base_url=base, timeout=60)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": tok, "next": "/"})
    if r.status_code != 303 or "zx_session" not in c.cookies:
        raise RuntimeError(f"压测账号登录失败：HTTP {r.status_code}")
    c.follow_redirects = True  # e.g. /services opens its first page
    return c


def _periods(as_of: date) -> list[tuple[date, date]]:
    """本年累计 first, then 1 January to each earlier month-end of the year: many distinct questions."""
    out = [(date(as_of.year, 1, 1), as_of)]
    for m in range(1, as_of.month):
        nxt = date(as_of.year, m + 1, 1)
        out.append((date(as_of.year, 1, 1), date.fromordinal(nxt.toordinal() - 1)))
    return out


def _kinds(data_dir: Path, ytd: tuple[date, date]) -> dict[str, object]:
    """Page kind → a function (rng, period) → URL, over the store's courts and divisions; ``ytd`` is 本年累计."""
    from zhixiao.store.cases import CaseStore

    t = CaseStore(data_dir).read("cases", ["court_code", "division"]).to_pandas().dropna().drop_duplicates()
    courts = sorted(t.court_code.unique())
    divs = {c: sorted(t[t.court_code == c].division.unique()) for c in courts}

    def q(rnd, per, court=False, division=False, **extra):
        p = {"start": per[0].isoformat(), "end": per[1].isoformat(), **extra}
        if court or division:
            c = rnd.choice(courts)
            p["court"] = c
            if division and divs[c]:
                p["division"] = rnd.choice(divs[c])
        return urlencode(p)

    return {
        "总览（全市）": lambda r, per: f"/?{q(r, per)}",
        "总览（法院）": lambda r, per: f"/?{q(r, per, court=True)}",
        # 短板, 全市 and 体检 are whole-year analyses: browsed at their default 本年累计 (precomputed after import)
        "短板弱项": lambda r, per: f"/overview/weak?{q(r, ytd, court=True)}",
        "走势图": lambda r, per: f"/api/chart/trend?{q(r, per, court=True)}",
        "法院对比图": lambda r, per: f"/api/chart/courts?{q(r, per)}",
        "指标下钻": lambda r, per: f"/indicators?{q(r, per, division=True)}",
        "案件清单": lambda r, per: f"/cases?{q(r, per, division=True, indicator=r.choice(['closed', 'new_cases', 'pending']))}",
        "审限监控": lambda r, per: "/supervision",
        "审限台账": lambda r, per: f"/supervision/ledger/{r.choice(['due', 'long', 'four'])}",
        "目标与测算": lambda r, per: f"/targets?court={r.choice(courts)}",
        "测算图": lambda r, per: f"/api/chart/forecast?court={r.choice(courts)}",
        "全市对比": lambda r, per: f"/city?{q(r, ytd)}",
        "数据体检": lambda r, per: f"/quality?{q(r, ytd, court=True)}",
        "诉讼服务": lambda r, per: r.choice(["/services", "/services/hotline", "/services/satisfaction",
                                          "/services/suggestions", "/services/ledgers"]),
        "会商报告": lambda r, per: f"/reports?court={r.choice(courts)}",
    }


class Load:
    """Latencies by page kind and errors of one run."""

    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.errors: list[tuple[str, str]] = []  # (page kind, url and what went wrong)
        self.lock = threading.Lock()

    def add(self, kind: str, url: str, dt: float, ok: bool, what: str = "") -> None:
        with self.lock:
            self.lat.setdefault(kind, []).append(dt)
            if not ok:
                self.errors.append((kind, f"{url} {what}"))

    @property
    def all(self) -> list[float]:
        return [x for xs in self.lat.values() for x in xs]


def _get(c, load: Load, kind: str, url: str) -> None:
    t0 = time.perf_counter()
    try:
        r = c.get(url)
        ok, what = r.status_code == 200, f"HTTP {r.status_code}"
    except Exception as exc:  # noqa: BLE001 — a timeout or reset is an error of the run, not of the bench
        ok, what = False, type(exc).__name__
    load.add(kind, url, time.perf_counter() - t0, ok, what)


def _run(clients, kinds: dict, periods: list, seconds: float, seed: int, label: str,
         think: tuple[float, float] | None) -> Load:
    """Each client picks a page kind at random, then its period (本年累计 half the time) and filters."""
    load = Load()
    stop = time.perf_counter() + seconds

    def user(i: int, c) -> None:
        rnd = random.Random(seed + i)
        names = list(kinds)
        while time.perf_counter() < stop:
            kind = rnd.choice(names)
            per = periods[0] if rnd.random() < 0.5 else rnd.choice(periods)
            _get(c, load, kind, kinds[kind](rnd, per))
            if think:
                time.sleep(rnd.uniform(*think))

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
    return load


def _baseline(clients, seconds: float, seed: int) -> Load:
    return _run(clients, {"登录页": lambda r, per: "/login"}, [None], seconds, seed, "基线", None)


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] * 1000


def _row(t: Table, name: str, xs: list[float], seconds: float, errors: int) -> None:
    t.add_row(name, f"{len(xs):,}", f"{len(xs) / seconds:.1f}", f"{_pct(xs, .5):.0f}", f"{_pct(xs, .95):.0f}",
              f"{_pct(xs, .99):.0f}", f"{_pct(xs, 1):.0f}", str(errors))


def _table(title: str) -> Table:
    t = Table(title=title)
    for col in ("场景 / 页面", "请求数", "吞吐（次/秒）", "p50 ms", "p95 ms", "p99 ms", "最大 ms", "错误"):
        t.add_column(col)
    return t


class Server:
    """``zhixiao serve`` on a free loopback port in its own process."""

    def __init__(self, data_dir: Path):
        self.port = _free_port()
        self.base = f"http://{HOST}:{self.port}"
        env = {**os.environ, "ZHIXIAO_CONFIG": os.devnull}
        self.t0 = time.perf_counter()
        self.log = tempfile.NamedTemporaryFile(prefix="zhixiao-bench-serve-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen([sys.executable, "-m", "zhixiao.cli", "serve", "--data-dir", str(data_dir),
                                      "--host", HOST, "--port", str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.log)
        _wait(self.base, self.proc)
        self.start_s = time.perf_counter() - self.t0

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log (its tracebacks), printed with any error."""
        return Path(self.log.name).read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def _first_views(c, kinds: dict, period) -> tuple[dict[str, float], list[tuple[str, str]]]:
    """Each page kind once, right after start (本年累计): seconds per kind, and the failures (kind, what)."""
    out, failed = {}, []
    rnd = random.Random(0)
    for kind, url_of in kinds.items():
        url = url_of(rnd, period)
        t0 = time.perf_counter()
        try:
            r = c.get(url)
            if r.status_code != 200:
                failed.append((kind, f"{url} HTTP {r.status_code}"))
        except Exception as exc:  # noqa: BLE001 — a timeout is a failed first view, reported with the others
            failed.append((kind, f"{url} {type(exc).__name__}"))
        out[kind] = time.perf_counter() - t0
    return out, failed


def _start_report(c, court: str, period) -> str | None:
    """One report generated in the background while the users browse (the long job readers must not wait on)."""
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get(f"/reports?court={court}").text).group(1)
    r = c.post("/reports/generate", data={"csrf_token": csrf, "court": court, "start": period[0].isoformat(),
                                          "end": period[1].isoformat()})
    m = re.search(r'id="job-([0-9a-f]{32})"', r.text)
    return m.group(1) if m else None


def _report_status(c, job: str | None) -> str:
    if job is None:
        return "未能提交"
    st = c.get(f"/api/jobs/{job}").json()
    return {"done": "已完成", "failed": f"失败：{st['error']}"}.get(st["status"], f"进行中（{st['percent']}%）")


def _store_run(data_dir: Path, users: int, seconds: float, seed: int, think: tuple[float, float],
               stress: bool, label: str) -> dict:
    """Start the server on a prepared store, time the first views, then the think-time (and stress) load."""
    from zhixiao.store.cases import CaseStore

    username, password, pre_s, day = _prepare(data_dir)
    n_cases = CaseStore(data_dir).read("cases", ["case_id"]).num_rows
    periods = _periods(day)
    kinds = _kinds(data_dir, periods[0])
    server = Server(data_dir)
    try:
        clients = [_login(server.base, username, password) for _ in range(users)]
        first, first_failed = _first_views(clients[0], kinds, periods[0])
        base_s = max(3.0, seconds / 10)
        base = _baseline(clients, base_s, seed)
        court = sorted(_kinds_courts(data_dir))[0]
        job = _start_report(clients[0], court, periods[1] if len(periods) > 1 else periods[0])
        a = _run(clients, kinds, periods, seconds, seed, f"{label} 思考时间 {think[0]:g}–{think[1]:g} 秒", think)
        report = _report_status(clients[0], job)
        b = _run(clients, kinds, periods, seconds, seed + 1000, f"{label} 无思考时间（压力）", None) if stress else None
        errors = first_failed + a.errors + (b.errors if b else [])
        if any("HTTP 5" in e for _, e in errors):
            console.print("[red]服务端日志（末尾）[/]：\n" + server.log_tail())
    finally:
        server.stop()
    return {"first_failed": first_failed, "cases": n_cases, "precompute_s": pre_s, "start_s": server.start_s, "first": first, "base": base,
            "base_s": base_s, "a": a, "b": b, "report": report}


def _kinds_courts(data_dir: Path) -> list[str]:
    from zhixiao.store.cases import CaseStore

    return sorted(set(CaseStore(data_dir).read("cases", ["court_code"]).column("court_code").to_pylist()))


def _print(res: dict, label: str, seconds: float, target_ms: float, first_ms: float | None) -> bool:
    """One store's tables; True when its targets are met."""
    a, base = res["a"], res["base"]
    t = _table(f"{label}：{res['cases']:,} 件案件，{seconds:g} 秒")
    _row(t, "基线：登录页（不读数据）", base.all, res["base_s"], len(base.errors))
    _row(t, "(a) 思考时间 1–3 秒：全部页面", a.all, seconds, len(a.errors))
    for kind, xs in a.lat.items():
        _row(t, f"    {kind}", xs, seconds, sum(1 for k, _ in a.errors if k == kind))
    if res["b"] is not None:
        _row(t, "(b) 无思考时间（压力）：全部页面", res["b"].all, seconds, len(res["b"].errors))
    console.print(t)
    bp95 = _pct(base.all, .95)
    p95 = _pct(a.all, .95)
    console.print(f"聚合预计算 {res['precompute_s']:.1f} 秒（导入后一次），服务启动 {res['start_s']:.1f} 秒；"
                  f"压测期间后台生成的会商报告：{res['report']}")
    console.print(f"(a) p95 {p95:.0f} ms，为基线 p95 {bp95:.0f} ms 的 {p95 / max(bp95, 1e-9):.1f} 倍")
    if res["b"] is not None:
        b95 = _pct(res["b"].all, .95)
        console.print(f"(b) 吞吐 {len(res['b'].all) / seconds:.1f} 次/秒，p95 {b95:.0f} ms"
                      f"（基线的 {b95 / max(bp95, 1e-9):.1f} 倍），错误 {len(res['b'].errors)} 次")
    first = res["first"]
    slow = max(first, key=first.get)
    console.print("启动后首次访问（毫秒）：" + "，".join(f"{k} {v * 1000:.0f}" for k, v in first.items()))
    for _, e in res["first_failed"]:
        console.print(f"[red]首次访问失败[/]：{e}")
    ok = p95 < target_ms and not a.errors and not res["first_failed"]
    if first_ms is not None:
        ok = ok and first[slow] * 1000 < first_ms
        console.print(f"首次访问最慢：{slow} {first[slow] * 1000:.0f} ms（目标 < {first_ms:.0f} ms）")
    for _, e in (a.errors + (res["b"].errors if res["b"] else []))[:5]:
        console.print(f"[red]错误[/]：{e}")
    verdict = "[bold green]PASS[/]" if ok else "[bold red]FAIL[/]"
    console.print(f"{verdict}：{label} (a) p95 = {p95:.0f} ms（目标 < {target_ms:.0f} ms），错误 {len(a.errors)} 次")
    return ok


def register(bench_app: typer.Typer) -> None:
    @bench_app.command("web", help="看板压测：演示城市 20 个用户浏览全部页面（有/无思考时间），可选大数据量首访与负载 / "
                                   "dashboard load test: think-time, stress and large-store figures")
    def web(
        data_dir: Annotated[Path | None, typer.Option("--data-dir", help="数据目录（默认临时生成演示城市）/ data directory")] = None,
        seconds: Annotated[float, typer.Option("--seconds", help="每个场景的压测时长（秒）/ duration per scenario")] = 60.0,
        users: Annotated[int, typer.Option("--users", help="并发用户数 / concurrent users")] = 20,
        scale: Annotated[float, typer.Option("--scale", help="演示城市规模（目录为空时）/ demo scale")] = 1.0,
        large_scale: Annotated[float, typer.Option("--large-scale", help="大数据量场景的演示规模（0 = 不测；30 ≈ 数百万件）/ large-store scale (0 = skip)")] = 0.0,
        large_dir: Annotated[Path | None, typer.Option("--large-dir", "--store", help="大数据量场景的数据目录：已有案件数据时原样使用（不重新生成，截止日取数据自身的），为空时按 --large-scale 生成 / large-store directory: an existing store is used as it is")] = None,
        think_min: Annotated[float, typer.Option("--think-min", help="思考时间下限（秒）/ think time min")] = 1.0,
        think_max: Annotated[float, typer.Option("--think-max", help="思考时间上限（秒）/ think time max")] = 3.0,
        as_of: Annotated[str, typer.Option("--as-of", help="演示数据截止日 / demo as-of")] = "2025-11-20",
        seed: Annotated[int, typer.Option("--seed", help="浏览顺序随机种子 / browsing seed")] = 1,
        large_only: Annotated[bool, typer.Option("--large-only", help="只测大数据量场景（须给出 --store 或 --large-scale）/ only the large-store figures")] = False,
    ) -> None:
        day = date.fromisoformat(as_of)
        think = (think_min, think_max)
        tmps = []
        if large_only and not (large_scale or large_dir):
            raise typer.BadParameter("--large-only 须与 --store 或 --large-scale 同用。")
        ok = True
        try:
            if not large_only:
                if data_dir is None:
                    tmps.append(tempfile.TemporaryDirectory(prefix="zhixiao-bench-web-"))
                    data_dir = Path(tmps[-1].name)
                    _demo(data_dir, scale, day)
                res = _store_run(data_dir, users, seconds, seed, think, True, "演示城市")
                ok = _print(res, "演示城市", seconds, TARGET_P95_MS, None)
            if large_scale or large_dir:
                if large_dir is None:
                    tmps.append(tempfile.TemporaryDirectory(prefix="zhixiao-bench-web-large-"))
                    large_dir = Path(tmps[-1].name)
                _demo(large_dir, large_scale, day)
                big = _store_run(large_dir, users, seconds, seed, think, False, "大数据量")
                ok = _print(big, "(c) 大数据量", seconds, LARGE_P95_MS, LARGE_FIRST_MS) and ok
        finally:
            for t in tmps:
                t.cleanup()
        if not ok:
            raise typer.Exit(1)


def _demo(data_dir: Path, scale: float, day: date) -> None:
    """A demo city in ``data_dir`` unless it already holds cases (an existing store is used as it is)."""
    from zhixiao.store.cases import CaseStore

    if not CaseStore(data_dir).files("cases"):
        if scale <= 0:
            raise typer.BadParameter(f"数据目录 {data_dir} 中没有案件数据：请指定已有数据的目录，或用 --large-scale "
                                     "给出要生成的演示规模。")
        from zhixiao.demo.generate import build_city

        console.print(f"生成演示城市（规模 {scale:g}）到 {data_dir} …")
        t0 = time.perf_counter()
        build_city(data_dir, day, scale=scale, progress=True)
        console.print(f"生成用时 {time.perf_counter() - t0:.0f} 秒")


def _wait(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("看板进程已退出，见其日志。")
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"看板在 {timeout:.0f} 秒内没有启动")
