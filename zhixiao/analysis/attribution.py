"""Attribution of a court indicator to its divisions and judges: whom to talk to at the 会商.

For a ratio indicator with court numerator N and denominator D, a unit with n_u, d_u moves the court
by the difference between the court value and the value it would have if that unit performed at the
court average: ``value_without = (N − n_u + d_u × N/D) / D``. For a plain count (no denominator) the
analogue replaces the unit's count with the mean count of the units. Positive ``harm`` = the unit makes
the court worse (direction-aware). Output is ordered by harm but carries no rank number unless asked:
the SPC's 2024-09 rules say 坚决杜绝排名排序 in circulars (REFERENCE §1.1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zhixiao.analysis.ranges import badness, fmt, fmt_delta

UNIT_NAMES = {"division": "部门", "judge": "法官"}


@dataclass
class Attribution:
    unit_kind: str  # division | judge
    unit: str
    unit_name: str
    value: float | None  # the unit's own value
    numerator: float | None
    denominator: float | None
    value_without: float  # the court's value if this unit were at the court average
    impact: float  # court value − value_without (signed, in the value's unit)
    harm: float  # > 0: the unit pulls the court the wrong way
    explanation: str
    rank: int | None = None


def attribute(court_value: float, court_num: float | None, court_den: float | None, units: Sequence[dict],
              *, name: str, unit: str, direction: str, rng=None, unit_kind: str = "division",
              to_value: Callable[[float], float] = lambda raw: raw, rank: bool = False,
              only_harmful: bool = True, measure: str = "") -> list[Attribution]:
    """Attributions of one court indicator to ``units`` (dicts with unit, unit_name, value, numerator,
    denominator). ``to_value`` maps numerator ÷ denominator to the reported value (scale, complement);
    ``measure`` is the word its values are counted in (``ranges.measure``)."""
    out = []
    ratio = bool(court_den)
    n_units = len(units)
    for u in units:
        if ratio:
            n, d = u.get("numerator") or 0, u.get("denominator") or 0
            if not d:
                continue
            raw = (court_num - n + d * court_num / court_den) / court_den
            without = to_value(raw)
        else:
            if u.get("value") is None or not n_units:
                continue
            without = court_value - u["value"] + court_value / n_units
        impact = court_value - without
        harm = badness(court_value, direction, rng) - badness(without, direction, rng)
        out.append(Attribution(unit_kind, u["unit"], u.get("unit_name") or u["unit"], u.get("value"),
                               u.get("numerator"), u.get("denominator"), without, impact, harm,
                               _explain(u, court_value, without, name=name, unit=unit, unit_kind=unit_kind,
                                        ratio=ratio, measure=measure)))
    out.sort(key=lambda a: (-a.harm, str(a.unit)))
    if only_harmful:
        out = [a for a in out if a.harm > 1e-12]
    if rank:
        for i, a in enumerate(out, 1):
            a.rank = i
    return out


def _explain(u: dict, court_value: float, without: float, *, name: str, unit: str, unit_kind: str,
             ratio: bool, measure: str) -> str:
    who = u.get("unit_name") or u["unit"]
    basis = "全院平均水平" if ratio else f"各{UNIT_NAMES.get(unit_kind, '单位')}平均数"
    own = f"{who}{name}为{fmt(u.get('value'), unit, measure)}"
    n, d, v = u.get("numerator"), u.get("denominator"), u.get("value")
    if ratio and d and n is not None and v is not None and abs(v - n / d) < 1e-9:  # not for 1 − n/d or scaled
        own += f"（{_n(n)}/{_n(d)}）"
    return (f"{own}；若其达到{basis}，全院{name}将由{fmt(court_value, unit, measure)}变为"
            f"{fmt(without, unit, measure)}（{fmt_delta(without - court_value, unit, measure)}）。")


def _n(v) -> str:
    return "—" if v is None else (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}")
