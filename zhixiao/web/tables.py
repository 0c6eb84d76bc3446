"""Server-side tables: filter, sort, page and export (.xlsx) one list of rows, the same way on every page.

Why server-side: lists run to thousands of rows (督办事项, 台账, 案件清单); the browser gets one page and every
control is a plain GET link (htmx swaps only the table), so the address bar always says what is shown and the
export (``export=xlsx``) returns exactly those rows — same filter and sort, all pages — with Chinese headers.

Usage in a route::

    from zhixiao.web.tables import Column, table

    COLUMNS = (Column("case_id", "案号"), Column("court_name", "法院"), Column("days", "剩余天数", numeric=True))

    view = table(request, rows, COLUMNS, key="ledger", default_sort="days")  # rows: list[dict] or DataFrame
    if (resp := view.export_response("超审限台账")) is not None:             # ?export=xlsx → the .xlsx
        return resp
    return render(request, "page.html", view=view, ...)

and in the template::

    {% from "_table.html" import data_table %}
    {{ data_table(view) }}                   {# filter box, count, sortable header, rows, pager, Excel link #}

A page with its own row markup calls ``table_open(view)``, loops over ``view.rows`` and ends with
``table_close(view)`` (see supervision.html). Query parameters: ``q`` (filter text), ``sort`` (a column key),
``desc`` (1 = descending), ``page`` (from 1), ``size`` (rows per page); a second table on one page passes
``prefix="x_"`` so its parameters (``x_q``, ``x_sort`` …) do not collide. ``Column.text`` turns a value into
what is shown (and filtered on, and exported); ``Column.link`` gives a cell an href.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
from fastapi import Request
from fastapi.responses import Response

from zhixiao.errors import UserError
from zhixiao.web.data import records

PAGE_SIZES = (20, 50, 100, 500)
DEFAULT_SIZE = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_ROWS = 1_048_575  # one header row + this many data rows fill an Excel sheet


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False  # right-aligned; exported as a number
    text: Callable[[Any, dict], str] | None = None  # value, row → shown text (default: str, "" for None)
    link: Callable[[dict], str | None] | None = None  # row → href of the cell
    sortable: bool = True

    def show(self, row: dict) -> str:
        v = row.get(self.key)
        if self.text is not None:
            return self.text(v, row)
        return "" if v is None else str(v)

    def cell(self, row: dict) -> Any:
        """The exported cell: numbers and dates stay typed, everything else is the shown text."""
        v = row.get(self.key)
        if self.text is None and isinstance(v, (int, float, date, datetime)) and not isinstance(v, bool):
            return v
        return _formula_safe(self.show(row))


def _formula_safe(v: str) -> str:
    """Neutralise spreadsheet formulas in exported text (OWASP CSV/Excel injection)."""
    return "'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def figure_columns(unit_label: str, headline: Sequence[dict]) -> tuple[Column, ...]:
    """A unit column then one column per headline indicator row (``indicator``, ``name``, ``unit``), sorted on
    the figure and shown as the briefing prints it (the 指标 drill-down and the 总览's courts side by side)."""
    from zhixiao.reports.narrative import fmt_value

    def shown(unit: str) -> Callable[[Any, dict], str]:
        return lambda v, _row: "—" if v is None else fmt_value(v, unit)
    return (Column("name", unit_label),
            *(Column(h["indicator"], h["name"], numeric=True, text=shown(h["unit"])) for h in headline))


def figure_row(filters: dict, name: str, cells: dict) -> dict:
    """One unit's row for ``figure_columns``: its name, each indicator's value, its filters and whole rows."""
    return {"name": name, "_f": filters, "_cells": cells, **{k: r.get("value") for k, r in cells.items()}}


def _int(text: str | None, what: str, low: int, high: int, default: int) -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise UserError(f"表格参数“{what}”的值“{text[:20]}”无效，请从页面上的链接操作。")
    return int(text)


def _sort_key(v: Any) -> tuple:
    """Missing values last; numbers, dates and text each compare among themselves."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return (2, 0)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (0, v)
    if isinstance(v, datetime):
        return (1, v.isoformat())
    if isinstance(v, date):
        return (1, v.isoformat())
    return (1, str(v))


@dataclass
class TableView:
    """One page of a filtered, sorted list, plus what its links and its export need."""

    key: str
    columns: tuple[Column, ...]
    selected: list[dict] | pd.DataFrame  # filtered and sorted, every page
    rows: list[dict]  # the page shown
    total: int  # before the filter
    q: str
    sort: str | None
    desc: bool
    page: int
    size: int
    prefix: str
    path: str
    params: dict[str, str]  # the page's other query parameters, kept by every link
    export: bool

    @property
    def all_rows(self) -> list[dict]:
        """Every filtered row in the shown order (what the export writes)."""
        return records(self.selected) if isinstance(self.selected, pd.DataFrame) else self.selected

    @property
    def matched(self) -> int:
        return len(self.selected)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.matched / self.size))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def page_sizes(self) -> tuple[int, ...]:
        return PAGE_SIZES

    def state(self) -> dict[str, str]:
        s = {"q": self.q, "sort": self.sort or "", "desc": "1" if self.desc else "", "page": str(self.page),
             "size": str(self.size) if self.size != DEFAULT_SIZE else ""}
        return {self.prefix + k: v for k, v in s.items() if v and not (k == "page" and v == "1")}

    def url(self, **changes: Any) -> str:
        """This table's address with some of its parameters changed (``page=2``, ``sort="deadline"`` …)."""
        q = dict(self.params)
        q.update(self.state())
        for k, v in changes.items():
            name = k if k == "export" else self.prefix + k
            if v in (None, "", False) or (k == "page" and v == 1):
                q.pop(name, None)
            else:
                q[name] = "1" if v is True else str(v)
        return self.path + ("?" + urlencode(q) if q else "")

    def sort_url(self, key: str) -> str:
        """Clicking a header: sort by it ascending; clicking it again: descending; back to the first page."""
        return self.url(sort=key, desc=self.sort == key and not self.desc, page=1)

    def hidden(self) -> list[tuple[str, str]]:
        """Hidden inputs of the filter form: the page's parameters and this table's sort and size."""
        keep = dict(self.params)
        for k in ("sort", "desc", "size"):
            v = self.state().get(self.prefix + k)
            if v:
                keep[self.prefix + k] = v
        return list(keep.items())

    def export_url(self) -> str:
        return self.url(export=self.prefix + "xlsx")

    def export_response(self, title: str, *, notes: Sequence[str] = ()) -> Response | None:
        """The .xlsx of every filtered row in the shown order when this request asked for it, else None."""
        if not self.export:
            return None
        return xlsx_response(title, self.columns, self.all_rows, notes=notes)


def table(request: Request, rows: list[dict] | pd.DataFrame, columns: Sequence[Column], *, key: str = "t",
          default_sort: str | None = None, default_desc: bool = False, prefix: str = "",
          size: int = DEFAULT_SIZE, path: str | None = None, params: dict[str, str] | None = None) -> TableView:
    """Filter (every shown column contains ``q``, case-insensitive), sort and cut one page out of ``rows``.

    ``path``/``params``: where the table's links go when that is not this request's address (a table shown in
    the answer to a POST pages through a GET route)."""
    cols = tuple(columns)
    qp = request.query_params
    q = (qp.get(prefix + "q") or "").strip()[:100]
    sort = qp.get(prefix + "sort") or default_sort
    keys = {c.key for c in cols if c.sortable}
    if sort is not None and sort not in keys:
        raise UserError(f"表格不能按“{sort[:40]}”排序，请点击表头排序。")
    desc = qp.get(prefix + "desc") == "1" if qp.get(prefix + "sort") else default_desc
    size = _int(qp.get(prefix + "size"), "每页行数", 1, max(PAGE_SIZES), size)
    total = len(rows)
    selected = _select_frame(rows, cols, q, sort, desc) if isinstance(rows, pd.DataFrame) else \
        _select_rows(rows, cols, q, sort, desc)
    pages = max(1, math.ceil(len(selected) / size))
    page = min(_int(qp.get(prefix + "page"), "页码", 1, 10**7, 1), pages)
    cut = selected[(page - 1) * size: page * size]
    own = {prefix + k for k in ("q", "sort", "desc", "page", "size")} | {"export"}
    if params is None:
        params = {k: v for k, v in qp.items() if k not in own and v != ""}
    return TableView(key=key, columns=cols, selected=selected,
                     rows=records(cut) if isinstance(cut, pd.DataFrame) else cut, total=total, q=q, sort=sort,
                     desc=desc, page=page, size=size, prefix=prefix, path=path or request.url.path, params=params,
                     export=qp.get("export") == prefix + "xlsx")


def _select_rows(rows: list[dict], cols: tuple[Column, ...], q: str, sort: str | None, desc: bool) -> list[dict]:
    shown = list(rows)
    if q:
        needle = q.casefold()
        shown = [r for r in shown if any(needle in c.show(r).casefold() for c in cols)]
    if sort is not None:
        shown.sort(key=lambda r: _sort_key(r.get(sort)), reverse=desc)
        if desc:  # missing values stay last either way
            shown.sort(key=lambda r: _sort_key(r.get(sort))[0] == 2)
    return shown


def _select_frame(df: pd.DataFrame, cols: tuple[Column, ...], q: str, sort: str | None,
                  desc: bool) -> pd.DataFrame:
    """The same on a DataFrame (a city's case list runs to 10⁵ rows): only the page shown becomes dicts.
    A column's ``text`` is called with the value and an empty row here."""
    if q:
        pattern = re.escape(q)  # case-insensitive like the list path (casefold per cell is far slower)
        hit = pd.Series(False, index=df.index)
        for c in cols:
            if c.key not in df.columns:
                continue
            col = df[c.key]
            if c.text is not None:  # each distinct value named once
                names = {v: c.text(v, {}) for v in col.dropna().unique()}
                shown = col.map(names).fillna(c.text(None, {}))
            elif pd.api.types.is_datetime64_any_dtype(col):
                shown = col.dt.strftime("%Y-%m-%d").fillna("")
            else:
                shown = col.astype("string").fillna("")
            hit |= shown.astype(str).str.contains(pattern, case=False, regex=True).to_numpy(dtype=bool)
        df = df[hit]
    if sort is not None and sort in df.columns:
        df = df.sort_values(sort, ascending=not desc, na_position="last", kind="stable")
    return df


def xlsx_bytes(title: str, columns: Sequence[Column], rows: Sequence[dict], *, notes: Sequence[str] = ()) -> bytes:
    """One sheet: Chinese headers in row 1, the rows below (notes, if any, on a second sheet 说明)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if len(rows) > EXCEL_MAX_ROWS:
        raise UserError(f"共 {len(rows):,} 行，超过 Excel 单表上限 {EXCEL_MAX_ROWS:,} 行：请先用筛选缩小范围再导出。")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_name(title))
    bold = Font(bold=True)
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=c.label)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for r in rows:
        ws.append([_typed(ws, c.cell(r)) for c in columns])
    if notes:
        ns = wb.create_sheet(title="说明")
        for n in notes:
            ns.append([n])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _typed(ws: Any, v: Any) -> Any:
    """Dates as Excel dates shown as 2025-03-05 (not a serial number, not a time of day)."""
    if isinstance(v, date) and not isinstance(v, datetime):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=v)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return v


def _sheet_name(title: str) -> str:
    bad = set('[]:*?/\\')
    return "".join("_" if ch in bad else ch for ch in title)[:31] or "表格"


def xlsx_response(title: str, columns: Sequence[Column], rows: Sequence[dict], *,
                  notes: Sequence[str] = ()) -> Response:
    name = f"{title}.xlsx"
    return Response(xlsx_bytes(title, columns, rows, notes=notes), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
