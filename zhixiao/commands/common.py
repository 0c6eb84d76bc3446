"""Shared CLI options and helpers: data directory, court, dates and periods, the ops DB session,
who is acting, and output (table | json | csv)."""

from __future__ import annotations

import csv
import getpass
import io
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from zhixiao.config import Settings, load_settings
from zhixiao.dates import parse_date
from zhixiao.errors import UserError

if TYPE_CHECKING:  # the ops DB and the engine load only in the commands that use them
    from sqlalchemy.orm import Session

    from zhixiao.engine import Engine

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
CourtOpt = Annotated[str | None, typer.Option("--court", help="法院代字（默认取 zhixiao.toml 的 court_code）/ court code")]
FromOpt = Annotated[str | None, typer.Option("--from", help="起始日期（默认本年1月1日）/ start date")]
ToOpt = Annotated[str | None, typer.Option("--to", help="截止日期（默认今天）/ end date")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="统计时点（默认今天）/ as-of date")]
UserOpt = Annotated[str | None, typer.Option(
    "--user", help="操作人，记入修改记录（默认当前登录用户名）/ who makes the change (default: login name)")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="修改原因，记入修改记录 / why, kept with the change")]


def settings(data_dir: Path | None) -> Settings:
    return load_settings(data_dir=data_dir)


def date_or_today(text: str | None, what: str) -> date:
    return parse_date(text, what) if text else date.today()


def period(from_: str | None, to: str | None) -> tuple[date, date]:
    """--from/--to: by default from 1 January of the end's year to today."""
    end = parse_date(to, "截止日期") if to else date.today()
    start = parse_date(from_, "起始日期") if from_ else date(end.year, 1, 1)
    if start > end:
        raise UserError(f"起始日期 {start} 晚于截止日期 {end}，请调换。")
    return start, end


def court_code(st: Settings, court: str | None) -> str:
    """The court a command acts for: --court, else zhixiao.toml's court_code."""
    c = court or st.court_code
    if not c:
        raise UserError("未指定法院：请用 --court 给出法院代字（如 --court 冀0123），或在 zhixiao.toml 中设置 court_code。")
    return c


def acting_user(user: str | None) -> str:
    """Who a change is recorded under: --user, else the login name of the person running the command."""
    if (user or "").strip():
        return user.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container user without a passwd entry)
        raise UserError("无法确定操作人：请用 --user 写明是谁修改，修改记录须留痕。") from None


def ops_session(st: Settings) -> Session:
    from zhixiao.store.ops import session_factory  # SQLAlchemy loads only for the commands that use the DB

    return session_factory(st.ops_url)()


def case_engine(st: Settings) -> Engine:
    from zhixiao.engine import connect  # DuckDB and ibis load only for the commands that read cases

    return connect(st.data_dir)


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


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def emit_figures(d: dict, fmt: Format, headers: dict[str, str], title: str) -> None:
    """A figures dict as a two-column table (JSON: the dict itself, glossary keys); nested parts are left
    to the caller, and keys ending in ``_rate`` are shown as percentages."""
    if fmt == Format.json:
        emit([d], fmt)
        return
    rows = [{"item": headers.get(k, k), "value": pct(v) if k.endswith("_rate") else v}
            for k, v in d.items() if not isinstance(v, (list, dict)) and k not in ("court_code", "start", "end")]
    emit(rows, fmt, ["item", "value"], {"item": "项目", "value": "数值"}, title=title)


HISTORY_HEADERS = {"at": "时间", "user": "操作人", "action": "操作", "changes": "修改内容", "note": "原因"}


def emit_history(st: Settings, register: str, key: str, labels: dict[str, str], fmt: Format, title: str) -> None:
    """A service record's change history (``zhixiao <noun> history``), oldest first."""
    from zhixiao.services.audit import history_rows  # SQLAlchemy loads only for the commands that use the DB

    with ops_session(st) as s:
        rows = history_rows(s, register, key, labels)
    emit(rows, fmt, list(HISTORY_HEADERS), HISTORY_HEADERS, title=title)


def print_rejected(rejected: list[str], why: str) -> None:
    """The rows an import left out, each with its reason (``why`` sums the reasons up)."""
    if rejected:
        console.print(f"[yellow]另有 {len(rejected)} 行未导入（{why}）：[/]")
        for line in rejected:
            console.print(f"[yellow]  {line}[/]")


def emit_changes(changed: dict[str, tuple[Any, Any]], labels: dict[str, str]) -> None:
    """What an update verb changed, one line per field: 类别：诉讼咨询 → 联系法官."""
    for k, (old, new) in changed.items():
        console.print(f"  {labels.get(k, k)}：{'（空）' if old is None else _cell(old)} → "
                      f"{'（空）' if new is None else _cell(new)}")
