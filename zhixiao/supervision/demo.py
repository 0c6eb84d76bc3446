"""Demo: work a few alerts of the demo city's ladder by hand, so the ledger, the web pages and the notices have
something realistic to show (open, acknowledged, resolved, escalated). The ladder itself is filled by the
daily job (``zhixiao.daily``), which ``zhixiao demo`` runs first."""

from __future__ import annotations

import random
from typing import Any

from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import acknowledge, list_alerts, resolve


def work_alerts(settings: Any, seed: int = 2026) -> int:
    """Acknowledge six open alerts (drawn by ``seed``) and resolve every other one; returns how many."""
    rng = random.Random(seed)
    with session_factory(settings.ops_url)() as s:
        open_alerts = list_alerts(s, {"status": "open"})
        picked = rng.sample(open_alerts, min(6, len(open_alerts)))
        for i, a in enumerate(picked):
            who = f"庭长（{a.division or '未分配'}）"
            acknowledge(s, a.id, who, "已签收，督促承办法官尽快审结")
            if i % 2 == 0:
                resolve(s, a.id, who, "已与承办法官面谈，确定结案计划")
    return len(picked)
