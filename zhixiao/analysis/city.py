"""The city view (全市法院数据会商): an intermediate court's basic courts × indicators, one cell per figure.

Each cell is the figure ``zhixiao indicators --court X`` gives for that court alone, with its 区间 status
(``ranges.status``: an annual 合理区间 only judges a calendar year, otherwise 年度区间，仅供参考) and its 同比
direction. Like with like (``peers``): the basic courts are the matrix; the 全市基层法院平均 pools the basic
courts only (numerators and denominators summed, as ``weak`` compares a basic court with; counts are the
mean per court); the intermediate court's own figures stand apart. Each court's 短板 comes from
``weak.find_weak`` against the same references. Courts are listed by code, never ranked (2024-09 SPC:
坚决杜绝排名排序, REFERENCE §1.1); ``benchmark`` (对标) sorts the basic courts by one indicator on request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from zhixiao.analysis import ranges
from zhixiao.analysis.peers import peer_group
from zhixiao.analysis.weak import Basis, Weak, attribute_weak, find_weak
from zhixiao.domain import courts
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.evaluate import Row, evaluate

AVERAGE_LABEL = "全市基层法院平均"


@dataclass
class Cell:
    """One court's figure for one indicator (``status``: a ``ranges`` status; ``improved``: 同比趋优/趋劣)."""

    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    previous: float | None = None
    yoy: float | None = None
    yoy_unit: str | None = None
    improved: bool | None = None
    note: str = ""


@dataclass
class Column:
    """An indicator of the matrix: what a reader needs to read its cells."""

    indicator: str
    name: str
    group_name: str
    unit: str
    direction: str
    range: tuple | None
    range_applies: bool  # False: an annual range and a shorter period (年度区间，仅供参考)
    measure: str = ""


@dataclass
class CourtLine:
    """A court's row: its cells (indicator id → Cell) and its 短板 (the ``weak`` rule)."""

    court_code: str
    court_name: str
    level: str
    cells: dict[str, Cell]
    weak: list[Weak] = field(default_factory=list)


@dataclass
class Benchmark:
    """对标: the basic courts sorted on one indicator, best first by its direction; ``best`` is the value
    the others are measured against and ``gaps`` each court's distance to it (in the indicator's unit)."""

    indicator: str
    order: list[str]
    best: float | None
    gaps: dict[str, float | None]


@dataclass
class CityMatrix:
    court_code: str
    court_name: str
    profile: str
    start: date
    end: date
    compare: str | None
    columns: list[Column]
    basic: list[CourtLine]
    average: dict[str, Cell]  # 全市基层法院平均
    intermediate: CourtLine | None  # the intermediate court's own figures, apart
    unavailable: dict[str, str] = field(default_factory=dict)  # indicator id → "name：why" (no court has a value)
    benchmark: Benchmark | None = None

    def column(self, indicator: str) -> Column:
        return next(c for c in self.columns if c.indicator == indicator)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["start"], d["end"] = self.start.isoformat(), self.end.isoformat()
        d["average_label"] = AVERAGE_LABEL
        for c in d["columns"]:
            c["range"] = list(c["range"]) if c["range"] else None
        for line in [*d["basic"], *([d["intermediate"]] if d["intermediate"] else [])]:
            for w in line["weak"]:
                w["range"] = list(w["range"]) if w["range"] else None
        return d


def city_courts(court_code: str, codes: Sequence[str]) -> tuple[list[str], list[str]]:
    """(basic courts, [the intermediate court]) of ``court_code``'s city among ``codes`` (the courts in the
    data): the basic courts whose 法院代字 parent is the intermediate court (法〔2015〕137号)."""
    try:
        c = courts.court(court_code)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if c.level != "intermediate":
        raise UserError(f"全市视图须以中级法院为范围，{court_code} 不是中级法院代字（应为省级简称加2位数字，如 冀01）；"
                        f"基层法院请用 zhixiao indicators --court {court_code}。")
    basic = []
    for code in sorted(set(codes)):
        try:
            other = courts.court(code)
        except ValueError:
            continue
        if other.level == "basic" and other.parent == court_code:
            basic.append(code)
    return basic, [court_code] if court_code in codes else []


def attribute_to_basic_courts(weak: Sequence[Weak], by_court_rows: Sequence, court_code: str,
                              catalogue: dict[str, Indicator], *, top: int = 5) -> None:
    """The city's 短板 attributed to its basic courts only (``w.attribution["court"]``): like with like, the
    intermediate court hears appeals and 再审, so it is never listed among the courts that move a 短板
    (issue 17), as it stands apart in the matrix and the 全市基层法院平均. Each basic court's line is the one
    the attribution over all the city's courts gives (a count's per-court mean is the city's); the 中院's
    line is left out."""
    codes = sorted({r.group.get("court_code") for r in by_court_rows if r.group.get("court_code")})
    basic, inter = city_courts(court_code, codes)
    members = set(basic) | set(inter)
    attribute_weak(weak, [r for r in by_court_rows if r.group.get("court_code") in members], "court", catalogue,
                   top=len(members))
    for w in weak:
        w.attribution["court"] = [a for a in w.attribution["court"] if a.unit in basic][:top]


def city_matrix(engine, court_code: str, start: date, end: date, *, profile: str = "court-classic",
                compare: str | None = "yoy", indicators: Sequence[str] | None = None,
                benchmark: str | None = None) -> CityMatrix:
    """The matrix of ``court_code``'s city for [start, end] (see the module docstring)."""
    root = getattr(getattr(engine, "store", None), "root", None)
    catalogue = {i.id: i for i in load_profile(profile, end, data_dir=root)}
    t = engine.cases
    codes = [r["court_code"] for r in t.select("court_code").distinct().to_pyarrow().to_pylist()]
    basic, inter = city_courts(court_code, [c for c in codes if c])
    if not basic and not inter:
        raise UserError(f"数据中没有 {court_code} 及其辖区基层法院的案件，请先导入，或检查 --court。")
    members = basic + inter
    rows = _by_court(engine, profile, start, end, members, compare, indicators)
    ids = list(dict.fromkeys(r.indicator for rs in rows.values() for r in rs)) or list(indicators or catalogue)
    if benchmark is not None and benchmark not in ids:
        raise UserError(f"对标指标“{benchmark}”不在指标体系 {profile} 的本次计算中；可用：{', '.join(ids)}。")
    ref_only = ranges.reference_only((catalogue[i] for i in ids), start, end)
    measures = {i: ranges.measure(catalogue[i]) for i in ids}
    unavailable = _unavailable(rows, ids)
    ids = [i for i in ids if i not in unavailable]
    pool = _pooled(engine, profile, start, end, basic, compare, ids) if basic else {}
    lines = []
    for code in members:
        group = peer_group(code, members)
        basis = Basis.of(group)
        own = [r for r in rows.get(code, []) if r.indicator in ids]
        peer_rows = [r for c in basis.peer_courts for r in rows.get(c, []) if r.indicator in ids]
        weak = find_weak(own, pool if basis.city_courts else {}, peer_rows, basis=basis,
                         reference_only=ref_only, measures=measures)
        lines.append(CourtLine(code, courts.court_name(code) or _data_name(own) or code, group.level,
                               {r.indicator: _cell(r, ref_only) for r in own}, weak))
    columns = [Column(i, catalogue[i].name, catalogue[i].group, catalogue[i].unit, catalogue[i].direction,
                      catalogue[i].range, i not in ref_only, measures[i]) for i in ids]
    m = CityMatrix(court_code, courts.court_name(court_code) or court_code, profile, start, end, compare, columns,
                   [ln for ln in lines if ln.court_code in basic], _average(pool, len(basic), catalogue, ref_only),
                   next((ln for ln in lines if ln.court_code in inter), None), unavailable)
    if benchmark is not None:
        m.benchmark = benchmark_order(m, catalogue[benchmark])
    return m


def _by_court(engine, profile: str, start: date, end: date, members: list[str], compare: str | None,
              indicators: Sequence[str] | None) -> dict[str, list[Row]]:
    """court code → its rows, from one grouped evaluation. The grouping keys on (code, name in the rows):
    a court whose rows carry two names would come out as two groups, so such a court is evaluated alone."""
    res = evaluate(engine, profile, start, end, by=("court",), compare=compare,
                   filters={"court_code": members}, indicators=indicators)
    out: dict[str, list[Row]] = {}
    names: dict[str, set] = {}
    for r in res.rows:
        code = r.group.get("court_code")
        names.setdefault(code, set()).add(r.group.get("court_name"))
        out.setdefault(code, []).append(r)
    for code in [c for c, n in names.items() if len(n) > 1]:
        out[code] = evaluate(engine, profile, start, end, compare=compare, filters={"court_code": code},
                             indicators=indicators).rows
    return out


def _unavailable(rows: dict[str, list[Row]], ids: list[str]) -> dict[str, str]:
    """Indicators no court has a value for and that carry a reason (an 'unavailable' catalogue entry)."""
    out = {}
    for i in ids:
        rs = [r for lst in rows.values() for r in lst if r.indicator == i]
        if rs and all(r.value is None and r.numerator is None for r in rs) and rs[0].note:
            out[i] = f"{rs[0].name}：{rs[0].note}"
    return out


def _cell(r: Row, ref_only) -> Cell:
    return Cell(r.value, r.numerator, r.denominator, ranges.status(r, r.indicator not in ref_only), r.previous,
                r.yoy, r.yoy_unit, r.improved, r.note if r.value is None else "")


def _data_name(rows: list[Row]) -> str | None:
    return next((r.group.get("court_name") for r in rows if r.group.get("court_name")), None)


def _pooled(engine, profile: str, start: date, end: date, basic: list[str], compare: str | None,
            ids: list[str]) -> dict[str, Row]:
    """The basic courts taken together: one evaluation over them, the same sums as ``peers.pooled`` with a
    同比 (the reference ``weak`` compares a basic court with)."""
    res = evaluate(engine, profile, start, end, compare=compare, filters={"court_code": basic}, indicators=ids)
    return {r.indicator: r for r in res.rows}


def _average(pool: dict[str, Row], n: int, catalogue: dict[str, Indicator], ref_only) -> dict[str, Cell]:
    """全市基层法院平均: the pooled figures; a count divided by the number of basic courts (a total of the
    courts' 新收 is no court's figure)."""
    out = {}
    for i, r in pool.items():
        cell = _cell(r, ref_only)
        if catalogue[i].unit == "count":
            cell.value = None if r.value is None else r.value / n
            cell.previous = None if r.previous is None else r.previous / n
        out[i] = cell
    return out


def benchmark_order(m: CityMatrix, ind: Indicator) -> Benchmark:
    """对标: the basic courts ordered on ``ind``, best first (higher/lower by direction, a range indicator by
    its distance to the range); courts without a value come last, by code."""
    col = m.column(ind.id)
    vals = {ln.court_code: ln.cells.get(ind.id).value if ind.id in ln.cells else None for ln in m.basic}
    have = [c for c in vals if vals[c] is not None]
    have.sort(key=lambda c: (ranges.badness(vals[c], col.direction, col.range), c))
    best = vals[have[0]] if have else None
    gaps = {c: None if vals[c] is None or best is None else vals[c] - best for c in vals}
    return Benchmark(ind.id, have + sorted(c for c in vals if vals[c] is None), best, gaps)
