"""全市对比 and 数据体检 are precomputed with the other default pages (issue 18 §1): after ``precompute`` the
first view of /city and /quality — for 审管办 and for a basic court's president — asks the engine nothing, and a
restarted process reads them back from the snapshot's aggregates."""

from __future__ import annotations

import shutil

from fastapi.testclient import TestClient

from tests.web.conftest import login
from zhixiao.config import Settings
from zhixiao.store.cases import CaseStore
from zhixiao.web.app import create_app
from zhixiao.web.data import PERSIST, DataHub

PAGES = ("/city", "/api/chart/city", "/api/chart/city/tracks", "/quality")


def _app(d, warmers: bool = True, warm: bool = False):
    app = create_app(Settings(data_dir=d), warm=warm)
    if not warmers:  # the app as it was before the pages registered their default questions
        app.state.hub.warmers.clear()
        app.state.hub.persist = set(PERSIST)
    clients = {}
    for role in ("analyst", "president"):
        c = TestClient(app, base_url="http://testserver")
        assert login(c, role).status_code == 303
        clients[role] = c
    return app.state.hub, clients


def _first_views(hub, clients) -> int:
    """Engine questions asked by the first view of each page, as each role opens it (本年累计 by default)."""
    before = hub.misses
    for role, c in clients.items():
        for url in PAGES:
            r = c.get(url)
            assert r.status_code == 200, (role, url, r.status_code)
    return hub.misses - before


def test_city_and_quality_first_views_ask_no_engine_question_after_precompute(web_env, tmp_path, monkeypatch):
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    version = CaseStore(d).manifest().version

    # without the pages' warmers the first views go to the engine: what the warmers are for
    bare, clients = _app(d, warmers=False)
    bare.precompute(version)
    assert _first_views(bare, clients) >= 3  # the city matrix, its 收结存, a quality check at least

    hub, clients = _app(d)
    hub.precompute(version)
    assert hub.misses > 0  # the city and quality questions were computed now (the bare run kept none)
    assert _first_views(hub, clients) == 0

    # a restart: the answers are read back from <data_dir>/aggregates/<version>/, the engine is not asked
    again, clients = _app(d)
    again.precompute(version)
    assert again.misses == 0
    assert _first_views(again, clients) == 0
    kept = {k[2] for k in again._cache if k[0] == version}
    assert {"city", "city_flows", "quality", "flows"} <= kept

    # ``zhixiao serve`` (warm=True) reads the kept answers before it serves: its first views ask nothing even
    # while the background precompute has not run at all
    monkeypatch.setattr(DataHub, "warm", lambda self: None)
    served, clients = _app(d, warm=True)
    assert served.loaded == again.loaded and _first_views(served, clients) == 0
    assert clients["analyst"].get("/").status_code == 200 and served.misses == 0  # 总览's 收结存 too


def test_a_presidents_city_flows_are_cut_from_the_whole_citys(web_env):
    """The president's 收结存 row is the analyst's row of his court (one cached question serves both)."""
    import re

    from tests.web.conftest import COURT
    from zhixiao.domain.courts import court_name

    def rows(role) -> dict[str, list[str]]:
        html = web_env.clients[role].get("/city").text
        body = html[html.index('id="city-flows"'):].split("</tbody>")[0].split("<tbody>")[1]
        out = {}
        for tr in body.split("<tr><td>")[1:]:
            name, rest = tr.split("</td>", 1)
            out[name] = re.findall(r">([0-9][0-9,.%]*)<", rest)
        return out

    mine, everyone = rows("president"), rows("analyst")
    assert list(mine) == [court_name(COURT)]
    assert len(mine[court_name(COURT)]) == 16 and mine[court_name(COURT)] == everyone[court_name(COURT)]
    assert len(everyone) > 2
