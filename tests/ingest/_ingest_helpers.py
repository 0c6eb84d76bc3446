"""Helpers for ingest tests: write real CSV/XLSX files in a given encoding."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

HEADER = ["案号", "立案日期", "结案日期", "承办人", "承办部门", "案由", "适用程序", "标的额", "是否开庭"]
SNAP = date(2025, 6, 30)


def csv_bytes(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_bytes(header, rows, encoding))
    return path


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def good_row(seq: int, filing: str = "2025-01-02", closing: str = "", court: str = "冀0123", year: int = 2025,
             typ: str = "民初", procedure: str = "简易程序", amount: str = "1000") -> list[str]:
    return [f"({year}){court}{typ}{seq}号", filing, closing, "张三", "民一庭", "买卖合同纠纷", procedure, amount, "是"]
