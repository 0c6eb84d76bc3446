"""The dashboard keeps serving while `zhixiao supervise run` and `zhixiao import` run at the same time:
no 5xx, no lock errors, and every 签收 made meanwhile is still in the ledger afterwards.

"Meanwhile" is fixed by events, not by the clock: each job runs the real CLI with its progress callback held at
its first call (``GATE``) — the run once it has computed the 审限 table and before it writes the ledger, the
import once it has read and validated the file and before it writes the store — and the test acknowledges and
reads while both are held there, then lets them go on and keeps acknowledging until both have ended."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import httpx
from sqlalchemy import select

from tests.web.conftest import AS_OF, COURT, PASSWORD
from tests.web.helpers import isolated_app
from tests.web.server import serving

P = "start=2025-01-01&end=2025-11-20"
# python -c GATE <reached file> <go file> <module> <function> <progress keyword> <zhixiao arguments…>: the CLI
# with ``module.function``'s progress callback held at its first call until the go file exists
GATE = r"""
import importlib, sys, time
from pathlib import Path

reached, go, module, name, keyword = sys.argv[1:6]
del sys.argv[1:6]
mod = importlib.import_module(module)
real = getattr(mod, name)


def held(*args, **kwargs):
    inner, first = kwargs.get(keyword), [True]

    def progress(*a):
        if first[0]:
            first[0] = False
            Path(reached).touch()
            waited = time.monotonic()
            while not Path(go).exists():
                if time.monotonic() - waited > 300:
                    raise SystemExit("gate never opened")
                time.sleep(0.02)
        return inner(*a) if inner is not None else None

    kwargs[keyword] = progress
    return real(*args, **kwargs)


setattr(mod, name, held)
from zhixiao.cli import main

main()
"""


def _client(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": tok, "next": "/"})
    assert r.status_code in (200, 303)
    return c


def _wait(cond, what: str, timeout: float = 300) -> None:
    t = time.monotonic()
    while not cond():
        assert time.monotonic() - t < timeout, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_serving_during_supervise_run_and_import(web_env, tmp_path):
    from zhixiao.demo.export import export_court_csv
    from zhixiao.store.cases import CaseStore
    from zhixiao.supervision.models import Alert, AlertEvent

    app, d = isolated_app(web_env, tmp_path)
    export = tmp_path / "export.csv"
    export_court_csv(d, export, COURT)
    with app.state.Session() as s:
        open_ids = [a.id for a in s.scalars(select(Alert).where(Alert.status == "open").order_by(Alert.id))]
    assert len(open_ids) >= 6
    before = CaseStore(d).manifest().version
    statuses: list[tuple[str, int]] = []
    acked: list[int] = []
    held_acks: list[int] = []  # made while both jobs were held mid-work
    go, jobs_ended, stop = tmp_path / "go", threading.Event(), threading.Event()
    gates = {"run": tmp_path / "run-reached", "import": tmp_path / "import-reached"}
    queue = iter(open_ids)

    with serving(app) as base:
        readers = [_client(base, "analyst"), _client(base, "president")]
        actor = _client(base, "admin")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', actor.get("/supervision").text).group(1)
        for c in readers:  # warm the pages once so the run measures serving, not first computation
            c.get(f"/?{P}")

        def browse(c: httpx.Client) -> None:
            urls = [f"/?{P}", f"/?court={COURT}&{P}", "/supervision", f"/indicators?court={COURT}&{P}",
                    f"/cases?indicator=closed&court={COURT}&{P}"]
            i = 0
            while not stop.is_set():
                url = urls[i % len(urls)]
                statuses.append((url, c.get(url).status_code))
                i += 1

        def ack() -> int | None:
            aid = next(queue, None)
            if aid is not None:
                r = actor.post(f"/supervision/alerts/{aid}/acknowledge", headers={"X-CSRF-Token": csrf})
                statuses.append((f"ack {aid}", r.status_code))
                if r.status_code == 200:
                    acked.append(aid)
                    return aid
            return None

        def acknowledge_until_the_jobs_end() -> None:
            while not jobs_ended.wait(0.2):  # spread over the rest of the jobs' run
                if ack() is None:
                    break

        cli = [sys.executable, "-c", GATE]
        jobs = [
            subprocess.Popen(cli + [str(gates["run"]), str(go), "zhixiao.supervision.ledger", "run_daily", "progress",
                                    "supervise", "run", "--data-dir", str(d), "--as-of", AS_OF.isoformat()],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
            subprocess.Popen(cli + [str(gates["import"]), str(go), "zhixiao.ingest.importer", "import_files",
                                    "on_bytes", "import", str(export), "--data-dir", str(d), "--user", "并发测试",
                                    "--force"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        ]
        browsers = [threading.Thread(target=browse, args=(c,)) for c in readers]
        for t in browsers:
            t.start()
        try:
            _wait(lambda: all(g.exists() or j.poll() is not None for g, j in zip(gates.values(), jobs, strict=True)),
                  "both jobs to reach their progress point")
            assert all(j.poll() is None for j in jobs), [j.communicate() for j in jobs if j.poll() is not None]
            # both jobs are held mid-work: 签收 and reads now happen during them, whatever the machine's load
            for _ in range(3):
                held_acks.append(ack())
            served = len([u for u, _ in statuses if not u.startswith("ack")])
            _wait(lambda: len([u for u, _ in statuses if not u.startswith("ack")]) >= served + 2,
                  "reads while the jobs are held", 120)
            assert CaseStore(d).manifest().version == before  # the import has not written yet
        finally:
            go.touch()
        acker = threading.Thread(target=acknowledge_until_the_jobs_end)
        acker.start()
        outs = [j.communicate(timeout=300) for j in jobs]
        jobs_ended.set()
        acker.join(120)
        stop.set()
        for t in browsers:
            t.join(120)
        after_page = readers[0].get(f"/?court={COURT}&{P}").status_code

    for j, (out, err) in zip(jobs, outs, strict=True):
        assert j.returncode == 0, (out[-2000:], err[-2000:])
        assert "locked" not in (out + err).lower()
    errors = [(u, s) for u, s in statuses if s >= 500 or (s != 200 and not u.startswith("ack"))]
    assert not errors, errors[:10]
    assert len([s for u, s in statuses if not u.startswith("ack")]) >= 10  # really served meanwhile
    assert None not in held_acks, statuses[-10:]  # the three 签收 made while both jobs were mid-work went through
    assert CaseStore(d).manifest().version == before + 1  # the import committed
    assert after_page == 200
    with app.state.Session() as s:
        for aid in acked:
            events = s.scalars(select(AlertEvent).where(AlertEvent.alert_id == aid,
                                                        AlertEvent.action == "acknowledged")).all()
            assert [e.user for e in events] == ["admin"], aid
            assert s.get(Alert, aid).status != "open", aid


def test_uncached_questions_run_in_parallel(web_env):
    """Two different uncached questions are inside the engine at the same time, each on its own connection
    (the old DataHub held one lock over one engine: the barrier below would time out)."""
    from zhixiao.config import Settings
    from zhixiao.web.data import DataHub

    hub = DataHub(Settings(data_dir=web_env.data_dir), readers=2)
    barrier = threading.Barrier(2, timeout=30)
    seen: dict[int, object] = {}

    def ask(i: int) -> None:
        def fn(eng):
            barrier.wait()  # both questions must be in here at once
            seen[i] = eng
            return int(eng.cases.filter(eng.cases.court_code == COURT).count().execute())
        hub.cached("parallel", i, fn)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not barrier.broken and len(seen) == 2 and seen[0] is not seen[1]
    assert hub.peak == 2 and hub.pool(hub.version()).made == 2
    # answers are cached per question; a third asker of question 0 does not touch an engine
    assert hub.cached("parallel", 0, lambda e: (_ for _ in ()).throw(AssertionError("recomputed"))) > 0


def test_pool_never_lends_more_engines_than_its_size(web_env):
    from zhixiao.config import Settings
    from zhixiao.web.data import DataHub

    hub = DataHub(Settings(data_dir=web_env.data_dir), readers=2)
    lock = threading.Lock()
    inside = [0, 0]  # now, most

    def fn(_eng):
        with lock:
            inside[0] += 1
            inside[1] = max(inside[1], inside[0])
        time.sleep(0.2)
        with lock:
            inside[0] -= 1
        return 1

    threads = [threading.Thread(target=hub.cached, args=("bounded", i, fn)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert inside[1] == 2 and hub.pool(hub.version()).made == 2 and hub.misses == 6
