"""One evaluator for the rule catalogues (triage, team routing, topic ledgers, integrity).

A rule's ``when`` table is a conjunction of conditions over one case (a dict with the canonical
``cases`` columns). ``explain`` returns the Chinese reason when every condition holds, else None, so
every decision built from rules can say why. Pure: no I/O, no imports of ours.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

PARTY_SEP = re.compile(r"[；;、，,]\s*")
TAG_NAMES = {
    "foreign_related": "涉外", "ftz": "自贸区", "detained": "被告人在押", "petition": "信访", "small_claim": "小额",
    "涉企": "涉企", "agency_corrected": "行政机关自行纠正", "no_property": "无财产可供执行",
}
PROCEDURE_NAMES = {
    "civil_ordinary": "民事普通程序", "civil_simplified": "民事简易程序", "civil_small_claims": "小额诉讼程序",
    "civil_special": "特别程序", "civil_second_judgment": "民事二审", "criminal_public": "刑事公诉",
    "criminal_simplified": "刑事简易程序", "criminal_speedy": "刑事速裁程序", "admin_first": "行政一审",
    "admin_simplified": "行政简易程序", "enforcement": "执行实施",
}
KNOWN = {"cause_matches", "keywords_any", "party_keywords_any", "tags_any", "tags_none", "procedure_in",
         "category_in", "type_code_in", "claim_amount_min", "claim_amount_max", "parties_min", "foreign_party",
         "related_case", "closing_method_in", "cause_not_matches"}

FOREIGN_PATTERNS = (r"[A-Za-z]{3,}", "香港", "澳门", "台湾", "株式会社", "（外资）", "境外")


def parties_of(case: dict) -> list[str]:
    return [p for p in PARTY_SEP.split(case.get("parties") or "") if p.strip()]


def foreign_parties(case: dict, patterns: tuple[str, ...] | list[str] = FOREIGN_PATTERNS) -> list[str]:
    return [p for p in parties_of(case) if any(re.search(pat, p) for pat in patterns)]


def _wan(x: Any) -> str:
    v = float(x) / 10000
    return f"{v:,.0f}万元" if v >= 10 else f"{v:,.2f}".rstrip("0").rstrip(".") + "万元"


def _amount(case: dict) -> float | None:
    v = case.get("claim_amount")
    return float(v) if isinstance(v, (int, float, Decimal)) else None


@lru_cache(maxsize=65536)
def _found(patterns: tuple[str, ...], text: str) -> bool:
    """Whether any of ``patterns`` is found in ``text``. Remembered: a city's cases share a few hundred 案由, and
    searching each case's 案由 afresh was most of a 民生小案 or topic ledger's time."""
    return any(re.search(p, text) for p in patterns)


def _one(key: str, arg: Any, case: dict, foreign_patterns) -> str | None:
    cause = case.get("cause") or ""
    tags = list(case.get("tags") or [])
    if key == "cause_matches":
        return f"案由为{cause}" if _found(tuple(arg), cause) else None
    if key == "cause_not_matches":
        return None if _found(tuple(arg), cause) else f"案由{cause or '（空）'}不属{'、'.join(arg)}"
    if key in ("keywords_any", "party_keywords_any"):
        text = case.get("parties") or ""
        if key == "keywords_any":
            text = f"{cause} {text} {case.get('keywords') or ''}"
        hit = next((k for k in arg if k in text), None)
        return f"当事人或案情含“{hit}”" if hit else None
    if key == "tags_any":
        hit = next((t for t in arg if t in tags), None)
        return f"标记为{TAG_NAMES.get(hit, hit)}" if hit else None
    if key == "tags_none":
        return None if any(t in tags for t in arg) else "无" + "、".join(TAG_NAMES.get(t, t) for t in arg) + "标记"
    if key in ("procedure_in", "category_in", "type_code_in", "closing_method_in"):
        col = {"procedure_in": "procedure", "category_in": "category", "type_code_in": "type_code",
               "closing_method_in": "closing_method"}[key]
        v = case.get(col)
        if v not in arg:
            return None
        label = {"procedure": "程序为", "category": "类别为", "type_code": "类型为", "closing_method": "结案方式为"}[col]
        return label + PROCEDURE_NAMES.get(v, v)
    if key == "claim_amount_min":
        a = _amount(case)
        return f"标的额{_wan(a)} ≥ {_wan(arg)}" if a is not None and a >= arg else None
    if key == "claim_amount_max":
        a = _amount(case)
        return f"标的额{_wan(a)} < {_wan(arg)}" if a is not None and a < arg else None
    if key == "parties_min":
        n = len(parties_of(case))
        return f"当事人{n}方 ≥ {arg}方" if n >= arg else None
    if key == "foreign_party":
        fp = foreign_parties(case, foreign_patterns)
        is_foreign = bool(fp) or "foreign_related" in tags
        if is_foreign != bool(arg):
            return None
        if not arg:
            return "无境外当事人"
        return f"当事人{fp[0]}为境外主体" if fp else "标记为涉外"
    if key == "related_case":
        has = bool(case.get("origin_case_id")) or bool(case.get("related_cases"))
        if has != bool(arg):
            return None
        return f"有关联案件{case.get('origin_case_id') or case.get('related_cases')}" if arg else "无关联案件"
    raise ValueError(f"规则条件“{key}”无法识别，可用条件：{'、'.join(sorted(KNOWN))}")


def explain(when: dict, case: dict, foreign_patterns=FOREIGN_PATTERNS) -> str | None:
    """The reason (conditions joined by “且”) when all conditions of ``when`` hold, else None."""
    reasons = []
    for key, arg in when.items():
        r = _one(key, arg, case, foreign_patterns)
        if r is None:
            return None
        reasons.append(r)
    return "且".join(reasons)


def validate(rules: list[dict], where: str) -> None:
    """Reject unknown condition names early, with the rule named."""
    for r in rules:
        bad = set(r.get("when", {})) - KNOWN
        if bad:
            raise ValueError(f"{where} 中规则“{r.get('name', '?')}”含未知条件 {'、'.join(sorted(bad))}")
