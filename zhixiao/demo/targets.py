"""Annual targets (年度目标) of the demo city's courts, so briefings show 目标完成进度 and its decomposition.

Values are those published courts set themselves: 结案率 93% (安徽高院 baseline; national 2020 average
93.18%, REFERENCE §5.3), 结收比 100% (结 at least what is filed), 审限内结案率 97%, 平均审理天数 ≤ 70 天,
超12个月未结 halved from the year before (a common 清积 goal), set for every year of the demo data.
"""

from __future__ import annotations

from datetime import date

from zhixiao.analysis.peers import level_of
from zhixiao.analysis.targets import set_target
from zhixiao.engine import connect
from zhixiao.metrics.evaluate import evaluate

RATE_TARGETS = {"closure_rate": 0.93, "clearance_ratio": 1.0, "on_time_rate": 0.97}
AVG_DAYS_TARGET = 70.0


def seed(settings, as_of: date, seed: int = 2026) -> str:  # noqa: ARG001 — the hooks' common signature
    """Set the targets of every basic court for the years up to ``as_of``; idempotent (set replaces)."""
    eng = connect(settings.data_dir)
    t = eng.cases
    codes = sorted(c for c in t.select("court_code").distinct().execute()["court_code"] if c)
    basic = [c for c in codes if level_of(c) == "basic"]
    years = range(as_of.year - 1, as_of.year + 1)
    n = 0
    for year in years:
        start, end = date(year - 1, 1, 1), date(year - 1, 12, 31)
        backlog = {r.group.get("court_code"): r.value for r in evaluate(
            eng, "court-classic", start, end, by=("court",), indicators=["long_pending_12m"], compare=None).rows}
        for code in basic:
            for ind, value in RATE_TARGETS.items():
                set_target(settings.ops_url, code, year, ind, value, note="演示目标", user="demo")
                n += 1
            set_target(settings.ops_url, code, year, "avg_days", AVG_DAYS_TARGET, note="演示目标", user="demo")
            set_target(settings.ops_url, code, year, "long_pending_12m", float(int((backlog.get(code) or 0) // 2)),
                       note="演示目标：较上年末减半", user="demo")
            n += 2
    return f"年度目标 {n} 项（{len(basic)} 家基层法院，{years.start}—{years.stop - 1}年）"

