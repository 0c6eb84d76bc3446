"""``zhixiao bench web``'s workload: the periods it varies and every page kind it browses answer 200."""

from __future__ import annotations

import random
from datetime import date

from tests.web.conftest import AS_OF
from zhixiao.bench.web import _kinds, _pct, _periods


def test_periods_are_year_to_date_then_each_earlier_month_end():
    p = _periods(date(2025, 3, 10))
    assert p == [(date(2025, 1, 1), date(2025, 3, 10)), (date(2025, 1, 1), date(2025, 1, 31)),
                 (date(2025, 1, 1), date(2025, 2, 28))]
    assert len(_periods(AS_OF)) == 11  # 本年累计 + January..October


def test_percentile_is_nearest_rank_in_ms():
    xs = [i / 1000 for i in range(1, 101)]  # 1..100 ms
    assert _pct(xs, 0.5) == 51.0 and _pct(xs, 0.95) == 95.0 and _pct(xs, 1) == 100.0


def test_every_page_kind_the_bench_browses_answers(web_env):
    kinds = _kinds(web_env.data_dir, _periods(AS_OF)[0])
    assert {"总览（全市）", "指标下钻", "案件清单", "审限监控", "审限台账", "目标与测算", "全市对比", "数据体检",
            "诉讼服务", "会商报告"} <= set(kinds)
    c = web_env.clients["analyst"]
    rnd = random.Random(3)
    per = _periods(AS_OF)
    for kind, url_of in kinds.items():
        url = url_of(rnd, per[0])
        r = c.get(url, follow_redirects=True)
        assert r.status_code == 200, (kind, url, r.status_code)
