"""Kept statements: a dashboard question compiled to DuckDB SQL once per shape, its filter values bound as parameters.

Building and compiling an ibis expression costs a page question far more than DuckDB's run of it over a small
table (the indicator cube) or one court's cases. Questions that differ only in the scope they filter on (every
court, division and judge) have the same SQL up to those values: the question is built over a stand-in table,
compiled once, and the stand-in replaced by ``SELECT * FROM <table> WHERE col = $1 AND col IN ($2, $3) …``; each
asker binds its own values. The period's dates are parameters too: while a statement is built, ``Compiler`` makes
each (period, role) date a stand-in literal (``filters.PERIOD_DATES``), which the compiled SQL replaces by a
parameter, so one compile serves every period of the same shape (its key names the shape, ``period_shape``). Results are converted as ibis converts the same expression's (``Backend.to_pyarrow``,
``Backend.execute``), so a kept statement's answer equals the expression's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.operations as ops
import pandas as pd
import pyarrow as pa
import pyarrow.types as pat
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.duckdb.converter import DuckDBPandasData
from ibis.formats.pandas import PandasData

from zhixiao.metrics.filters import PERIOD_DATES, Period, period_date

STAND_IN = "_zx_rows"  # the table a kept statement is compiled over; the filtered table takes its place
KEPT = 512  # statements kept (a few per page kind and period shape, each up to some tens of kB of SQL)
# The stand-in dates of a statement being built: the k-th (period, role) is FIRST + k days, all in FIRST's year
# (a 24-month series with 同比 has some 200). No period of court data is near the year 1066, and compile_over
# checks that no stand-in is left in the SQL it keeps.
FIRST = date(1066, 1, 1)
STAND_INS = 365


@dataclass(frozen=True)
class Statement:
    """DuckDB SQL with numbered parameters — the filter values (``values``' order), then the period dates
    (``dates``: (period index, role, months) each, see ``period_date``) — and the expression's result schema."""

    sql: str
    schema: ibis.Schema
    names: tuple[str, ...] = ()  # what the caller needs besides (e.g. the aggregates' names)
    dates: tuple[tuple[int, str, int], ...] = ()

    def params(self, filters: Sequence[dict | None], periods: Sequence[Period] = ()) -> list:
        """The values to bind: the filters' (``values``), then the period dates of ``periods`` (the question's,
        in the order ``kept`` was given them)."""
        return values(filters) + [period_date(periods[i], role, months) for i, role, months in self.dates]


def period_shape(periods: Sequence[Period]) -> tuple[int, ...]:
    """What a statement built over ``periods`` depends on besides their dates: which of them are equal (the
    compiler shares the parts of equal periods), as each one's first equal's index."""
    return tuple(periods.index(p) for p in periods)


class _StandIns:
    """``PERIOD_DATES`` while a statement is built: each (period index, role, months) its own stand-in date."""

    def __init__(self, periods: Sequence[Period]):
        self.periods = list(periods)
        self.roles: list[tuple[int, str, int]] = []

    def __call__(self, p: Period, role: str, months: int) -> ibis.Value:
        if p not in self.periods:
            raise AssertionError(f"kept statement: a compiler's period {p} is not one of the question's")
        r = (self.periods.index(p), role, months)
        if r not in self.roles:
            if len(self.roles) == STAND_INS:
                raise AssertionError(f"kept statement: more than {STAND_INS} period dates")
            self.roles.append(r)
        return ibis.literal(FIRST + timedelta(days=self.roles.index(r)))


def keepable(table: ibis.Table, filters: Sequence[dict | None], *joined: ibis.Table) -> bool:
    """A question can be kept on DuckDB when every filter is on a column of the table filtered and every table it
    reads is one the connection names (its SQL names them; the data is the asking connection's own)."""
    if ibis.get_backend(table).name != "duckdb" or not all(named(t) for t in (table, *joined)):
        return False
    cols = set(table.columns)
    return all(set(f or {}) <= cols for f in filters)


def named(t: ibis.Table) -> str | None:
    """The name (with its schema, as the SQL names it) the connection knows ``t`` by; None for a computed
    expression."""
    op = t.op()
    return f"{getattr(op, 'namespace', '')}|{op.name}" if isinstance(op, ops.PhysicalTable) else None


def shape(filters: Sequence[dict | None]) -> tuple:
    """The filters' conditions as ``grouping.apply_filters`` compiles them: a list → IN (its length, none: no row),
    None → IS NULL, else =; ANDed, each dict in order, columns sorted."""
    return tuple(tuple((col, len(v) if isinstance(v, (list, tuple, set)) else "null" if v is None else "eq")
                       for col, v in sorted((f or {}).items())) for f in filters)


def values(filters: Sequence[dict | None]) -> list:
    """The parameters of ``shape``'s conditions, in its order."""
    out: list = []
    for f in filters:
        for _col, v in sorted((f or {}).items()):
            if isinstance(v, (list, tuple, set)):
                out += list(v)
            elif v is not None:
                out.append(v)
    return out


def _param(n: list[int]) -> sge.Expression:
    """The next numbered parameter ($1, $2 …): numbered, so the dates can follow the filters' values wherever
    they stand in the SQL."""
    n[0] += 1
    return sge.Parameter(this=sge.Literal.number(n[0]))


def _cond(col: str, how: Any, n: list[int]) -> sge.Expression:
    c = sg.column(col, quoted=True)
    if how == "null":
        return c.is_(sge.null())
    if how == "eq":
        return c.eq(_param(n))
    return c.isin(*[_param(n) for _ in range(how)]) if how else sge.false()


def _stand_in_date(node: sge.Expression) -> date | None:
    """The date of a ``MAKE_DATE(y, m, d)`` of literals (how ibis writes a date literal for DuckDB), else None."""
    if not isinstance(node, sge.DateFromParts):
        return None
    parts = [node.args.get(k) for k in ("year", "month", "day")]
    if not all(isinstance(x, sge.Literal) and not x.is_string for x in parts):
        return None
    return date(*(int(x.this) for x in parts))


def compile_over(table: ibis.Table, q: ibis.Table, shaped: tuple, names: Sequence[str] = ()) -> Statement:
    """``q``, built over ``stand_in(table)``, compiled with the stand-in replaced by ``table`` filtered by ``shaped``
    and (inside ``kept`` with periods) each stand-in date by a parameter."""
    backend = ibis.get_backend(table)
    rows = sg.select("*").from_(sg.table(table.get_name(), quoted=True))
    n = [0]
    conds = [_cond(col, how, n) for part in shaped for col, how in part]
    if conds:
        rows = rows.where(sge.and_(*conds))
    hook = PERIOD_DATES.get()
    roles = hook.roles if isinstance(hook, _StandIns) else []
    number: dict[int, int] = {}  # stand-in k → its parameter's number
    dates: list[tuple[int, str, int]] = []

    def swap(node: sge.Expression) -> sge.Expression:
        if isinstance(node, sge.Table) and node.name == STAND_IN:
            return rows.subquery(node.alias or None)
        d = _stand_in_date(node) if roles else None
        if d is not None and 0 <= (k := (d - FIRST).days) < len(roles):
            if k not in number:
                number[k] = n[0] + len(number) + 1
                dates.append(roles[k])
            return sge.Cast(this=sge.Parameter(this=sge.Literal.number(number[k])), to=sge.DataType.build("DATE"))
        return node

    tree = backend.compiler.to_sqlglot(q).transform(swap)
    sql = tree.sql(dialect=backend.dialect)
    # a stand-in written some other way (not swapped) would answer every period with its date
    if roles and (f"{FIRST.year}-" in sql or f"MAKE_DATE({FIRST.year}" in sql):
        raise AssertionError("kept statement: a period's stand-in date is left in the SQL")
    return Statement(sql, q.schema(), tuple(names), tuple(dates))


def stand_in(table: ibis.Table) -> ibis.Table:
    """An unbound table of ``table``'s columns that a kept statement is built over."""
    return ibis.table(table.schema(), name=STAND_IN)


_LOCK = threading.Lock()
_KEPT: OrderedDict[Hashable, Statement] = OrderedDict()


def kept(key: Hashable, make: Callable[[], Statement], periods: Sequence[Period] = ()) -> Statement:
    """The statement kept under ``key``, made first if there is none (two askers of a new one may both make it:
    the same text, kept once). ``periods``: the question's; while ``make`` builds it their dates are stand-ins that
    become parameters (``Statement.params`` binds an asker's), so ``key`` names them by ``period_shape`` only."""
    with _LOCK:
        st = _KEPT.get(key)
        if st is not None:
            _KEPT.move_to_end(key)
            return st
    token = PERIOD_DATES.set(_StandIns(periods)) if periods else None
    try:
        st = make()
    finally:
        if token is not None:
            PERIOD_DATES.reset(token)
    with _LOCK:
        _KEPT[key] = st
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return st


def arrow(table: ibis.Table, st: Statement, params: list) -> pa.Table:
    """The statement's rows on ``table``'s connection; DuckDB sums integers as HUGEINT, cast back to the
    expression's types as ibis's ``to_pyarrow`` does."""
    got = ibis.get_backend(table).con.sql(st.sql, params=params).to_arrow_table()
    return got.cast(st.schema.to_pyarrow())


def frame(table: ibis.Table, st: Statement, params: list) -> pd.DataFrame:
    """The statement's rows as ibis's DuckDB ``execute`` returns the expression's: columns with nulls or nested
    values as Python objects, then the backend's and the table expression's pandas conversions."""
    got = ibis.get_backend(table).con.sql(st.sql, params=params).to_arrow_table()
    df = pd.DataFrame({name: col.to_pylist() if (pat.is_nested(col.type) or pat.is_dictionary(col.type)
                                                 or col.null_count) else col.to_pandas()
                       for name, col in zip(got.column_names, got.columns, strict=True)})
    return PandasData.convert_table(DuckDBPandasData.convert_table(df, st.schema), st.schema)
