"""Like with like: the courts a court is compared with, and their pooled figures.

A basic court's figures are compared with the basic courts of the city, never with a pool that holds the
intermediate court: a 中院 hears appeals and 再审, so its 发改率, 审理天数 or 人均结案数 measure other work
(法〔2015〕137号 代字 levels, ``zhixiao.domain.courts``). Each court level stands apart, and every reference
figure carries the list of courts it contains.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from zhixiao.domain import courts
from zhixiao.metrics.catalogue import Indicator
from zhixiao.metrics.evaluate import compute_value

LEVEL_NAMES = {"basic": "基层法院", "intermediate": "中级法院", "high": "高级法院", "special": "专门法院",
               "supreme": "最高人民法院", "unknown": "代字无法识别的法院"}


def level_of(code: str) -> str:
    """basic | intermediate | high | special | supreme; "unknown" for a code that is not a 法院代字 (such a
    court is compared with no other)."""
    try:
        return courts.court(code).level
    except ValueError:
        return "unknown"


@dataclass(frozen=True)
class PeerGroup:
    """The courts of one level in the data: ``courts`` includes the court itself, ``others`` does not."""

    court_code: str
    level: str
    courts: tuple[str, ...]
    apart: tuple[str, ...]  # courts of other levels in the data, kept out of every average

    @property
    def others(self) -> tuple[str, ...]:
        return tuple(c for c in self.courts if c != self.court_code)

    @property
    def label(self) -> str:
        """"全市基层法院" — the pool of every court of this level."""
        return f"全市{LEVEL_NAMES[self.level]}"

    @property
    def peer_label(self) -> str:
        """"其他基层法院" — the other courts of this level, whose values are averaged."""
        return f"其他{LEVEL_NAMES[self.level]}"

    def comparable(self) -> bool:
        """A pool of the court alone compares it with itself: no comparison."""
        return bool(self.others)


def peer_group(court_code: str, codes: Iterable[str]) -> PeerGroup:
    """The courts among ``codes`` (those in the data) of the same level as ``court_code``."""
    codes = sorted({c for c in codes if c} | {court_code})
    level = level_of(court_code)
    same = tuple(c for c in codes if level != "unknown" and level_of(c) == level) or (court_code,)
    return PeerGroup(court_code, level, same, tuple(c for c in codes if c not in same))


def pooled(by_court_rows: Sequence, catalogue: Mapping[str, Indicator], group_courts: Sequence[str],
           evaluate_direct: Callable[[list[str], list[str]], Sequence]) -> dict[str, SimpleNamespace]:
    """Indicator id → the value of ``group_courts`` taken together (numerators and denominators summed).

    Every case and judge belongs to one court, so sums of the by-court rows are exact; an indicator that
    counts distinct values (案-件比: one dispute may reach several courts) is evaluated over the group's
    courts by ``evaluate_direct(ids, courts)`` instead.
    """
    members = set(group_courts)
    ids = sorted({r.indicator for r in by_court_rows if r.indicator in catalogue})
    additive = [i for i in ids if not any("distinct" in sp for sp in catalogue[i].specs())]
    out: dict[str, SimpleNamespace] = {}
    for i in additive:
        rs = [r for r in by_court_rows if r.indicator == i and r.group.get("court_code") in members
              and r.numerator is not None]
        if not rs:
            continue
        ind = catalogue[i]
        num = sum(r.numerator or 0 for r in rs)
        den = sum(r.denominator or 0 for r in rs) if ind.denominator else None
        out[i] = SimpleNamespace(indicator=i, value=compute_value(ind, num, den), numerator=num, denominator=den)
    rest = [i for i in ids if i not in additive]
    for r in (evaluate_direct(rest, sorted(members)) if rest else []):
        out[r.indicator] = SimpleNamespace(indicator=r.indicator, value=r.value, numerator=r.numerator,
                                           denominator=r.denominator)
    return out


def court_list(codes: Sequence[str], names: Mapping[str, str] | None = None) -> str:
    """The courts for a sentence ("正定县人民法院、…"): names where known, else codes."""
    names = names or {}
    return "、".join(names.get(c) or c for c in codes)
