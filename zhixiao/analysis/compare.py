"""同比 and 区间达标 summary: the figures and sentence parts of "N项指标处于合理区间，M项同比趋优".

``improved`` comes from the evaluator, which already respects direction (lower-better, and for range
indicators "closer to the range"); this module only counts and phrases.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from zhixiao.analysis import ranges


@dataclass
class Summary:
    total: int = 0
    with_range: list[str] = field(default_factory=list)  # indicator ids whose 合理区间 judges the period
    reference: list[str] = field(default_factory=list)  # an annual range, a shorter period: 仅供参考
    in_range: list[str] = field(default_factory=list)
    above: list[str] = field(default_factory=list)
    below: list[str] = field(default_factory=list)
    no_range: list[str] = field(default_factory=list)
    no_value: list[str] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)  # has a 同比 verdict
    improved: list[str] = field(default_factory=list)
    worsened: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("with_range", "reference", "in_range", "above", "below",
                                                      "no_range", "no_value", "compared", "improved", "worsened",
                                                      "unchanged")}

    def headline(self) -> str:
        """The customary one-liner (REFERENCE §1.2: "N项指标同比趋优", "X项指标优于合理区间")."""
        return f"{len(self.in_range)}项指标处于合理区间，{len(self.improved)}项同比趋优"

    def sentence(self) -> str:
        """A full paragraph for a briefing: headline plus which indicators are out of range or worsening."""
        parts = [f"本期共评估{self.total}项指标"]
        if self.with_range or not self.reference:
            parts[0] += f"，其中{len(self.with_range)}项设有合理区间，{len(self.in_range)}项处于合理区间"
        out = [i for i, st in self.statuses.items() if st in (ranges.ABOVE, ranges.BELOW)]  # row order
        if out:
            parts.append(f"{len(out)}项偏离区间（{self._list(out)}）")
        if self.reference:
            parts.append(f"{'另有' if self.with_range else ''}{len(self.reference)}项的合理区间为年度区间，"
                         f"本期不足一年，仅供参考（{self._list(self.reference)}）")
        if self.compared:
            s = f"同比可比{len(self.compared)}项，{len(self.improved)}项趋优"
            if self.worsened:
                s += f"、{len(self.worsened)}项趋劣（{self._list(self.worsened)}）"
            parts.append(s)
        return "，".join(parts) + "。"

    def _list(self, ids: Iterable[str]) -> str:
        return "、".join(self.names.get(i, i) for i in ids)

    def to_dict(self) -> dict:
        return {"headline": self.headline(), "sentence": self.sentence(), "counts": self.counts(),
                **{k: getattr(self, k) for k in ("in_range", "above", "below", "no_range", "reference", "improved",
                                                 "worsened")},
                "statuses": self.statuses}


def summarize(result, group: dict | None = None, reference_only: Collection[str] = frozenset()) -> Summary:
    """Summary of the rows of an evaluator Result (or an iterable of rows) matching ``group``.

    Pass an ungrouped result, or ``group={"court_code": "冀0102"}`` to pick one court out of a grouped one.
    ``reference_only``: indicator ids whose range does not judge the period (``ranges.reference_only``).
    """
    rows = getattr(result, "rows", result)
    s = Summary()
    for r in rows:
        if group and any(r.group.get(k) != v for k, v in group.items()):
            continue
        ind = r.indicator
        s.total += 1
        s.names[ind] = r.name
        st = ranges.status(r, ind not in reference_only)
        s.statuses[ind] = st
        if r.range and ind not in reference_only:
            s.with_range.append(ind)
        {ranges.IN_RANGE: s.in_range, ranges.ABOVE: s.above, ranges.BELOW: s.below, ranges.NO_RANGE: s.no_range,
         ranges.NO_VALUE: s.no_value, ranges.REFERENCE: s.reference}[st].append(ind)
        if r.improved is True:
            s.improved.append(ind)
        elif r.improved is False:
            s.worsened.append(ind)
        elif r.previous is not None and r.value is not None:
            s.unchanged.append(ind)
        if r.improved is not None or (r.previous is not None and r.value is not None):
            s.compared.append(ind)
    return s


def summarize_by_line(result, group: dict | None = None,
                      reference_only: Collection[str] = frozenset()) -> dict[str, Summary]:
    """One summary per 条线 (刑事/民事/行政/执行/all), as reports give "民事条线N项指标处于合理区间"."""
    rows = list(getattr(result, "rows", result))
    lines = sorted({r.line for r in rows if r.line}, key=str)
    return {ln: summarize([r for r in rows if r.line == ln], group, reference_only) for ln in lines}
