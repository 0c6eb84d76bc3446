"""The pages' case lists (issue 18 §1): after precompute, a list whose condition reads 审限 columns joins them from
the snapshot's stored 审限 table instead of building the 审限 expression, and lists exactly the cases of the
figure the page shows — the same ids as the list built from scratch."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from tests.web.conftest import AS_OF
from zhixiao.config import Settings
from zhixiao.metrics import drill
from zhixiao.metrics.drill import case_list
from zhixiao.store.cases import CaseStore
from zhixiao.web.data import DataHub


@pytest.fixture(scope="module")
def hub(web_env, tmp_path_factory):
    d = tmp_path_factory.mktemp("caselist") / "data"
    shutil.copytree(web_env.data_dir, d)
    h = DataHub(Settings(data_dir=d))
    h.precompute(CaseStore(d).manifest().version)
    return h


def _month_end_before(day: date) -> date:
    return date(day.year, day.month, 1) - date.resolution


@pytest.mark.parametrize("end", [AS_OF, _month_end_before(AS_OF)])
def test_lists_equal_the_figures_and_the_built_lists(hub, monkeypatch, end):
    start = date(end.year, 1, 1)
    real = drill.prepared_cases
    built: list[str] = []

    def counted(engine, inds, *a, **k):
        built.extend(i.id for i in inds)
        return real(engine, inds, *a, **k)
    monkeypatch.setattr(drill, "prepared_cases", counted)
    courts = list(hub.roster()["courts"])
    checked = 0
    for f in [{}, *({"court_code": c} for c in courts)]:
        figures = {r["indicator"]: r for r in hub.indicators(start, end, f or None)}
        for ind, part in [("closed", "numerator"), ("new_cases", "numerator"), ("pending", "numerator"),
                          ("on_time_rate", "numerator"), ("on_time_rate", "denominator")]:
            listed = hub.cases(ind, part, start, end, dict(f))
            row = figures[ind]
            assert len(listed) == (row["value"] if part == "numerator" and ind != "on_time_rate" else row[part]), (
                f, ind, part)
            fresh = hub.run(lambda e, ind=ind, part=part, f=f: case_list(e, ind, hub.settings.profile, start, end,
                                                                         group=dict(f), part=part))
            assert list(listed.case_id) == list(fresh.case_id), (f, ind, part)
            checked += len(listed)
    assert checked > 0
    # the pages' on_time_rate lists never built the 审限 expression; the fresh ones did (two per scope)
    assert built.count("on_time_rate") == 2 * (1 + len(courts))
