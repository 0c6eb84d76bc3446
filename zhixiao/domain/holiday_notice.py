"""Next year's State Council holiday arrangement, as the 审管办 enters it: parse, check, and write it into the
court's calendar override file (the ``[year.YYYY]`` table ``zhixiao.domain.calendar.WorkCalendar`` reads).

The arrangement is published each autumn as 《国务院办公厅关于YYYY年部分节假日安排的通知》; ``chinesecalendar``
learns it only with a new release, and until then deadlines in that year are provisional. Input is a small
TOML (``year``, ``source``, ``[[holiday]] name/dates/workdays``) or CSV (``日期,类别,名称`` with 类别 休 or 班).
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

_ONE = timedelta(days=1)
# 《全国年节及纪念日放假办法》(国务院令第795号, 2024-11-10 修订, 2025-01-01 施行): 13 days for all citizens
# (元旦1、春节4、清明1、劳动节2、端午1、中秋1、国庆3); 11 days under the 2007 and 2013 versions, 10 under 1999's.
# Some years differ (2015's 抗战胜利纪念日, 2020's extended 春节, a 元旦 break reaching into December), so a
# mismatch is a warning, not an error.
STATUTORY_DAYS = ((2025, 13), (2008, 11), (2000, 10))
HOLIDAY_KINDS = {"休", "假", "放假", "holiday"}
WORKDAY_KINDS = {"班", "上班", "调休上班", "workday"}


class NoticeError(ValueError):
    """The input cannot be read; the message is a Chinese sentence naming the place and the fix."""


@dataclass
class Notice:
    year: int
    source: str = ""
    holidays: dict[date, str] = field(default_factory=dict)  # rest days, weekends inside a period included
    workdays: dict[date, str] = field(default_factory=dict)  # 调休上班 weekend days


def _date(text: object, where: str) -> date:
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise NoticeError(f"{where} 中的日期“{text}”无效，请写成 YYYY-MM-DD（区间写成 YYYY-MM-DD..YYYY-MM-DD）。") from None


def _days(value: object, where: str) -> list[date]:
    if isinstance(value, str) and ".." in value:
        a, b = (_date(x, where) for x in value.split("..", 1))
        if b < a:
            raise NoticeError(f"{where} 中的区间“{value}”结束早于开始，请检查。")
        return [a + timedelta(days=i) for i in range((b - a).days + 1)]
    return [_date(value, where)]


def _add(target: dict[date, str], days: list[date], name: str, what: str, where: str) -> None:
    for d in days:
        if d in target and target[d] != name:
            raise NoticeError(f"{where}：{d} 同时列在“{target[d]}”和“{name}”的{what}中，请删去重复的一处。")
        target[d] = name


def parse_toml(text: str) -> Notice:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise NoticeError(f"节假日安排文件不是有效的 TOML：{exc}。") from None
    if not isinstance(raw.get("year"), int):
        raise NoticeError("节假日安排文件缺少年度：请在第一行写 year = 2027 这样的年份。")
    n = Notice(raw["year"], str(raw.get("source", "")))
    for i, item in enumerate(raw.get("holiday", []) or [], 1):
        name = str(item.get("name") or f"第{i}个假期")
        where = f"[[holiday]] 第 {i} 项（{name}）"
        for v in item.get("dates", []) or []:
            _add(n.holidays, _days(v, where), name, "放假日期", where)
        for v in item.get("workdays", []) or []:
            _add(n.workdays, _days(v, where), name, "调休上班日期", where)
    return n


def parse_csv(text: str, year: int | None) -> Notice:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if rows and rows[0] and not re.match(r"\d{4}-", rows[0][0].strip()):
        rows = rows[1:]  # header
    dates: list[tuple[int, date, str, str]] = []
    for i, row in enumerate(rows, 2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise NoticeError(f"第 {i} 行只有 {len(row)} 列；每行写 日期,类别(休/班),名称，例如 2027-01-01,休,元旦。")
        kind = row[1].strip()
        if kind not in HOLIDAY_KINDS | WORKDAY_KINDS:
            raise NoticeError(f"第 {i} 行的类别“{kind}”无法识别；放假写“休”，调休上班写“班”。")
        for d in _days(row[0].strip(), f"第 {i} 行"):
            dates.append((i, d, kind, row[2].strip() if len(row) > 2 else ""))
    if not dates:
        raise NoticeError("节假日安排文件中没有日期；每行写 日期,类别(休/班),名称。")
    # the year most dates fall in; a stray date of another year is then reported by ``check``
    n = Notice(year or Counter(d.year for _, d, _, _ in dates).most_common(1)[0][0])
    for i, d, kind, name in dates:
        if kind in HOLIDAY_KINDS:
            _add(n.holidays, [d], name or "放假", "放假日期", f"第 {i} 行")
        else:
            _add(n.workdays, [d], name or "调休上班", "调休上班日期", f"第 {i} 行")
    return n


def statutory_days(year: int) -> int:
    return next(days for since, days in STATUTORY_DAYS if year >= since)


def check(n: Notice) -> tuple[list[str], list[str]]:
    """(errors, warnings), each a Chinese sentence naming the date and the fix."""
    errors: list[str] = []
    warnings: list[str] = []
    if not n.holidays:
        errors.append(f"{n.year} 年没有填写任何放假日期；请按通知填写每个假期的放假日期。")
    for d, name in sorted({**n.holidays, **n.workdays}.items()):
        if d.year != n.year:
            errors.append(f"{d}（{name}）不在 {n.year} 年；一个文件只填一个年度的安排，请改正年份或删去该日期。")
    for d in sorted(set(n.holidays) & set(n.workdays)):
        errors.append(f"{d} 既是放假日（{n.holidays[d]}）又是调休上班日（{n.workdays[d]}）；请按通知保留其一。")
    for d, name in sorted(n.workdays.items()):
        if d.weekday() < 5:
            errors.append(f"调休上班日 {d}（{name}）是星期{'一二三四五'[d.weekday()]}，本来就上班；调休上班日应是周六或周日，请核对通知。")
    if n.holidays and all(d.weekday() >= 5 for d in n.holidays):
        errors.append(f"{n.year} 年填写的放假日期全是周末，不像是节假日安排；请核对是否把调休上班日填进了放假日期。")
    off = sum(1 for d in n.holidays if d.weekday() < 5 and d.year == n.year) - len(n.workdays)
    expected = statutory_days(n.year)
    if not errors and off != expected:
        warnings.append(f"放假的工作日（{off + len(n.workdays)} 天）减调休上班日（{len(n.workdays)} 天）为 {off} 天，"
                        f"而《全国年节及纪念日放假办法》规定全体公民放假 {expected} 天；除非当年另有特别安排，请核对通知。")
    return errors, warnings


def _ranges(days: dict[date, str]) -> list[tuple[date, date, str]]:
    out: list[tuple[date, date, str]] = []
    for d in sorted(days):
        if out and out[-1][1] + _ONE == d and out[-1][2] == days[d]:
            out[-1] = (out[-1][0], d, days[d])
        else:
            out.append((d, d, days[d]))
    return out


def override_block(n: Notice, note: str = "") -> str:
    """The ``[year.YYYY]`` table for the override file, one range per line with its holiday's name."""

    def items(days: dict[date, str]) -> str:
        lines = [f'  "{a}{"" if a == b else f"..{b}"}",  # {name}' for a, b, name in _ranges(days)]
        return "[\n" + "\n".join(lines) + "\n]" if lines else "[]"

    head = f"[year.{n.year}]"
    comment = "  # " + "；".join(x for x in (n.source, note) if x) if (n.source or note) else ""
    return f"{head}{comment}\nholidays = {items(n.holidays)}\nworkdays = {items(n.workdays)}\n"


def merge_override(existing: str, n: Notice, note: str = "") -> str:
    """``existing`` override text with its ``[year.YYYY]`` table (if any) replaced by the notice's; the rest of
    the file (closures, other years, comments) is kept as written."""
    lines = existing.splitlines(keepends=True)
    head = re.compile(rf"^\s*\[\s*year\s*\.\s*\"?{n.year}\"?\s*\]")
    other_table = re.compile(r"^\s*\[")
    out: list[str] = []
    skipping = False
    for line in lines:
        if head.match(line):
            skipping = True
            continue
        if skipping and other_table.match(line):
            skipping = False
        if not skipping:
            out.append(line)
    text = "".join(out).rstrip("\n")
    return (text + "\n\n" if text else "") + override_block(n, note)
