"""审限监控's first view (issue 18 §1): the item list and its grouping per case are made when the server
starts (``supervision.warm``) and kept until an item changes — then the page shows the change at once."""

from __future__ import annotations

import io
import shutil

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.conftest import login
from zhixiao.config import Settings
from zhixiao.web import alert_cases
from zhixiao.web.app import create_app
from zhixiao.web.routes import supervision


def _rows(resp) -> int:
    assert resp.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(resp.content)).active.max_row - 1


def test_supervision_is_warmed_at_start_and_follows_a_change(web_env, tmp_path, monkeypatch):
    from zhixiao.supervision import ledger
    from zhixiao.supervision.models import Alert

    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    app = create_app(Settings(data_dir=d))
    c = TestClient(app, base_url="http://testserver")
    assert login(c, "analyst").status_code == 303
    supervision.warm(app)

    calls = {"items": 0, "group": 0}
    items, group = supervision._items, alert_cases.group

    def counted_items(*a, **k):
        calls["items"] += 1
        return items(*a, **k)

    def counted_group(*a, **k):
        calls["group"] += 1
        return group(*a, **k)

    monkeypatch.setattr(supervision, "_items", counted_items)
    monkeypatch.setattr(alert_cases, "group", counted_group)

    assert c.get("/supervision").status_code == 200
    assert calls == {"items": 0, "group": 0}  # the first view: made at start
    with app.state.Session() as s:
        open_ids = list(s.scalars(select(Alert.id).where(Alert.status == "open").order_by(Alert.id)))
        cases = s.scalar(select(func.count()).select_from(
            select(Alert.court_code, Alert.case_id).distinct().subquery()))
    assert len(open_ids) >= 2
    assert _rows(c.get("/supervision?status=open&by=item&export=xlsx")) == len(open_ids)
    assert _rows(c.get("/supervision?export=xlsx")) == cases
    assert calls == {"items": 0, "group": 1}  # the per-item view of the open items, grouped once
    assert _rows(c.get("/supervision?status=open&by=item&export=xlsx")) == len(open_ids)
    assert calls == {"items": 0, "group": 1}

    with app.state.Session() as s:  # 签收 one item (committed by the ledger): the cached lists are stale now
        ledger.acknowledge(s, open_ids[0], "审管办测试")
    assert _rows(c.get("/supervision?status=open&by=item&export=xlsx")) == len(open_ids) - 1
    assert calls["items"] == 1
    acked = c.get("/supervision?status=acknowledged&by=item&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(acked.content)).active
    with app.state.Session() as s:
        case_id = s.get(Alert, open_ids[0]).case_id
    assert case_id in [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
