"""Overdue 12368 tickets, 差评督办 and 司法建议 replies enter the same 提醒→督办 ladder as 审限 (issue 7)."""

from sqlalchemy import select

from tests.services.test_demo_seed import AS_OF, data_dir  # noqa: F401 — the module's store fixture
from zhixiao.config import Settings
from zhixiao.services.alerts import overdue_items
from zhixiao.services.demo import seed
from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import list_alerts, run_daily
from zhixiao.supervision.models import Alert


def test_service_items_become_ladder_alerts_once(data_dir, tmp_path):  # noqa: F811
    st = Settings(data_dir=data_dir, sql_url=f"sqlite:///{tmp_path / 'ops.sqlite'}")
    seed(st, AS_OF, 7)
    with session_factory(st.ops_url)() as s:
        items = overdue_items(s, AS_OF, st)
    assert items, "the demo seed plants overdue service items"
    run_daily(st, AS_OF)
    with session_factory(st.ops_url)() as s:
        svc = [a for a in list_alerts(s, {}) if a.rule_id.startswith("service_")]
        # one alert per overdue item at its level, keyed by kind and reference
        assert sorted((a.subject, a.level) for a in svc) == sorted((f"{i['kind']}:{i['ref']}", i["level"]) for i in items)
        assert {a.court_code for a in svc} == {i["court_code"] for i in items}
        n = s.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1))
    run_daily(st, AS_OF)  # idempotent: the same items create nothing new
    with session_factory(st.ops_url)() as s:
        assert s.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1)) == n
