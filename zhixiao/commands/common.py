"""Shared CLI options and output helpers (table | json | csv)."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from zhixiao.config import Settings, load_settings
from zhixiao.errors import UserError

console = Console()


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="数据目录（默认取 zhixiao.toml，否则 ./zhixiao-data）/ data directory"),
]
FormatOpt = Annotated[Format, typer.Option("--format", help="输出格式 / output format: table|json|csv")]


def settings(data_dir: Path | None) -> Settings:
    return load_settings(data_dir=data_dir)


def parse_date(text: str, what: str = "日期") -> date:
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise UserError(f"{what}“{text}”不是有效日期，请写成 YYYY-MM-DD，例如 2025-12-31。") from None


def _default(o: Any) -> Any:
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, set):
        return sorted(o)
    raise TypeError(type(o).__name__)


def to_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_default)


def emit(rows: list[dict], fmt: Format, columns: list[str] | None = None, headers: dict[str, str] | None = None,
         title: str | None = None) -> None:
    """Print rows; ``headers`` maps column → Chinese header for table/csv (JSON keeps glossary names)."""
    columns = columns or (list(rows[0]) if rows else [])
    if fmt == Format.json:
        for r in rows:
            sys.stdout.write(to_json(r) + "\n")
        return
    heads = [(headers or {}).get(c, c) for c in columns]
    if fmt == Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(heads)
        for r in rows:
            w.writerow(["" if r.get(c) is None else _cell(r.get(c)) for c in columns])
        sys.stdout.write(buf.getvalue())
        return
    t = Table(title=title, show_lines=False)
    for h in heads:
        t.add_column(str(h))
    for r in rows:
        t.add_row(*["" if r.get(c) is None else _cell(r.get(c)) for c in columns])
    console.print(t)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:,.2f}".rstrip("0").rstrip(".")
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    return str(v)
