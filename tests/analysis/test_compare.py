"""区间达标 status and the "N项指标处于合理区间，M项同比趋优" summary."""

from __future__ import annotations

from zhixiao.analysis import ranges
from zhixiao.analysis.compare import summarize, summarize_by_line
from zhixiao.metrics.evaluate import Row


def row(ind, value, rng=None, direction="higher", improved=None, previous=None, line="all", unit="rate", group=None):
    return Row(group=group or {}, indicator=ind, name={"closure_rate": "结案率", "clearance_ratio": "结收比",
                                                       "avg_days": "平均审理天数", "pending": "未结",
                                                       "case_dispute_ratio": "案-件比"}.get(ind, ind),
               group_name="效率", line=line, unit=unit, direction=direction, range=rng, value=value,
               numerator=None, denominator=None, previous=previous, improved=improved)


ROWS = [
    row("closure_rate", 0.95, (0.93, 1.0), improved=True, previous=0.90),  # in range, better
    row("clearance_ratio", 0.97, (1.0, 1.5), improved=False, previous=1.02),  # below, worse
    row("avg_days", 80.0, None, "lower", improved=True, previous=90.0, unit="days"),  # no range, better
    row("case_dispute_ratio", 1.60, (1.0, 1.5), "range", improved=True, previous=1.7, unit="ratio", line="民事"),  # above
    row("pending", None, None, "lower", unit="count"),  # no value
]


def test_status():
    assert [ranges.status(r) for r in ROWS] == ["in_range", "below", "no_range", "above", "no_value"]
    # bounds are inclusive (在区间范围内即为达标)
    assert ranges.status(row("x", 0.93, (0.93, 1.0))) == "in_range"
    assert ranges.status(row("x", 2.0, (None, 1.5))) == "above"
    assert ranges.status(row("x", 0.0, (0.1, None))) == "below"


def test_summary_counts_and_sentence():
    s = summarize(ROWS)
    assert s.headline() == "1项指标处于合理区间，3项同比趋优"
    assert s.in_range == ["closure_rate"]
    assert s.below == ["clearance_ratio"] and s.above == ["case_dispute_ratio"]
    assert s.improved == ["closure_rate", "avg_days", "case_dispute_ratio"] and s.worsened == ["clearance_ratio"]
    assert s.counts()["with_range"] == 3 and s.counts()["no_value"] == 1 and s.total == 5
    assert s.sentence() == ("本期共评估5项指标，其中3项设有合理区间，1项处于合理区间，2项偏离区间（结收比、案-件比），"
                            "同比可比4项，3项趋优、1项趋劣（结收比）。")


def test_summary_picks_one_group_and_lines():
    rows = [row("closure_rate", 0.95, (0.93, 1.0), group={"court_code": "A"}),
            row("closure_rate", 0.90, (0.93, 1.0), group={"court_code": "B"})]
    assert summarize(rows, {"court_code": "B"}).in_range == []
    assert summarize(rows, {"court_code": "A"}).in_range == ["closure_rate"]
    by_line = summarize_by_line(ROWS)
    assert set(by_line) == {"all", "民事"} and by_line["民事"].above == ["case_dispute_ratio"]


def test_formatting():
    assert ranges.fmt(0.875, "rate") == "87.50%"
    assert ranges.fmt_delta(-0.0125, "rate") == "−1.25个百分点"
    assert ranges.fmt(12.345, "days") == "12.35天"
    assert ranges.fmt(7, "count") == "7"
    assert ranges.worse(0.8, 0.9, "higher") and not ranges.worse(0.8, 0.9, "lower")
    # range direction: closer to the range is better
    assert ranges.worse(1.8, 1.6, "range", (1.0, 1.5)) and not ranges.worse(1.2, 1.6, "range", (1.0, 1.5))
