"""Chinese number style and sentences generated from numbers, so nothing in a briefing is typed by hand.

Style follows the published 质效通报 examples (REFERENCE.md §5.1): counts as Arabic integers with 件,
rates as percentages with two decimals, 同比 of rates in 个百分点; 同比 of counts, days and per-judge
averages as the change in their own unit with the % change beside it ("同比增加3件（增长60.00%）") —
never a bare difference (issue 13 §5).
Pure functions: no I/O, no imports of our own modules.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

_DIGITS = "零一二三四五六七八九"
MINUS = "−"  # U+2212: the one minus sign of every document (tables, sentences, slides)
# 上年同期 below this many cases: a % change says nothing ("+866.67%" on a base of 3), the change is given in 件
SMALL_BASE = 20


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers 一、（一）)."""
    if not 0 < n < 100:
        raise ValueError(f"heading number out of range: {n}")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def heading_label(level: int, n: int) -> str:
    """Official heading numbering: level 1 一、, level 2 （一）, level 3 1."""
    if level == 1:
        return f"{cn_numeral(n)}、"
    if level == 2:
        return f"（{cn_numeral(n)}）"
    return f"{n}."


def _num(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, Decimal):
        return float(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN → None


def fmt_count(v: Any) -> str:
    """Counts are whole numbers: 12345 (no separators, as in court 通报)."""
    f = _num(v)
    return "—" if f is None else str(int(round(f)))


def fmt_percent(v: Any, digits: int = 2) -> str:
    """A rate stored as a fraction: 0.9318 → 93.18%."""
    f = _num(v)
    return "—" if f is None else f"{f * 100:.{digits}f}%"


def fmt_decimal(v: Any, digits: int = 2) -> str:
    f = _num(v)
    return "—" if f is None else f"{f:.{digits}f}"


def fmt_value(v: Any, unit: str) -> str:
    """Format an indicator value by its unit (rate|ratio|days|count|yuan)."""
    if unit == "rate":
        return fmt_percent(v)
    if unit == "count":
        return fmt_count(v)
    if unit == "yuan":
        f = _num(v)
        return "—" if f is None else f"{f / 10000:.2f}万元"
    if unit == "days":
        f = _num(v)
        return "—" if f is None else f"{f:.2f}天"
    return fmt_decimal(v)


def signed(v: Any, digits: int = 2, word: str = "") -> str:
    """+1.25 / −1.25 with the document's one minus sign; "—" for no value."""
    f = _num(v)
    if f is None:
        return "—"
    text = f"{abs(f):.{digits}f}"
    return ("+" if f >= 0 or float(text) == 0 else MINUS) + text + word


def _bound(v: Any, unit: str) -> str:
    return fmt_value(v, unit) + ("件" if unit == "count" else "")


def fmt_range(rng: Any, unit: str) -> str:
    """合理区间 (lo, hi) → "85.00%～100.00%"; one open side → "≥85.00%" / "≤2件"; a single point → "应为0件"."""
    if not rng:
        return "—"
    lo, hi = rng
    if lo is not None and hi is not None:
        if lo == hi:
            return f"应为{_bound(lo, unit)}"
        return f"{_bound(lo, unit)}～{_bound(hi, unit)}"
    if lo is not None:
        return f"≥{_bound(lo, unit)}"
    if hi is not None:
        return f"≤{_bound(hi, unit)}"
    return "—"


def range_phrase(rng: Any, unit: str) -> str:
    """The range inside a sentence: "合理区间（≥95.00%）", or for a single point "要求（应为0件）"."""
    lo, hi = rng
    return f"{'要求' if lo is not None and lo == hi else '合理区间'}（{fmt_range(rng, unit)}）"


def yoy_phrase(current: Any, previous: Any, unit: str, measure: str = "") -> str:
    """同比 phrase. Rates: difference in 个百分点. Counts (件), days (天), money (万元) and ratios with a
    ``measure`` (人均结案数: 件): the difference in that unit and the % change; a ratio of like things
    (案-件比) has no unit and is given as its difference. Zero/absent base said so."""
    cur, prev = _num(current), _num(previous)
    if cur is None or prev is None:
        return "上年同期无可比数据"
    if unit == "rate":
        diff = round((cur - prev) * 100, 2)
        if diff == 0:
            return "与上年同期持平"
        return f"同比{'上升' if diff > 0 else '下降'}{abs(diff):.2f}个百分点"
    if unit == "ratio" and not measure:
        diff = round(cur - prev, 2)
        if diff == 0:
            return "与上年同期持平"
        return f"同比{'上升' if diff > 0 else '下降'}{abs(diff):.2f}"
    amount = _amount(abs(cur - prev), unit, measure)
    if cur == prev or amount.startswith(("0件", "0.00")):
        return "与上年同期持平"
    verb = "增加" if cur > prev else "减少"
    if prev == 0:
        return f"同比{verb}{amount}（上年同期为0）"
    if unit == "count" and abs(prev) < SMALL_BASE:
        return f"同比{verb}{amount}"
    pct = (cur - prev) / abs(prev) * 100
    return f"同比{verb}{amount}（{'增长' if pct > 0 else '下降'}{abs(pct):.2f}%）"


def _amount(diff: float, unit: str, measure: str) -> str:
    if unit == "days":
        return f"{diff:.2f}天"
    if unit == "yuan":
        return f"{diff / 10000:.2f}万元"
    if unit == "count":
        return f"{diff:.0f}件" if float(diff).is_integer() else f"{diff:.2f}件"
    return f"{diff:.2f}{measure}"


def yoy_cell(current: Any, previous: Any, unit: str, measure: str = "") -> str:
    """Compact 同比 for tables: "+1.25个百分点", "+3件", "−4.20天", "—"."""
    cur, prev = _num(current), _num(previous)
    if cur is None or prev is None:
        return "—"
    if unit == "rate":
        return signed((cur - prev) * 100, 2, "个百分点")
    sign = "+" if cur >= prev else MINUS
    return sign + _amount(abs(cur - prev), unit, measure)


def period_label(start: date, end: date) -> str:
    """2025-01-01..2025-12-31 → 2025年; 2026-01-01..2026-02-28 → 2026年1—2月; one month → 2026年1月."""
    month_start = start.day == 1
    month_end = (end + timedelta(days=1)).day == 1
    if month_start and month_end and start.year == end.year:
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        return f"{start.year}年{start.month}—{end.month}月"
    if start.year == end.year:
        return f"{start.year}年{start.month}月{start.day}日至{end.month}月{end.day}日"
    return f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"


def short_period(start: date, end: date) -> str:
    """The sentence opener: "1—2月" for a month span in one year, else the full label."""
    label = period_label(start, end)
    prefix = f"{start.year}年"
    if label.startswith(prefix) and label != prefix and "日" not in label:
        return label[len(prefix):]
    return label


def _clause(what: str, value: Any, previous: Any, unit: str, measure: str = "件") -> str:
    text = f"{what}{fmt_value(value, unit) if unit != 'count' else fmt_count(value) + measure}"
    if previous is not None:
        text += f"，{yoy_phrase(value, previous, unit, measure)}"
    return text


def caseload_sentence(subject: str, start: date, end: date, figures: dict[str, dict]) -> str:
    """The 收结存 lead sentence, e.g. "1—2月，全院新收各类案件120件，同比上升5.26%；结案……".

    ``figures`` maps glossary ids (new_cases, carried_over, closed, pending, closure_rate, clearance_ratio)
    to {"value", "previous"} (previous None when no comparison was asked for).
    """
    def f(key: str) -> dict:
        return figures.get(key) or {"value": None, "previous": None}

    parts = [
        f"{short_period(start, end)}，{subject}" + _clause("新收各类案件", f("new_cases")["value"],
                                                          f("new_cases")["previous"], "count"),
    ]
    if "carried_over" in figures:
        parts.append(f"旧存{fmt_count(f('carried_over')['value'])}件")
    parts.append(_clause("结案", f("closed")["value"], f("closed")["previous"], "count"))
    parts.append(_clause("未结", f("pending")["value"], f("pending")["previous"], "count"))
    for key, what in (("closure_rate", "结案率"), ("clearance_ratio", "结收比")):
        if key in figures and f(key)["value"] is not None:
            unit = figures[key].get("unit", "rate")
            parts.append(_clause(what, f(key)["value"], f(key)["previous"], unit))
    return "；".join(parts) + "。"


def indicator_sentence(name: str, value: Any, unit: str, previous: Any = None, rng: Any = None,
                       in_range: bool | None = None, *, measure: str = "") -> str:
    """One indicator: "审限内结案率为96.50%，同比上升1.20个百分点，处于合理区间（≥95.00%）。".

    ``measure`` is the word a count or per-judge ratio is counted in (件); a range given with
    ``in_range`` None is an annual range the period cannot be judged against: "年度合理区间…，本期仅供参考"."""
    measure = measure or ("件" if unit == "count" else "")
    text = f"{name}为{fmt_value(value, unit)}{measure if unit in ('count', 'ratio') else ''}"
    if previous is not None:
        text += f"，{yoy_phrase(value, previous, unit, measure)}"
    if rng and in_range is not None:
        text += f"，{'符合' if in_range else '不符合'}{range_phrase(rng, unit)}" if rng[0] == rng[1] and rng[0] is not None \
            else f"，{'处于' if in_range else '未处于'}{range_phrase(rng, unit)}"
    elif rng:
        point = rng[0] is not None and rng[0] == rng[1]
        text += f"，年度{'要求' if point else '合理区间为'}{fmt_range(rng, unit)}，本期仅供参考"
    return text + "。"


def summary_sentence(total: int, in_range: int, improved: int | None) -> str:
    """区间达标 and 同比趋优 counts: "纳入评估的12项指标中，9项处于合理区间，7项同比趋优。"."""
    text = f"纳入评估的{total}项指标中，{in_range}项处于合理区间"
    if improved is not None:
        text += f"，{improved}项同比趋优"
    return text + "。"


def missing_note(what: str, why: str) -> str:
    return f"本节数据暂缺：{what}（{why}）。"
