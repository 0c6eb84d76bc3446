"""Serve mode after an import (issue 18 §1): the pages keep reading the last precomputed snapshot while the new
one is precomputed in the background, then switch to it — so the first view after an import is answered from
precomputed figures, never by a page waiting for the engine."""

from __future__ import annotations

import shutil
import threading
import time

from tests.web.conftest import COURT
from tests.web.test_pool_snapshot import _count_files, _land_import, _pending
from zhixiao.config import Settings
from zhixiao.store.cases import CaseStore
from zhixiao.web.data import DataHub


def test_serve_mode_switches_to_an_import_once_its_pages_are_precomputed(web_env, tmp_path, monkeypatch):
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    years = [y for c, y in CaseStore(d).partitions("cases") if c == COURT]
    before = sum(_count_files(d, COURT, y) for y in years)
    year = max(years, key=lambda y: _count_files(d, COURT, y))
    dropped = _count_files(d, COURT, year)

    release = threading.Event()
    computing: list[int] = []

    def pages(self):  # the precompute's page questions: one, and held until the test lets it go on
        computing.append(self.version())
        self.cached("pending", COURT, _pending)
        if len(computing) > 1:
            assert release.wait(60)

    monkeypatch.setattr(DataHub, "_warm_pages", pages)
    hub = DataHub(Settings(data_dir=d), readers=2)
    hub.warm()  # serve mode: the current snapshot precomputed now
    v = hub.version()
    assert computing == [v] and hub.cached("pending", COURT, _pending) == before

    _land_import(d, COURT, year)
    assert CaseStore(d).manifest().version == v + 1
    misses = hub.misses
    assert hub.version() == v  # the import's precompute has started and is held: the old snapshot is served
    assert hub.cached("pending", COURT, _pending) == before and hub.misses == misses
    deadline = time.time() + 60
    while computing != [v, v + 1] and time.time() < deadline:  # the background thread asks about v + 1
        time.sleep(0.05)
    assert computing == [v, v + 1]

    release.set()
    while hub.version() != v + 1 and time.time() < deadline:
        time.sleep(0.05)
    assert hub.version() == v + 1
    misses = hub.misses
    assert hub.cached("pending", COURT, _pending) == before - dropped  # the new figure, precomputed
    assert hub.misses == misses
