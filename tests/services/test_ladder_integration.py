"""Overdue 12368 tickets, 差评督办 and 司法建议 replies enter the same 提醒→督办 ladder as 审限 (issue 7), through
the daily job (``zhixiao.daily``), the one module above supervision and services (issue 14 §2)."""

import json
import shutil
from datetime import date

from sqlalchemy import select
from typer.testing import CliRunner

from tests.services.test_demo_seed import AS_OF, data_dir  # noqa: F401 — the module's store fixture
from zhixiao.cli import app
from zhixiao.config import Settings, load_settings
from zhixiao.daily import run_daily_job
from zhixiao.quality.models import QualityCourt, QualityRun
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
    # the 审限 sweep alone (zhixiao supervise run) leaves the services' items to the daily job
    run_daily(st, AS_OF)
    with session_factory(st.ops_url)() as s:
        assert [a for a in list_alerts(s, {}) if a.rule_id.startswith("service_")] == []
    job = run_daily_job(st, AS_OF)
    assert job.service_items == len(items)
    with session_factory(st.ops_url)() as s:
        svc = [a for a in list_alerts(s, {}) if a.rule_id.startswith("service_")]
        # one alert per overdue item at its level, keyed by kind and reference
        assert sorted((a.subject, a.level) for a in svc) == sorted((f"{i['kind']}:{i['ref']}", i["level"]) for i in items)
        assert {a.court_code for a in svc} == {i["court_code"] for i in items}
        # the 审限 alerts of that day exist already, so what the job created is one alert per item
        assert job.supervision.created_total == len(items)
        n = s.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1))
    run_daily_job(st, AS_OF)  # idempotent: the same items create nothing new
    with session_factory(st.ops_url)() as s:
        assert s.scalar(select(Alert.id).order_by(Alert.id.desc()).limit(1)) == n


def test_zhixiao_daily_puts_service_items_on_the_ladder(data_dir, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)  # no stray zhixiao.toml: the ops DB is the SQLite file of the data directory
    monkeypatch.delenv("ZHIXIAO_SQL_URL", raising=False)
    monkeypatch.delenv("ZHIXIAO_CONFIG", raising=False)
    d = tmp_path / "d"
    shutil.copytree(data_dir, d)
    st = load_settings(data_dir=d)
    seed(st, AS_OF, 7)
    with session_factory(st.ops_url)() as s:
        n_items = len(overdue_items(s, AS_OF, st))
    runner = CliRunner()
    sweep = runner.invoke(app, ["supervise", "run", "--data-dir", str(d), "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert sweep.exit_code == 0, sweep.output
    job = runner.invoke(app, ["daily", "--data-dir", str(d), "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert job.exit_code == 0, job.output
    row = json.loads(job.stdout)  # one JSON object per row
    # the sweep before made that day's 审限 alerts: the daily job adds exactly one alert per service item
    assert row["service_items"] == n_items > 0
    assert sum(row[f"created_{lv}"] for lv in ("remind", "supervise", "interview", "hold_accountable")) == n_items
    # then the data-quality check of 2026 over every court (no court_code set), recorded: the row sums the
    # stored per-court results of that run
    with session_factory(st.ops_url)() as s:
        (run,) = s.scalars(select(QualityRun)).all()
        assert (run.scope, run.start, run.as_of, run.created_by) == ("*", date(2026, 1, 1), AS_OF, "system")
        courts = s.scalars(select(QualityCourt).where(QualityCourt.run_id == run.id)).all()
    assert sorted(c.court_code for c in courts) == ["冀0102", "冀0123"]
    assert (row["quality_flagged"], row["quality_missing"], row["quality_min_score"]) == (
        sum(c.flagged for c in courts), sum(c.missing for c in courts), min(c.score for c in courts))
