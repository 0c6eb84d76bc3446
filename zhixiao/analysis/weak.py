"""短板弱项: indicators outside their 合理区间, worse than the courts of the same level or worsening 同比,
each with its reasons and the divisions and judges that move it most (see ``attribution``).

Like with like (``peers``): a basic court is compared with the basic courts of the city taken together
(全市基层法院平均) and with the mean of the other basic courts' values; the intermediate court stands
apart. Every reference names its courts. Count indicators are not compared across courts (court size
dominates them). A range that does not apply to the period (``ranges.reference_only``: an annual range
and a shorter period) never makes an indicator weak.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from zhixiao.analysis import ranges
from zhixiao.analysis.attribution import Attribution, attribute
from zhixiao.analysis.peers import PeerGroup, peer_group, pooled
from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.evaluate import evaluate

COMPARABLE_UNITS = ("rate", "ratio", "days")


@dataclass
class Reason:
    kind: str  # out_of_range | worse_than_city | worse_than_peers | worsening
    text: str
    reference: float | None = None
    courts: list[str] | None = None  # the courts a city/peer reference contains


@dataclass(frozen=True)
class Basis:
    """What a court is compared with: the pool of its level (``city_*``) and the other courts of that level
    (``peer_*``), each named by the court codes it contains."""

    city_label: str = "全市"
    city_courts: tuple[str, ...] = ()
    peer_label: str = "同类法院"
    peer_courts: tuple[str, ...] = ()

    @classmethod
    def of(cls, group: PeerGroup, peer_courts: Sequence[str] | None = None) -> Basis:
        others = group.others if peer_courts is None else tuple(c for c in group.others if c in peer_courts)
        return cls(group.label, group.courts if group.comparable() else (), group.peer_label, others)


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
    measure: str = ""  # 件 for counts and 人均结案数, 天 for days (``ranges.measure``)
    range_applies: bool = True  # False: the range is annual and the period shorter (年度区间，仅供参考)
    city_courts: list[str] = field(default_factory=list)
    peer_courts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["range"] = list(self.range) if self.range else None
        return d


def find_weak(court_rows: Sequence, city: Mapping | None = None, peer_rows: Sequence = (), *,
              basis: Basis = Basis(), reference_only: Collection[str] = frozenset(),
              measures: Mapping[str, str] | None = None) -> list[Weak]:
    """Pure rule: the court's rows against the pooled rows of its level (id → row), the rows of the other
    courts of its level, and its previous year. ``reference_only``: ids whose range does not judge the
    period; ``measures``: id → the word its values are counted in (件/天)."""
    city = city or {}
    measures = measures or {}
    peers: dict[str, list[float]] = {}
    for r in peer_rows:
        if r.value is not None:
            peers.setdefault(r.indicator, []).append(r.value)
    out = []
    for r in court_rows:
        if r.value is None:
            continue
        m = measures.get(r.indicator, "")
        applies = r.indicator not in reference_only
        reasons = []
        st = ranges.status(r, applies)
        if st in (ranges.ABOVE, ranges.BELOW):
            lo, hi = r.range
            bound = lo if st == ranges.BELOW else hi
            reasons.append(Reason("out_of_range", f"{r.name}{ranges.fmt(r.value, r.unit, m)}，"
                                  f"{ranges.STATUS_NAMES[st]}（合理区间{_rng(r.range, r.unit)}）", bound))
        c = city.get(r.indicator)
        comparable = r.unit in COMPARABLE_UNITS
        if comparable and c is not None and c.value is not None and ranges.worse(r.value, c.value, r.direction, r.range):
            reasons.append(Reason("worse_than_city", f"劣于{basis.city_label}平均{ranges.fmt(c.value, r.unit, m)}"
                                  f"{_count(basis.city_courts)}", c.value, list(basis.city_courts) or None))
        pv = peers.get(r.indicator)
        peer_mean = sum(pv) / len(pv) if pv else None
        if comparable and peer_mean is not None and ranges.worse(r.value, peer_mean, r.direction, r.range):
            reasons.append(Reason("worse_than_peers", f"劣于{basis.peer_label}平均{ranges.fmt(peer_mean, r.unit, m)}"
                                  f"{_count(basis.peer_courts)}", peer_mean, list(basis.peer_courts) or None))
        if r.improved is False:
            change = f"（同比{_change(r, m)}）" if r.previous is not None else ""
            reasons.append(Reason("worsening", f"同比趋劣：上年同期{ranges.fmt(r.previous, r.unit, m)}{change}",
                                  r.previous))
        if reasons:
            out.append(Weak(r.indicator, r.name, r.unit, r.direction, r.range, r.value, r.numerator, r.denominator,
                            r.previous, r.yoy, r.yoy_unit, c.value if c is not None else None, peer_mean, reasons,
                            measure=m, range_applies=applies, city_courts=list(basis.city_courts),
                            peer_courts=list(basis.peer_courts)))
    return out


def _count(courts: Sequence[str]) -> str:
    return f"（{len(courts)}家）" if courts else ""


def _change(r, measure: str) -> str:
    """The change in the value's own unit, plus the % change for what is not a rate: "+4.20天，+6.65%"."""
    text = ranges.fmt_delta(r.value - r.previous, r.unit, measure)
    if r.unit != "rate" and r.yoy is not None and r.yoy_unit == "%":
        text += f"，{'+' if r.yoy >= 0 else '−'}{abs(r.yoy):.2f}%"
    return text


def _rng(rng, unit: str) -> str:
    lo, hi = rng
    if lo is not None and hi is not None:
        return f"{ranges.fmt(lo, unit)}～{ranges.fmt(hi, unit)}"
    return f"≥{ranges.fmt(lo, unit)}" if lo is not None else f"≤{ranges.fmt(hi, unit)}"


UNIT_KEYS = {"division": ("division", "division"), "judge": ("judge_id", "judge_name"),
             "court": ("court_code", "court_name")}


def attribute_weak(weak: Sequence[Weak], rows: Sequence, kind: str, catalogue: Mapping[str, Indicator], *,
                   top: int = 5, rank: bool = False) -> None:
    """Fill ``w.attribution[kind]`` of every weak indicator with the ``top`` units that move it most, from
    rows already evaluated by ``kind`` (division, judge or court; rows of other indicators are skipped)."""
    key, name_key = UNIT_KEYS[kind]
    for w in weak:
        units = [{"unit": r.group.get(key), "unit_name": r.group.get(name_key), "value": r.value,
                  "numerator": r.numerator, "denominator": r.denominator}
                 for r in rows if r.indicator == w.indicator and r.group.get(key) is not None]
        lines = attribute(w.value, w.numerator, w.denominator, units, name=w.name, unit=w.unit,
                          direction=w.direction, rng=w.range, unit_kind=kind,
                          to_value=to_value(catalogue[w.indicator]), rank=rank, measure=w.measure)
        w.attribution[kind] = lines[:top]


def weak_indicators(engine, profile: str, start: date, end: date, court_code: str, *,
                    peers: Sequence[str] | None = None, compare: str | None = "yoy",
                    indicators: Sequence[str] | None = None, attribute_by: Sequence[str] = ("division", "judge"),
                    top: int = 5, rank: bool = False) -> list[Weak]:
    """The court's weak indicators with reasons and, per unit kind, the ``top`` units that move each most.

    ``peers`` narrows the other courts of the same level the court is compared with. ``rank=True`` numbers
    the attribution lines; it is off by default because the SPC's 2024-09 rules require 坚决杜绝排名排序
    in circulars (REFERENCE §1.1).
    """
    return weak_by_court(engine, profile, start, end, [court_code], peers=peers, compare=compare,
                         indicators=indicators, attribute_by=attribute_by, top=top, rank=rank)[court_code]


def weak_by_court(engine, profile: str, start: date, end: date, courts: Sequence[str], *,
                  peers: Sequence[str] | None = None, compare: str | None = "yoy",
                  indicators: Sequence[str] | None = None, attribute_by: Sequence[str] = ("division", "judge"),
                  top: int = 5, rank: bool = False) -> dict[str, list[Weak]]:
    """``weak_indicators`` of each of ``courts`` from one evaluation by court, one pooled reference per peer
    group and one evaluation by court × unit per unit kind: the dashboard asks every court's 短板 after an
    import, and the by-court evaluation each court's question starts from is the same for all of them."""
    root = getattr(getattr(engine, "store", None), "root", None)
    catalogue = {i.id: i for i in load_profile(profile, end, data_dir=root)}
    by_court = evaluate(engine, profile, start, end, by=("court",), compare=compare, indicators=indicators)
    present = {r.group.get("court_code") for r in by_court.rows}
    measures = {i: ranges.measure(ind) for i, ind in catalogue.items()}
    reference = ranges.reference_only(catalogue.values(), start, end)
    pools: dict[tuple[str, ...], dict] = {}
    out: dict[str, list[Weak]] = {}
    for code in courts:
        basis = Basis.of(peer_group(code, present), peers)
        if basis.city_courts and basis.city_courts not in pools:
            pools[basis.city_courts] = pooled(by_court.rows, catalogue, basis.city_courts, lambda ids, cs: evaluate(
                engine, profile, start, end, indicators=ids, filters={"court_code": cs}).rows)
        court_rows = [r for r in by_court.rows if r.group.get("court_code") == code]
        peer_rows = [r for r in by_court.rows if r.group.get("court_code") in basis.peer_courts]
        out[code] = find_weak(court_rows, pools.get(basis.city_courts, {}), peer_rows, basis=basis,
                              measures=measures, reference_only=reference)
    hit = sorted(c for c, weak in out.items() if weak)
    if not hit or not attribute_by:
        return out
    ids = sorted({w.indicator for c in hit for w in out[c]})
    for kind in attribute_by:
        # each unit belongs to one court: grouped by court and unit, a court's rows are its own units' values
        res = evaluate(engine, profile, start, end, by=("court", kind), filters={"court_code": hit}, indicators=ids)
        for code in hit:
            attribute_weak(out[code], [r for r in res.rows if r.group.get("court_code") == code], kind, catalogue,
                           top=top, rank=rank)
    return out


def to_value(ind: Indicator):
    """raw numerator ÷ denominator → the reported value (the catalogue's scale and complement)."""
    s, comp = ind.scale, ind.complement
    return lambda raw: s * (1 - raw) if comp else s * raw
