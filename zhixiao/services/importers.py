"""Read operational spreadsheets (CSV in GBK or UTF-8, or XLSX) with Chinese headers into row dicts.

Each row keeps its spreadsheet row number so every rejection can name it. Importers map headers
through an alias table and validate every row before writing anything: an invalid row refuses the
file; a row whose key is already stored (or repeated in the file) is left out and listed with its reason.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from zhixiao.errors import UserError
from zhixiao.ingest.encodings import detect_encoding

MAX_LISTED_ERRORS = 20


def read_rows(path: Path | str) -> list[tuple[int, dict[str, Any]]]:
    """[(row number as the user sees it, {header: value})]; the header is row 1."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"文件 {p} 不存在，请检查路径。")
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(p)
    if p.suffix.lower() in (".csv", ".txt"):
        return _read_csv(p)
    raise UserError(f"文件 {p.name} 的格式不受支持，请提供 .csv 或 .xlsx 文件。")


def _read_csv(p: Path) -> list[tuple[int, dict[str, Any]]]:
    enc = detect_encoding(p)  # UTF-8 (BOM or not), GBK/GB18030, else detected
    try:
        text = p.read_bytes().decode("utf-8-sig" if enc == "utf-8" else enc)
    except UnicodeDecodeError:
        raise UserError(f"无法识别文件 {p.name} 的编码，请另存为 UTF-8 或 GBK 编码的 CSV。") from None
    reader = csv.DictReader(io.StringIO(text))
    return [(i + 2, {(k or "").strip(): v for k, v in row.items()}) for i, row in enumerate(reader)]


def _read_xlsx(p: Path) -> list[tuple[int, dict[str, Any]]]:
    wb = load_workbook(p, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        return []
    out = []
    for i, values in enumerate(rows):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((i + 2, dict(zip(header, values, strict=False))))
    wb.close()
    return out


def map_headers(row: dict[str, Any], aliases: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """{field: value} using the first alias present; blank strings become None."""
    out: dict[str, Any] = {}
    for field, names in aliases.items():
        val = None
        for n in names:
            if n in row:
                val = row[n]
                break
        if isinstance(val, str):
            val = val.strip() or None
        out[field] = val
    return out


def require_headers(rows: list[tuple[int, dict]], aliases: dict[str, tuple[str, ...]], required: list[str],
                    fname: str) -> None:
    if not rows:
        raise UserError(f"文件 {fname} 没有数据行，请确认第一行是表头、其下是数据。")
    present = set(rows[0][1])
    missing = [aliases[f][0] for f in required if not any(a in present for a in aliases[f])]
    if missing:
        raise UserError(f"文件 {fname} 缺少列：{'、'.join(missing)}；请在表头中加上这些列（可用的列名见帮助）。")


def parse_datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    text = str(v).strip().replace("/", "-").replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(text)


def parse_day(v: Any) -> date:
    return parse_datetime(v).date()


def parse_bool(v: Any) -> bool | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    t = str(v).strip()
    if t in ("是", "已联系", "成功", "联系上", "采纳", "1", "true", "True", "Y", "y"):
        return True
    if t in ("否", "未联系", "失败", "未联系上", "未采纳", "0", "false", "False", "N", "n"):
        return False
    raise ValueError(t)


def raise_if_errors(errors: list[str], fname: str) -> None:
    if not errors:
        return
    shown = "\n".join(errors[:MAX_LISTED_ERRORS])
    more = f"\n……另有 {len(errors) - MAX_LISTED_ERRORS} 处问题" if len(errors) > MAX_LISTED_ERRORS else ""
    raise UserError(f"文件 {fname} 有 {len(errors)} 处问题，未导入任何数据；请修正后重新导入：\n{shown}{more}")
