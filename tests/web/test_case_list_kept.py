"""The table pages, sorts and exports a case list by asking for it again: the hub keeps the last few small lists
per (data version, indicator files, question), never a stale one, never one a page changed."""

from __future__ import annotations

import shutil
from datetime import date

from tests.web.conftest import AS_OF
from zhixiao.config import Settings
from zhixiao.metrics import drill
from zhixiao.web import data
from zhixiao.web.data import DataHub


def test_small_lists_kept_per_question_and_files(web_env, tmp_path, monkeypatch):
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    hub = DataHub(Settings(data_dir=d))
    real = drill.case_list
    asked: list[tuple] = []

    def counted(e, indicator, *a, **k):
        asked.append((indicator, k.get("part")))
        return real(e, indicator, *a, **k)
    monkeypatch.setattr(drill, "case_list", counted)
    start = date(AS_OF.year, 1, 1)
    court = next(iter(hub.roster()["courts"]))
    first = hub.cases("closed", "numerator", start, AS_OF, {"court_code": court})
    figure = {r["indicator"]: r for r in hub.indicators(start, AS_OF, {"court_code": court})}["closed"]["value"]
    assert len(first) == figure > 0
    first["court_name"] = "改过"  # a page's own change stays in its frame
    again = hub.cases("closed", "numerator", start, AS_OF, {"court_code": court})
    assert len(asked) == 1 and list(again.case_id) == list(first.case_id) and "改过" not in set(again.court_name)
    hub.cases("closed", "numerator", start, AS_OF, {"court_code": court, "category": ["民事"]})  # another question
    assert len(asked) == 2

    # an edited indicator file (a court's own 口径) is another question
    (d / "indicators").mkdir(exist_ok=True)
    (d / "indicators" / "ours.toml").write_text(
        '[profile]\nid = "court-classic"\n[[override]]\nid = "closure_rate"\nrange = [0.5, 1.0]\n', encoding="utf-8")
    hub.cases("closed", "numerator", start, AS_OF, {"court_code": court})
    assert len(asked) == 3

    # a list longer than the limit is not kept
    monkeypatch.setattr(data, "CASE_LIST_ROWS", len(first) - 1)
    hub.cases("closed", "numerator", date(AS_OF.year - 1, 1, 1), AS_OF, {"court_code": court})
    hub.cases("closed", "numerator", date(AS_OF.year - 1, 1, 1), AS_OF, {"court_code": court})
    assert len(asked) == 5
