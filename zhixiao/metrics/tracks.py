"""收结存 split into 审判, 执行 and 非诉保全: courts report the three apart (审执结 = 审结 + 执结), so a briefing or
dashboard that shows one 收结存 shows it per track too. Each track is the profile's own 收结存 indicators over
the cases of its categories (store.schema.CATEGORIES), so the tracks add up to the whole."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from zhixiao.metrics.evaluate import Result, evaluate
from zhixiao.store.schema import CATEGORIES

# 非诉保全审查 is category 09 of the 案号 standard (财保, 行保, 证保; REFERENCE §3.2); 执行 is category 10.
TRACKS: dict[str, tuple[str, ...]] = {
    "审判": tuple(c for c in CATEGORIES if c not in ("enforcement", "preservation")),
    "执行": ("enforcement",),
    "非诉保全": ("preservation",),
}
FLOW = ("new_cases", "carried_over", "received", "closed", "pending")
TOTAL = "合计"


def flow_by_track(engine, start: date, end: date, *, profile: str = "court-classic", by: Sequence[str] = (),
                  compare: str | None = None, filters: dict | None = None, as_of: date | None = None,
                  data_dir=None) -> dict[str, Result]:
    """{"审判" | "执行" | "非诉保全": the 收结存 rows (新收, 旧存, 受理, 结案, 未结) of that track}, grouped by ``by``."""
    if filters and "category" in filters:
        raise ValueError("flow_by_track splits by category itself; filter by another column")
    out = {}
    for track, categories in TRACKS.items():
        out[track] = evaluate(engine, profile, start, end, by=by, compare=compare, as_of=as_of, data_dir=data_dir,
                              filters={**(filters or {}), "category": list(categories)}, indicators=list(FLOW))
    return out


def flow_table(tracks: dict[str, Result]) -> list[dict]:
    """The rows of a 收结存 table: per group (in the order first seen), one row per track and a 合计 row —
    {"track", **group, 新收…未结 (FLOW ids), "closure_rate"}. A group a track has no cases in shows zeros, so
    every group has all three tracks; 合计 is the sum of the tracks (they partition the cases by category), and
    结案率 = 结案 ÷ 受理 (court-classic closure_rate: 结案数 ÷ (旧存 + 新收), REFERENCE §4)."""
    groups: dict[tuple, dict] = {}
    cells: dict[tuple, dict[str, dict]] = {}
    for track, res in tracks.items():
        for r in res.rows:
            if r.indicator not in FLOW:
                continue
            key = tuple(sorted(r.group.items()))
            groups.setdefault(key, dict(r.group))
            cells.setdefault(key, {}).setdefault(track, {})[r.indicator] = r.value or 0
    out = []
    for key, group in groups.items():
        total = dict.fromkeys(FLOW, 0)
        for track in tracks:
            vals = {i: cells[key].get(track, {}).get(i, 0) for i in FLOW}
            out.append({"track": track, **group, **vals, "closure_rate": _rate(vals)})
            for i in FLOW:
                total[i] += vals[i]
        out.append({"track": TOTAL, **group, **total, "closure_rate": _rate(total)})
    return out


def _rate(vals: dict) -> float | None:
    return vals["closed"] / vals["received"] if vals["received"] else None
