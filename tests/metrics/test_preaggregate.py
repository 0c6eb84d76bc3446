"""The pre-aggregated evaluation (group by the condition columns, dates coarsened to their cut points)
gives exactly what the row-by-row scan gives: same rows, same values, same Python types."""

from __future__ import annotations

import json
from datetime import date

import pytest

from zhixiao.metrics import evaluate as ev
from zhixiao.metrics.evaluate import evaluate

# date literals on both sides of the fixture's boundaries, every comparison operator, an ``any``,
# a date column tested only for null and a free-text column only for null
CUSTOM = '''
[profile]
id = "court-classic"

[[indicator]]
id = "x_dates"
name = "日期条件"
group = "效率"
unit = "rate"
direction = "higher"
numerator = { set = "closed", where = [{ col = "filing_date", ge = 2025-02-01 }, { col = "closing_date", le = 2025-08-29 }] }
denominator = { set = "received", where = [{ col = "filing_date", lt = 2025-06-10 }] }
source = "test"

[[indicator]]
id = "x_eq"
name = "日期等于"
group = "效率"
unit = "count"
direction = "higher"
numerator = { set = "cases", where = [{ any = [{ col = "filing_date", eq = 2024-12-31 }, { col = "closing_date", in = [2025-01-20, 2025-03-03] }] }] }
source = "test"

[[indicator]]
id = "x_gt"
name = "日期大于"
group = "效率"
unit = "count"
direction = "higher"
numerator = { set = "pending_end", where = [{ col = "filing_date", gt = 2023-06-30 }, { col = "appeal_date", is_null = true }, { col = "cause", is_null = true }] }
source = "test"
'''


def _dump(res) -> str:
    return json.dumps(res.to_dict(), ensure_ascii=False, sort_keys=True, default=repr)


@pytest.fixture()
def custom_dir(tmp_path):
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "custom.toml").write_text(CUSTOM, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("profile", ["court-classic", "spc-2024", "courtools"])
@pytest.mark.parametrize("by", [(), ("court",), ("court", "division"), ("line",), ("judge",)])
@pytest.mark.parametrize("period", [(date(2025, 1, 1), date(2025, 12, 31), None),
                                    (date(2025, 3, 3), date(2025, 8, 29), date(2025, 10, 1))])
def test_same_as_row_by_row(duck, monkeypatch, profile, by, period):
    start, end, as_of = period
    fast = evaluate(duck, profile, start, end, by=by, compare="yoy", as_of=as_of)
    monkeypatch.setattr(ev, "_preaggregated", lambda *a, **k: None)
    slow = evaluate(duck, profile, start, end, by=by, compare="yoy", as_of=as_of)
    assert _dump(fast) == _dump(slow)


def test_custom_date_conditions_same_as_row_by_row(duck, monkeypatch, custom_dir):
    ids = ["x_dates", "x_eq", "x_gt", "closure_rate", "long_pending_12m", "avg_days"]
    calls = []
    real = ev._preaggregated
    monkeypatch.setattr(ev, "_preaggregated", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
    fast = evaluate(duck, "court-classic", date(2025, 1, 1), date(2025, 12, 31), by=("court",), compare="yoy",
                    indicators=ids, data_dir=custom_dir)
    assert calls and calls[0] is not None  # these conditions are all coarsenable
    monkeypatch.setattr(ev, "_preaggregated", lambda *a, **k: None)
    slow = evaluate(duck, "court-classic", date(2025, 1, 1), date(2025, 12, 31), by=("court",), compare="yoy",
                    indicators=ids, data_dir=custom_dir)
    assert _dump(fast) == _dump(slow)
    assert any(r.numerator for r in fast.rows if r.indicator in ("x_dates", "x_eq", "x_gt"))


def test_measure_conditions_fall_back_to_the_row_scan(duck, monkeypatch):
    calls = []
    real = ev._preaggregated
    monkeypatch.setattr(ev, "_preaggregated", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
    evaluate(duck, "courtools", date(2025, 1, 1), date(2025, 12, 31))
    assert calls == [None]  # duration_days ≤ 180 cannot be read off coarsened dates
