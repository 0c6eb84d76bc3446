"""The rule conditions (``rules.explain``) as column predicates, to select a ledger's candidates in the engine.

``prefilter`` gives a predicate every case ``explain`` accepts satisfies (a superset, never a subset): the engine
returns only those rows, and ``explain`` — the one evaluator, which writes the reason — still judges each of
them. A condition with no column translation here (``parties_min``, ``foreign_party``, ``related_case``, a
regular expression) does not narrow; an alternative with none narrows nothing. Reading a city's 3.5M received
cases into Python to reject most of them was the 民生小案 and topic ledgers' time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

from zhixiao.store.schema import TABLES

# the columns each condition reads (``rules._one``): a caller fetching fewer columns must fetch these
COLUMNS = {
    "cause_matches": ("cause",), "cause_not_matches": ("cause",), "keywords_any": ("cause", "parties"),
    "party_keywords_any": ("parties",), "tags_any": ("tags",), "tags_none": ("tags",),
    "procedure_in": ("procedure",), "category_in": ("category",), "type_code_in": ("type_code",),
    "closing_method_in": ("closing_method",), "claim_amount_min": ("claim_amount",),
    "claim_amount_max": ("claim_amount",), "parties_min": ("parties",), "foreign_party": ("parties", "tags"),
    "related_case": ("origin_case_id",),
}
IN_COLUMNS = {"procedure_in": "procedure", "category_in": "category", "type_code_in": "type_code",
              "closing_method_in": "closing_method"}

Predicate = Callable[[ir.Table], ir.BooleanValue]


def columns(alternatives: list[dict]) -> set[str]:
    """The columns the conditions of ``alternatives`` read."""
    return {c for when in alternatives for key in when for c in COLUMNS.get(key, ())}


def _literal(p: Any) -> bool:
    # a pattern without regular-expression syntax searches as a substring in both engines; re.escape leaves
    # such a pattern unchanged (it escapes the syntax characters and the space)
    return isinstance(p, str) and p != "" and re.escape(p) == p


def _any_contains(col: ir.StringValue, words: list[str]) -> ir.BooleanValue:
    return ibis.or_(*(col.contains(w) for w in words))


def slack(amount: float) -> float:
    """Room for comparing a DECIMAL amount in the engine where ``explain`` compares its float: less than a fen,
    more than either conversion can round, so every amount ``explain`` accepts is kept."""
    return max(0.005, abs(float(amount)) * 1e-9)


def condition(key: str, arg: Any, t: ir.Table) -> ir.BooleanValue | None:
    """The predicate one condition implies, or None when it is not translated. Null columns read as
    ``explain`` reads them: a missing 案由 or 当事人 as "", missing tags as none, a missing amount as failing."""
    if key == "cause_matches":
        return _any_contains(t.cause, list(arg)) if arg and all(_literal(p) for p in arg) else None
    if key == "cause_not_matches":
        # not found among all patterns implies not found among the literal ones
        lit = [p for p in arg if _literal(p)]
        return t.cause.isnull() | ~_any_contains(t.cause, lit) if lit else None
    if key in ("keywords_any", "party_keywords_any"):
        # explain searches "案由 当事人 " (keywords_any) joined by spaces: a word with a space could span two
        # fields, and the empty word is found everywhere
        if not arg or any(not isinstance(k, str) or k == "" or " " in k for k in arg):
            return None
        hit = _any_contains(t.parties, list(arg))
        return (hit | _any_contains(t.cause, list(arg))) if key == "keywords_any" else hit
    if key == "tags_any":
        return ibis.or_(*(t.tags.contains(x) for x in arg)) if arg else None
    if key == "tags_none":
        return t.tags.isnull() | ~ibis.or_(*(t.tags.contains(x) for x in arg)) if arg else None
    if key in IN_COLUMNS:
        if not isinstance(arg, (list, tuple)):  # explain's ``in`` on a string is a substring test
            return None
        values = [v for v in arg if v is not None]
        return t[IN_COLUMNS[key]].isin(values) if len(values) == len(arg) and values else None
    if key == "claim_amount_min":
        return t.claim_amount >= float(arg) - slack(arg)
    if key == "claim_amount_max":
        return t.claim_amount <= float(arg) + slack(arg)
    return None


def when_predicate(when: dict, t: ir.Table) -> ir.BooleanValue | None:
    """The conjunction of the translated conditions of one rule, or None when none is translated."""
    parts = [p for key, arg in when.items() if (p := condition(key, arg, t)) is not None]
    return ibis.and_(*parts) if parts else None


def prefilter(alternatives: list[dict]) -> Predicate | None:
    """A predicate builder for "any of ``alternatives`` holds", or None when some alternative does not narrow."""
    probe = ibis.table(ibis.Schema.from_pyarrow(TABLES["cases"]), name="cases")
    if not alternatives or any(when_predicate(w, probe) is None for w in alternatives):
        return None

    def build(t: ir.Table) -> ir.BooleanValue:
        # a null here is a condition failing on a missing value, as in explain (``condition`` reads nulls so)
        return ibis.or_(*(when_predicate(w, t) for w in alternatives)).fill_null(False)

    return build
