"""Case-type registry (类型代字 → category, stage, default procedure), read from package data.

The SPC standard is data (``zhixiao/data/case_types.toml``) so that later additions are a TOML edit,
not a code change. Loaded once, lazily; lookups are dict hits.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

CATEGORIES = ("civil", "criminal", "administrative", "enforcement", "compensation", "bankruptcy",
              "preservation", "mediation", "other")
STAGES = ("first", "second", "retrial_review", "retrial", "enforcement", "enforcement_review", "special", "other")


@dataclass(frozen=True, slots=True)
class CaseType:
    code: str                 # 类型代字, e.g. 民初
    name: str                 # 中文名称
    spc_category: str | None  # SPC 大类 "01".."11", "9901"; None where not confirmed
    category: str             # DESIGN.md category vocabulary
    stage: str                # DESIGN.md stage vocabulary
    default_procedure: str    # DESIGN.md procedure code
    stats_excluded: bool = False
    source: str | None = None


@cache
def _load() -> tuple[dict[str, CaseType], dict[str, str]]:
    raw = tomllib.loads(resources.files("zhixiao.data").joinpath("case_types.toml").read_text("utf-8"))
    types: dict[str, CaseType] = {}
    for code, d in raw["types"].items():
        ct = CaseType(code=code, name=d["name"], spc_category=d.get("spc_category"), category=d["category"],
                      stage=d["stage"], default_procedure=d["default_procedure"],
                      stats_excluded=bool(d.get("stats_excluded", False)), source=d.get("source"))
        if ct.category not in CATEGORIES or ct.stage not in STAGES:
            raise ValueError(f"case_types.toml: {code} has unknown category/stage {ct.category}/{ct.stage}")
        types[code] = ct
    return types, dict(raw.get("specialized", {}))


def get(code: str) -> CaseType | None:
    """The registry entry for a 类型代字 (without 专门审判代字), or None."""
    return _load()[0].get(code)


def all_types() -> list[CaseType]:
    return list(_load()[0].values())


def codes() -> frozenset[str]:
    return frozenset(_load()[0])


def excluded_codes() -> frozenset[str]:
    """Codes left out of workload / 结案率 statistics (诉前调确, 诉前调书, 执保, 执恢)."""
    return frozenset(c for c, t in _load()[0].items() if t.stats_excluded)


def specialized_codes() -> dict[str, str]:
    """专门审判代字 → meaning (法〔2018〕335号), e.g. {"知": "知识产权"}."""
    return dict(_load()[1])
