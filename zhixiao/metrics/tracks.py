"""收结存 split into 审判, 执行 and 非诉保全: courts report the three apart (审执结 = 审结 + 执结), so a briefing or
dashboard that shows one 收结存 shows it per track too. Each track is the profile's own 收结存 indicators and
结案率 over the cases of its categories (store.schema.CATEGORIES), so the tracks' counts add up to the whole;
the rates are the evaluator's, by the profile's definition (a court's indicator files included), never
recomputed from the counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from zhixiao.metrics.catalogue import Indicator, load_profile
from zhixiao.metrics.evaluate import Result, compute_value, evaluate, evaluate_profiles
from zhixiao.store.schema import CATEGORIES

# 非诉保全审查 is category 09 of the 案号 standard (财保, 行保, 证保; REFERENCE §3.2); 执行 is category 10.
TRACKS: dict[str, tuple[str, ...]] = {
    "审判": tuple(c for c in CATEGORIES if c not in ("enforcement", "preservation")),
    "执行": ("enforcement",),
    "非诉保全": ("preservation",),
}
FLOW = ("new_cases", "carried_over", "received", "closed", "pending")
RATES = ("closure_rate",)  # shown beside the counts in every 收结存 table
TOTAL = "合计"
BASE_PROFILE = "court-classic"  # defines the glossary ids (DESIGN.md) a profile such as spc-2024 lacks
# spec keys whose counts do not add up over a partition of the cases (a dispute, a judge or an 原审 case may
# be shared by two tracks): a rate using one is evaluated over the whole for 合计
NOT_ADDITIVE = ("distinct", "table", "attribute")


def flow_by_track(engine, start: date, end: date, *, profile: str = BASE_PROFILE, by: Sequence[str] = (),
                  compare: str | None = None, filters: dict | None = None, as_of: date | None = None,
                  data_dir=None, cube: Any = None) -> dict[str, Result]:
    """{"审判" | "执行" | "非诉保全": the 收结存 rows (新收, 旧存, 受理, 结案, 未结) and 结案率 of that track}, grouped
    by ``by``: one evaluation per track, each id by ``profile`` where it defines it, else by court-classic.
    ``cube``: a stored indicator cube (``metrics.cube.Cube``, holding ``flow_definitions``) that answers the
    questions its ``why_not`` accepts (month-aligned periods)."""
    if filters and "category" in filters:
        raise ValueError("flow_by_track splits by category itself; filter by another column")
    split = _split(_definitions(engine, profile, end, (*FLOW, *RATES), data_dir))
    return {track: _evaluate(engine, split, start, end, by=by, compare=compare, as_of=as_of, data_dir=data_dir,
                             filters={**(filters or {}), "category": list(categories)}, cube=cube)
            for track, categories in TRACKS.items()}


def flow_rows(engine, start: date, end: date, *, profile: str = BASE_PROFILE, by: Sequence[str] = (),
              filters: dict | None = None, as_of: date | None = None, data_dir=None, cube: Any = None) -> list[dict]:
    """``flow_table`` of the tracks. 合计's 结案率 is the rate's formula over the tracks' summed numerators and
    denominators where its parts are counts or sums of cases (they add up over the tracks' partition);
    otherwise it is evaluated over the union of the tracks' cases. ``cube``: as ``flow_by_track``'s."""
    tracks = flow_by_track(engine, start, end, profile=profile, by=by, filters=filters, as_of=as_of,
                           data_dir=data_dir, cube=cube)
    rates = _definitions(engine, profile, end, RATES, data_dir)
    total = _summed(tracks, [ind for ind in rates.values() if _additive(ind)])
    rest = {i: ind for i, ind in rates.items() if not _additive(ind)}
    if rest:
        every = [c for categories in TRACKS.values() for c in categories]
        whole = _evaluate(engine, _split(rest), start, end, by=by, compare=None, as_of=as_of, data_dir=data_dir,
                          filters={**(filters or {}), "category": every}, cube=cube)
        for r in whole.rows:
            total.setdefault(_key(r.group), {})[r.indicator] = r.value
    return flow_table(tracks, total)


def flow_table(tracks: dict[str, Result], total: dict[tuple, dict[str, float | None]]) -> list[dict]:
    """The rows of a 收结存 table: per group (in the order first seen), one row per track and a 合计 row —
    {"track", **group, 新收…未结 (FLOW ids), "closure_rate"}. A group a track has no cases in shows zeros, so
    every group has all three tracks; 合计's counts are the sum of the tracks' (they partition the cases by
    category). 结案率 is the evaluator's row of the track (court-classic: 结案数 ÷ (旧存 + 新收), REFERENCE §4;
    a court may define it otherwise), and ``total``'s ({group key: {rate id: value}}) for 合计."""
    groups: dict[tuple, dict] = {}
    cells: dict[tuple, dict[str, dict]] = {}
    for track, res in tracks.items():
        for r in res.rows:
            if r.indicator not in FLOW and r.indicator not in RATES:
                continue
            key = _key(r.group)
            groups.setdefault(key, dict(r.group))
            cells.setdefault(key, {}).setdefault(track, {})[r.indicator] = r.value
    out = []
    for key, group in groups.items():
        total_counts = dict.fromkeys(FLOW, 0)
        for track in tracks:
            got = cells[key].get(track, {})
            vals = {i: got.get(i) or 0 for i in FLOW}
            out.append({"track": track, **group, **vals, **{i: got.get(i) for i in RATES}})
            for i in FLOW:
                total_counts[i] += vals[i]
        out.append({"track": TOTAL, **group, **total_counts, **{i: total.get(key, {}).get(i) for i in RATES}})
    return out


def _key(group: dict) -> tuple:
    return tuple(sorted(group.items()))


def _additive(ind: Indicator) -> bool:
    """Whether the rate's numerator and denominator add up over the tracks (counts or sums of cases)."""
    specs = (ind.numerator, ind.denominator)
    return not ind.unavailable and all(s is not None and s.get("set") != "judges" and not any(k in s for k in NOT_ADDITIVE)
                                       for s in specs)


def _summed(tracks: dict[str, Result], rates: list[Indicator]) -> dict[tuple, dict[str, float | None]]:
    """{group key: {rate id: its formula over the tracks' summed numerators and denominators}}."""
    parts: dict[tuple, dict[str, list[float]]] = {}
    ids = {ind.id for ind in rates}
    for res in tracks.values():
        for r in res.rows:
            if r.indicator in ids:
                acc = parts.setdefault(_key(r.group), {}).setdefault(r.indicator, [0, 0])
                acc[0] += r.numerator or 0
                acc[1] += r.denominator or 0
    return {key: {ind.id: compute_value(ind, *got[ind.id]) for ind in rates if ind.id in got}
            for key, got in parts.items()}


def flow_definitions(profile: str, end: date, data_dir) -> dict[str, Indicator]:
    """The indicators a 收结存 by track evaluates (FLOW and RATES, as ``_definitions`` picks them)."""
    return definitions(profile, end, (*FLOW, *RATES), data_dir)


def _definitions(engine, profile: str, end: date, ids: Sequence[str], data_dir) -> dict[str, Indicator]:
    root = data_dir if data_dir is not None else getattr(getattr(engine, "store", None), "root", None)
    return definitions(profile, end, ids, root)


def definitions(profile: str, end: date, ids: Sequence[str], root) -> dict[str, Indicator]:
    """{id: its definition by ``profile`` (its court files in ``root`` included) where it has one, else
    court-classic's}."""
    own = {i.id: i for i in load_profile(profile, end, data_dir=root)}
    if all(i in own for i in ids):
        return {i: own[i] for i in ids}
    base = {i.id: i for i in load_profile(BASE_PROFILE, end, data_dir=root)}
    return {i: own.get(i) or base[i] for i in ids}


def _split(defs: dict[str, Indicator]) -> dict[str, list[str]]:
    """{profile: the ids it answers} of ``_definitions``."""
    out: dict[str, list[str]] = {}
    for i, ind in defs.items():
        out.setdefault(ind.profile, []).append(i)
    return out


def _evaluate(engine, split: dict[str, list[str]], start: date, end: date, *, cube: Any = None, **kw) -> Result:
    """The ids of ``split`` in one pass (``evaluate_profiles``), their rows in one Result; with a cube, one
    evaluation per profile (each a query of the cube where it can answer, the pass's sharing matters not)."""
    if cube is not None:
        got = {p: evaluate(engine, p, start, end, indicators=ids, cube=cube, **kw) for p, ids in split.items()}
    else:
        got = evaluate_profiles(engine, list(split), start, end, indicators=split, **kw)
    first = next(iter(got.values()))
    return Result("+".join(split), first.period, first.previous, first.by, [r for res in got.values() for r in res.rows])
