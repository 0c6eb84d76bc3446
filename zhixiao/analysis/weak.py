"""短板弱项: indicators outside their 合理区间, worse than the city or peer courts, or worsening 同比,
each with its reasons and the divisions and judges that move it most (see ``attribution``).

City = all courts in the store pooled (the evaluator run without grouping); peers = the mean of the
other courts' values. Count indicators are not compared across courts (court size dominates them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from zhixiao.analysis import ranges
from zhixiao.analysis.attribution import Attribution, attribute

COMPARABLE_UNITS = ("rate", "ratio", "days")


@dataclass
class Reason:
    kind: str  # out_of_range | worse_than_city | worse_than_peers | worsening
    text: str
    reference: float | None = None


@dataclass
class Weak:
    indicator: str
    name: str
    unit: str
    direction: str
    range: tuple | None
    value: float | None
    numerator: float | None
    denominator: float | None
    previous: float | None
    yoy: float | None
    yoy_unit: str | None
    city: float | None
    peers: float | None
    reasons: list[Reason] = field(default_factory=list)
    attribution: dict[str, list[Attribution]] = field(default_factory=dict)  # division|judge → lines

    def to_dict(self) -> dict:
        d = asdict(self)
        d["range"] = list(self.range) if self.range else None
        return d


def find_weak(court_rows: Sequence, city: dict | None = None, peer_rows: Sequence = ()) -> list[Weak]:
    """Pure rule: the court's rows against the pooled city rows (id → row) and the peer courts' rows."""
    city = city or {}
    peers: dict[str, list[float]] = {}
    for r in peer_rows:
        if r.value is not None:
            peers.setdefault(r.indicator, []).append(r.value)
    out = []
    for r in court_rows:
        if r.value is None:
            continue
        reasons = []
        st = ranges.status(r)
        if st in (ranges.ABOVE, ranges.BELOW):
            lo, hi = r.range
            bound = lo if st == ranges.BELOW else hi
            reasons.append(Reason("out_of_range", f"{r.name}{ranges.fmt(r.value, r.unit)}，"
                                  f"{ranges.STATUS_NAMES[st]}（合理区间{_rng(r.range, r.unit)}）", bound))
        c = city.get(r.indicator)
        comparable = r.unit in COMPARABLE_UNITS
        if comparable and c is not None and c.value is not None and ranges.worse(r.value, c.value, r.direction, r.range):
            reasons.append(Reason("worse_than_city", f"劣于全市{ranges.fmt(c.value, r.unit)}", c.value))
        pv = peers.get(r.indicator)
        peer_mean = sum(pv) / len(pv) if pv else None
        if comparable and peer_mean is not None and ranges.worse(r.value, peer_mean, r.direction, r.range):
            reasons.append(Reason("worse_than_peers", f"劣于同类法院平均{ranges.fmt(peer_mean, r.unit)}", peer_mean))
        if r.improved is False:
            yoy = f"（同比{_yoy(r)}）" if r.yoy is not None else ""
            reasons.append(Reason("worsening", f"同比趋劣：上年同期{ranges.fmt(r.previous, r.unit)}{yoy}", r.previous))
        if reasons:
            out.append(Weak(r.indicator, r.name, r.unit, r.direction, r.range, r.value, r.numerator, r.denominator,
                            r.previous, r.yoy, r.yoy_unit, c.value if c is not None else None, peer_mean, reasons))
    return out


def _rng(rng, unit: str) -> str:
    lo, hi = rng
    if lo is not None and hi is not None:
        return f"{ranges.fmt(lo, unit)}～{ranges.fmt(hi, unit)}"
    return f"≥{ranges.fmt(lo, unit)}" if lo is not None else f"≤{ranges.fmt(hi, unit)}"


def _yoy(r) -> str:
    sign = "+" if r.yoy >= 0 else "−"
    return f"{sign}{abs(r.yoy):.2f}{'个百分点' if r.yoy_unit == 'pp' else '%'}"


UNIT_KEYS = {"division": ("division", "division"), "judge": ("judge_id", "judge_name")}


def weak_indicators(engine, profile: str, start: date, end: date, court_code: str, *,
                    peers: Sequence[str] | None = None, compare: str | None = "yoy",
                    indicators: Sequence[str] | None = None, attribute_by: Sequence[str] = ("division", "judge"),
                    top: int = 5, rank: bool = False) -> list[Weak]:
    """The court's weak indicators with reasons and, per unit kind, the ``top`` units that move each most.

    ``rank=True`` numbers the attribution lines; it is off by default because the SPC's 2024-09 rules
    require 坚决杜绝排名排序 in circulars (REFERENCE §1.1).
    """
    from zhixiao.metrics.evaluate import evaluate

    by_court = evaluate(engine, profile, start, end, by=("court",), compare=compare, indicators=indicators)
    city_res = evaluate(engine, profile, start, end, indicators=indicators)
    city = {r.indicator: r for r in city_res.rows}
    court_rows = [r for r in by_court.rows if r.group.get("court_code") == court_code]
    peer_rows = [r for r in by_court.rows if r.group.get("court_code") != court_code
                 and (peers is None or r.group.get("court_code") in peers)]
    weak = find_weak(court_rows, city, peer_rows)
    if not weak or not attribute_by:
        return weak
    to_value = _value_maps(engine, profile, end)
    ids = [w.indicator for w in weak]
    for kind in attribute_by:
        res = evaluate(engine, profile, start, end, by=(kind,), filters={"court_code": court_code}, indicators=ids)
        key, name_key = UNIT_KEYS[kind]
        for w in weak:
            units = [{"unit": r.group.get(key), "unit_name": r.group.get(name_key), "value": r.value,
                      "numerator": r.numerator, "denominator": r.denominator}
                     for r in res.rows if r.indicator == w.indicator and r.group.get(key) is not None]
            lines = attribute(w.value, w.numerator, w.denominator, units, name=w.name, unit=w.unit,
                              direction=w.direction, rng=w.range, unit_kind=kind,
                              to_value=to_value.get(w.indicator, _identity), rank=rank)
            w.attribution[kind] = lines[:top]
    return weak


def _identity(raw: float) -> float:
    return raw


def _value_maps(engine, profile: str, on: date) -> dict:
    """indicator id → raw ratio → reported value (the catalogue's scale and complement)."""
    from zhixiao.metrics.catalogue import load_profile

    root = getattr(getattr(engine, "store", None), "root", None)
    out = {}
    for ind in load_profile(profile, on, data_dir=root):
        s, comp = ind.scale, ind.complement
        out[ind.id] = (lambda raw, s=s, comp=comp: s * (1 - raw) if comp else s * raw)
    return out
