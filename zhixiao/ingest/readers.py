"""Read a CSV (any supported encoding and separator), .xlsx or .xls file as batches of all-string rows.

CSV goes through ``pyarrow.csv``'s streaming reader: it decodes (its ``encoding`` option) and splits cells
— quoted cells with commas and line breaks included — one block at a time, so a file is never held whole
(each batch is validated and its text dropped while the next is read). Workbooks go
through calamine (one reader for .xlsx and BIFF8 .xls). Every cell is text (blank = ""), so typing and
validation happen in one place (``validate``). Each row carries the row number the user sees in Excel
(header = row 1 of a CSV); rows with the wrong number of fields are not dropped but come back in
``invalid`` with their row number.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from python_calamine import CalamineError, CalamineWorkbook

from zhixiao.errors import UserError
from zhixiao.ingest.encodings import decode_error, detect_encoding, file_kind, normalise_encoding

HEADER_SEARCH = 30  # rows of a sheet searched for the header (title rows above it are skipped)
SEPARATORS = {",": "逗号", "\t": "制表符", ";": "分号"}
# Text read per batch: big enough that validation's per-batch Python work is small beside its kernels,
# small enough that the batches in flight (a few per core) stay small beside the accepted rows.
BLOCK_BYTES = 8 << 20


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
    encoding: str  # the codec, or "xlsx" / "xls"
    source: Iterable[pa.RecordBatch]  # the rows, read as they are asked for (a CSV is never held whole)
    first_row: int = 2  # row number of the first data row
    skipped: list[int] = field(default_factory=list)  # row numbers the reader left out (``invalid``, empty lines)
    invalid: list[InvalidRow] = field(default_factory=list)  # complete once ``batches`` is exhausted
    separator: str = ","

    def close(self) -> None:
        """Read to the end (validation stopped early): pyarrow's reader decodes ahead in its own thread with a
        Python codec, and left mid-file it would still be doing so while the interpreter exits, which aborts."""
        with contextlib.suppress(UserError):
            for _ in self.source:
                pass

    def batches(self, size: int) -> Iterator[Chunk]:
        """The rows in batches of ``size`` (read blocks joined or split: validation's per-batch work is paid per
        ``size`` rows), numbered around the rows the reader left out (reported before the batch after them)."""
        cursor, done = self.first_row, 0  # next row number; skipped numbers already passed
        held = Chunk(pa.table({}), np.zeros(0, np.int64))  # rows read, not yet yielded
        for batch in self.source:
            m = batch.num_rows
            rows = np.arange(cursor, cursor + m, dtype=np.int64)
            for number in self.skipped[done:]:  # ascending: each pushes the rows from it on by one
                if not m or number > rows[-1]:
                    break
                rows[rows >= number] += 1
                done += 1
            cursor = int(rows[-1]) + 1 if m else cursor
            table = pa.Table.from_batches([batch])
            held = Chunk(pa.concat_tables([held.data, table]) if len(held.rows) else table, np.r_[held.rows, rows])
            while len(held.rows) >= size:
                yield Chunk(held.data.slice(0, size), held.rows[:size])
                held = Chunk(held.data.slice(size), held.rows[size:])
        if len(held.rows):
            yield held


def open_file(path: Path | str, encoding: str = "auto", is_header: Callable[[list[str]], bool] | None = None) -> RawFile:
    """Read ``path``. ``is_header`` picks a sheet's header row below any title rows. UserError for a missing,
    empty, undecodable or unreadable file."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} 是目录，这里需要一个文件：请给出文件的路径。" if path.is_dir() else f"找不到文件 {path}：请检查路径是否正确。")
    if path.stat().st_size == 0:
        raise UserError(f"文件 {path.name} 文件为空（无数据行）：请确认导出是否成功后重新导出。")
    kind = file_kind(path)
    raw = _read_book(path, kind, is_header) if kind != "text" else _read_csv(path, normalise_encoding(encoding))
    _check_headers(raw)
    return raw


def _check_headers(raw: RawFile) -> None:
    seen: dict[str, int] = {}
    for i, h in enumerate(raw.headers):
        if h and h in seen:
            raise UserError(f"文件 {raw.path.name} 的表头有重复的列名“{h}”（第 {seen[h] + 1} 列和第 {i + 1} 列）："
                            "无法判断以哪列为准，请删除或改名其中一列后重新导入。")
        seen.setdefault(h, i)


def _first_line(path: Path, encoding: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    try:
        text = codecs.getincrementaldecoder(encoding)("strict").decode(head)
    except UnicodeDecodeError as exc:  # the header must decode; a bad byte further on is named by the reader
        text = head[:exc.start].decode(encoding)
        if not any(c in text.lstrip("\ufeff\r\n") for c in "\r\n"):  # the header line itself is cut
            raise decode_error(path, encoding) from None
    text = text.lstrip("\ufeff\r\n")
    return text.splitlines()[0] if text.strip() else ""


def _read_csv(path: Path, encoding: str) -> RawFile:
    enc = detect_encoding(path) if encoding == "auto" else encoding
    line = _first_line(path, enc)
    if not line.strip():
        raise UserError(f"文件 {path.name} 文件为空（无数据行）：没有表头也没有数据，请确认导出是否成功后重新导出。")
    sep = max(SEPARATORS, key=lambda s: (line.count(s), s == ","))  # a tie (one column) is a comma file
    headers = [h.strip() for h in next(csv.reader([line], delimiter=sep))]
    headers[0] = headers[0].lstrip("\ufeff")
    raw = RawFile(path, headers, enc, (), separator=sep)

    def skip(bad: pacsv.InvalidRow) -> str:
        raw.skipped.append(bad.number)
        if bad.text.strip():  # an empty line is layout, not a row
            n = len(next(csv.reader([bad.text], delimiter=sep), []))
            raw.invalid.append(InvalidRow(bad.number, bad.text, f"列数不符：表头有 {len(headers)} 列，此行有 {n} 列"))
        return "skip"

    def stream() -> Iterator[pa.RecordBatch]:
        names = [f"c{i}" for i in range(len(headers))]
        try:
            # One reading thread: Arrow numbers the rows it leaves out only then; the other cores validate the
            # batches already read meanwhile. Decoded text from pyarrow's transcoder is valid UTF-8 already.
            yield from pacsv.open_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=BLOCK_BYTES,
                                               encoding="utf8" if enc == "utf-8" else enc),
                parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False,
                                                 invalid_row_handler=skip),
                convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), null_values=[],
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                     check_utf8=enc == "utf-8"))
        except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
            if isinstance(exc, UnicodeDecodeError) or "UTF8" in str(exc) or "UTF-8" in str(exc):
                raise decode_error(path, enc) from None
            raise UserError(f"文件 {path.name} 无法按 CSV 解析（{exc}）：请确认它是{SEPARATORS[sep]}分隔的 CSV 文件。") from None

    raw.source = stream()
    return raw


def cell_text(v) -> str:
    """A workbook cell as the text a CSV export would carry."""
    if v is None or isinstance(v, str):
        return (v or "").strip()
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date | time):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _read_book(path: Path, kind: str, is_header: Callable[[list[str]], bool] | None) -> RawFile:
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        cells = sheet.to_python(skip_empty_area=False)
    except CalamineError as exc:
        raise UserError(f"文件 {path.name} 不是有效的 .{kind} 工作簿（{exc}）：文件可能已损坏或加密，"
                        f"请用 Excel/WPS 打开后重新另存为 .xlsx 或 CSV。") from None
    filled = [i for i, r in enumerate(cells[:HEADER_SEARCH * 4]) if any(c not in (None, "") for c in r)]
    if not filled:
        raise UserError(f"文件 {path.name} 文件为空（无数据行）：第一个工作表没有任何内容，请确认导出是否成功。")
    texts = {i: [cell_text(c) for c in cells[i]] for i in filled[:HEADER_SEARCH]}
    at = next((i for i in texts if is_header and is_header(texts[i])), filled[0])
    headers = texts[at]
    while headers and headers[-1] == "":
        headers.pop()
    n = len(headers)
    cols: list[list[str]] = [[] for _ in range(n)]
    invalid: list[InvalidRow] = []
    for r, values in enumerate(cells[at + 1:], start=at + 2):
        row = [cell_text(v) for v in values]
        if any(row[n:]):
            invalid.append(InvalidRow(r, ",".join(row), f"列数不符：表头有 {n} 列，此行有 {len(row)} 列有内容"))
            continue
        for i, cell in enumerate(row[:n] + [""] * (n - len(row))):
            cols[i].append(cell)
    data = pa.table([pa.array(c, pa.string()) for c in cols], names=[f"c{i}" for i in range(n)])
    return RawFile(path, headers, kind, data.to_batches(), at + 2, [bad.row for bad in invalid], invalid)
