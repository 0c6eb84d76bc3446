"""``zhixiao deadline``: one case's 审限 from the command line."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import typer
from rich.markup import escape

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, parse_date, settings, to_json
from zhixiao.errors import UserError

LABELS = {"deadline": "审限届满日", "base_deadline": "法定期限届满日（未计延长、扣除、节假日）",
          "deducted_days": "扣除天数", "extension_days": "延长天数", "provisional": "暂定（年度节假日未知）",
          "rule": "适用程序", "citation": "依据", "unit": "期限单位", "unconfirmed": "依据未经一手文本核实",
          "unconfirmed_reason": "未核实说明", "late_deducted_days": "超审限后补扣（不予扣除）天数",
          "start": "起算日（立案、重新计算或转换程序之日）", "norm_date": "预警节点（法定二个月宣判期限）"}
UNITS = {"hour": "小时", "day": "日", "month": "月"}
YEARS = (1949, 2099)  # dates outside are typing errors, and beyond 9999 the arithmetic cannot go
MAX_EXTENSION_MONTHS, MAX_EXTENSION_DAYS = 120, 3650


def parse_interval(text: str) -> tuple[date, date | None]:
    """``START:END`` (END may be empty for a period that has not ended)."""
    start, sep, end = text.partition(":")
    if not sep:
        raise UserError(f"--deduct“{text}”格式不对，请写成 开始:结束，例如 2025-04-01:2025-04-30（未结束的写 2025-04-01:）。")
    a = parse_date(start, "--deduct 开始日期")
    b = parse_date(end, "--deduct 结束日期") if end.strip() else None
    if b is not None and b < a:
        raise UserError(f"--deduct“{text}”的结束日期早于开始日期，请检查。")
    return a, b


def _plausible(d: date, what: str) -> date:
    if not YEARS[0] <= d.year <= YEARS[1]:
        raise UserError(f"{what}“{d.isoformat()}”不在 {YEARS[0]}—{YEARS[1]} 年之间，请检查输入。")
    return d


def calendar_for(data_dir):
    from zhixiao.domain.calendar import load_calendar

    try:
        return load_calendar(settings(data_dir))
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    except ValueError as exc:
        raise UserError(f"日历覆盖文件有误：{exc}") from None


def deadline(
    procedure: Annotated[str, typer.Option("--procedure", help="程序代码，如 civil_ordinary / procedure code")],
    filed: Annotated[str, typer.Option("--filed", help="立案日期 YYYY-MM-DD / filing date")],
    extension_months: Annotated[int, typer.Option("--extension-months", help="已批准延长的月数 / approved extension (months)")] = 0,
    extension_days: Annotated[int, typer.Option("--extension-days", help="已批准延长的天数 / approved extension (days)")] = 0,
    deduct: Annotated[list[str] | None, typer.Option("--deduct", help="扣除期间 START:END，可多次 / deducted period, repeatable")] = None,
    restart: Annotated[list[str] | None, typer.Option("--restart", help="重新计算审限的日期（补充侦查后）/ restart date")] = None,
    tag: Annotated[list[str] | None, typer.Option(
        "--tag", help="影响审限的案件标签：foreign_related（涉外）、parties_heard（行审听取意见）、urgent（保护令情况紧急）"
                      " / case tag that changes the limit")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="截至日期（默认今天）/ as-of date")] = None,
    data_dir: DataDir = None,
    fmt: FormatOpt = Format.table,
) -> None:
    from zhixiao.domain.time_limits import LIMITS, add_months, compute_deadline, resolve_procedure

    _check_options(procedure, extension_months, extension_days, tag)
    filed_d = _plausible(parse_date(filed, "--filed 立案日期"), "--filed 立案日期")
    as_of_d = _plausible(parse_date(as_of, "--as-of"), "--as-of") if as_of else date.today()
    intervals, restarts = _events(filed_d, deduct, restart)
    exts = [(extension_months, extension_days)] if extension_months or extension_days else []
    lim = LIMITS[resolve_procedure(procedure, tag or ())]
    if exts and not lim.extendable:
        raise UserError(f"{lim.name}的审限依法不得延长（{lim.citation}），请去掉 --extension-months / --extension-days。")
    start = max([filed_d, *restarts])
    ceiling = lim.max_extended(start)
    r = compute_deadline(
        procedure, filed_d, extensions=exts,
        deductions=intervals, restarts=restarts, as_of=as_of_d, calendar=calendar_for(data_dir), tags=tag or (),
        roll_forward=bool(((settings(data_dir).rules or {}).get("calendar") or {}).get("roll_forward", True)),
    )
    # what was asked for, added to the base limit (an extend_to limit counts the total, not the request)
    asked = add_months(start, lim.months + extension_months) + timedelta(days=lim.period_days + extension_days)
    if exts and not r.no_limit and ceiling is not None and asked > ceiling:
        raise UserError(f"{lim.name}延长后最迟只能到 {ceiling.isoformat()}（未计扣除期间；{lim.citation}），"
                        f"所给延长超过法定上限，请检查 --extension-months / --extension-days。")
    _show(r, as_of_d, fmt)


def _check_options(procedure: str, extension_months: int, extension_days: int, tag: list[str] | None) -> None:
    from zhixiao.domain.time_limits import DEADLINE_TAGS, LIMITS

    if procedure not in LIMITS:
        raise UserError(f"--procedure“{procedure}”不是已知的程序代码，可选：{'、'.join(LIMITS)}。")
    if extension_months < 0 or extension_days < 0:
        raise UserError("--extension-months / --extension-days 不能为负数。")
    if extension_months > MAX_EXTENSION_MONTHS or extension_days > MAX_EXTENSION_DAYS:
        raise UserError(f"--extension-months 最多 {MAX_EXTENSION_MONTHS}，--extension-days 最多 {MAX_EXTENSION_DAYS}："
                        "没有哪类案件的审限可以延长这么久，请检查输入。")
    unknown = [t for t in tag or [] if t not in DEADLINE_TAGS]
    if unknown:
        raise UserError(f"--tag“{'、'.join(unknown)}”不影响审限计算，不是可用的标签；可用：{'、'.join(DEADLINE_TAGS)}。")


def _events(filed_d: date, deduct: list[str] | None, restart: list[str] | None
            ) -> tuple[list[tuple[date, date | None]], list[date]]:
    """The --deduct intervals and --restart dates, each on or after the filing date and plausible."""
    intervals = [parse_interval(x) for x in deduct or []]
    restarts = [parse_date(x, "--restart") for x in restart or []]
    for what, d in [*(("--deduct", a) for a, _ in intervals), *(("--restart", d) for d in restarts)]:
        if d < filed_d:
            raise UserError(f"{what} 的日期 {d.isoformat()} 早于立案日期 {filed_d.isoformat()}，请检查输入。")
        _plausible(d, what)
    for _, b in intervals:
        if b is not None:
            _plausible(b, "--deduct 结束日期")
    return intervals, restarts


def _show(r, as_of_d: date, fmt: Format) -> None:
    from zhixiao.domain.time_limits import case_status

    out = r.to_json()
    if fmt == Format.json:
        typer.echo(to_json(out))
        return
    if fmt == Format.csv:
        typer.echo(",".join(out))
        typer.echo(",".join("" if v is None else str(v) for v in out.values()))
        return
    st = case_status(r, as_of_d)
    for k, v in out.items():
        if k == "unconfirmed_reason" and not r.unconfirmed:
            continue
        shown = {True: "是", False: "否", None: "—"}.get(v, v) if isinstance(v, bool) or v is None else v
        console.print(f"{LABELS[k]}：{UNITS.get(v, v) if k == 'unit' else shown}", markup=False)
    if r.no_limit:
        console.print("[yellow]本案不计审限。[/]")
    else:
        console.print(f"截至 {as_of_d.isoformat()}：{st.status}，剩余 {st.days_remaining} 日", markup=False)
    if r.provisional:
        console.print("[yellow]注意：届满日所在年度的节假日安排未知，按仅周末休息暂算（暂定）。请在日历覆盖文件中补录。[/]")
    if r.open_deduction:
        console.print("[yellow]注意：有未结束的扣除期间，已暂计至截至日期（隐性超审限风险）。[/]")
    for n in r.notes:
        console.print(f"[yellow]注意：{escape(n)}[/]")


def register(app: typer.Typer) -> None:
    app.command("deadline", help="计算单个案件的审限届满日 / compute one case's statutory deadline (审限)")(deadline)
