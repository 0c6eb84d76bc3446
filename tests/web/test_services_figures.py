"""The 民生小案 and 人员考核 pages read the snapshot's stored 审限 table (``aggregates.deadlines``) and keep the
case store's part per snapshot, instead of computing the 审限 table per view. Their figures are the service
functions' own, computed afresh from the case store (issue 18 §1)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import AS_OF, COURT, login
from tests.web.helpers import isolated_app
from zhixiao.engine import connect
from zhixiao.services import ledgers
from zhixiao.services.assessment import assess, person_metrics
from zhixiao.web.routes.services_common import stored_deadlines

START = date(AS_OF.year, 1, 1)
QUARTER = f"{AS_OF.year}Q3"  # a whole quarter before the data's as-of date


@pytest.fixture(scope="module")
def app_client(web_env, tmp_path_factory):
    app, d = isolated_app(web_env, tmp_path_factory.mktemp("svcfig"))
    c = TestClient(app)
    assert login(c, "analyst").status_code == 303
    return app, c, d


def _xlsx(r) -> list[tuple]:
    assert r.status_code == 200, r.text[-400:]
    return list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("court", [None, COURT])
def test_minsheng_from_the_stored_table_equals_a_fresh_computation(app_client, court):
    app, _c, d = app_client
    e = connect(d)
    fresh = ledgers.minsheng_cases(e, START, AS_OF, court, app.state.settings)
    with app.state.hub.engine() as pooled:
        stored = ledgers.minsheng_cases(pooled, START, AS_OF, court, app.state.settings,
                                        deadlines=stored_deadlines(app.state.settings, pooled, AS_OF))
    assert stored == fresh
    assert fresh["received"] > 0 and fresh["overdue"] is not None  # the figures compared are not empty


def test_minsheng_page_shows_the_service_figures(app_client):
    app, c, d = app_client
    fresh = ledgers.minsheng_cases(connect(d), START, AS_OF, None, app.state.settings)
    params = {"part": "minsheng", "start": str(START), "end": str(AS_OF)}
    page = c.get("/services/ledgers", params=params).text
    avg = fresh["avg_days"] if fresh["avg_days"] is not None else "—"
    assert f"民生小案（受理 {fresh['received']} 件，平均审理 {avg} 天）" in page
    rows = _xlsx(c.get("/services/ledgers", params={**params, "export": "xlsx"}))
    assert rows[0][:2] == ("法院", "案号")
    assert sorted((r[1], r[6]) for r in rows[1:]) == sorted((x["case_id"], x["reason"]) for x in fresh["cases"])


def test_assessment_page_shows_the_service_sheets(app_client):
    app, c, d = app_client
    e = connect(d)
    with app.state.Session() as s:
        fresh = assess(e, s, COURT, QUARTER, app.state.settings)
    with app.state.hub.engine() as pooled:
        end = date(AS_OF.year, 9, 30)
        kept = person_metrics(pooled, COURT, QUARTER, app.state.settings,
                              deadlines=stored_deadlines(app.state.settings, pooled, end))
    assert kept == person_metrics(e, COURT, QUARTER, app.state.settings)
    rows = _xlsx(c.get("/services/assess", params={"court": COURT, "quarter": QUARTER, "export": "xlsx"}))
    assert rows[0][:6] == ("编号", "姓名", "岗位", "部门", "得分", "满分")
    shown = sorted((r[0], r[1], r[4], r[5], r[6]) for r in rows[1:])
    assert shown == sorted((x.person_id, x.name, x.total, x.max_total, "；".join(i.reason for i in x.items))
                           for x in fresh)
    assert len(shown) > 3 and any(x.total > 0 for x in fresh)


def test_first_views_ask_no_engine_question_after_precompute(web_env, tmp_path):
    """Serve mode precomputes the two pages' default questions with the others (web.app.add_warmers): the first
    view of each, as the 审管办 and as a court's president open it, asks the engine nothing."""
    import shutil

    from zhixiao.config import Settings
    from zhixiao.store.cases import CaseStore
    from zhixiao.web.app import create_app

    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    pages = ("/services/ledgers?part=minsheng", "/services/assess")

    def first_views(bare: bool) -> int:
        app = create_app(Settings(data_dir=d))
        hub = app.state.hub
        if bare:  # without these pages' warmers
            hub.warmers = [w for w in hub.warmers if w.__module__ != "zhixiao.web.routes.services_registers"
                           and w.__module__ != "zhixiao.web.routes.services_tools"]
        hub.precompute(CaseStore(d).manifest().version)
        before = hub.misses
        for role in ("analyst", "president"):
            c = TestClient(app)
            assert login(c, role).status_code == 303
            for url in pages:
                r = c.get(url)
                assert r.status_code == 200 and "共 <b>" in r.text, (role, url, r.text[-300:])
        return hub.misses - before

    assert first_views(bare=True) == 4  # each page, for each role, computed at its first view
    shutil.rmtree(d / "aggregates")  # the answers kept beside the snapshot by that run
    assert first_views(bare=False) == 0
