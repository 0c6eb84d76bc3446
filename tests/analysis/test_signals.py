"""Each signal fires on a planted pattern and stays silent on clean data."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tests.analysis._synth import JUDGES, case, event, make_cases, write
from zhixiao.analysis.signals import _norm_parties, _outliers, binomial_tail, detect_signals, load_rules
from zhixiao.engine import connect

COURTS = ["冀0102", "冀0103", "冀0104", "冀0105"]
END = date(2026, 1, 31)


def _judges(court: str):
    return [(f"{court}-{j}", n, d) for j, n, d in JUDGES]


def _enforcement(court: str, terminal_by_judge: list[int], start_seq: int) -> list[dict]:
    """5 enforcement judges × 30 first-enforcement cases closed in 2025; the first k of each 终本."""
    rows, seq = [], start_seq
    for j, k in enumerate(terminal_by_judge):
        for i in range(30):
            seq += 1
            filed = date(2025, 1, 5) + timedelta(days=i * 3)
            rows.append(case(court, 2025, seq, filed, filed + timedelta(days=100), f"{court}-E{j}", f"执行{j}",
                             "执行局", type_code="执", category="enforcement", procedure="enforcement",
                             method="终结本次执行程序" if i < k else "执行完毕"))
    return rows


def build(planted: bool) -> tuple[list[dict], list[dict]]:
    rows, events = [], []
    for n, court in enumerate(COURTS):
        cs = make_cases(court, range(2022, 2026), 1200, 60, n + 10, END, judges=_judges(court))
        cs += _enforcement(court, [9 + (n + j) % 4 for j in range(5)], 100000)
        rows += cs
        # every judge has an extension on every 25th closed 2025 case (≈4%)
        for i, c in enumerate(x for x in cs if x["closing_date"] and x["closing_date"].year == 2025):
            if i % 25 == 0:
                events.append(event(c, "extension", c["filing_date"] + timedelta(days=170), months=6))
    main = [c for c in rows if c["court_code"] == "冀0102"]
    # a clean deduction long before its deadline and a clean withdrawal refiled after 45 days
    filed = [c for c in main if c["filing_date"] == date(2025, 3, 10)] or [main[0]]
    events.append(event(filed[0], "deduction", date(2025, 5, 1), date(2025, 5, 20)))
    rows.append(case("冀0102", 2025, 900001, date(2025, 1, 5), date(2025, 5, 1), method="撤诉", parties="甲；乙"))
    rows.append(case("冀0102", 2025, 900002, date(2025, 6, 15), None, parties="乙；甲"))
    if not planted:
        return rows, events
    # 1. December suppression: 80% of December 2025 filings moved to early January 2026
    dec = [c for c in main if c["filing_date"].year == 2025 and c["filing_date"].month == 12]
    for c in dec[: int(len(dec) * 0.8)]:
        c["filing_date"] = date(2026, 1, 2 + c["filing_date"].day % 10)
    # 2. year-end surge: cases that would close in Jan–Mar 2026 or stay pending are closed 20–31 Dec 2025
    late = [c for c in main if c["filing_date"] < date(2025, 12, 1)
            and (c["closing_date"] is None or c["closing_date"] >= date(2026, 1, 1))]
    for i, c in enumerate(late[:150]):
        c["closing_date"] = date(2025, 12, 20 + i % 12)
    # 3. a deduction started 5 days before the 6-month deadline (filed 2025-03-10 → due 2025-09-10)
    due = case("冀0102", 2025, 900003, date(2025, 3, 10), None, "冀0102-J3", "王三", "民二庭")
    rows.append(due)
    events.append(event(due, "deduction", date(2025, 9, 5), date(2025, 10, 5)))
    # 4. withdrawn 2025-05-01, refiled by the same parties (other order) 19 days later
    rows.append(case("冀0102", 2025, 900004, date(2025, 5, 20), None, parties="乙；甲"))
    # 5. outliers: judge J1 extends 40% of closed cases; E0 closes 25 of 30 by 终本
    j1 = [c for c in main if c["judge_id"] == "冀0102-J1" and c["closing_date"] and c["closing_date"].year == 2025]
    for c in j1[::5] + j1[1::5]:
        events.append(event(c, "extension", c["filing_date"] + timedelta(days=100), months=3))
    for c in main:
        if c["judge_id"] == "冀0102-E0" and c["seq"] <= 100025:
            c["closing_method"] = "终结本次执行程序"
    return rows, events


def _detect(tmp_path_factory, planted: bool) -> dict:
    rows, events = build(planted)
    engine = connect(write(tmp_path_factory.mktemp("planted" if planted else "clean"), rows, events).root)
    return {s.kind: s for s in detect_signals(engine, "冀0102", date(2025, 1, 1), date(2025, 12, 31))}


def test_clean_data_raises_nothing(tmp_path_factory):
    found = _detect(tmp_path_factory, planted=False)
    assert found == {}, [s.explanation for s in found.values()]


def test_planted_patterns_fire_with_their_cases(tmp_path_factory):
    found = _detect(tmp_path_factory, planted=True)
    assert set(found) == {"december_filing_suppression", "year_end_closing_surge", "deduction_before_deadline",
                          "withdraw_refile", "judge_extension_outlier", "judge_terminal_outlier"}
    dec = found["december_filing_suppression"]
    assert dec.value < 0.75 * dec.expected and dec.case_count >= 40  # the moved cases, filed early January
    assert all(c["filing_date"] >= date(2026, 1, 1) for c in dec.cases)
    surge = found["year_end_closing_surge"]
    # 150 closings moved to 20–31 December; the listing covers the last 10 days (22–31)
    assert surge.value > surge.threshold and surge.case_count >= 125
    assert all(date(2025, 12, 22) <= c["closing_date"] <= date(2025, 12, 31) for c in surge.cases)
    ded = found["deduction_before_deadline"]
    assert [(c["case_id"], c["deadline"], c["days_before"]) for c in ded.cases] == [
        ("(2025)冀0102民初900003号", date(2025, 9, 10), 5)]
    pair = found["withdraw_refile"]
    assert [(p["case_id"], p["refiled_case_id"], p["gap_days"]) for p in pair.cases] == [
        ("(2025)冀0102民初900001号", "(2025)冀0102民初900004号", 19)]
    ext = found["judge_extension_outlier"]
    assert ext.subject == "冀0102-J1" and ext.value > 0.35 and ext.case_count == len(ext.cases)
    term = found["judge_terminal_outlier"]
    assert (term.subject, term.value, term.case_count) == ("冀0102-E0", pytest.approx(25 / 30, abs=1e-4), 25)


def test_rules_override_and_helpers():
    r = load_rules({"withdraw_refile": {"window_days": 10}})
    assert r["withdraw_refile"]["window_days"] == 10 and r["judge_outlier"]["min_cases"] == 20
    assert _norm_parties("乙；甲") == _norm_parties("甲;乙") == _norm_parties("甲、乙") == "乙；甲"
    import pandas as pd

    mask, med, fence = _outliers(pd.Series([0.30, 0.32, 0.35, 0.33, 0.31, 0.80]), load_rules()["judge_outlier"])
    assert list(mask) == [False] * 5 + [True] and med == pytest.approx(0.325)
    # 2 of 30 at a pooled 4% is unremarkable; 12 of 30 is not
    assert binomial_tail(2, 30, 0.04) > 0.3 and binomial_tail(12, 30, 0.04) < 1e-6
    assert binomial_tail(0, 30, 0.04) == 1.0


def test_no_history_means_no_seasonal_signal(tmp_path):
    rng = random.Random(0)
    rows = [case("冀0102", 2025, i, date(2025, 1 + i % 11, 1 + rng.randrange(28)), None) for i in range(200)]
    engine = connect(write(tmp_path, rows).root)
    assert detect_signals(engine, "冀0102", date(2025, 1, 1), date(2025, 12, 31),
                          kinds=("december_filing_suppression",)) == []


def test_case_mix_is_standardised():
    """An appeal judge extending 30% of appeals, where appeals are extended 30% of the time, is normal."""
    import pandas as pd

    from zhixiao.analysis.signals import _standardised

    cells = pd.DataFrame([
        {"court_code": "X", "judge_id": j, "judge_name": j, "category": "civil", "stage": stage,
         "closed": 100, "ext": ext}
        for j, stage, ext in [("A", "first", 4), ("D", "first", 4), ("B", "second", 30), ("C", "second", 30)]])
    per = _standardised(cells, "closed", "ext")
    assert list(per["expected"]) == pytest.approx([4, 30, 30, 4]) and list(per["ratio"]) == pytest.approx([1.0] * 4)


@pytest.mark.parametrize("moved,fires", [(0.3, False), (1.0, True)])
def test_small_court_needs_more_than_noise(tmp_path, moved, fires):
    """~14 December filings expected: losing 30% is within noise, losing all of them is not."""
    rows = make_cases("冀0102", range(2022, 2026), 240, 60, 9, END)
    dec = [c for c in rows if c["filing_date"].year == 2025 and c["filing_date"].month == 12]
    for c in dec[: round(len(dec) * moved)]:
        c["filing_date"] = date(2026, 1, 3)
    engine = connect(write(tmp_path, rows).root)
    found = detect_signals(engine, "冀0102", date(2025, 1, 1), date(2025, 12, 31),
                           kinds=("december_filing_suppression",))
    assert bool(found) is fires
    if not fires:  # the ratio alone (71% < 75%) would have fired: the noise test is what holds it back
        assert detect_signals(engine, "冀0102", date(2025, 1, 1), date(2025, 12, 31),
                              kinds=("december_filing_suppression",), rules={"december_filing": {"z_min": 0}})
