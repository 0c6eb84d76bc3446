"""The rejects report (拒收清单): CSV in UTF-8 with BOM (Excel opens it correctly) and .xlsx.

Columns: 文件, 行号 (as the user sees it in Excel: header = row 1), 列, 值, 原因.
Values are written as text and formula-like ones neutralised, so opening the report is safe.
"""

from __future__ import annotations

import csv
from pathlib import Path

from zhixiao.ingest.validate import Reject
from zhixiao.ingest.values import neutralise

HEADERS = ("文件", "行号", "列", "值", "原因")
XLSX_MAX_ROWS = 200_000  # beyond this only the CSV is written (xlsx writing is slow and Excel caps rows)


def write_rejects(rejects: list[Reject], path: Path, xlsx: bool = True) -> list[Path]:
    """Write ``path`` (.csv or .xlsx); with a .csv path also a sibling .xlsx when small enough."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(rejects, key=lambda r: (r.file, r.row))
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(rows, path)
        return [path]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows([r.file, r.row, r.column, neutralise(r.value), r.reason] for r in rows)
    if xlsx and len(rows) <= XLSX_MAX_ROWS:
        _write_xlsx(rows, path.with_suffix(".xlsx"))
        return [path, path.with_suffix(".xlsx")]
    return [path]


def _write_xlsx(rows: list[Reject], path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    ws = wb.add_worksheet("拒收清单")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, HEADERS, bold)
    for i, r in enumerate(rows, start=1):
        ws.write_row(i, 0, [r.file, r.row, r.column, r.value, r.reason])  # text stays text: no formulas, numbers, URLs
    ws.set_column(0, 0, 24)
    ws.set_column(2, 3, 20)
    ws.set_column(4, 4, 60)
    wb.close()


def read_rejects(path: Path) -> list[dict]:
    """The rejects CSV back as dicts (used by tests and the web page)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
