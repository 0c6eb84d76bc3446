"""The 短板 list as the dashboard shows it: heaviest first, one compact line each (tags for the reasons, the
full sentences in a tooltip). Ordering a court's own weak indicators is not ranking courts (SPC 2024-09 forbids
排名排序 of courts, REFERENCE §1.1); it puts what matters most at the top."""

from __future__ import annotations

from typing import Any

# How much each reason weighs: outside the 合理区间 is what the 2024 system judges (在区间范围内即为达标,
# REFERENCE §1.1); behind the city average next; behind the peers' average or worse than last year least.
REASON_WEIGHT = {"out_of_range": 3, "worse_than_city": 2, "worse_than_peers": 1, "worsening": 1}
REASON_TAG = {"out_of_range": "偏离区间", "worse_than_city": "劣于全市平均", "worse_than_peers": "劣于同类法院",
              "worsening": "同比趋劣"}


def _get(o: Any, key: str) -> Any:
    return o.get(key) if isinstance(o, dict) else getattr(o, key)


def weight(w: Any) -> tuple[int, float]:
    """(sum of the reasons' weights, how far outside its range relative to the bound): the sort key."""
    total, gap = 0, 0.0
    value = _get(w, "value")
    for r in _get(w, "reasons"):
        kind, ref = _get(r, "kind"), _get(r, "reference")
        total += REASON_WEIGHT.get(kind, 1)
        if kind == "out_of_range" and ref and value is not None:
            gap = abs(value - ref) / abs(ref)
    return total, gap


def ordered(weak: list) -> list[dict]:
    """[{w, weight, tags: [(tag, full text)]}] heaviest first (ties keep the analysis' order)."""
    rows = [{"w": w, "weight": weight(w), "tags": [(REASON_TAG.get(_get(r, "kind"), _get(r, "kind")), _get(r, "text"))
                                                   for r in _get(w, "reasons")]} for w in weak]
    return sorted(rows, key=lambda r: (-r["weight"][0], -r["weight"][1]))
