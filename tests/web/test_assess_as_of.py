"""The 人员考核 page of the running quarter is measured on the data's as-of date (2025-11-20 in the demo city,
2025Q4 running): its warmer reads the stored 审限 table the 审限 ledgers keep for that date and builds none for
12-31, and the page says the figures are counted to 11-20."""

from __future__ import annotations

import shutil
from datetime import date

from fastapi.testclient import TestClient

from tests.web.conftest import AS_OF, COURT, login
from tests.web.helpers import isolated_app
from zhixiao.aggregates import ROOT, deadlines_path
from zhixiao.deadlines import table_options
from zhixiao.domain.calendar import load_calendar
from zhixiao.store.cases import CaseStore
from zhixiao.supervision.rules import load_ladder
from zhixiao.web.routes import services_tools

CUT = "本季度尚未结束，统计截至 2025年11月20日"


def test_warmer_reads_the_as_of_table_and_page_says_the_cut(web_env, tmp_path):
    app, d = isolated_app(web_env, tmp_path)
    shutil.rmtree(d / ROOT, ignore_errors=True)  # no stored table from other tests' runs
    hub = app.state.hub
    st = app.state.settings
    assert services_tools.warm in hub.warmers and hub.as_of() == AS_OF
    version = CaseStore(d).manifest().version
    cal, options = load_calendar(st), table_options(st, load_ladder(st))
    at_as_of = deadlines_path(d, version, AS_OF, cal, options)
    at_quarter_end = deadlines_path(d, version, date(2025, 12, 31), cal, options)

    services_tools.warm(hub, date(AS_OF.year, 1, 1), AS_OF)  # the precompute's question: each court's 2025Q4
    assert at_as_of.is_file()
    assert not at_quarter_end.exists()  # the old code built a second table at the quarter's end
    hub.ledgers()  # the 审限 ledgers' table is that same file: still one table beside the snapshot
    assert sorted(p.name for p in at_as_of.parent.glob("deadlines_*.parquet")) == [at_as_of.name]
    before = hub.misses

    c = TestClient(app)
    assert login(c, "analyst").status_code == 303
    r = c.get("/services/assess", params={"court": COURT})
    assert r.status_code == 200 and CUT in r.text and "2025Q4" in r.text
    assert hub.misses == before  # the warmed answer, under the key with the date measured to
    r = c.get("/services/assess", params={"court": COURT, "quarter": "2025Q3"})  # a finished quarter: no note
    assert r.status_code == 200 and "统计截至" not in r.text
    r = c.get("/services/assess", params={"court": COURT, "quarter": "2026Q1"})
    assert r.status_code == 400 and "2026Q1 尚未开始：数据截至 2025-11-20。" in r.text
