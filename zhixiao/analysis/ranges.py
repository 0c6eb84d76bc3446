"""区间达标: where an indicator value sits against its 合理区间, and how to say a value in Chinese.

Works on anything with the evaluator's Row fields (value, range, direction, unit), so it has no
dependency on how the value was computed.

合理区间 are annual: a two-month 结案率 of 40% says nothing against 93%–100% (REFERENCE §1.2: 区间参考值 of
the yearly system). A range judges a period only when the period is a calendar year or the indicator's
definition says ``range_period = "any"``; otherwise it is shown as 年度区间，仅供参考 and judges nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

IN_RANGE, ABOVE, BELOW, NO_RANGE, NO_VALUE = "in_range", "above", "below", "no_range", "no_value"
REFERENCE = "reference"  # a range exists but does not apply to the period
STATUS_NAMES = {IN_RANGE: "区间内", ABOVE: "高于区间", BELOW: "低于区间", NO_RANGE: "未设区间", NO_VALUE: "无数据",
                REFERENCE: "年度区间，仅供参考"}


def reference_only(indicators: Iterable, start: date, end: date) -> frozenset[str]:
    """Ids of the catalogue entries whose range is only a reference for [start, end]."""
    return frozenset(i.id for i in indicators if i.range and not i.range_applies(start, end))


def status(row, applies: bool = True) -> str:
    """in_range / above / below the 合理区间 (2024 system: 在区间范围内即为达标, REFERENCE §1.1);
    ``reference`` when the range does not apply to the period (``applies`` False)."""
    if row.value is None:
        return NO_VALUE
    if not row.range:
        return NO_RANGE
    if not applies:
        return REFERENCE
    lo, hi = row.range
    if lo is not None and row.value < lo:
        return BELOW
    if hi is not None and row.value > hi:
        return ABOVE
    return IN_RANGE


def distance(value: float, rng) -> float:
    """How far outside the range a value is (0 inside)."""
    lo, hi = rng or (None, None)
    if lo is not None and value < lo:
        return lo - value
    if hi is not None and value > hi:
        return value - hi
    return 0.0


def badness(value: float, direction: str, rng=None) -> float:
    """A number that grows as the value gets worse, whatever the indicator's direction."""
    if direction == "higher":
        return -value
    if direction == "lower":
        return value
    return distance(value, rng)


def worse(value: float, ref: float, direction: str, rng=None) -> bool:
    return badness(value, direction, rng) > badness(ref, direction, rng) + 1e-12


def measure(ind) -> str:
    """The word a value of catalogue entry ``ind`` is counted in: 件 for counts and for cases per judge
    (人均结案数), 天, 元; "" for rates and ratios of like things (案-件比, 结收比), which have no unit."""
    if ind.unit in _MEASURES:
        return _MEASURES[ind.unit]
    num, den = ind.numerator or {}, ind.denominator or {}
    if ind.unit == "ratio" and _people(den) and not _people(num):
        return "件"
    return ""


_MEASURES = {"count": "件", "days": "天", "yuan": "元"}


def _people(spec: dict) -> bool:
    return spec.get("table") == "people" or spec.get("set") == "judges"


def fmt(value: float | None, unit: str, measure: str = "") -> str:
    """Value as a court report writes it: rates in %, days to two decimals, counts whole; ``measure`` (件)
    follows counts and ratios that have one."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value * 100:.2f}%"
    if unit == "days":
        return f"{value:.2f}天"
    if unit == "ratio":
        return f"{value:.2f}{measure}"
    if unit == "yuan":
        return f"{value:,.2f}元"
    return (f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}") + measure


def fmt_delta(delta: float, unit: str, measure: str = "") -> str:
    """A change, never a bare number: rates in 个百分点 (DESIGN glossary: 同比 rates compared in pp), days in
    天, counts in 件, ratios in their ``measure`` (人均结案数: 件); a ratio of like things has no unit."""
    sign = "+" if delta >= 0 else "−"
    if unit == "rate":
        return f"{sign}{abs(delta) * 100:.2f}个百分点"
    if unit == "days":
        return f"{sign}{abs(delta):.2f}天"
    if unit == "ratio":
        return f"{sign}{abs(delta):.2f}{measure}"
    if unit == "yuan":
        return f"{sign}{abs(delta):,.2f}元"
    d = abs(delta)
    return f"{sign}{d:,.0f}件" if float(d).is_integer() else f"{sign}{d:,.1f}件"
