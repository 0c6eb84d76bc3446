"""Read CSV (any supported encoding) and .xlsx files as chunks of all-string Arrow tables.

Every cell is read as text (blank = ""), so typing and validation happen in one place
(``validate``) with row-level reasons instead of a parser guessing types. Each chunk carries the
row numbers the user sees in Excel (header = row 1). Rows with the wrong number of fields are
not dropped: they come back in ``invalid`` with their row number.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from zhixiao.errors import UserError
from zhixiao.ingest.encodings import (
    DecodeFailure,
    Undecodable,
    Utf8Stream,
    decode_column,
    decode_error,
    detect_encoding,
    normalise_encoding,
)

CHUNK_BYTES = 8 << 20  # smaller blocks cost no measurable CPU and keep ~40 MB less in flight per process
_DIRECT = ("gbk", "gb18030", "utf-8")  # encodings Arrow can split into cells before decoding
XLSX_CHUNK_ROWS = 50_000


@dataclass
class InvalidRow:
    row: int
    text: str
    reason: str


@dataclass
class Chunk:
    data: pa.Table  # columns c0..cN (all strings), in header order
    rows: np.ndarray  # int64 row numbers as the user sees them


@dataclass
class RawFile:
    path: Path
    headers: list[str]
    encoding: str
    chunks: Iterator[Chunk]
    invalid: list[InvalidRow] = field(default_factory=list)


def col_names(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


def open_file(path: Path | str, encoding: str = "auto", on_bytes: Callable[[int], None] | None = None) -> RawFile:
    """Open ``path`` for chunked reading; raises UserError for missing, empty or unreadable files."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到文件 {path}：请检查路径是否正确。")
    if path.stat().st_size == 0:
        raise UserError(f"文件 {path.name} 文件为空：请确认导出是否成功后重新导出。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _open_xlsx(path, on_bytes)
    if suffix == ".xls":
        raise UserError(f"文件 {path.name} 是旧版 .xls 格式，暂不支持：请在 Excel/WPS 中另存为 .xlsx 或 CSV 后再导入。")
    return _open_csv(path, encoding, on_bytes)


def _header(path: Path, enc: str) -> list[str]:
    s = Utf8Stream(path, enc, block=1 << 16)
    try:
        head = b""
        while b"\n" not in head:
            more = s.read(1 << 16)
            if not more:
                break
            head += more
    except DecodeFailure as f:
        raise decode_error(path, f) from None
    finally:
        s.close()
    text = head.decode("utf-8", errors="ignore")
    if not text.strip():
        raise UserError(f"文件 {path.name} 文件为空：没有表头也没有数据，请确认导出是否成功后重新导出。")
    first = next(csv.reader(io.StringIO(text)), [])
    return [h.strip() for h in first]


def _open_csv(path: Path, encoding: str, on_bytes) -> RawFile:
    enc = normalise_encoding(encoding)
    enc = detect_encoding(path) if enc == "auto" else enc
    headers = _header(path, enc)
    raw = RawFile(path, headers, enc, iter(()))
    raw.chunks = _csv_chunks(raw, on_bytes, auto=encoding == "auto")
    return raw


class HandOver(Exception):
    """The direct path cannot read this part exactly like the transcoding path (see ``_csv_chunks``)."""


@dataclass
class _Position:
    next_row: int  # row number of the next row to deliver


def _direct_chunks(raw: RawFile, src: io.RawIOBase, ragged: _Ragged, pos: _Position, skip_rows: int
                   ) -> Iterator[Chunk]:
    """Arrow parses the source bytes (binary cells); each column is decoded in bulk (``decode_column``).
    Raises ArrowInvalid or Undecodable where it cannot go on exactly like the transcoding path."""
    names = col_names(len(raw.headers))
    _quiet_handler_decode_errors()
    for batch in _open_reader(src, names, ragged, pa.binary(), skip_rows):
        cols = [decode_column(c, raw.encoding) for c in batch.columns]
        rows, pos.next_row = _number_rows(pos.next_row, batch.num_rows, ragged.rows)
        yield Chunk(pa.Table.from_arrays(cols, names=names), rows)


def _csv_chunks(raw: RawFile, on_bytes, auto: bool) -> Iterator[Chunk]:
    """Fast path without a transcoding pass (``_direct_chunks``). What it cannot do exactly like the
    transcoding path (an undecodable cell, a ragged row whose text is not UTF-8 — Arrow's handler only
    takes UTF-8) hands over to that path at the first row not yet delivered, so results are identical."""
    if raw.encoding not in _DIRECT:
        yield from _stream_chunks(raw, on_bytes, 2)
        return
    src = _CountingFile(raw.path, on_bytes)
    pos = _Position(2)
    try:
        yield from _direct_chunks(raw, src, _Ragged(raw), pos, skip_rows=1)
        return
    except (pa.ArrowInvalid, Undecodable):
        # Everything from the first row not delivered is read again below. Arrow parses a block ahead, so
        # ragged rows already reported may lie beyond it: they will be reported again, drop them here.
        raw.invalid[:] = [bad for bad in raw.invalid if bad.row < pos.next_row]
    finally:
        src.close()
    yield from _stream_chunks(raw, resume_progress(on_bytes, src.reported), pos.next_row)


def range_chunks(raw: RawFile, start: int, stop: int, first_row: int, on_bytes) -> Iterator[Chunk]:
    """The rows in bytes [start, stop) of a CSV file by the direct path; ``start`` is 0 (the header is
    skipped) or the start of a record, whose row number is ``first_row``. Raises HandOver where the
    direct path would hand over (the caller then reads the whole file the usual way)."""
    src = _CountingFile(raw.path, on_bytes, start, stop)
    try:
        yield from _direct_chunks(raw, src, _Ragged(raw, offset=first_row - 1 if start else 0),
                                  _Position(first_row), skip_rows=0 if start else 1)
    except (pa.ArrowInvalid, Undecodable) as exc:
        raise HandOver(str(exc)) from None
    finally:
        src.close()


def resume_progress(on_bytes: Callable[[int], None] | None, already: int) -> Callable[[int], None] | None:
    """A progress callback for a second pass over a file that only reports bytes past the ``already``
    reported by the first pass (the bar never goes beyond the file size)."""
    if on_bytes is None:
        return None
    seen = [0]

    def report(k: int) -> None:
        new = max(0, seen[0] + k - already) - max(0, seen[0] - already)
        seen[0] += k
        if new:
            on_bytes(new)
    return report


def _quiet_handler_decode_errors() -> None:
    """A ragged row that is not UTF-8 makes pyarrow fail before our handler runs; the parse then stops with
    ArrowInvalid (and we hand over), but pyarrow also reports the decode error as "unraisable" on stderr.
    Silence exactly those (the handler is marked), once per process; every other report goes through."""
    prev = sys.unraisablehook
    if getattr(prev, "zhixiao_quiet", False):
        return

    def hook(u) -> None:
        if not (isinstance(u.exc_value, UnicodeDecodeError) and getattr(u.object, "quiet_decode_errors", False)):
            prev(u)

    hook.zhixiao_quiet = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


class _Ragged:
    """Arrow's invalid-row handler: rows with the wrong number of fields go to ``raw.invalid`` (from
    ``start_row`` on: earlier ones were reported by the pass that handed over) and are skipped."""

    quiet_decode_errors = True  # see _quiet_handler_decode_errors

    def __init__(self, raw: RawFile, start_row: int = 2, offset: int = 0):
        self.raw, self.start_row, self.offset = raw, start_row, offset  # offset: rows before the part read
        self.rows: set[int] = set()

    def __call__(self, bad) -> str:
        row = bad.number + self.offset if bad.number is not None else -1
        self.rows.add(row)
        if row >= self.start_row or self.start_row == 2:
            n = len(self.raw.headers)
            self.raw.invalid.append(InvalidRow(row, bad.text, f"列数不符：表头有 {n} 列，此行有 {bad.actual_columns} 列"))
        return "skip"


def _open_reader(src, names: list[str], handler: _Ragged, typ: pa.DataType, skip_rows: int = 1
                 ) -> pacsv.CSVStreamingReader:
    """Every cell as ``typ`` (string or binary), blank = "", line breaks inside quotes allowed; this
    already parses the first block."""
    return pacsv.open_csv(
        src,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows, block_size=CHUNK_BYTES,
                                       use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, typ), strings_can_be_null=False,
                                             quoted_strings_can_be_null=False, null_values=[]),
    )


def _stream_chunks(raw: RawFile, on_bytes, start_row: int) -> Iterator[Chunk]:
    """Transcode to UTF-8 as a stream and parse that; rows before ``start_row`` were delivered already."""
    names = col_names(len(raw.headers))
    ragged = _Ragged(raw, start_row)
    stream = Utf8Stream(raw.path, raw.encoding, on_bytes)
    next_row = 2
    try:
        reader = _open_reader(stream, names, ragged, pa.string())
        for batch in reader:
            k = batch.num_rows
            rows, next_row = _number_rows(next_row, k, ragged.rows)
            table = pa.Table.from_batches([batch])
            if k and rows[0] < start_row:
                keep = int(np.searchsorted(rows, start_row))
                table, rows = table.slice(keep), rows[keep:]
                if not len(rows):
                    continue
            yield Chunk(_fill_nulls(table), rows)
    except DecodeFailure as f:
        raise decode_error(raw.path, f) from None
    except pa.ArrowInvalid as exc:
        raise UserError(f"文件 {raw.path.name} 无法按 CSV 解析（{exc}）：请确认它是逗号分隔的 CSV 文件。") from None
    finally:
        stream.close()


class _CountingFile(io.FileIO):
    """Bytes [start, stop) of the source file as Arrow reads them, reporting their count to ``on_bytes``
    (progress bar). A block never ends with CR: Arrow's streaming reader drops an LF that starts a block
    after one that ended with CR — right for a CR LF line end, wrong inside a quoted cell ("a\r\nb" came
    back as "a\rb" when the block edge fell between the two); the CR waits for the next block instead."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None, start: int = 0, stop: int | None = None):
        super().__init__(path, "rb")
        if start:
            self.seek(start)
        self._on_bytes = on_bytes
        self._left = None if stop is None else stop - start
        self.reported = 0

    def read(self, size: int = -1) -> bytes:
        if self._left is not None:
            size = self._left if size is None or size < 0 else min(size, self._left)
        data = super().read(size)
        if len(data) > 1 and data.endswith(b"\r") and (self._left is None or self._left > len(data)):
            self.seek(-1, io.SEEK_CUR)  # see the class docstring
            data = data[:-1]
        if self._left is not None:
            self._left -= len(data)
        self.reported += len(data)
        if self._on_bytes and data:
            self._on_bytes(len(data))
        return data


def _number_rows(start: int, k: int, skip: set[int]) -> tuple[np.ndarray, int]:
    """Row numbers for ``k`` good rows starting at ``start``, skipping rows the parser rejected."""
    rows = np.arange(start, start + k, dtype=np.int64)
    if skip and max(skip) >= start:
        out, r = [], start
        while len(out) < k:
            if r not in skip:
                out.append(r)
            r += 1
        rows = np.asarray(out, dtype=np.int64)
    return rows, (int(rows[-1]) + 1 if k else start)


def _fill_nulls(t: pa.Table) -> pa.Table:
    if all(c.null_count == 0 for c in t.columns):
        return t
    import pyarrow.compute as pc

    return pa.table({n: pc.fill_null(t.column(n), "") for n in t.column_names})


def cell_text(v) -> str:
    """An Excel cell value as the text a CSV export would carry."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _open_xlsx(path: Path, on_bytes) -> RawFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — any openpyxl failure means the file is not a readable workbook
        raise UserError(f"文件 {path.name} 不是有效的 .xlsx 工作簿（{type(exc).__name__}）：请用 Excel/WPS 打开后重新另存为 .xlsx。") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header_row = 0
    headers: list[str] = []
    for values in it:
        header_row += 1
        if any(v not in (None, "") for v in values):
            headers = [cell_text(v) for v in values]
            while headers and headers[-1] == "":
                headers.pop()
            break
    if not headers:
        wb.close()
        raise UserError(f"文件 {path.name} 文件为空：第一个工作表没有任何内容，请确认导出是否成功。")
    raw = RawFile(path, headers, "xlsx", iter(()))
    raw.chunks = _xlsx_chunks(raw, wb, it, header_row, on_bytes)
    return raw


def _xlsx_chunks(raw: RawFile, wb, it, header_row: int, on_bytes) -> Iterator[Chunk]:
    n = len(raw.headers)
    names = col_names(n)
    cols: list[list[str]] = [[] for _ in range(n)]
    rows: list[int] = []
    r = header_row
    try:
        for values in it:
            r += 1
            cells = [cell_text(v) for v in values]
            extra = [c for c in cells[n:] if c]
            if extra:
                raw.invalid.append(InvalidRow(r, ",".join(cells), f"列数不符：表头有 {n} 列，此行有 {len(cells)} 列有内容"))
                continue
            cells = (cells + [""] * n)[:n]
            for i, c in enumerate(cells):
                cols[i].append(c)
            rows.append(r)
            if len(rows) >= XLSX_CHUNK_ROWS:
                yield Chunk(pa.table(dict(zip(names, cols, strict=True)), schema=_str_schema(names)),
                            np.asarray(rows, dtype=np.int64))
                cols, rows = [[] for _ in range(n)], []
        if rows:
            yield Chunk(pa.table(dict(zip(names, cols, strict=True)), schema=_str_schema(names)),
                        np.asarray(rows, dtype=np.int64))
    finally:
        wb.close()
        if on_bytes:
            on_bytes(raw.path.stat().st_size)


def _str_schema(names: list[str]) -> pa.Schema:
    return pa.schema([(n, pa.string()) for n in names])
