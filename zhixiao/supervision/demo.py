"""Demo hook: run the daily 审限 job once on the demo city and work a few alerts, so the ledger, the web
pages and the notices have something realistic to show (open, acknowledged, resolved, escalated)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from zhixiao.supervision.ledger import RunSummary, acknowledge, list_alerts, resolve, run_daily


def seed(settings: Any, as_of: date, seed: int = 2026) -> RunSummary:
    from zhixiao.store.ops import session_factory

    summary = run_daily(settings, as_of)
    rng = random.Random(seed)
    with session_factory(settings.ops_url)() as s:
        open_alerts = list_alerts(s, {"status": "open"})
        picked = rng.sample(open_alerts, min(6, len(open_alerts)))
        for i, a in enumerate(picked):
            who = f"庭长（{a.division or '未分配'}）"
            acknowledge(s, a.id, who, "已签收，督促承办法官尽快审结")
            if i % 2 == 0:
                resolve(s, a.id, who, "已与承办法官面谈，确定结案计划")
    return summary
