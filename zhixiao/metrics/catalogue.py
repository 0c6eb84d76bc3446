"""The indicator catalogue: TOML data under ``zhixiao/data/indicators``, read here and nowhere else.

Why data and not code: the SPC's 2024 口径 and 合理区间 are not public (REFERENCE §1.2), so every
definition must be something a court can read, correct and extend without Python.

File layout (one profile per file; files starting with ``_`` are shared, e.g. ``_exclusions.toml``)::

    [profile]
    id = "court-classic"
    name = "传统质效指标"
    exclusions = ["诉前调确", "诉前调书", "执保", "执恢"]   # default for every entry

    [[indicator]]
    id = "closure_rate"
    name = "结案率"
    group = "效率"            # 收结存 | 质量 | 效率 | 效果
    line = "all"              # 刑事 | 民事 | 行政 | 执行 | all
    unit = "rate"             # rate | ratio | days | count | yuan
    direction = "higher"      # higher | lower | range
    range = [0.93, 1.0]       # 合理区间 (rates as fractions); omit when unknown
    range_source = "…"
    numerator = { set = "closed" }
    denominator = { set = "received" }
    source = "…"
    effective_from = 2000-01-01

A spec (numerator/denominator) is ``{set, where, sum, distinct, table}``: ``set`` a base set (see
``BASE_SETS``), ``where`` a list of conditions ANDed (each ``{col, <op> = value}``, ``{any = [...]}``
for OR, or ``{not = [...]}``: true unless all of the list hold, a null counting as not holding), ``sum`` a column or day measure to add up instead of counting, ``distinct`` a column whose
distinct values are counted, ``table`` ``cases`` (default) or ``people``, ``attribute = "origin"`` to
count a case (e.g. an appeal) under the group of its 原审 case (``origin_case_id``), as 发改率 needs.

Optional fields of an entry, all printed on its 口径 card (``zhixiao.metrics.card``):
``excluded`` a spec of the cases the definition itself leaves out (e.g. closed cases without a statutory
limit for 审限内结案率), counted and reported with every value, and ``excluded_note`` saying which;
``complement = true`` for a value 1 − numerator ÷ denominator: the loader rewrites it as the plain rate of
the denominator's cases outside the numerator (so numerator = denominator − x is what is shown and drilled);
``unpublished`` what of the official 口径/区间 is not public; ``unavailable`` why the case store cannot
compute the indicator (then no numerator is needed and the value is empty with that note).

Courts add or override entries by dropping TOML files (same layout; ``[profile] id`` names the profile
they extend, and ``[[override]]`` entries change fields such as ``range`` of an existing indicator) in
``<data_dir>/indicators/`` or a directory listed in ``ZHIXIAO_INDICATORS_PATH``.
"""

from __future__ import annotations

import os
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from zhixiao.errors import UserError

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "data" / "indicators"

GROUPS = ("收结存", "质量", "效率", "效果")
LINES = ("刑事", "民事", "行政", "执行", "all")
UNITS = ("rate", "ratio", "days", "count", "yuan")
DIRECTIONS = ("higher", "lower", "range")
# A 合理区间 is set for a whole year (2024 system: 年度区间, REFERENCE §1.2); "any" = the definition allows
# judging a shorter period against it (e.g. a stock at the period end such as 长期未结).
RANGE_PERIODS = ("year", "any")
BASE_SETS = {
    "cases": "全部案件（不限期间）",
    "new_cases": "新收：立案日期在期间内",
    "carried_over": "旧存：期间开始前立案、期间开始时未结",
    "received": "受理：旧存 + 新收",
    "closed": "结案：结案日期在期间内",
    "pending_end": "未结：截止日（as_of，默认期末）已立案未结",
    "appealed": "上诉：上诉日期在期间内",
    "transferred": "移送：移送二审日期在期间内",
    "judges": "在岗人员（人员名册，期间内在岗）",
}
OPS = ("eq", "ne", "in", "not_in", "is_null", "contains", "lt", "le", "gt", "ge", "older_than_months")
SPEC_KEYS = {"set", "where", "sum", "distinct", "table", "attribute"}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    group: str
    line: str
    unit: str
    direction: str
    numerator: dict | None  # None only for an ``unavailable`` indicator
    denominator: dict | None = None
    range: tuple[float | None, float | None] | None = None
    range_source: str | None = None
    range_period: str = "year"  # see RANGE_PERIODS
    exclusions: tuple[str, ...] = ()
    exclusion_rules: dict[str, list] = field(default_factory=dict, compare=False, repr=False)
    scale: float = 1.0  # value = scale × numerator ÷ denominator (e.g. 365 for CEPEJ DT)
    # value = 1 − numerator ÷ denominator. Never set by the loader: a ``complement = true`` entry is rewritten
    # as the rate of the denominator's cases outside x (``complement_of`` keeps x), so rows show the
    # numerator and denominator that give the value; callers map raw ratios with this flag.
    complement: bool = False
    complement_of: dict | None = None
    excluded: dict | None = None  # cases the definition leaves out of both parts, counted for the 口径
    excluded_note: str = ""
    unpublished: str = ""  # what of the official 口径 or 区间 is not public
    unavailable: str = ""  # why the case store cannot compute it
    source: str = ""
    note: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    profile: str = ""

    def effective_on(self, on: date) -> bool:
        return (self.effective_from is None or self.effective_from <= on) and (
            self.effective_to is None or on <= self.effective_to
        )

    def range_applies(self, start: date, end: date) -> bool:
        """Whether the 合理区间 may judge [start, end]: 区间 are annual (REFERENCE §1.2, the yearly 区间参考值),
        so only a calendar year is judged unless the definition says ``range_period = "any"``."""
        full_year = start == date(start.year, 1, 1) and end == date(start.year, 12, 31)
        return self.range_period == "any" or full_year

    def specs(self) -> list[dict]:
        """Every spec the evaluator computes for this indicator (numerator, denominator, excluded)."""
        return [s for s in (self.numerator, self.denominator, self.excluded) if s is not None]


def _search_dirs(data_dir: Path | str | None) -> list[Path]:
    dirs = [BUILTIN_DIR]
    for p in os.environ.get("ZHIXIAO_INDICATORS_PATH", "").split(os.pathsep):
        if p:
            dirs.append(Path(p))
    if data_dir is not None:
        dirs.append(Path(data_dir) / "indicators")
    return [d for d in dirs if d.is_dir()]


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"指标目录文件 {path} 不是有效的 TOML：{exc}。请修正该文件的语法。") from None


def _files(data_dir: Path | str | None) -> list[tuple[Path, dict]]:
    out = []
    for d in _search_dirs(data_dir):
        for f in sorted(d.glob("*.toml")):
            out.append((f, _read(f)))
    return out


def profiles(data_dir: Path | str | None = None) -> list[str]:
    """Names of the profiles available (built-in plus court files)."""
    names = {raw.get("profile", {}).get("id") for f, raw in _files(data_dir) if not f.name.startswith("_")}
    return sorted(n for n in names if n)


def _exclusion_rules(files: Iterable[tuple[Path, dict]]) -> dict[str, list]:
    rules: dict[str, list] = {}
    for _f, raw in files:
        for name, rule in raw.get("exclusions", {}).items():
            rules[name] = rule["where"]
    return rules


def _check_spec(spec: Any, where: str) -> dict:
    if not isinstance(spec, dict) or "set" not in spec:
        raise UserError(f"{where} 必须是带 set 的表，例如 {{ set = \"closed\" }}。")
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise UserError(f"{where} 含有未知键 {sorted(unknown)}；可用的键：{sorted(SPEC_KEYS)}。")
    if spec["set"] not in BASE_SETS:
        raise UserError(f"{where} 的 set = \"{spec['set']}\" 未定义；可用：{', '.join(BASE_SETS)}。")
    for cond in spec.get("where", []):
        _check_cond(cond, where)
    if spec.get("attribute", "self") not in ("self", "origin"):
        raise UserError(f"{where} 的 attribute 只能是 \"self\" 或 \"origin\"（按原审案件归属）。")
    return spec


def _check_cond(cond: dict, where: str) -> None:
    for combinator in ("any", "not"):
        if combinator in cond:
            if set(cond) != {combinator} or not isinstance(cond[combinator], list) or not cond[combinator]:
                raise UserError(f"{where} 的条件 {cond} 写法有误：{combinator} 应单独成项，值为非空条件列表。")
            for c in cond[combinator]:
                _check_cond(c, where)
            return
    ops = [k for k in cond if k != "col"]
    if "col" not in cond or len(ops) != 1 or ops[0] not in OPS:
        raise UserError(f"{where} 的条件 {cond} 写法有误：应为 {{ col = \"列名\", <运算> = 值 }}，运算可用 {', '.join(OPS)}。")


def _build(entry: dict, path: Path, profile: str, default_excl: list[str], rules: dict) -> Indicator:
    where = f"{path.name} 中的指标 {entry.get('id', '?')}"
    for key in ("id", "name", "group", "unit") + (() if entry.get("unavailable") else ("numerator",)):
        if key not in entry:
            raise UserError(f"{where} 缺少字段 {key}，请补上。")
    if entry["group"] not in GROUPS:
        raise UserError(f"{where} 的 group = \"{entry['group']}\" 无效；可用：{'、'.join(GROUPS)}。")
    if entry["unit"] not in UNITS:
        raise UserError(f"{where} 的 unit = \"{entry['unit']}\" 无效；可用：{', '.join(UNITS)}。")
    line = entry.get("line", "all")
    if line not in LINES:
        raise UserError(f"{where} 的 line = \"{line}\" 无效；可用：{'、'.join(LINES)}。")
    direction = entry.get("direction", "higher")
    if direction not in DIRECTIONS:
        raise UserError(f"{where} 的 direction = \"{direction}\" 无效；可用：{', '.join(DIRECTIONS)}。")
    excl = tuple(entry.get("exclusions", default_excl))
    for name in excl:
        if name not in rules:
            raise UserError(f"{where} 引用了未定义的排除项“{name}”；请在 _exclusions.toml 中定义。")
    rng = entry.get("range")
    range_period = entry.get("range_period", "year")
    if range_period not in RANGE_PERIODS:
        raise UserError(f"{where} 的 range_period = \"{range_period}\" 无效；可用：year（年度区间，默认）、"
                        f"any（任意期间均可对照）。")
    numerator = _check_spec(entry["numerator"], where + " 的 numerator") if "numerator" in entry else None
    denominator = _check_spec(entry["denominator"], where + " 的 denominator") if "denominator" in entry else None
    complement_of = None
    if entry.get("complement", False):
        complement_of, numerator = numerator, _complement_spec(numerator, denominator, where)
    return Indicator(
        id=entry["id"], name=entry["name"], group=entry["group"], line=line, unit=entry["unit"],
        direction=direction, numerator=numerator, denominator=denominator, complement_of=complement_of,
        excluded=_check_spec(entry["excluded"], where + " 的 excluded") if "excluded" in entry else None,
        excluded_note=entry.get("excluded_note", ""), unpublished=entry.get("unpublished", ""),
        unavailable=entry.get("unavailable", ""),
        range=tuple(rng) if rng else None, range_source=entry.get("range_source"),
        range_period=range_period,
        exclusions=excl, exclusion_rules={n: rules[n] for n in excl},
        scale=float(entry.get("scale", 1.0)),
        source=entry.get("source", ""), note=entry.get("note", ""),
        effective_from=entry.get("effective_from"), effective_to=entry.get("effective_to"), profile=profile,
    )


def _complement_spec(x: dict | None, den: dict | None, where: str) -> dict:
    """The numerator of 1 − x ÷ den as a spec of its own: the denominator's cases for which x's further
    conditions do not all hold. Only where x's cases are among the denominator's (same base set, every
    condition of the denominator also in x, both plain counts), so that numerator = den − x exactly."""
    plain = ("sum", "distinct", "table", "attribute")
    if (x is None or den is None or x["set"] != den["set"] or any(k in x or k in den for k in plain)
            or any(c not in x.get("where", []) for c in den.get("where", []))):
        raise UserError(f"{where} 写作 complement = true（1 − 分子 ÷ 分母）时，分子须是分母案件的一部分："
                        "同一 set、包含分母的全部条件、只计件数。请改写分子，或直接写出“分母中不属于分子”的条件。")
    extra = [c for c in x.get("where", []) if c not in den.get("where", [])]
    if not extra:
        raise UserError(f"{where} 的分子与分母相同，1 − 分子 ÷ 分母 恒为 0；请检查分子的条件。")
    return {**den, "where": [*den.get("where", []), {"not": extra}]}


def _stamp(data_dir: Path | str | None) -> tuple:
    """Every catalogue file's (path, mtime_ns, size): an edited, added or removed file changes it."""
    out = []
    for d in _search_dirs(data_dir):
        for f in sorted(d.glob("*.toml")):
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)


_PROFILES: OrderedDict[tuple, tuple[Indicator, ...]] = OrderedDict()  # load_profile's answers, newest last
_PROFILES_LOCK = threading.Lock()
_PROFILES_MAX = 256


def load_profile(name: str, on: date | None = None, *, data_dir: Path | str | None = None) -> list[Indicator]:
    """The profile's indicators effective on ``on`` (default: today), in catalogue order.

    Later files (court directories) may add entries or ``[[override]]`` fields of existing ones.
    Remembered per (name, date, the files' stamps): every question asks for the catalogue, and the files are
    only re-read after one of them changes. Indicators are frozen, so the remembered ones can be shared.
    """
    on = on or date.today()
    key = (name, on, str(data_dir) if data_dir is not None else None, _stamp(data_dir))
    with _PROFILES_LOCK:
        hit = _PROFILES.get(key)
        if hit is not None:
            _PROFILES.move_to_end(key)
            return list(hit)
    found = _load_profile(name, on, data_dir)
    with _PROFILES_LOCK:
        _PROFILES[key] = tuple(found)
        while len(_PROFILES) > _PROFILES_MAX:
            _PROFILES.popitem(last=False)
    return found


def _load_profile(name: str, on: date, data_dir: Path | str | None) -> list[Indicator]:
    files = _files(data_dir)
    rules = _exclusion_rules(files)
    found = False
    entries: list[Indicator] = []
    overrides: list[dict] = []
    mine = [(path, raw) for path, raw in files if raw.get("profile", {}).get("id") == name]
    default_excl: list[str] = []  # a court's extension file inherits the profile's default exclusions
    for path, raw in mine:
        head = raw["profile"]
        found = True
        default_excl = head.get("exclusions", default_excl)
        entries += [_build(e, path, name, default_excl, rules) for e in raw.get("indicator", [])]
        overrides += raw.get("override", [])
    if not found:
        raise UserError(f"指标体系“{name}”不存在；可用：{', '.join(profiles(data_dir))}。")
    chosen: dict[str, Indicator] = {}
    for ind in entries:
        if ind.effective_on(on):
            chosen[ind.id] = ind  # a later file's entry replaces an earlier one
    for ov in overrides:
        ind = chosen.get(ov.get("id"))
        if ind is None:
            raise UserError(f"覆盖项 {ov} 指向的指标不在体系“{name}”中，请检查 id。")
        fields = {k: (tuple(v) if k == "range" and v else v) for k, v in ov.items() if k != "id"}
        if fields.get("range_period", "year") not in RANGE_PERIODS:
            raise UserError(f"覆盖项 {ov} 的 range_period 无效；可用：{', '.join(RANGE_PERIODS)}。")
        chosen[ind.id] = replace(ind, **fields)
    return list(chosen.values())


def get(indicator_id: str, profile: str, on: date | None = None, *, data_dir: Path | str | None = None) -> Indicator:
    for ind in load_profile(profile, on, data_dir=data_dir):
        if ind.id == indicator_id:
            return ind
    raise UserError(f"指标体系“{profile}”中没有指标 {indicator_id}；用 `zhixiao indicators list --profile {profile}` 查看。")
