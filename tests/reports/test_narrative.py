"""Chinese number style and generated sentences (hand-written expectations)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from zhixiao.reports import narrative as nv


def test_heading_numbers():
    assert [nv.cn_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == ["一", "九", "十", "十一", "二十", "二十一", "九十九"]
    assert nv.heading_label(1, 3) == "三、"
    assert nv.heading_label(2, 12) == "（十二）"
    assert nv.heading_label(3, 2) == "2."


def test_values_and_ranges():
    assert nv.fmt_percent(0.93176) == "93.18%"
    assert nv.fmt_count(12345.0) == "12345"
    assert nv.fmt_value(67.444, "days") == "67.44天"
    assert nv.fmt_value(None, "rate") == "—"
    assert nv.fmt_range((0.93, 1.0), "rate") == "93.00%～100.00%"
    assert nv.fmt_range((0.85, None), "rate") == "≥85.00%"
    assert nv.fmt_range((None, 3), "count") == "≤3件"  # counts with their unit (issue 17 §1)
    assert nv.fmt_range((0, 0), "count") == "应为0件"  # not "0～0"
    assert nv.range_phrase((0, 0), "count") == "要求（应为0件）"


def test_yoy_phrases():
    # rates: difference in 个百分点 — 95.5% vs 93.25% = +2.25 pp
    assert nv.yoy_phrase(0.955, 0.9325, "rate") == "同比上升2.25个百分点"
    assert nv.yoy_phrase(0.90, 0.9325, "rate") == "同比下降3.25个百分点"
    # counts, days, per-judge averages: the change in their unit, the % beside (issue 13 §5: never bare)
    # 120 vs 100 = +20件, +20%; 80 vs 100 = −20件, −20%; 50 vs 40 days = +10天, +25%
    assert nv.yoy_phrase(120, 100, "count") == "同比增加20件（增长20.00%）"
    assert nv.yoy_phrase(80, 100, "count") == "同比减少20件（下降20.00%）"
    assert nv.yoy_phrase(50, 40, "days") == "同比增加10.00天（增长25.00%）"
    # 人均结案数 20.69 vs 22.59 (ratio counted in 件 per judge): −1.90件, −1.90 / 22.59 = −8.41%
    assert nv.yoy_phrase(20.69, 22.59, "ratio", "件") == "同比减少1.90件（下降8.41%）"
    assert nv.yoy_phrase(1.23, 1.25, "ratio") == "同比下降0.02"  # 案-件比: a ratio of like things, no unit
    assert nv.yoy_phrase(5, 5, "count") == "与上年同期持平"
    assert nv.yoy_phrase(3, 0, "count") == "同比增加3件（上年同期为0）"
    # a base under 20 件: the change alone (issue 17 §1: "增加26件", not "+866.67%" on a base of 3)
    assert nv.yoy_phrase(29, 3, "count") == "同比增加26件" and nv.yoy_phrase(40, 20, "count") == "同比增加20件（增长100.00%）"
    assert nv.signed(-1.5) == "−1.50" and nv.signed(0.004) == "+0.00" and nv.signed(-0.004) == "+0.00"
    assert nv.yoy_phrase(3, None, "count") == "上年同期无可比数据"
    assert nv.yoy_cell(20.69, 22.59, "ratio", "件") == "−1.90件" and nv.yoy_cell(50, 40, "days") == "+10.00天"
    assert nv.yoy_cell(7, 9, "count") == "−2件"
    # a value counted in 件 per judge says so, and an annual range over a shorter period is only shown
    assert nv.indicator_sentence("人均结案数", 20.69, "ratio", 22.59, measure="件") == (
        "人均结案数为20.69件，同比减少1.90件（下降8.41%）。")
    assert nv.indicator_sentence("结案率", 0.4, "rate", None, (0.93, 1.0), None) == (
        "结案率为40.00%，年度合理区间为93.00%～100.00%，本期仅供参考。")


def test_periods():
    assert nv.period_label(date(2025, 1, 1), date(2025, 12, 31)) == "2025年"
    assert nv.period_label(date(2026, 1, 1), date(2026, 2, 28)) == "2026年1—2月"
    assert nv.period_label(date(2026, 3, 1), date(2026, 3, 31)) == "2026年3月"
    assert nv.period_label(date(2026, 3, 5), date(2026, 6, 30)) == "2026年3月5日至6月30日"
    assert nv.short_period(date(2026, 1, 1), date(2026, 2, 28)) == "1—2月"
    assert nv.short_period(date(2025, 1, 1), date(2025, 12, 31)) == "2025年"


def test_caseload_sentence():
    figs = {"new_cases": {"value": 120, "previous": 100}, "carried_over": {"value": 30, "previous": 20},
            "closed": {"value": 90, "previous": 100}, "pending": {"value": 60, "previous": 60},
            "closure_rate": {"value": 0.6, "previous": 0.5, "unit": "rate"}}
    assert nv.caseload_sentence("全院", date(2026, 1, 1), date(2026, 2, 28), figs) == (
        "1—2月，全院新收各类案件120件，同比增加20件（增长20.00%）；旧存30件；结案90件，同比减少10件（下降10.00%）；"
        "未结60件，与上年同期持平；结案率60.00%，同比上升10.00个百分点。")


@given(st.integers(1, 99))
def test_cn_numeral_parses_back(n):
    text = nv.cn_numeral(n)
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")}
    if "十" in text:
        head, _, tail = text.partition("十")
        value = (digits[head] if head else 1) * 10 + (digits[tail] if tail else 0)
    else:
        value = digits[text]
    assert value == n


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_count_yoy_direction_matches_numbers(cur, prev):
    text = nv.yoy_phrase(cur, prev, "count")
    if cur == prev:
        assert text == "与上年同期持平"
    elif prev == 0:
        assert text == f"同比增加{cur}件（上年同期为0）"
    elif prev < nv.SMALL_BASE:  # the change alone on a small base (issue 17 §1)
        assert text == f"同比{'增加' if cur > prev else '减少'}{abs(cur - prev)}件"
    elif cur > prev:
        assert text == f"同比增加{cur - prev}件（增长{(cur - prev) / prev * 100:.2f}%）"
    else:
        assert text == f"同比减少{prev - cur}件（下降{(prev - cur) / prev * 100:.2f}%）"


@given(st.dates(date(2000, 1, 1), date(2090, 12, 31)), st.integers(0, 800))
def test_period_label_always_names_the_start_year(start, days):
    end = start + timedelta(days=days)
    label = nv.period_label(start, end)
    assert label.startswith(f"{start.year}年")
    assert str(end.year) in label or end.year == start.year
