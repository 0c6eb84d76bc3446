"""审限: statutory limits as data and the single-case deadline computation.

This is the reference implementation; ``zhixiao.deadlines`` computes the same thing for the
whole store in the engine, and a test checks they agree case by case.

Counting rules (REFERENCE §2.2):
- counting starts the day after 立案 (若干规定 art 8), so a limit of N days ends on filed + N;
- a month period ends on the corresponding day of the final month, or that month's last day
  ("以月计算的，不分大小月"; SPC 2014 example 2014-05-28 + 3 months → 2014-08-28); months first, then days;
- an hour limit ends on filed + ⌈hours/24⌉ days and never rolls over rest days (see data/time_limits.toml);
- approved extensions add their length to the period; months and days are added to the total period
  counted from the start (so 6 + 6 months from 08-31 ends on 08-31, not 08-28); an ``extend_to`` limit
  ("可以延长至一个半月") becomes that total from the start once any extension is approved;
- deducted periods (公告, 鉴定, 和解, 管辖异议, 中止, 审计评估, 拍卖 … 若干规定 art 9) add their days; they are
  merged first so overlaps count once; an interval with no end counts up to the as-of date (or the
  closing date) and is flagged ``open_deduction`` (隐性超审限 risk);
- a deducted period only stops a clock that is still running: a merged period that starts after the
  deadline as it stood that day (extensions and the earlier periods counted, rolled forward) does not
  count, nor does any later one — the case was already overdue (``late_deducted_days``, 超审限后补扣);
- holidays inside the period are not deducted; if the last day is a rest day the deadline rolls to the
  next working day (CPL 2023 art 85; SPC 2014 document) — the calendar decides what a rest day is;
- a civil procedure change (简易→普通) keeps the original filing date (民诉解释 art 258); a change into a
  procedure marked ``from_conversion`` (刑事 简易/速裁 → 普通) counts from the conversion decision
  (刑诉法解释: 转为普通程序审理的，审理期限从作出决定之日起计算); the limit of the final procedure applies;
- a restart (刑事 补充侦查, CrPL 2018 art 208) restarts the clock from the restart date.
"""

from __future__ import annotations

import calendar as _cal
import math
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any

from zhixiao.domain.calendar import WorkCalendar

NEAR_SHARE = 2 / 3  # 临近: two thirds of the period elapsed (淮滨县法院 2013 "远期" tier, REFERENCE §2.3)
STATUSES = ("正常", "临近", "超审限", "扣除中", "中止中", "已结", "不计审限")
SUSPENSION_KINDS = ("suspension",)
UNLIMITED = "unlimited"
JSON_KEYS = ("deadline", "base_deadline", "deducted_days", "extension_days", "provisional", "rule", "citation",
             "unit", "unconfirmed", "unconfirmed_reason", "late_deducted_days", "start", "norm_date")


@dataclass(frozen=True)
class Extension:
    months: int = 0
    days: int = 0


@dataclass(frozen=True)
class Interval:
    """A deducted period; ``end`` None = still running; ``kind`` deduction|suspension."""

    start: date
    end: date | None = None
    kind: str = "deduction"


@dataclass(frozen=True)
class Limit:
    code: str
    name: str
    months: int = 0
    days: int = 0
    hours: int = 0
    lead_days: int | None = None
    decide_days: int | None = None
    no_limit: bool = False
    foreign_exempt: bool = False
    max_total_months: int | None = None
    citation: str = ""
    extension: tuple[dict, ...] = ()
    extend_to: tuple[int, int] | None = None  # (months, days) of the whole extended limit
    warn_months: int | None = None
    from_conversion: bool = False
    variants: tuple[tuple[str, str], ...] = ()  # (tag, procedure)
    confirmed: bool = True
    unconfirmed_reason: str = ""

    @property
    def extendable(self) -> bool:
        return bool(self.extension)

    @property
    def rolls(self) -> bool:
        """Does the deadline roll over rest days? Not for an hour limit (CPL art 85 speaks of the last 日)."""
        return not self.hours

    @property
    def period_days(self) -> int:
        """The limit's day part, an hour limit as the days it can reach into (⌈hours/24⌉)."""
        return self.days + math.ceil(self.hours / 24)

    @property
    def unit(self) -> str:
        return "hour" if self.hours else "month" if self.months else "day"

    @property
    def label(self) -> str:
        if self.no_limit:
            return "不计审限"
        if self.hours:
            return f"{self.hours}小时"
        parts = [f"{self.months}个月" if self.months else "", f"{self.days}日" if self.days else ""]
        return "".join(parts)

    def max_extended(self, start: date) -> date | None:
        """The latest raw end the approved extensions may reach from ``start`` (before deductions), or None
        when the law sets no ceiling (a repeatable extension, or one whose length the approver sets)."""
        if self.extend_to:
            return add_months(start, self.extend_to[0]) + timedelta(days=self.extend_to[1])
        if any(x.get("times") == UNLIMITED or not (x.get("months") or x.get("days")) for x in self.extension):
            ceiling = None
        else:
            months = sum(int(x.get("months") or 0) * int(x.get("times", 1)) for x in self.extension)
            days = sum(int(x.get("days") or 0) * int(x.get("times", 1)) for x in self.extension)
            ceiling = add_months(start, self.months + months) + timedelta(days=self.period_days + days)
        if self.max_total_months:
            total = add_months(start, self.max_total_months)
            ceiling = total if ceiling is None else min(ceiling, total)
        return ceiling


def _load() -> tuple[dict[str, Limit], str]:
    raw = tomllib.loads(resources.files("zhixiao.data").joinpath("time_limits.toml").read_text("utf-8"))
    limits = {}
    for code, spec in raw["procedure"].items():
        to = spec.get("extend_to")
        limits[code] = Limit(
            code=code,
            name=spec["name"],
            months=int(spec.get("months", 0)),
            days=int(spec.get("days", 0)),
            hours=int(spec.get("hours", 0)),
            lead_days=spec.get("lead_days"),
            decide_days=spec.get("decide_days"),
            no_limit=bool(spec.get("no_limit", False)),
            foreign_exempt=bool(spec.get("foreign_exempt", False)),
            max_total_months=spec.get("max_total_months"),
            citation=spec.get("citation", ""),
            extension=tuple(spec.get("extension", ())),
            extend_to=(int(to.get("months", 0)), int(to.get("days", 0))) if to else None,
            warn_months=spec.get("warn_months"),
            from_conversion=bool(spec.get("from_conversion", False)),
            variants=tuple((v["tag"], v["procedure"]) for v in spec.get("variant", ())),
            confirmed=bool(spec.get("confirmed", True)),
            unconfirmed_reason=spec.get("unconfirmed_reason", ""),
        )
    for lim in limits.values():  # a data error here would silently drop cases from the limit table
        for tag, target in lim.variants:
            if target not in limits:
                raise ValueError(f"time_limits.toml: {lim.code} 的变体 {tag} 指向未知程序 {target}")
    return limits, raw.get("foreign_tag", "foreign_related")


LIMITS, FOREIGN_TAG = _load()
# procedure_change targets whose limit counts from the conversion decision (刑事 简易/速裁 → 普通)
CONVERSION_CODES = tuple(c for c, lim in LIMITS.items() if lim.from_conversion)
# tags that change a case's limit: the 涉外 exemption and the variants (行审 听取意见, 民保令 紧急 …)
DEADLINE_TAGS = (FOREIGN_TAG, *dict.fromkeys(t for lim in LIMITS.values() for t, _ in lim.variants))


@dataclass
class DeadlineResult:
    procedure: str
    start: date  # the filing date, or the last restart / conversion
    deadline: date | None
    base_deadline: date | None  # start + base limit, before extensions, deductions and roll-forward
    deducted_days: int = 0
    extension_days: int = 0
    provisional: bool = False
    rule: str = ""
    citation: str = ""
    open_deduction: bool = False
    no_limit: bool = False
    in_deduction: bool = False  # a deduction covers the as-of date
    in_suspension: bool = False  # a 中止 covers the as-of date
    raw_deadline: date | None = None  # before the holiday roll-forward
    late_deducted_days: int = 0  # days of periods that began after the deadline had passed (not counted)
    unit: str = "day"
    unconfirmed: bool = False
    unconfirmed_reason: str = ""
    norm_date: date | None = None  # the early-warning norm (刑事公诉 二个月), deducted days added
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI/JSON contract: the original seven keys first, then the added ones."""
        d = asdict(self)
        return {k: d[k] for k in JSON_KEYS}


@dataclass(frozen=True)
class CaseStatus:
    status: str
    days_remaining: int | None
    elapsed_share: float | None
    closed_within_limit: bool | None


def add_months(d: date, n: int) -> date:
    """The corresponding day n months later, or that month's last day (不分大小月)."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, _cal.monthrange(y, m)[1]))


def pending_months(filed: date, as_of: date) -> int:
    """Whole months pending: the largest m with add_months(filed, m) ≤ as_of (never negative)."""
    last = _cal.monthrange(as_of.year, as_of.month)[1]
    m = (as_of.year - filed.year) * 12 + as_of.month - filed.month - (min(filed.day, last) > as_of.day)
    return max(m, 0)


def merge_intervals(intervals: Iterable[tuple[date, date]]) -> list[tuple[date, date]]:
    """Union of inclusive day intervals (touching ones merge; the day count is the same)."""
    out: list[list[date]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + timedelta(days=1):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _extension(x: Any) -> Extension:
    if isinstance(x, Extension):
        return x
    if isinstance(x, dict):
        return Extension(int(x.get("months") or 0), int(x.get("days") or 0))
    if isinstance(x, (tuple, list)):
        return Extension(int(x[0] or 0), int(x[1] or 0) if len(x) > 1 else 0)
    return Extension(int(getattr(x, "months", 0) or 0), int(getattr(x, "days", 0) or 0))


def _interval(x: Any) -> Interval:
    if isinstance(x, Interval):
        return x
    if isinstance(x, dict):
        return Interval(x.get("start") or x["start_date"], x.get("end", x.get("end_date")), x.get("kind", "deduction"))
    if isinstance(x, (tuple, list)):
        return Interval(x[0], x[1] if len(x) > 1 else None, x[2] if len(x) > 2 else "deduction")
    return Interval(x.start_date, x.end_date, getattr(x, "kind", "deduction"))


def close_suspensions(intervals: Iterable[Any], resumptions: Iterable[date]) -> list[Interval]:
    """A 中止 with no end is closed by the first 恢复 (resumption) dated on or after its start."""
    res = sorted(resumptions)
    out = []
    for iv in map(_interval, intervals):
        if iv.end is None and iv.kind in SUSPENSION_KINDS:
            end = next((r for r in res if r >= iv.start), None)
            iv = Interval(iv.start, end, iv.kind)
        out.append(iv)
    return out


def event_inputs(events: Iterable[dict]) -> dict[str, list]:
    """``compute_deadline`` keyword arguments from one case's canonical ``case_events`` rows.

    Procedure changes only matter for their date, and only into a procedure counted from the conversion
    (刑事 简易/速裁 → 普通): the store's ``procedure`` column already holds the final procedure, and a civil
    conversion keeps the filing date (民诉解释 art 258)."""
    out: dict[str, list] = {"extensions": [], "deductions": [], "restarts": [], "resumptions": [], "conversions": []}
    for e in events:
        kind = e["kind"]
        if kind == "extension":
            out["extensions"].append(Extension(int(e.get("months") or 0), int(e.get("days") or 0)))
        elif kind in ("deduction", *SUSPENSION_KINDS):
            out["deductions"].append(Interval(e["start_date"], e.get("end_date"), kind))
        elif kind == "restart":
            out["restarts"].append(e["start_date"])
        elif kind == "resumption":
            out["resumptions"].append(e["start_date"])
        elif kind == "procedure_change" and e.get("detail") in CONVERSION_CODES:
            out["conversions"].append(e["start_date"])
    return out


def limit_for(procedure: str) -> Limit:
    try:
        return LIMITS[procedure]
    except KeyError:
        raise ValueError(f"未知的程序代码“{procedure}”，可选：{'、'.join(LIMITS)}。") from None


def resolve_procedure(procedure: str, tags: Sequence[str] | None = ()) -> str:
    """The procedure a case is counted under: its own, or the variant its tags select (first that applies)."""
    for tag, target in limit_for(procedure).variants:
        if tag in (tags or ()):
            return target
    return procedure


def count_deductions(merged: Sequence[tuple[date, date]], extended: date, due) -> tuple[int, int]:
    """(counted, late) days of the merged deducted periods, in order: a period counts only if it starts on or
    before the deadline as it stands then (``due`` of the raw end so far); once one is late, all later ones
    are (the raw end no longer moves and they start later still)."""
    raw, counted, late = extended, 0, 0
    for s, e in merged:
        n = (e - s).days + 1
        if late or s > due(raw):
            late += n
        else:
            counted += n
            raw += timedelta(days=n)
    return counted, late


def compute_deadline(
    procedure: str,
    filed: date,
    *,
    extensions: Iterable[Any] = (),
    deductions: Iterable[Any] = (),
    restarts: Iterable[date] = (),
    procedure_changes: Iterable[tuple[date, str]] = (),
    conversions: Iterable[date] = (),
    as_of: date | None = None,
    calendar: WorkCalendar | None = None,
    tags: Sequence[str] | None = (),
    closed: date | None = None,
    roll_forward: bool = True,
    resumptions: Iterable[date] = (),
) -> DeadlineResult:
    """The deadline of one case. ``extensions``: (months, days) | Extension; ``deductions``:
    (start, end|None[, kind]) | Interval, an open 中止 closed by the first later date in ``resumptions``;
    ``procedure_changes``: (date, new code) — the last one's code applies; a change into a ``from_conversion``
    procedure counts from its date, like the dates in ``conversions``; ``restarts``: dates the clock restarts from."""
    cal = calendar or WorkCalendar()
    as_of = as_of or date.today()
    changes = sorted(procedure_changes)
    final = resolve_procedure(changes[-1][1] if changes else procedure, tags)
    lim = limit_for(final)
    marks = dict(rule=final, unit=lim.unit, unconfirmed=not lim.confirmed, unconfirmed_reason=lim.unconfirmed_reason)
    if lim.no_limit or (lim.foreign_exempt and FOREIGN_TAG in (tags or ())):
        reason = lim.citation if lim.no_limit else "涉外、涉港澳台民事案件不适用审限（若干规定；民事诉讼法涉外编）"
        return DeadlineResult(final, filed, None, None, citation=reason, no_limit=True, **marks)

    converted = [d for d, code in changes if code in CONVERSION_CODES]
    start = max([filed, *restarts, *conversions, *converted])
    base = add_months(start, lim.months) + timedelta(days=lim.period_days)
    exts = [_extension(x) for x in extensions]
    if lim.extend_to and exts:  # "可以延长至…": the whole limit, whatever length the event records
        extended = add_months(start, lim.extend_to[0]) + timedelta(days=lim.extend_to[1])
    else:
        extended = add_months(start, lim.months + sum(e.months for e in exts)) + \
            timedelta(days=lim.period_days + sum(e.days for e in exts))

    stop = closed if closed is not None and closed <= as_of else as_of
    first = start + timedelta(days=1)
    spans: list[tuple[date, date]] = []
    open_ded = in_ded = in_susp = False
    for iv in close_suspensions(deductions, resumptions):
        s = max(iv.start, first)
        e = iv.end if iv.end is not None else stop
        if iv.end is None:
            open_ded = True
        if e < s:
            continue
        spans.append((s, e))
        if s <= as_of <= e:
            if iv.kind in SUSPENSION_KINDS:
                in_susp = True
            else:
                in_ded = True
    rolls = roll_forward and lim.rolls
    due = cal.next_workday if rolls else (lambda d: d)
    deducted, late = count_deductions(merge_intervals(spans), extended, due)

    raw = extended + timedelta(days=deducted)
    deadline = due(raw)
    notes = []
    ceiling = lim.max_extended(start)
    if exts and ceiling is not None and extended > ceiling:
        notes.append(f"延长后超过法定上限（最迟 {ceiling.isoformat()}，未计扣除期间）")
    if late:
        notes.append(f"有 {late} 日扣除或中止期间始于审限届满之后，不予扣除（超审限后补扣）")
    norm = add_months(start, lim.warn_months) + timedelta(days=deducted) if lim.warn_months else None
    provisional = (cal.is_provisional(raw) or cal.is_provisional(deadline)) if lim.rolls else False
    return DeadlineResult(
        procedure=final, start=start, deadline=deadline, base_deadline=base, deducted_days=deducted,
        extension_days=(extended - base).days, provisional=provisional, citation=lim.citation,
        open_deduction=open_ded, in_deduction=in_ded, in_suspension=in_susp, raw_deadline=raw,
        late_deducted_days=late, norm_date=norm, notes=notes, **marks,
    )


def case_status(result: DeadlineResult, as_of: date, closed: date | None = None,
                near_share: float = NEAR_SHARE) -> CaseStatus:
    """Status at ``as_of``: 已结 / 不计审限 / 超审限 / 中止中 / 扣除中 / 临近 / 正常 (first that applies).

    A case closed after ``as_of`` counts as pending at ``as_of``. ``elapsed_share`` is calendar days since
    the start over days from start to deadline (1.0 on the deadline day).
    """
    pending = closed is None or closed > as_of
    if result.no_limit or result.deadline is None:
        return CaseStatus("不计审限", None, None, None)
    span = (result.deadline - result.start).days
    if not pending:
        share = (closed - result.start).days / span
        return CaseStatus("已结", None, share, closed <= result.deadline)
    remaining = (result.deadline - as_of).days
    share = (as_of - result.start).days / span
    if remaining < 0:
        status = "超审限"
    elif result.in_suspension:
        status = "中止中"
    elif result.in_deduction:
        status = "扣除中"
    elif share >= near_share:
        status = "临近"
    else:
        status = "正常"
    return CaseStatus(status, remaining, share, None)


# 法释〔2018〕9号《关于严格规范民商事案件延长审限和延期开庭问题的规定》第2条: two hearings of one case are at most
# one month apart (save force majeure or the parties' agreement) — measured like any month period (不分大小月).
HEARING_GAP_MONTHS = 1


def hearing_gaps(hearings: Iterable[date], months: int = HEARING_GAP_MONTHS) -> list[tuple[date, date]]:
    """Consecutive hearings (held or scheduled) more than ``months`` apart: (earlier, later) pairs."""
    days = sorted(set(hearings))
    return [(a, b) for a, b in zip(days, days[1:], strict=False) if b > add_months(a, months)]
