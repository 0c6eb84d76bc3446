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


# every date a comparison above (the profiles' periods, 同比, the custom literals, 12/24/36-month ages) turns on
ANCHORS = [date(2025, 1, 1), date(2025, 12, 31), date(2024, 1, 1), date(2024, 12, 31), date(2025, 2, 1),
           date(2025, 8, 29), date(2025, 6, 10), date(2025, 1, 20), date(2025, 3, 3), date(2023, 6, 30),
           date(2023, 12, 31), date(2022, 12, 31), date(2021, 12, 31)]


def _near():
    from hypothesis import strategies as st

    return st.one_of(st.none(), st.builds(lambda a, k: date.fromordinal(a.toordinal() + k),
                                          st.sampled_from(ANCHORS), st.integers(-1, 1)))


def _cases():
    from hypothesis import strategies as st

    case = st.fixed_dictionaries({"filing_date": st.builds(lambda a, k: date.fromordinal(a.toordinal() + k),
                                                           st.sampled_from(ANCHORS), st.integers(-1, 1)),
                                  "closing_date": _near(), "appeal_date": _near(), "transfer_date": _near(),
                                  "division": st.sampled_from(["民一庭", "刑庭"])})
    return st.lists(case, min_size=1, max_size=25)


def test_dates_on_and_beside_every_cut_same_as_row_by_row(tmp_path_factory, monkeypatch, custom_dir):
    """Each date on, the day before or the day after a date some comparison turns on: coarsening must keep every
    comparison's truth (x <= d changes at d + 1, x < d at d, BETWEEN at its start and the day after its end)."""
    from hypothesis import HealthCheck, given, settings

    from tests.supervision.conftest import write_store
    from zhixiao.engine import connect

    ids = ["x_dates", "x_eq", "x_gt", "closure_rate", "long_pending_12m", "long_pending_36m", "new_cases",
           "carried_over", "received", "closed", "pending", "clearance_ratio"]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_cases())
    def check(cases):
        d = tmp_path_factory.mktemp("cut")
        rows = [{**c, "case_id": f"c{i}", "closing_date": max(c["closing_date"], c["filing_date"])
                 if c["closing_date"] else None} for i, c in enumerate(cases)]
        e = connect(write_store(d, rows).root)
        with monkeypatch.context() as m:
            calls = []
            real = ev._preaggregated
            m.setattr(ev, "_preaggregated", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
            fast = evaluate(e, "court-classic", date(2025, 1, 1), date(2025, 12, 31), by=("division",),
                            compare="yoy", indicators=ids, data_dir=custom_dir)
            assert calls and calls[0] is not None
            m.setattr(ev, "_preaggregated", lambda *a, **k: None)
            slow = evaluate(e, "court-classic", date(2025, 1, 1), date(2025, 12, 31), by=("division",),
                            compare="yoy", indicators=ids, data_dir=custom_dir)
        assert _dump(fast) == _dump(slow)

    check()


@pytest.mark.parametrize("profile", ["court-classic", "spc-2024"])
def test_per_row_conditions_become_flag_columns(duck, monkeypatch, profile):
    """A condition on a substring (执行依据 案号 含 民初, 标签 含 petition) cannot be read off coarsened columns: the
    pre-aggregate groups by its truth instead of giving up (these profiles used to fall back to the row scan)."""
    calls = []
    real = ev._preaggregated
    monkeypatch.setattr(ev, "_preaggregated", lambda *a, **k: calls.append(real(*a, **k)) or calls[-1])
    fast = evaluate(duck, profile, date(2025, 1, 1), date(2025, 12, 31), by=("court", "division"), compare="yoy")
    assert calls and calls[0] is not None and calls[0][1]  # pre-aggregated, with flag columns
    monkeypatch.setattr(ev, "_preaggregated", lambda *a, **k: None)
    slow = evaluate(duck, profile, date(2025, 1, 1), date(2025, 12, 31), by=("court", "division"), compare="yoy")
    assert _dump(fast) == _dump(slow)
