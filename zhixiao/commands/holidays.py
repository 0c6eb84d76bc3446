"""``zhixiao holidays check|set``: enter next year's State Council holiday arrangement once per court.

Reads the notice's dates (TOML or CSV), checks them, and writes the ``[year.YYYY]`` table of the calendar
override file (``calendar_overrides`` in zhixiao.toml, else ``<data_dir>/calendar_overrides.toml``); then the
supervision ledger's open items whose deadline was provisional are recomputed on the new calendar.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from zhixiao.commands.common import DataDir, console, settings
from zhixiao.config import load_settings
from zhixiao.domain import holiday_notice as hn
from zhixiao.domain.calendar import WorkCalendar, parse_overrides
from zhixiao.errors import UserError
from zhixiao.supervision.provisional import recompute_provisional

hol_app = typer.Typer(help="国务院节假日安排：核对并写入本院日历覆盖文件 / the State Council holiday arrangement",
                      no_args_is_help=True)

FileOpt = Annotated[Path, typer.Option("--file", help="节假日安排文件（.toml 或 .csv）/ the arrangement (TOML or CSV)")]
YearOpt = Annotated[int | None, typer.Option("--year", help="年度（CSV 可省略，TOML 取文件中的 year）/ year")]


def _read(path: Path, year: int | None) -> hn.Notice:
    if not path.is_file():
        raise UserError(f"找不到节假日安排文件 {path}；请检查路径。")
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text("gb18030")
    try:
        n = hn.parse_csv(text, year) if path.suffix.lower() == ".csv" else hn.parse_toml(text)
    except hn.NoticeError as exc:
        raise UserError(f"{path.name}：{exc}") from None
    if year is not None and n.year != year:
        raise UserError(f"{path.name} 写的是 {n.year} 年，而 --year 是 {year}；请改正其一。")
    return n


def _checked(path: Path, year: int | None) -> hn.Notice:
    n = _read(path, year)
    errors, warnings = hn.check(n)
    for w in warnings:
        console.print(f"[yellow]提示：{escape(w)}[/]")
    if errors:
        raise UserError(f"{path.name} 有 {len(errors)} 处问题，未写入：\n" + "\n".join(f"  {i}. {e}" for i, e in
                                                                             enumerate(errors, 1)))
    console.print(f"{n.year} 年：放假 {len(n.holidays)} 天（其中工作日 {sum(d.weekday() < 5 for d in n.holidays)} 天），"
                  f"调休上班 {len(n.workdays)} 天，核对无误。", markup=False)
    return n


@hol_app.command("check", help="只核对节假日安排文件，不写入 / check an arrangement file without writing")
def check_cmd(file: FileOpt, year: YearOpt = None) -> None:
    _checked(file, year)


@hol_app.command("set", help="核对后写入日历覆盖文件（替换该年度原有安排）/ check and write into the override file")
def set_cmd(file: FileOpt, year: YearOpt = None, data_dir: DataDir = None) -> None:
    n = _checked(file, year)
    s = settings(data_dir)
    target = Path(s.calendar_overrides) if s.calendar_overrides else Path(s.data_dir) / "calendar_overrides.toml"
    existing = target.read_text("utf-8") if target.is_file() else ""
    text = hn.merge_override(existing, n, note=f"{date.today()} 由 zhixiao holidays set 从 {file.name} 写入")
    cal = WorkCalendar(parse_overrides(text))  # what the deadlines will read: the year is known, days agree
    if n.year not in cal.known_years or any(cal.is_workday(d) for d in n.holidays) or \
            not all(cal.is_workday(d) for d in n.workdays):
        raise RuntimeError(f"覆盖文件 {target} 合并后读出的 {n.year} 年安排与输入不一致")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(target)
    console.print(f"已写入 {target}：{n.year} 年节假日安排。此后计算的审限按此安排。", markup=False)
    if not s.calendar_overrides:
        console.print(f"（数据目录中的 {target.name} 会被自动读取；也可在 zhixiao.toml 中设置 calendar_overrides。）", markup=False)
    _recompute(load_settings(s.data_dir))


def _recompute(st) -> None:
    """The ledger's open items on provisional deadlines, recomputed on the calendar just written."""
    changed = recompute_provisional(st, date.today())
    moved = [c for c in changed if c.new != c.old]
    console.print(f"督办台账：{len(changed)} 项待处理事项的暂定审限届满日已按新安排核定，其中 {len(moved)} 项改变"
                  "（见各事项的处理记录）。", markup=False)
    for c in moved[:20]:
        console.print(f"  #{c.alert_id} {c.case_id}：{c.old.isoformat()} → {c.new.isoformat() if c.new else '无'}",
                      markup=False)
    if len(moved) > 20:
        console.print(f"  ……另有 {len(moved) - 20} 项", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(hol_app, name="holidays")
