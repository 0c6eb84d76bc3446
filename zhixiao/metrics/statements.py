"""Kept statements: a dashboard question compiled to DuckDB SQL once per shape, its filter values bound as parameters.

Building and compiling an ibis expression costs a page question far more than DuckDB's run of it over a small
table (the indicator cube) or one court's cases. Questions that differ only in the scope they filter on (every
court, division and judge) have the same SQL up to those values: the question is built over a stand-in table,
compiled once, and the stand-in replaced by ``SELECT * FROM <table> WHERE col = ? AND col IN (?, ?) …``; each
asker binds its own values. Results are converted as ibis converts the same expression's (``Backend.to_pyarrow``,
``Backend.execute``), so a kept statement's answer equals the expression's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
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

STAND_IN = "_zx_rows"  # the table a kept statement is compiled over; the filtered table takes its place
KEPT = 512  # statements kept (a few per period and page kind, each up to some tens of kB of SQL)


@dataclass(frozen=True)
class Statement:
    """DuckDB SQL with one ``?`` per filter value (``values``' order) and the expression's result schema."""

    sql: str
    schema: ibis.Schema
    names: tuple[str, ...] = ()  # what the caller needs besides (e.g. the aggregates' names)


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


def _cond(col: str, how: Any) -> sge.Expression:
    c = sg.column(col, quoted=True)
    if how == "null":
        return c.is_(sge.null())
    if how == "eq":
        return c.eq(sge.Placeholder())
    return c.isin(*[sge.Placeholder() for _ in range(how)]) if how else sge.false()


def compile_over(table: ibis.Table, q: ibis.Table, shaped: tuple, names: Sequence[str] = ()) -> Statement:
    """``q``, built over ``stand_in(table)``, compiled with the stand-in replaced by ``table`` filtered by ``shaped``."""
    backend = ibis.get_backend(table)
    rows = sg.select("*").from_(sg.table(table.get_name(), quoted=True))
    conds = [_cond(col, how) for part in shaped for col, how in part]
    if conds:
        rows = rows.where(sge.and_(*conds))

    def swap(node: sge.Expression) -> sge.Expression:
        if isinstance(node, sge.Table) and node.name == STAND_IN:
            return rows.subquery(node.alias or None)
        return node

    tree = backend.compiler.to_sqlglot(q).transform(swap)
    return Statement(tree.sql(dialect=backend.dialect), q.schema(), tuple(names))


def stand_in(table: ibis.Table) -> ibis.Table:
    """An unbound table of ``table``'s columns that a kept statement is built over."""
    return ibis.table(table.schema(), name=STAND_IN)


_LOCK = threading.Lock()
_KEPT: OrderedDict[Hashable, Statement] = OrderedDict()


def kept(key: Hashable, make: Callable[[], Statement]) -> Statement:
    """The statement kept under ``key``, made first if there is none (two askers of a new one may both make it:
    the same text, kept once)."""
    with _LOCK:
        st = _KEPT.get(key)
        if st is not None:
            _KEPT.move_to_end(key)
            return st
    st = make()
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
