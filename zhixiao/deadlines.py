"""Deadlines for the whole store in one vectorised engine computation (DuckDB or Spark via ibis).

Same rules as ``zhixiao.domain.time_limits.compute_deadline`` (see its docstring), as one pass over the
cases: the event side (extension sums, last restart or conversion, the merged deducted intervals) is the
timeline the store keeps on each case (``zhixiao.store.timeline``); limits and the work calendar are small
joined tables; only what depends on the as-of date is computed here. No per-row Python.

超审限后补扣: a merged deducted piece counts only if it starts on or before the deadline as it stood then
(rolled forward). That test needs the roll-forward of a day computed inside the piece list, where no join
reaches: the calendar's roll distances travel as one string (a character per day), a constant column of
``_steps`` read with ``substr``. Only the cases where a piece could be late read the list at all (``tl_late_key`` > E, or an
open interval starting after E).
"""

from __future__ import annotations

from calendar import monthrange as _monthrange
from collections.abc import Collection
from datetime import date, timedelta

import ibis
import numpy as np
import pyarrow as pa

from zhixiao.domain.calendar import WorkCalendar
from zhixiao.domain.time_limits import FOREIGN_TAG, LIMITS, NEAR_SHARE
from zhixiao.store.timeline import TIMELINE

CASE_COLUMNS = ("case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
                "filing_date", "closing_date")
COLUMNS = (
    *CASE_COLUMNS, "base_deadline", "extension_days", "deducted_days", "deadline",
    "provisional", "no_limit", "open_deduction", "closed_within_limit", "days_remaining", "elapsed_share",
    "status", "pending_months",
    # extras used by the ladder, the ledgers and the notices
    "start_date", "raw_deadline", "lead_days", "extendable", "n_extensions", "has_deduction",
    "has_suspension", "has_restart", "in_deduction", "in_suspension", "pending", "rule",
    # 超审限后补扣 (days of deducted periods that began after the deadline had passed, not counted), the
    # limit's unit and whether its source is unconfirmed, the days left to an early-warning norm (刑事公诉 二个月)
    "late_deducted_days", "late_deduction", "unit", "unconfirmed", "norm_days_remaining",
    # consecutive hearings more than a month apart (法释〔2018〕9号 第2条)
    "hearing_gaps",
)


def limits_table() -> pa.Table:
    """The time-limit catalogue as a join table (procedure → months, days, flags)."""
    rows = list(LIMITS.values())
    return pa.table(
        {
            "lim_procedure": pa.array([r.code for r in rows], pa.string()),
            "lim_months": pa.array([r.months for r in rows], pa.int32()),
            "lim_days": pa.array([r.period_days for r in rows], pa.int32()),
            "lim_rolls": pa.array([r.rolls for r in rows], pa.bool_()),
            # no nulls in this table: a null int column arrives all null on Spark, so 0 / false mean "none"
            "lim_has_to": pa.array([r.extend_to is not None for r in rows], pa.bool_()),
            "lim_to_months": pa.array([r.extend_to[0] if r.extend_to else 0 for r in rows], pa.int32()),
            "lim_to_days": pa.array([r.extend_to[1] if r.extend_to else 0 for r in rows], pa.int32()),
            "lim_norm_months": pa.array([r.warn_months or 0 for r in rows], pa.int32()),  # 0 = no norm
            "lim_unit": pa.array([r.unit for r in rows], pa.string()),
            "lim_unconfirmed": pa.array([not r.confirmed for r in rows], pa.bool_()),
            "lim_no_limit": pa.array([r.no_limit for r in rows], pa.bool_()),
            "lim_foreign_exempt": pa.array([r.foreign_exempt for r in rows], pa.bool_()),
            "lead_days": pa.array([r.lead_days or 0 for r in rows], pa.int32()),  # 0 = no request needed
            "extendable": pa.array([r.extendable for r in rows], pa.bool_()),
        }
    )


def _calendar_span(engine, as_of: date) -> tuple[date, date]:
    """Days the join must cover, from the manifest's partition years (no scan): the earliest year to the
    latest raw deadline possible — open deductions can push a deadline by as much as the case's age."""
    years = [y for _, y in engine.store.partitions("cases")] or [as_of.year]
    lo = date(min(years) - 1, 1, 1)
    top = date(max(max(years), as_of.year) + 1, 12, 31)
    reach = min((max(as_of, top) - lo).days, 40 * 366)
    max_months = max((r.months for r in LIMITS.values()), default=0) * 3 + 24
    return lo, top + timedelta(days=reach + max_months * 31)


EPOCH = date(1970, 1, 1)


def _as_date(expr) -> ibis.Value:
    """date ± interval is a TIMESTAMP in DuckDB and ibis drops a date→date cast; force a real DATE."""
    return expr.cast("timestamp").cast("date")


def _add_months(d, months) -> ibis.Value:
    return _as_date(d + months.cast("int32").as_interval("M"))


def _add_days(d, days) -> ibis.Value:
    return _as_date(d + days.cast("int32").as_interval("D"))


MAX_GAP = 78  # one printable ASCII character per day: '0' + days to the next working day


def roll_gaps(cal_arrow: pa.Table) -> str:
    """Days from each day of the calendar table to its roll-forward (0 on a working day), one character each."""
    days = cal_arrow.column("date").cast(pa.int32()).to_numpy()
    gaps = cal_arrow.column("next_workday").cast(pa.int32()).to_numpy() - days
    if gaps.max(initial=0) > MAX_GAP:
        raise ValueError(f"日历中有连续 {int(gaps.max())} 日的休息期，超过 {MAX_GAP} 日，请检查日历覆盖文件。")
    return (gaps + 48).astype(np.uint8).tobytes().decode("ascii")


def table_options(settings, ladder=None) -> dict:
    """deadline_table keyword options from settings: ``rules.calendar.roll_forward`` (default true) and
    the ladder's ``[status] near_share``."""
    rules = getattr(settings, "rules", {}) or {}
    opts = {"roll_forward": bool((rules.get("calendar") or {}).get("roll_forward", True))}
    if ladder is not None:
        opts["near_share"] = float(ladder.status.get("near_share", NEAR_SHARE))
    return opts


def deadline_table(engine, as_of: date, calendar: WorkCalendar | None = None, *, roll_forward: bool = True,
                   near_share: float = NEAR_SHARE, courts: Collection[str] | None = None) -> ibis.Table:
    """One row per case with its deadline and status at ``as_of`` (columns: ``COLUMNS``); with ``courts``
    only those courts' cases (the same rows as the whole table filtered by court: every column depends on
    the case alone), computed for them only — a briefing of one court need not compute the city's.

    On DuckDB the result is materialised once per engine and arguments: the indicator engine, the
    briefing and the web app all join it many times, and the engine's snapshot never changes. A court
    subset of a whole table already materialised is a filter of it.
    Without ``calendar`` the engine's court calendar applies (its override file), else the package's.
    """
    calendar = calendar or getattr(engine, "calendar", None)
    cache = getattr(engine, "cache", None)
    if courts is not None and set(courts) >= {c for c, _ in engine.store.partitions("cases")}:
        courts = None  # every court of the store (a city's scope): the whole table, cached once for all
    courts = tuple(sorted(set(courts))) if courts is not None else None
    if cache is None or engine.backend != "duckdb":
        return _deadline_expr(engine, as_of, calendar, roll_forward=roll_forward, near_share=near_share, courts=courts)
    key = ("deadline_table", as_of, calendar.fingerprint() if calendar else None, roll_forward, near_share)
    if courts is not None:
        if key in cache:
            return cache[key].filter(cache[key].court_code.isin(courts))
        key = (*key, courts)
    if key not in cache:
        expr = _deadline_expr(engine, as_of, calendar, roll_forward=roll_forward, near_share=near_share, courts=courts)
        cache[key] = engine.con.create_table(f"_zx_deadlines_{len(cache)}", obj=expr, temp=True)
    return cache[key]


def _deadline_expr(engine, as_of: date, calendar: WorkCalendar | None, *, roll_forward: bool,
                   near_share: float, courts: tuple[str, ...] | None = None) -> ibis.Table:
    cases = engine.cases if courts is None else engine.cases.filter(engine.cases.court_code.isin(courts))
    return with_deadlines(engine, cases, as_of, calendar, roll_forward=roll_forward,
                          near_share=near_share).select(*COLUMNS)


COMPUTED = tuple(c for c in COLUMNS if c not in CASE_COLUMNS)
# The first layer's columns (before the calendar join) each output reads, besides ``raw_day`` (the join key).
# ``with_deadlines(only=…)`` builds only those, so a query that wants one output (the indicators want
# ``closed_within_limit``) compiles a third of the SQL. A test checks every output alone against the full
# computation.
_READS = {
    "deadline": {"no_limit"}, "raw_deadline": {"no_limit"}, "provisional": {"no_limit"},
    "closed_within_limit": {"no_limit", "pending"}, "days_remaining": {"no_limit", "pending"},
    "elapsed_share": {"no_limit", "pending", "start_date"}, "pending_months": {"pending"},
    "late_deducted_days": {"no_limit", "late_days"}, "late_deduction": {"no_limit", "late_days"},
    "norm_days_remaining": {"no_limit", "pending", "norm_day"},
    "status": {"no_limit", "pending", "start_date", "in_suspension", "in_deduction"},
    **{c: {"no_limit", c} for c in ("base_deadline", "extension_days", "deducted_days", "open_deduction",
                                    "in_deduction", "in_suspension", "start_date")},
    **{c: {c} for c in ("pending", "no_limit", "n_extensions", "has_restart", "has_deduction", "has_suspension",
                        "hearing_gaps")},
    **{c: set() for c in ("rule", "lead_days", "extendable", "unit", "unconfirmed")},
}
# what the computation reads from the cases (the case id only passes through); a test checks DuckDB's plan
INPUT_COLUMNS = ("case_id", "procedure", "filing_date", "closing_date", "tags", *TIMELINE.names)


def with_deadlines(engine, t: ibis.Table, as_of: date, calendar: WorkCalendar | None = None, *,
                   roll_forward: bool = True, near_share: float = NEAR_SHARE, prefix: str = "",
                   only: Collection[str] | None = None) -> ibis.Table:
    """``t`` — the engine's cases table or any filter of it — with the deadline columns (``COMPUTED``, or
    ``only`` those; each name with ``prefix``) added. One pass over the cases: the event side comes from the
    timeline the store keeps on every case (``zhixiao.store.timeline``), the limits and the calendar are
    small joined tables."""
    out = list(COMPUTED) if only is None else [c for c in COMPUTED if c in set(only)]
    layer1 = set().union(*(_READS[c] for c in out))
    cal = calendar or getattr(engine, "calendar", None) or WorkCalendar()
    lo, hi = _calendar_span(engine, as_of)
    cal_arrow, calt = _calendar_tables(cal, lo, hi)
    own = list(t.columns)
    t = _steps(_join_limits(t), as_of, roll_gaps(cal_arrow) if roll_forward else "")
    # Two layers of columns around the calendar lookup, over the named steps the first layer reads many times
    # (DuckDB shares the repeated sub-expressions of one projection). First, all that comes before it.
    first = _before_calendar(t, as_of, (lo - EPOCH).days, roll_forward)
    # a column no output reads stays a typed null (the layer below still refers to it; DuckDB drops it)
    t = t.mutate(**{c: e if c in layer1 or c == "raw_day" else ibis.null(e.type()) for c, e in first.items()})
    t = t.left_join(calt, t.raw_day == calt.cal_day).drop("cal_day")
    second = _after_calendar(t, as_of, roll_forward, near_share)
    t = t.mutate(**{c: e for c, e in second.items() if c in out})
    return t.select(*own, **{prefix + c: t[c] for c in out})


def _calendar_tables(cal: WorkCalendar, lo: date, hi: date) -> tuple[pa.Table, ibis.Table]:
    """The work calendar over [lo, hi] as Arrow (for the roll gaps) and as the join table keyed by day number."""
    cal_arrow = cal.calendar_table(lo, hi)
    cal_arrow = cal_arrow.append_column(
        "cal_day", pa.array(range((lo - EPOCH).days, (lo - EPOCH).days + cal_arrow.num_rows), pa.int32()))
    calt = ibis.memtable(cal_arrow).rename(cal_date="date", cal_next="next_workday", cal_provisional="provisional")
    return cal_arrow, calt.select("cal_day", "cal_date", "cal_next", "cal_provisional")


def _join_limits(t: ibis.Table) -> ibis.Table:
    """The cases with their procedure's row of the limits table."""
    lim = ibis.memtable(limits_table())
    # a tag may select another procedure's limit (行审 听取意见, 民保令 情况紧急: time_limits.toml ``variant``)
    variants = [((t.procedure == lim_.code) & t.tags.contains(tag).fill_null(False), target)
                for lim_ in LIMITS.values() for tag, target in lim_.variants]
    proc = ibis.cases(*variants, else_=t.procedure) if variants else t.procedure
    return t.left_join(lim, proc == lim.lim_procedure)


def _steps(t: ibis.Table, as_of: date, gaps: str) -> ibis.Table:
    """``t`` with the values the later layers read many times as columns of their own (``_x_*``), so the SQL
    names each once instead of repeating it at every use (the start date alone appeared 140 times in the
    indicators' 审限 SQL, the calendar string 8 times): less SQL to generate, tokenise, parse and bind.

    In order: pending and the start (restart or conversion); the deducted-days bounds (first counted day,
    stop day E, earliest open start x) and the limit's days (``_limit_days``); the deducted total before the
    late-piece rule. The calendar's roll distances (``roll_gaps``) ride along as one constant column, which
    the piece-list lambdas read."""
    asof = ibis.literal(as_of, type="date")
    epoch = ibis.literal(EPOCH, type="date")
    asof_day = (as_of - EPOCH).days
    t = t.mutate(
        _x_pending=t.closing_date.isnull() | (t.closing_date > asof),
        _x_start=ibis.greatest(t.filing_date, t.tl_restart.fill_null(t.filing_date),
                               t.tl_convert.fill_null(t.filing_date)),
        _x_gaps=ibis.literal(gaps, type="string"),
    )
    low = t._x_start.delta(epoch, unit="day") + 1
    stop = ibis.cases((t._x_pending, asof_day), else_=t.closing_date.delta(epoch, unit="day"))
    first_open = ibis.least(t.tl_open_d, t.tl_open_s)  # least/greatest skip nulls
    base_month, base_day, ext_day = _limit_days(t, t._x_start)
    t = t.mutate(_x_low=low, _x_stop=stop,
                 _x_x=ibis.cases((first_open.notnull(), ibis.greatest(first_open, low)), else_=ibis.null().cast("int64")),
                 _x_base_month=base_month, _x_base_day=base_day, _x_ext_day=ext_day)
    return _block_steps(t.mutate(_x_total=_deducted_total(t, t._x_x, t._x_stop)))


def _block_steps(t: ibis.Table) -> ibis.Table:
    """The late-piece rule's inputs (``_counted``) as columns: whether the case has an open block [x, E] and is
    a candidate (a piece could start after the deadline); where both, the block merged with the pieces it
    overlaps or touches (its start ``_x_xs``, the days it adds ``_x_shift``) and the days of the pieces before
    it (``_x_cum``). Elsewhere they are null: no other case reads them."""
    x, stop, ext_day, pieces = t._x_x, t._x_stop, t._x_ext_day, t.tl_pieces
    block = x.notnull() & (x <= stop)
    t = t.mutate(_x_block=block, _x_cand=(t.tl_late_key > ext_day).fill_null(False) | (block & (x > ext_day)))
    walk = t._x_cand & t._x_block
    absorbed = pieces.filter(lambda p: (p.b >= x - 1) & (p.a <= stop + 1))
    xs = ibis.least(x, absorbed.map(lambda p: p.a).mins())
    xe = ibis.greatest(stop, absorbed.map(lambda p: p.b).maxs())
    shift = xe - xs + 1 - absorbed.map(lambda p: p.b - p.a + 1).sums().cast("int32").fill_null(0)
    cum = pieces.filter(lambda p: p.b < x - 1).map(lambda p: p.b - p.a + 1).sums().cast("int32").fill_null(0)
    return t.mutate(**{name: ibis.cases((walk, v), else_=ibis.null(v.type()))
                       for name, v in (("_x_xs", xs), ("_x_shift", shift), ("_x_cum", cum))})


def _deducted_total(t: ibis.Table, x, stop) -> ibis.Value:
    """Deducted days before the late-piece rule, from the first counted day to the stop day E, with x the
    earliest open start (all day numbers).

    The closed intervals' union U (cut to the day after the start, stored) plus the open intervals, which all
    run to the same stop day E (as-of, or closing if earlier), so their union is [x, E] with x the earliest
    open start (cut likewise): deducted = |U| + |[x, E]| − |U ∩ [x, E]|."""
    # |U ∩ [x, E]|: the piece list is only walked when [x, E] cuts U
    overlap = ibis.cases(
        (t.tl_u_lo.isnull() | (x > t.tl_u_hi) | (stop < t.tl_u_lo), 0),
        ((x <= t.tl_u_lo) & (stop >= t.tl_u_hi), t.tl_closed_days),
        else_=t.tl_pieces.map(lambda p: ibis.greatest(ibis.least(p.b, stop) - ibis.greatest(p.a, x) + 1, 0)).sums(),
    )
    from_open = ibis.cases((x.isnull(), 0), else_=ibis.greatest(stop - x + 1, 0) - overlap)
    return t.tl_closed_days.fill_null(0) + from_open


def _limit_days(t: ibis.Table, start) -> tuple:
    """(the base deadline's month-added date, its day number with the limit's days, the day number with the
    extensions) — before deductions and roll-forward.

    Day arithmetic in integers (days since 1970-01-01); the calendar join turns the raw day back into a
    date and its roll-forward, so only the month additions use interval arithmetic. Most cases have no
    extension months and no extra limit days: those branches skip it."""
    epoch = ibis.literal(EPOCH, type="date")
    ext_months, ext_days = t.tl_ext_months.fill_null(0), t.tl_ext_days.fill_null(0)
    lim_months, lim_days = t.lim_months.fill_null(0), t.lim_days.fill_null(0)
    base_month = _add_months(start, lim_months)
    base_mday = base_month.delta(epoch, unit="day")
    ext_mday = ibis.cases((ext_months == 0, base_mday),
                          else_=_add_months(start, lim_months + ext_months).delta(epoch, unit="day"))
    base_day = base_mday + lim_days
    ext_day = ibis.cases(  # "可以延长至…": any approved extension makes the limit that total from the start
        (t.lim_has_to.fill_null(False) & (t.tl_n_ext.fill_null(0) > 0),
         _add_months(start, t.lim_to_months).delta(epoch, unit="day") + t.lim_to_days),
        else_=ext_mday + lim_days + ext_days)
    return base_month, base_day, ext_day


def _before_calendar(t: ibis.Table, as_of: date, lo_day: int, roll_forward: bool) -> dict:
    """The first layer: the deductions and the raw deadline day the calendar join looks up (over ``_steps``)."""
    epoch = ibis.literal(EPOCH, type="date")
    asof_day = (as_of - EPOCH).days
    start, low, stop, x, total, ext_day = t._x_start, t._x_low, t._x_stop, t._x_x, t._x_total, t._x_ext_day
    lim_days = t.lim_days.fill_null(0)
    no_limit = t.lim_no_limit.fill_null(True) | (
        t.lim_foreign_exempt.fill_null(False) & t.tags.contains(FOREIGN_TAG).fill_null(False))
    ran = (low <= asof_day) & (asof_day <= stop)  # an open interval started by as_of covers it

    def running(susp: bool):  # a closed interval of this kind covers as_of (the list only read where there is one)
        hit = t.tl_spans.filter(lambda v: (v.s <= asof_day) & (v.e >= asof_day) & (v.susp == susp)).length() > 0
        return ibis.cases((t.tl_spans.isnull(), False), else_=hit)

    deducted = _counted(t, ext_day, total, x, stop, lo_day, roll_forward)
    norm_months = t.lim_norm_months.fill_null(0)
    norm_day = ibis.cases((norm_months == 0, ibis.null().cast("int64")),
                          else_=_add_months(start, norm_months).delta(epoch, unit="day") + deducted)
    return dict(
        pending=t._x_pending,
        start_date=start,
        no_limit=no_limit,
        deducted_days=deducted,
        in_deduction=((low <= asof_day) & (running(False) | (t.tl_open_d <= asof_day) & ran)).fill_null(False),
        in_suspension=((low <= asof_day) & (running(True) | (t.tl_open_s <= asof_day) & ran)).fill_null(False),
        base_deadline=ibis.cases((lim_days == 0, t._x_base_month), else_=_add_days(t._x_base_month, lim_days)),
        extension_days=(ext_day - t._x_base_day).cast("int32"),
        raw_day=(ext_day + deducted).cast("int32"),
        late_days=(total - deducted).cast("int32"),
        norm_day=norm_day.cast("int32"),
        n_extensions=t.tl_n_ext.fill_null(0),
        hearing_gaps=t.tl_hearing_gaps.fill_null(0),
        has_restart=t.tl_restart.notnull(),
        open_deduction=(t.tl_open_d.notnull() | t.tl_open_s.notnull()),
        has_deduction=t.tl_has_deduction.fill_null(False),
        has_suspension=t.tl_has_suspension.fill_null(False),
    )


def _after_calendar(t: ibis.Table, as_of: date, roll_forward: bool, near_share: float) -> dict:
    """The outputs, once the raw day has its date and roll-forward. Outside the joined span (bad data only)
    the raw date is computed directly and flagged provisional (an unknown year)."""
    asof = ibis.literal(as_of, type="date")
    epoch = ibis.literal(EPOCH, type="date")
    asof_day = (as_of - EPOCH).days
    nl = t.no_limit
    raw_deadline = t.cal_date.fill_null(_add_days(epoch, t.raw_day))
    rolls = t.lim_rolls.fill_null(True)  # an hour limit does not roll over rest days
    rolled = ibis.cases((rolls, t.cal_next.fill_null(raw_deadline)), else_=raw_deadline) if roll_forward \
        else raw_deadline
    null_date = ibis.null().cast("date")
    deadline = ibis.cases((nl, null_date), else_=rolled)
    start = ibis.cases((nl, t.filing_date), else_=t.start_date)
    span = deadline.delta(start, unit="day")
    ref = ibis.cases((t.pending, asof), else_=t.closing_date)
    remaining = deadline.delta(asof, unit="day")
    share = ref.delta(start, unit="day").cast("float64") / span.nullif(0).cast("float64")
    in_deduction = ibis.cases((nl, False), else_=t.in_deduction)
    in_suspension = ibis.cases((nl, False), else_=t.in_suspension)
    null_int = ibis.null().cast("int32")
    return dict(
        deadline=deadline,
        base_deadline=ibis.cases((nl, null_date), else_=t.base_deadline),
        raw_deadline=ibis.cases((nl, null_date), else_=raw_deadline),
        extension_days=ibis.cases((nl, 0), else_=t.extension_days).cast("int32"),
        deducted_days=ibis.cases((nl, 0), else_=t.deducted_days).cast("int32"),
        provisional=ibis.cases((nl | ~rolls, False), else_=t.cal_provisional.fill_null(True)),
        open_deduction=ibis.cases((nl, False), else_=t.open_deduction),
        in_deduction=in_deduction,
        in_suspension=in_suspension,
        start_date=start,
        closed_within_limit=ibis.cases((nl | t.pending, ibis.null().cast("boolean")),
                                       else_=t.closing_date <= deadline),
        days_remaining=ibis.cases((nl | ~t.pending, null_int), else_=remaining.cast("int32")),
        elapsed_share=ibis.cases((nl, ibis.null().cast("float64")), else_=share),
        status=ibis.cases(
            (nl, "不计审限"),
            (~t.pending, "已结"),
            (remaining < 0, "超审限"),
            (in_suspension, "中止中"),
            (in_deduction, "扣除中"),
            (share >= near_share, "临近"),
            else_="正常",
        ),
        pending_months=_pending_months(t, as_of),
        rule=t.lim_procedure.fill_null(t.procedure),
        late_deducted_days=ibis.cases((nl, 0), else_=t.late_days).cast("int32"),
        late_deduction=ibis.cases((nl, False), else_=t.late_days > 0),
        unit=t.lim_unit,
        unconfirmed=t.lim_unconfirmed.fill_null(True),
        norm_days_remaining=ibis.cases((nl | ~t.pending, null_int), else_=t.norm_day - asof_day).cast("int32"),
        lead_days=t.lead_days,
        extendable=t.extendable.fill_null(False),
        n_extensions=t.n_extensions.cast("int32"),
        hearing_gaps=t.hearing_gaps.cast("int32"),
    )


def _pending_months(t: ibis.Table, as_of: date) -> ibis.Value:
    """Whole months a pending case has been open at ``as_of`` (a month counts once its filing day recurs)."""
    asof = ibis.literal(as_of, type="date")
    last_day = _monthrange(as_of.year, as_of.month)[1]
    return ibis.cases(
        (t.pending,
         ibis.greatest(
             (asof.year() - t.filing_date.year()) * 12 + asof.month() - t.filing_date.month()
             - ibis.cases((ibis.least(t.filing_date.day(), last_day) > as_of.day, 1), else_=0),
             0,
         )),
        else_=ibis.null().cast("int32"),
    ).cast("int32")


def _counted(t: ibis.Table, ext_day, total, x, stop, lo_day: int, roll_forward: bool) -> ibis.Value:
    """Deducted days that count: ``total`` unless a merged piece starts after the deadline as it stood then.

    The pieces are the closed ones (``tl_pieces``: a, b, c = days before) merged with the open block [x, stop]:
    closed pieces before the block keep their c, the block absorbs the pieces it overlaps or touches, and the
    pieces after it shift by the days it adds. The first late piece's offset is what counts
    (``time_limits.count_deductions``)."""
    def gap(d):  # days from raw day d to its roll-forward, from the calendar string (``_steps``' column)
        if not roll_forward:
            return 0
        idx = (d - lo_day).cast("int32")  # DuckDB sums lists as HUGEINT, which substr does not take
        g = t._x_gaps.substr(idx, 1).ascii_str() - 48
        return ibis.cases((t.lim_rolls.fill_null(True) & (idx >= 0) & (idx < t._x_gaps.length()), g), else_=0)

    def late(a, c):
        return (a - c) > (ext_day + gap(ext_day + c))

    pieces = t.tl_pieces
    xs, shift, cum_block = t._x_xs, t._x_shift, t._x_cum  # the merged block (``_block_steps``)
    null = ibis.null().cast("int64")
    late_before = pieces.filter(lambda p: p.b < x - 1).filter(lambda p: late(p.a, p.c)).map(lambda p: p.c).mins()
    late_block = ibis.cases((late(xs, cum_block), cum_block), else_=null)
    late_after = pieces.filter(lambda p: (p.a > stop + 1) & late(p.a, p.c + shift)).map(lambda p: p.c + shift).mins()
    late_closed = pieces.filter(lambda p: late(p.a, p.c)).map(lambda p: p.c).mins()
    return ibis.cases(
        (~t._x_cand, total),
        (t._x_block, ibis.least(late_before, late_block, late_after, total)),
        else_=ibis.least(late_closed, total),
    ).cast("int32")
