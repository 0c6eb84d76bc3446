"""Deadlines for the whole store in one vectorised engine computation (DuckDB or Spark via ibis).

Same rules as ``zhixiao.domain.time_limits.compute_deadline`` (see its docstring), expressed as joins:
limits and the work calendar are small tables joined in; deducted intervals are merged per case with a
running-max window on the event table alone, so overlaps count once, and the cases are scanned and joined
once (to the per-case event summary). No per-row Python.
"""

from __future__ import annotations

from calendar import monthrange as _monthrange
from datetime import date, timedelta

import ibis
import pyarrow as pa

from zhixiao.domain.calendar import WorkCalendar
from zhixiao.domain.time_limits import FOREIGN_TAG, LIMITS, NEAR_SHARE, SUSPENSION_KINDS

DEDUCTION_KINDS = ("deduction", "suspension")

COLUMNS = (
    "case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
    "filing_date", "closing_date", "base_deadline", "extension_days", "deducted_days", "deadline",
    "provisional", "no_limit", "open_deduction", "closed_within_limit", "days_remaining", "elapsed_share",
    "status", "pending_months",
    # extras used by the ladder, the ledgers and the notices
    "start_date", "raw_deadline", "lead_days", "extendable", "n_extensions", "has_deduction",
    "has_suspension", "has_restart", "in_deduction", "in_suspension", "pending", "rule",
)


def limits_table() -> pa.Table:
    """The time-limit catalogue as a join table (procedure → months, days, flags)."""
    rows = list(LIMITS.values())
    return pa.table(
        {
            "lim_procedure": pa.array([r.code for r in rows], pa.string()),
            "lim_months": pa.array([r.months for r in rows], pa.int32()),
            "lim_days": pa.array([r.days for r in rows], pa.int32()),
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


def table_options(settings, ladder=None) -> dict:
    """deadline_table keyword options from settings: ``rules.calendar.roll_forward`` (default true) and
    the ladder's ``[status] near_share``."""
    rules = getattr(settings, "rules", {}) or {}
    opts = {"roll_forward": bool((rules.get("calendar") or {}).get("roll_forward", True))}
    if ladder is not None:
        opts["near_share"] = float(ladder.status.get("near_share", NEAR_SHARE))
    return opts


def deadline_table(engine, as_of: date, calendar: WorkCalendar | None = None, *, roll_forward: bool = True,
                   near_share: float = NEAR_SHARE) -> ibis.Table:
    """One row per case with its deadline and status at ``as_of`` (columns: ``COLUMNS``).

    On DuckDB the result is materialised once per engine and arguments: the indicator engine, the
    briefing and the web app all join it many times, and the engine's snapshot never changes.
    Without ``calendar`` the engine's court calendar applies (its override file), else the package's.
    """
    calendar = calendar or getattr(engine, "calendar", None)
    cache = getattr(engine, "cache", None)
    if cache is None or engine.backend != "duckdb":
        return _deadline_expr(engine, as_of, calendar, roll_forward=roll_forward, near_share=near_share)
    key = ("deadline_table", as_of, calendar.fingerprint() if calendar else None, roll_forward, near_share)
    if key not in cache:
        expr = _deadline_expr(engine, as_of, calendar, roll_forward=roll_forward, near_share=near_share)
        cache[key] = engine.con.create_table(f"_zx_deadlines_{len(cache)}", obj=expr, temp=True)
    return cache[key]


def _deadline_expr(engine, as_of: date, calendar: WorkCalendar | None, *, roll_forward: bool,
                   near_share: float) -> ibis.Table:
    cal = calendar or WorkCalendar()
    asof = ibis.literal(as_of, type="date")
    lo, hi = _calendar_span(engine, as_of)
    cal_arrow = cal.calendar_table(lo, hi)
    cal_arrow = cal_arrow.append_column(
        "cal_day", pa.array(range((lo - EPOCH).days, (lo - EPOCH).days + cal_arrow.num_rows), pa.int32()))
    calt = ibis.memtable(cal_arrow).rename(cal_date="date", cal_next="next_workday", cal_provisional="provisional")
    calt = calt.select("cal_day", "cal_date", "cal_next", "cal_provisional")
    lim = ibis.memtable(limits_table())

    c = engine.cases
    ev = engine.case_events
    # One join touches every case (cases → per-case summary, the small side as build); everything else
    # works on the much smaller event tables.
    is_ext = ev.kind == "extension"
    summary = ev.group_by(a_case_id=ev.case_id).aggregate(
        ext_months=ev.months.fill_null(0).sum(where=is_ext),
        ext_days=ev.days.fill_null(0).sum(where=is_ext),
        n_extensions=ev.count(where=is_ext),
        restart=ev.start_date.max(where=ev.kind == "restart"),
    )

    # Deducted intervals: clip to the day after the start, open ends run to the stop date, merge overlaps
    # (the first two after the join, see below).
    d = ev.filter(ev.kind.isin(DEDUCTION_KINDS)).select("case_id", "kind", "start_date", "end_date")
    # a 中止 recorded without an end is closed by the first later 恢复 (resumption) event, if any
    so = d.filter(d.kind.isin(SUSPENSION_KINDS) & d.end_date.isnull())
    rs = ev.filter(ev.kind == "resumption").select(rs_case_id="case_id", rs_date="start_date")
    closed_by = so.inner_join(rs, [so.case_id == rs.rs_case_id, rs.rs_date >= so.start_date])
    closed_by = closed_by.group_by(cb_case_id=closed_by.case_id, cb_start=closed_by.start_date).aggregate(
        cb_end=closed_by.rs_date.min())
    d = d.left_join(closed_by, [d.case_id == closed_by.cb_case_id, d.start_date == closed_by.cb_start,
                                d.kind.isin(SUSPENSION_KINDS)])
    d = d.select("case_id", "kind", "start_date", end_date=d.end_date.fill_null(d.cb_end))
    # The merge needs no case column: clipping to the day after the start and the end of open intervals
    # (the stop date) are applied after the one join with the cases, to a per-case summary. Closed intervals
    # are cut into disjoint pieces (sorted by start, each keeps the days after the running max of the
    # earlier ends), so their union U is a short list; open intervals all end on the same stop date E,
    # so their union is [o, E] with o the earliest open start. With L the day after the start:
    # deducted = |U ∩ [L, ∞)| + |[x, E]| − |U ∩ [x, E]|, x = max(o, L).
    epoch = ibis.literal(EPOCH, type="date")
    asof_day = (as_of - EPOCH).days
    susp = d.kind.isin(SUSPENSION_KINDS)
    d = d.select(case_id=d.case_id, s=d.start_date.delta(epoch, unit="day"), e=d.end_date.delta(epoch, unit="day"),
                 is_susp=susp)
    w = ibis.window(group_by=d.case_id, order_by=[d.s, d.e], rows=(None, -1))
    d = d.mutate(prev_end=d.e.max().over(w))  # max ignores the open (null) ends
    closed = d.e.notnull()
    covers = closed & (d.s <= asof_day) & (d.e >= asof_day)
    a = ibis.cases((d.prev_end.isnull(), d.s), else_=ibis.greatest(d.s, d.prev_end + 1))
    ded = d.group_by(g_case_id=d.case_id).aggregate(
        pieces=ibis.struct({"a": a, "b": d.e}).collect(where=closed),
        u_days=ibis.greatest(d.e - a + 1, 0).sum(where=closed),  # |U|, with its bounds below
        u_lo=d.s.min(where=closed),
        u_hi=d.e.max(where=closed),
        open_d=d.s.min(where=~closed & ~d.is_susp),
        open_s=d.s.min(where=~closed & d.is_susp),
        open_deduction=(~closed).any(),
        has_deduction=(~d.is_susp).any(),
        has_suspension=d.is_susp.any(),
        cover_d=(covers & ~d.is_susp).any(),
        cover_s=(covers & d.is_susp).any(),
    )
    summary = summary.left_join(ded, summary.a_case_id == ded.g_case_id).drop("g_case_id")

    t = c.select(
        "case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
        "filing_date", "closing_date", "tags",
    )
    t = t.left_join(lim, t.procedure == lim.lim_procedure).drop("lim_procedure")
    t = t.left_join(summary, t.case_id == summary.a_case_id).drop("a_case_id")
    pending = t.closing_date.isnull() | (t.closing_date > asof)
    t = t.mutate(
        pending=pending,
        start_date=ibis.greatest(t.filing_date, t.restart.fill_null(t.filing_date)),
        ext_months=t.ext_months.fill_null(0),
        ext_days=t.ext_days.fill_null(0),
        n_extensions=t.n_extensions.fill_null(0),
        no_limit=t.lim_no_limit.fill_null(True)
        | (t.lim_foreign_exempt.fill_null(False) & t.tags.contains(FOREIGN_TAG).fill_null(False)),
        has_restart=t.restart.notnull(),
        open_deduction=t.open_deduction.fill_null(False),
        has_deduction=t.has_deduction.fill_null(False),
        has_suspension=t.has_suspension.fill_null(False),
        lim_months=t.lim_months.fill_null(0),
        lim_days=t.lim_days.fill_null(0),
    )
    # the deducted days and the in-deduction flags (see the merge above), for the cases with intervals
    low = t.start_date.delta(epoch, unit="day") + 1
    stop = ibis.cases((t.pending, asof_day), else_=t.closing_date.delta(epoch, unit="day"))
    first_open = ibis.least(t.open_d, t.open_s)  # least/greatest skip nulls
    x = ibis.cases((first_open.notnull(), ibis.greatest(first_open, low)), else_=ibis.null().cast("int64"))

    def covered(lo, hi=None):  # |U ∩ [lo, hi]|; the piece list is only walked when the range cuts U
        hi_ok = True if hi is None else hi >= t.u_hi
        return ibis.cases(
            (t.u_days.isnull(), 0),
            ((lo <= t.u_lo) & hi_ok, t.u_days),
            ((lo > t.u_hi) | (False if hi is None else hi < t.u_lo), 0),
            else_=t.pieces.map(lambda p: ibis.greatest(
                (p.b if hi is None else ibis.least(p.b, hi)) - ibis.greatest(p.a, lo) + 1, 0)).sums(),
        )

    from_open = ibis.cases((x.isnull(), 0), else_=ibis.greatest(stop - x + 1, 0) - covered(x, stop))
    ran = (low <= asof_day) & (asof_day <= stop)  # an open interval started by as_of covers it
    t = t.mutate(
        deducted_days=ibis.cases((t.u_days.isnull() & x.isnull(), 0),
                                 else_=covered(low) + from_open).cast("int32"),
        in_deduction=((low <= asof_day) & (t.cover_d | (t.open_d <= asof_day) & ran)).fill_null(False),
        in_suspension=((low <= asof_day) & (t.cover_s | (t.open_s <= asof_day) & ran)).fill_null(False),
    )
    # Day arithmetic in integers (days since 1970-01-01); the calendar join turns the raw day back into a
    # date and its roll-forward, so only the two month additions use interval arithmetic.
    # Most cases have no extension months and no extra limit days: those branches skip the (costly)
    # interval arithmetic, and the one month addition every case needs is computed once.
    t = t.mutate(base_month=_add_months(t.start_date, t.lim_months))
    t = t.mutate(base_mday=t.base_month.delta(epoch, unit="day"))
    ext_mday = ibis.cases(
        (t.ext_months == 0, t.base_mday),
        else_=_add_months(t.start_date, t.lim_months + t.ext_months).delta(epoch, unit="day"),
    )
    t = t.mutate(
        base_deadline=ibis.cases((t.lim_days == 0, t.base_month), else_=_add_days(t.base_month, t.lim_days)),
        base_day=t.base_mday + t.lim_days,
        ext_day=ext_mday + t.lim_days + t.ext_days,
    )
    t = t.mutate(raw_day=(t.ext_day + t.deducted_days).cast("int32"))
    t = t.left_join(calt, t.raw_day == calt.cal_day).drop("cal_day")
    # outside the joined span (bad data only): compute the raw date directly, flag it provisional
    t = t.mutate(raw_deadline=t.cal_date.fill_null(_add_days(epoch, t.raw_day)))
    nl = t.no_limit
    rolled = t.cal_next.fill_null(t.raw_deadline) if roll_forward else t.raw_deadline
    prov = t.cal_provisional.fill_null(True)  # outside the joined span → unknown year
    null_date = ibis.null().cast("date")
    t = t.mutate(
        deadline=ibis.cases((nl, null_date), else_=rolled),
        base_deadline=ibis.cases((nl, null_date), else_=t.base_deadline),
        raw_deadline=ibis.cases((nl, null_date), else_=t.raw_deadline),
        extension_days=ibis.cases((nl, 0), else_=t.ext_day - t.base_day).cast("int32"),
        deducted_days=ibis.cases((nl, 0), else_=t.deducted_days).cast("int32"),
        provisional=ibis.cases((nl, False), else_=prov),
        open_deduction=ibis.cases((nl, False), else_=t.open_deduction),
        in_deduction=ibis.cases((nl, False), else_=t.in_deduction),
        in_suspension=ibis.cases((nl, False), else_=t.in_suspension),
        start_date=ibis.cases((nl, t.filing_date), else_=t.start_date),
    )
    span = t.deadline.delta(t.start_date, unit="day")
    ref = ibis.cases((t.pending, asof), else_=t.closing_date)
    remaining = t.deadline.delta(asof, unit="day")
    share = ref.delta(t.start_date, unit="day").cast("float64") / span.nullif(0).cast("float64")
    null_int = ibis.null().cast("int32")
    last_day = _monthrange(as_of.year, as_of.month)[1]
    null_bool = ibis.null().cast("boolean")
    t = t.mutate(
        closed_within_limit=ibis.cases((nl | t.pending, null_bool), else_=t.closing_date <= t.deadline),
        days_remaining=ibis.cases((nl | ~t.pending, null_int), else_=remaining.cast("int32")),
        elapsed_share=ibis.cases((nl, ibis.null().cast("float64")), else_=share),
        status=ibis.cases(
            (nl, "不计审限"),
            (~t.pending, "已结"),
            (remaining < 0, "超审限"),
            (t.in_suspension, "中止中"),
            (t.in_deduction, "扣除中"),
            (share >= near_share, "临近"),
            else_="正常",
        ),
        pending_months=ibis.cases(
            (t.pending,
             ibis.greatest(
                 (asof.year() - t.filing_date.year()) * 12 + asof.month() - t.filing_date.month()
                 - ibis.cases((ibis.least(t.filing_date.day(), last_day) > as_of.day, 1), else_=0),
                 0,
             )),
            else_=null_int,
        ).cast("int32"),
        rule=t.procedure,
        lead_days=t.lead_days,
        extendable=t.extendable.fill_null(False),
        n_extensions=t.n_extensions.cast("int32"),
    )
    return t.select(*COLUMNS)
