"""Shared CLI options and helpers: data directory, court, dates and periods, the ops DB session,
who is acting, and output (table | json | csv)."""

from __future__ import annotations

import csv
import difflib
import errno
import getpass
import io
import json
import os
import re
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer._click import exceptions as usage  # typer vendors click (pinned in requirements.lock)

from zhixiao.config import Settings, load_settings
from zhixiao.dates import parse_date
from zhixiao.errors import UserError

if TYPE_CHECKING:  # the ops DB and the engine load only in the commands that use them
    from sqlalchemy.orm import Session

    from zhixiao.engine import Engine

# Piped or redirected tables are read by programs and wide screens, so they are not cut to 80 columns (rich's
# width when it finds no terminal); COLUMNS still wins. Rules and sentences keep the console's own width.
# Emoji codes (":x:") in data stay text.
PIPE_WIDTH = 1000


def make_console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, emoji=False)


def print_table(c: Console, table: Table) -> None:
    """A table at the terminal's width, or PIPE_WIDTH wide when output goes to a pipe or file (rich caps a
    print's width at its console's, so a wide console on the same stream prints it)."""
    if c.is_terminal or os.environ.get("COLUMNS"):
        c.print(table)
    else:
        Console(file=c.file, width=PIPE_WIDTH, emoji=False).print(table)


console = make_console()


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


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


# the indicator commands' options (indicators, its list/drill/explain/flows, city)
EngineOpt = Annotated[EngineName, typer.Option("--engine", help="计算引擎 / engine")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="指标体系 / profile")]
ProfilesOpt = Annotated[str | None, typer.Option("--profile", help="指标体系 / profile: court-classic|spc-2024|courtools")]
YoyOpt = Annotated[str | None, typer.Option("--compare", help="对比：yoy（同比）/ comparison")]
IndicatorIdsOpt = Annotated[list[str] | None, typer.Option("--indicator", help="只算这些指标代码（可重复）/ indicator ids")]


def settings(data_dir: Path | None) -> Settings:
    try:
        return load_settings(data_dir=data_dir)
    except tomllib.TOMLDecodeError as exc:
        where = os.environ.get("ZHIXIAO_CONFIG", "zhixiao.toml")
        raise UserError(f"配置文件 {where} 不是有效的 TOML（{exc}）：请按 README“配置”一节改正。") from None


def date_or_today(text: str | None, what: str) -> date:
    return parse_date(text, what) if text else date.today()


def period(from_: str | None, to: str | None) -> tuple[date, date]:
    """--from/--to: by default from 1 January of the end's year to today."""
    end = parse_date(to, "截止日期") if to else date.today()
    start = parse_date(from_, "起始日期") if from_ else date(end.year, 1, 1)
    if start > end:
        raise UserError(f"起始日期 {start} 晚于截止日期 {end}，请调换。")
    return start, end


def code_for(value: str | None, names: dict[str, str], option: str) -> str | None:
    """An option's value as its code, given as the code or as the Chinese name the tables show (约谈 → interview)."""
    if value is None:
        return None
    v = value.strip()
    if v in names:
        return v
    for code, name in names.items():
        if name == v:
            return code
    raise UserError(f"{option} 的值“{value}”无效：可选 {'、'.join(f'{n}（{c}）' for c, n in names.items())}。")


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


@contextmanager
def update_hint(command: str) -> Iterator[None]:
    """A register's refusal of a key it holds, followed by the command that changes the stored record
    (``command`` with ``{ref}`` for its key): the services' sentence names no command, as it serves the web too."""
    from zhixiao.services.common import DuplicateKey  # the services load only for the commands that use them

    try:
        yield
    except DuplicateKey as exc:
        raise UserError(f"{exc}（修改命令：{command.format(ref=exc.ref)}）") from None


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
    """Print rows; ``headers`` maps column → Chinese header for table/csv (JSON keeps glossary names).

    JSON is one object per line (a list); CSV holds the table's values with numbers at full precision and
    without thousands separators, booleans as 是/否; a table's cells and headers are text, never markup."""
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
            w.writerow([csv_cell(r.get(c)) for c in columns])
        sys.stdout.write(buf.getvalue())
        return
    t = Table(title=None if title is None else Text(title), show_lines=False)
    for h in heads:
        t.add_column(Text(str(h)))
    for r in rows:
        # a cell the command styled itself (a rich Text) keeps its style; everything else is plain text
        t.add_row(*[r[c] if isinstance(r.get(c), Text) else Text("" if r.get(c) is None else _cell(r.get(c)))
                    for c in columns])
    print_table(console, t)


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1 else f"{v:,.2f}".rstrip("0").rstrip(".")
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v))
    return str(v)


def csv_cell(v: Any) -> str:
    """A CSV value: what the table shows, but a number keeps its precision (a rate of 0.99996 is not 1) and has
    no thousands separator, so a spreadsheet reads it as a number."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        r = round(v, 10)
        return str(int(r)) if r.is_integer() else repr(r)
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return _cell(v)


def split_range(row: dict, key: str = "range") -> dict:
    """A (low, high) range as two columns ``range_low``/``range_high`` for CSV (None = open end)."""
    lo, hi = row.pop(key, None) or (None, None)
    return {**row, f"{key}_low": lo, f"{key}_high": hi}


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def emit_figures(d: dict, fmt: Format, headers: dict[str, str], title: str) -> None:
    """A figures dict as a two-column table (JSON: the dict itself, glossary keys); nested parts are left
    to the caller, and keys ending in ``_rate`` are shown as percentages in the table (CSV: the fraction)."""
    if fmt == Format.json:
        emit([d], fmt)
        return
    rows = [{"item": headers.get(k, k), "value": pct(v) if k.endswith("_rate") and fmt == Format.table else v}
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
        console.print(f"[yellow]另有 {len(rejected)} 行未导入（{escape(why)}）：[/]")
        for line in rejected:
            console.print(f"[yellow]  {escape(line)}[/]")


def emit_changes(changed: dict[str, tuple[Any, Any]], labels: dict[str, str]) -> None:
    """What an update verb changed, one line per field: 类别：诉讼咨询 → 联系法官."""
    for k, (old, new) in changed.items():
        console.print(Text(f"  {labels.get(k, k)}：{'（空）' if old is None else _cell(old)} → "
                           f"{'（空）' if new is None else _cell(new)}"))


# ---- what the user reads when a command line or a path is wrong (cli.main prints it and exits 1) -------------

def _option_name(param: Any) -> str:
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
    if getattr(param, "param_type_name", "") == "argument" or not opts:
        return f"参数 {(param.name or '').upper()}"
    return f"选项 {opts[0]}"


def _meaning(param: Any) -> str:
    """The Chinese half of a parameter's bilingual help, in brackets ("" without help)."""
    zh = (getattr(param, "help", None) or "").split(" / ")[0].strip().replace("\\[", "[")  # help's markup escape
    return f"（{zh}）" if zh else ""


def _given(args: list[str], param: Any) -> str | None:
    """The value the user typed for an option, from the command line itself (click does not keep it)."""
    for opt in getattr(param, "opts", []) if getattr(param, "param_type_name", "") == "option" else []:
        for i, a in enumerate(args):
            if a == opt and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(opt + "="):
                return a[len(opt) + 1:]
    return None


def _choices(param: Any) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    return [str(getattr(c, "value", c)) for c in (desc.choices or ())] if desc is not None and desc.is_choice else []


def _expects(param: Any, message: str) -> str:
    """What a rejected value should have been."""
    if choices := _choices(param):
        return f"可选值：{'、'.join(choices)}"
    if "valid integer" in message:
        return "应为整数"
    if "valid number" in message or "valid float" in message:
        return "应为数字，如 0.5"
    if "valid boolean" in message or "valid bool" in message:
        return "应为 true 或 false"
    if "datetime" in message or "valid date" in message:
        return "应为日期，写成 YYYY-MM-DD"
    if m := re.search(r"in the range (\S+?)\.?$", message):
        return f"应在范围 {m.group(1)} 之内"
    return f"（{message}）"


def usage_message(exc: usage.UsageError, args: list[str]) -> str:
    """A command-line mistake as a Chinese sentence naming the option or command and the fix."""
    ctx = exc.ctx
    where = ctx.command_path if ctx is not None else "zhixiao"
    fix = f"请运行 {where} --help 查看用法。"
    text = exc.message
    if isinstance(exc, usage.NoSuchOption):
        near = f"是否想用 {'、'.join(sorted(exc.possibilities))}？" if exc.possibilities else ""
        return f"{where} 没有选项 {exc.option_name}。{near}{fix}"
    if isinstance(exc, usage.MissingParameter) and exc.param is not None:
        choices = _choices(exc.param)
        return (f"缺少{_option_name(exc.param)}{_meaning(exc.param)}："
                + (f"请给出，可选值：{'、'.join(choices)}。" if choices else "请补上后重试。") + fix)
    if isinstance(exc, usage.BadParameter) and exc.param is not None:
        value = _given(args, exc.param)
        shown = f"“{value}”" if value is not None else ""
        return f"{_option_name(exc.param)}{_meaning(exc.param)}的值{shown}无效：{_expects(exc.param, text)}。{fix}"
    if isinstance(exc, usage.BadOptionUsage):
        if "requires" in text:
            return f"选项 {exc.option_name} 后面缺少取值：请写成 {exc.option_name} 值。{fix}"
        if "does not take a value" in text:
            return f"选项 {exc.option_name} 是开关，不带取值：请去掉“=”及其后的内容。{fix}"
    if m := re.match(r"No such command '(.+?)'", text):
        cmds = sorted(ctx.command.commands) if ctx is not None and hasattr(ctx.command, "commands") else []
        near = difflib.get_close_matches(m.group(1), cmds)
        hint = f"是否想用 {'、'.join(near)}？" if near else (f"可用的有：{'、'.join(cmds)}。" if cmds else "")
        return f"{where} 没有子命令“{m.group(1)}”。{hint}{fix}"
    if m := re.match(r"Got unexpected extra arguments? ?(?:\(s\))? \((.*)\)", text):
        return f"{where} 不接受多余的参数：{m.group(1)}。含空格的值请加引号；{fix}"
    if text.startswith("Missing command"):
        return f"{where} 后面缺少子命令。{fix}"
    return f"命令行有误（{exc.format_message()}）。{fix}"


PACKAGE_DIR = Path(__file__).resolve().parents[1]
OS_REASONS = {  # errno → (what is wrong with a path the user gave, the fix)
    errno.ENOENT: ("不存在", "请检查路径是否写对"),
    errno.EACCES: ("没有访问权限", "请检查它的权限，或换一个有权限的路径或账户"),
    errno.EPERM: ("没有访问权限", "请检查它的权限，或换一个有权限的路径或账户"),
    errno.EROFS: ("在只读的文件系统上", "请换一个可写的路径（如 --out）"),
    errno.EISDIR: ("是目录，这里需要一个文件", "请给出文件的路径"),
    errno.ENOTDIR: ("的路径中有一段是文件而不是目录", "请检查路径（数据目录、--out 须为目录）"),
    errno.ENOSPC: ("所在的磁盘已满", "请清理磁盘或换一个路径"),
}


def os_reason(exc: OSError) -> str:
    """What went wrong with a path, in Chinese (the system's text for an unusual errno)."""
    return OS_REASONS[exc.errno][0] if exc.errno in OS_REASONS else (exc.strerror or str(exc))


def os_error_message(exc: OSError) -> str | None:
    """The Chinese sentence for a path the user gave that cannot be used, or None when the failure is ours
    (no file name, or a file inside the package: that is a broken installation, an internal error)."""
    if exc.errno not in OS_REASONS or not exc.filename:
        return None
    path = Path(os.fsdecode(exc.filename))
    if path.resolve().is_relative_to(PACKAGE_DIR):
        return None
    reason, fix = OS_REASONS[exc.errno]
    return f"{path} {reason}：{fix}。"
