"""Compile catalogue specs (base set + conditions + exclusions) into ibis boolean and aggregate expressions.

Kept engine-neutral on purpose: only comparisons, ``isin``, ``delta(unit="day")`` and filtered reductions,
which compile the same on DuckDB and PySpark. Month arithmetic is done in Python on literal dates.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis

from zhixiao.store.schema import LINE_OF_CATEGORY

DEADLINE_PREFIX = "deadline."
MEASURES = ("duration_days", "age_days", "transfer_days")
# Columns made from others before counting, for specs that name them. dispute_key: the dispute a case belongs
# to — its 纠纷编号, or the case itself when it has none (a case without a number is one dispute of its own).
DERIVED = {"dispute_key": lambda t: ibis.coalesce(t.dispute_id, t.case_id)}
PEOPLE_SETS = {"judges"}


def add_months(d: date, months: int) -> date:
    """Calendar month arithmetic, clamped to month end (2024-02-29 − 12 months = 2023-02-28)."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def categories_of_line(line: str) -> list[str]:
    return sorted(c for c, ln in LINE_OF_CATEGORY.items() if ln == line)


def line_expr(t: ibis.Table) -> ibis.Value:
    """条线 of a case from its category (store.schema.LINE_OF_CATEGORY)."""
    return ibis.cases(*[(t.category == c, ln) for c, ln in LINE_OF_CATEGORY.items()], else_=None)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    as_of: date  # the date 'pending' and ages refer to

    def shifted_years(self, years: int) -> Period:
        return Period(add_months(self.start, 12 * years), add_months(self.end, 12 * years),
                      add_months(self.as_of, 12 * years))


def spec_key(spec: dict, line: str, exclusions: tuple[str, ...]) -> str:
    """Identity of an aggregate, so indicators sharing e.g. 'closed' compute it once."""
    return json.dumps({"s": spec, "l": line, "x": sorted(exclusions)}, sort_keys=True, ensure_ascii=False,
                      default=str)


def with_derived(t: ibis.Table, specs: list[dict]) -> ibis.Table:
    """``t`` with the ``DERIVED`` columns the specs name (as a column, a sum or a distinct count)."""
    text = json.dumps(specs, ensure_ascii=False, default=str)
    wanted = {name: make(t) for name, make in DERIVED.items() if f'"{name}"' in text and name not in t.columns}
    return t.mutate(**wanted) if wanted else t


def needs_deadlines(spec: dict) -> bool:
    return DEADLINE_PREFIX in json.dumps(spec, default=str)


def needs_suspension(spec: dict) -> bool:
    return '"suspended"' in json.dumps(spec, default=str)


def _lit(v: Any) -> Any:
    return ibis.literal(v) if isinstance(v, date) else v


def period_date(p: Period, role: str, months: int = 0) -> date:
    """A date a condition compares with: the period's ``role`` (start, end, as_of), ``months`` calendar months
    earlier (超N个月: as_of − N months)."""
    d = getattr(p, role)
    return add_months(d, -months) if months else d


# While a kept statement is built (metrics.statements), the period dates are made by this hook — stand-ins the
# statement binds as parameters, so one compile serves every period of the same shape; otherwise literals.
PERIOD_DATES: ContextVar[Callable[[Period, str, int], ibis.Value] | None] = ContextVar("period_dates", default=None)


class Compiler:
    """Builds conditions over one table for one period."""

    def __init__(self, t: ibis.Table, period: Period, table: str = "cases"):
        self.t, self.p, self.table = t, period, table
        self._memo: dict[str, ibis.Value] = {}  # part key → expression, built once per Compiler

    @staticmethod
    def cond_key(table: str, c: dict, tag: str = "") -> str:
        """The atom key of one condition of a spec's ``where``; an age against the as-of date is keyed with
        the period's ``tag`` as well."""
        key = json.dumps(c, sort_keys=True, ensure_ascii=False, default=str)
        if "older_than_months" in key or "age_days" in key:
            key = f"{tag}|{key}"
        return f"{table}|{key}"

    def preset(self, exprs: dict[str, ibis.Value]) -> None:
        """Use these expressions for these atom keys (a pre-aggregate's flag columns)."""
        self._memo.update(exprs)

    def _once(self, key: str, make) -> tuple[str, ibis.Value]:
        if key not in self._memo:
            self._memo[key] = make()
        return key, self._memo[key]

    def dated(self, role: str, months: int = 0) -> ibis.Value:
        """``period_date`` of this period as a literal, or as the kept statement's stand-in (``PERIOD_DATES``)."""
        hook = PERIOD_DATES.get()
        return ibis.literal(period_date(self.p, role, months)) if hook is None else hook(self.p, role, months)

    def column(self, name: str) -> ibis.Value:
        t = self.t
        if name == "duration_days":
            return t.closing_date.delta(t.filing_date, unit="day")
        if name == "age_days":
            return self.dated("as_of").delta(t.filing_date, unit="day")
        if name == "transfer_days":
            return t.transfer_date.delta(t.appeal_date, unit="day")
        if name == "line":
            return line_expr(t)
        if name.startswith(DEADLINE_PREFIX):
            return t["dl_" + name[len(DEADLINE_PREFIX):]]
        if name == "suspended":
            return t["_suspended"]
        return t[name]

    def base(self, name: str) -> ibis.Value:
        t = self.t
        s, e, a = self.dated("start"), self.dated("end"), self.dated("as_of")
        if name == "cases":
            return ibis.literal(True)
        if name == "new_cases":
            return t.filing_date.between(s, e)
        if name == "carried_over":
            return (t.filing_date < s) & (t.closing_date.isnull() | (t.closing_date >= s))
        if name == "received":
            return (t.filing_date <= e) & (t.closing_date.isnull() | (t.closing_date >= s))
        if name == "closed":
            return t.closing_date.between(s, e)
        if name == "pending_end":
            return (t.filing_date <= a) & (t.closing_date.isnull() | (t.closing_date > a))
        if name == "appealed":
            return t.appeal_date.between(s, e)
        if name == "transferred":
            return t.transfer_date.between(s, e)
        if name == "judges":
            return (t.active_from.isnull() | (t.active_from <= e)) & (t.active_to.isnull() | (t.active_to >= s))
        raise ValueError(name)

    def cond(self, c: dict) -> ibis.Value:
        if "any" in c:
            parts = [self.cond(x).fill_null(False) for x in c["any"]]
            out = parts[0]
            for x in parts[1:]:
                out = out | x
            return out
        if "not" in c:  # NOT (all of them): a null counts as not holding, so the row is kept
            out = ibis.literal(True)
            for x in c["not"]:
                out = out & self.cond(x).fill_null(False)
            return ~out
        col = self.column(c["col"])
        op, v = next((k, v) for k, v in c.items() if k != "col")
        if op == "eq":
            return col == _lit(v)
        if op == "ne":
            return col != _lit(v)
        if op == "in":
            return col.isin([_lit(x) for x in v])
        if op == "not_in":
            return col.notin([_lit(x) for x in v])
        if op == "is_null":
            return col.isnull() if v else col.notnull()
        if op == "contains":
            return col.contains(v)
        if op == "older_than_months":  # 超N个月: filed before as_of − N months
            return col < self.dated("as_of", int(v))
        return {"lt": col.__lt__, "le": col.__le__, "gt": col.__gt__, "ge": col.__ge__}[op](_lit(v))

    def atoms(self, spec: dict, line: str = "all", exclusion_rules: dict[str, list] | None = None,
              ) -> list[tuple[str, ibis.Value]]:
        """The ANDed parts of a spec's row condition, each with a key that is equal for equal parts, so a
        scan can compute each part once per row however many indicators share it."""
        tag = f"{self.table}|{self.p.start}|{self.p.end}|{self.p.as_of}"
        out = [self._once(f"{tag}|set:{spec['set']}", lambda: self.base(spec["set"]))]
        if line != "all" and self.table == "cases":
            out.append(self._once(f"line:{line}", lambda: self.t.category.isin(categories_of_line(line))))
        for c in spec.get("where", []):
            out.append(self._once(self.cond_key(self.table, c, tag), lambda c=c: self.cond(c)))
        if self.table == "cases" and exclusion_rules:
            def keep() -> ibis.Value:
                out = ibis.literal(True)
                for rule in exclusion_rules.values():
                    hit = ibis.literal(True)
                    for c in rule:  # an exclusion's conditions are ANDed, like a spec's
                        hit = hit & self.cond(c).fill_null(False)
                    out = out & ~hit
                return out
            out.append(self._once("excl:" + "|".join(sorted(exclusion_rules)), keep))
        return out

    def where(self, spec: dict, line: str = "all", exclusion_rules: dict[str, list] | None = None) -> ibis.Value:
        out = ibis.literal(True)
        for _key, expr in self.atoms(spec, line, exclusion_rules):
            out = out & expr
        return out

    def value_column(self, spec: dict) -> tuple[str, ibis.Value] | None:
        """What a ``sum`` spec adds up, with a key (period-dependent for ages)."""
        if "sum" not in spec:
            return None
        return self.value_key(spec), self.column(spec["sum"])

    def value_key(self, spec: dict) -> str:
        """Equal for the sums of equal values (ages depend on the period's as-of date)."""
        name = spec["sum"]
        return f"v|{self.p.as_of}|{name}" if name == "age_days" else f"v|{name}"

    def aggregate(self, spec: dict, line: str = "all", exclusion_rules: dict[str, list] | None = None) -> ibis.Value:
        """Count (default), ``sum`` of a column/measure, or ``distinct`` count over the spec's rows."""
        w = self.where(spec, line, exclusion_rules)
        if "sum" in spec:
            return self.column(spec["sum"]).sum(where=w)
        if "distinct" in spec:
            return self.column(spec["distinct"]).nunique(where=w)
        key = "judge_id" if self.table == "people" else "case_id"
        return self.t[key].count(where=w)
