"""Serve mode after an import (issue 18 §1): while the pages still show the previous snapshot because the new
one's precompute runs, every page says so — naming both versions and the shown data's as-of date — and says
nothing once the new snapshot is shown."""

from __future__ import annotations

import threading
import time

import pyarrow.compute as pc
from fastapi.testclient import TestClient

from tests.web.conftest import COURT, login
from tests.web.helpers import isolated_app
from tests.web.test_pool_snapshot import _count_files, _land_import, _pending
from zhixiao.store.cases import CaseStore
from zhixiao.web.data import DataHub

NOTICE = 'id="snapshot-notice"'


def test_pages_say_they_show_the_previous_snapshot_while_an_import_is_precomputed(web_env, tmp_path, monkeypatch):
    release = threading.Event()
    computing: list[int] = []

    def pages(self):  # the precompute's page questions: one, held for the import's snapshot until released
        computing.append(self.version())
        self.cached("pending", COURT, _pending)
        if len(computing) > 1:
            assert release.wait(120)

    monkeypatch.setattr(DataHub, "_warm_pages", pages)
    app, d = isolated_app(web_env, tmp_path)
    hub = app.state.hub
    hub.warm()  # serve mode: the current snapshot precomputed now
    v = hub.version()
    # the shown data's as-of date, read from the Parquet files themselves: the newest snapshot_date
    day = max(pc.max(CaseStore(d).read_partition("cases", p)["snapshot_date"]).as_py()
              for p in CaseStore(d).partitions("cases"))
    cl = TestClient(app, base_url="http://testserver")
    assert login(cl, "admin").status_code == 303

    for path in ("/account", "/admin"):
        r = cl.get(path)
        assert r.status_code == 200 and NOTICE not in r.text and "数据更新中" not in r.text

    years = [y for c, y in CaseStore(d).partitions("cases") if c == COURT]
    year = max(years, key=lambda y: _count_files(d, COURT, y))
    _land_import(d, COURT, year)
    assert CaseStore(d).manifest().version == v + 1
    want = (f"新导入的数据（第{v + 1}版）正在预计算，当前显示第{v}版"
            f"（截至{day.year}年{day.month}月{day.day}日）的数据")
    try:
        for path in ("/account", "/admin"):
            r = cl.get(path)
            assert r.status_code == 200 and NOTICE in r.text and want in r.text, path
        deadline = time.time() + 120
        while computing != [v, v + 1] and time.time() < deadline:
            time.sleep(0.05)
        assert computing == [v, v + 1] and hub.version() == v  # still held: the notice stays
        r = cl.get("/account", headers={"HX-Request": "true"})  # a page swapped in by htmx says it too
        assert want in r.text
    finally:
        release.set()
    while hub.version() != v + 1 and time.time() < deadline:
        time.sleep(0.05)
    assert hub.version() == v + 1
    for path in ("/account", "/admin"):
        r = cl.get(path)
        assert r.status_code == 200 and NOTICE not in r.text and "数据更新中" not in r.text


def test_no_notice_outside_serve_mode(web_env, tmp_path):
    """Without serve mode (no background precompute) the pages read the newest snapshot: nothing to say."""
    app, d = isolated_app(web_env, tmp_path)
    cl = TestClient(app, base_url="http://testserver")
    assert login(cl, "admin").status_code == 303
    years = [y for c, y in CaseStore(d).partitions("cases") if c == COURT]
    _land_import(d, COURT, max(years, key=lambda y: _count_files(d, COURT, y)))
    assert app.state.hub.switching() is None
    assert NOTICE not in cl.get("/account").text
