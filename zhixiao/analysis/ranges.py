"""区间达标: where an indicator value sits against its 合理区间, and how to say a value in Chinese.

Works on anything with the evaluator's Row fields (value, range, direction, unit), so it has no
dependency on how the value was computed.
"""

from __future__ import annotations

IN_RANGE, ABOVE, BELOW, NO_RANGE, NO_VALUE = "in_range", "above", "below", "no_range", "no_value"
STATUS_NAMES = {IN_RANGE: "区间内", ABOVE: "高于区间", BELOW: "低于区间", NO_RANGE: "未设区间", NO_VALUE: "无数据"}


def status(row) -> str:
    """in_range / above / below the 合理区间 (2024 system: 在区间范围内即为达标, REFERENCE §1.1)."""
    if row.value is None:
        return NO_VALUE
    if not row.range:
        return NO_RANGE
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


def fmt(value: float | None, unit: str) -> str:
    """Value as a court report writes it: rates in %, days to one decimal, counts whole."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value * 100:.2f}%"
    if unit in ("ratio", "days"):
        return f"{value:.2f}" + ("天" if unit == "days" else "")
    if unit == "yuan":
        return f"{value:,.2f}元"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fmt_delta(delta: float, unit: str) -> str:
    """A change: rates in 百分点 (DESIGN glossary: 同比 rates compared in pp), others in the value's unit."""
    sign = "+" if delta >= 0 else "−"
    if unit == "rate":
        return f"{sign}{abs(delta) * 100:.2f}个百分点"
    if unit in ("ratio", "days"):
        return f"{sign}{abs(delta):.2f}" + ("天" if unit == "days" else "")
    return f"{sign}{abs(delta):,.1f}"
