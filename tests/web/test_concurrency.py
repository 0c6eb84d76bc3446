"""The dashboard keeps serving while `zhixiao supervise run` and `zhixiao import` run at the same time:
no 5xx, no lock errors, and every 签收 made meanwhile is still in the ledger afterwards."""

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


def _client(base: str, username: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": tok, "next": "/"})
    assert r.status_code in (200, 303)
    return c


def test_serving_during_supervise_run_and_import(web_env, tmp_path):
    from zhixiao.demo.export import export_court_csv
    from zhixiao.store.cases import CaseStore
    from zhixiao.supervision.models import Alert, AlertEvent

    app, d = isolated_app(web_env, tmp_path)
    export = tmp_path / "export.csv"
    export_court_csv(d, export, COURT)
    with app.state.Session() as s:
        open_ids = [a.id for a in s.scalars(select(Alert).where(Alert.status == "open").order_by(Alert.id))]
    assert len(open_ids) >= 3
    before = CaseStore(d).manifest().version
    statuses: list[tuple[str, int]] = []
    acked: list[int] = []
    ack_times: list[float] = []
    stop = threading.Event()

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

        def acknowledge() -> None:
            for aid in open_ids:
                if stop.is_set():
                    break
                r = actor.post(f"/supervision/alerts/{aid}/acknowledge", headers={"X-CSRF-Token": csrf})
                statuses.append((f"ack {aid}", r.status_code))
                if r.status_code == 200:
                    acked.append(aid)
                    ack_times.append(time.perf_counter())
                time.sleep(0.2)  # spread the 签收 over the jobs' run

        threads = [threading.Thread(target=browse, args=(c,)) for c in readers]
        threads.append(threading.Thread(target=acknowledge))
        cli = [sys.executable, "-m", "zhixiao.cli"]
        jobs = [
            subprocess.Popen(cli + ["supervise", "run", "--data-dir", str(d), "--as-of", AS_OF.isoformat()],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
            subprocess.Popen(cli + ["import", str(export), "--data-dir", str(d), "--user", "并发测试", "--force"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        ]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        outs = [j.communicate(timeout=300) for j in jobs]
        t1 = time.perf_counter()
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(120)
        after_page = readers[0].get(f"/?court={COURT}&{P}").status_code

    for j, (out, err) in zip(jobs, outs, strict=True):
        assert j.returncode == 0, (out[-2000:], err[-2000:])
        assert "locked" not in (out + err).lower()
    errors = [(u, s) for u, s in statuses if s >= 500 or (s != 200 and not u.startswith("ack"))]
    assert not errors, errors[:10]
    assert len([s for u, s in statuses if not u.startswith("ack")]) >= 10  # really served meanwhile
    assert acked, "no acknowledgement went through"
    # the jobs' second half is past their start-up (interpreters, imports): a 签收 there overlapped their work
    assert any((t0 + t1) / 2 < t < t1 for t in ack_times), ("no 签收 overlapped the jobs", t1 - t0, ack_times)
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
