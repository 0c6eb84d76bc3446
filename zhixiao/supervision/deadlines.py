"""Deadlines for the whole store in one vectorised engine computation (DuckDB or Spark via ibis).

Same rules as ``zhixiao.domain.time_limits.compute_deadline`` (see its docstring), expressed as joins:
limits and the work calendar are small tables joined in; deducted intervals are merged per case with a
running-max window (gaps and islands), so overlaps count once. No per-row Python.
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


def _days(col) -> ibis.Value:
    return col.cast("int32").as_interval("D")


def deadline_table(engine, as_of: date, calendar: WorkCalendar | None = None, *, roll_forward: bool = True,
                   near_share: float = NEAR_SHARE) -> ibis.Table:
    """One row per case with its deadline and status at ``as_of`` (columns: ``COLUMNS``)."""
    cal = calendar or WorkCalendar()
    asof = ibis.literal(as_of, type="date")
    lo, hi = _calendar_span(engine, as_of)
    calt = ibis.memtable(cal.calendar_table(lo, hi)).rename(cal_date="date", cal_next="next_workday",
                                                            cal_provisional="provisional")
    calt = calt.select("cal_date", "cal_next", "cal_provisional")
    lim = ibis.memtable(limits_table())

    c = engine.cases
    ev = engine.case_events
    x = ev.filter(ev.kind == "extension")
    ext = x.group_by(x_case_id=x.case_id).aggregate(
        ext_months=x.months.fill_null(0).sum(), ext_days=x.days.fill_null(0).sum(), n_extensions=x.count()
    )
    r = ev.filter(ev.kind == "restart")
    rst = r.group_by(r_case_id=r.case_id).aggregate(restart=r.start_date.max())

    base = c.select(
        "case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
        "filing_date", "closing_date", "tags",
    )
    base = base.left_join(rst, base.case_id == rst.r_case_id).drop("r_case_id")
    base = base.left_join(ext, base.case_id == ext.x_case_id).drop("x_case_id")
    base = base.left_join(lim, base.procedure == lim.lim_procedure).drop("lim_procedure")
    pending = base.closing_date.isnull() | (base.closing_date > asof)
    start = ibis.greatest(base.filing_date, base.restart.fill_null(base.filing_date))
    base = base.mutate(
        pending=pending,
        start_date=start,
        stop=ibis.cases((pending, asof), else_=base.closing_date),
        ext_months=base.ext_months.fill_null(0),
        ext_days=base.ext_days.fill_null(0),
        n_extensions=base.n_extensions.fill_null(0),
        no_limit=base.lim_no_limit.fill_null(True)
        | (base.lim_foreign_exempt.fill_null(False) & base.tags.contains(FOREIGN_TAG).fill_null(False)),
        has_restart=base.restart.notnull(),
    )

    # Deducted intervals: clip to the day after the start, open ends run to the stop date, merge overlaps.
    # (keys come from a narrow projection of cases, not from ``base``, so the wide join runs once)
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
    k = c.select(k_case_id=c.case_id, k_filing=c.filing_date, k_closing=c.closing_date)
    k = k.left_join(rst, k.k_case_id == rst.r_case_id)
    k_pending = k.k_closing.isnull() | (k.k_closing > asof)
    keys = k.select(
        d_case_id=k.k_case_id,
        d_start=ibis.greatest(k.k_filing, k.restart.fill_null(k.k_filing)),
        d_stop=ibis.cases((k_pending, asof), else_=k.k_closing),
    )
    d = d.inner_join(keys, d.case_id == keys.d_case_id)
    s = ibis.greatest(d.start_date, d.d_start + ibis.interval(days=1))
    e = d.end_date.fill_null(d.d_stop)
    susp = d.kind.isin(SUSPENSION_KINDS)
    d = d.mutate(s=s.cast("date"), e=e.cast("date"), is_open=d.end_date.isnull(), is_susp=susp)
    covers = (d.s <= asof) & (asof <= d.e)
    flags = d.group_by(f_case_id=d.d_case_id).aggregate(
        open_deduction=d.is_open.any(),
        has_deduction=(~d.is_susp).any(),
        has_suspension=d.is_susp.any(),
        in_deduction=(covers & ~d.is_susp).any(),
        in_suspension=(covers & d.is_susp).any(),
    )
    v = d.filter(d.e >= d.s).select(case_id=d.d_case_id, s=d.s, e=d.e)
    w = ibis.window(group_by=v.case_id, order_by=[v.s, v.e], preceding=None, following=0)
    v = v.mutate(run_end=v.e.max().over(w))
    v = v.mutate(prev_end=v.run_end.lag().over(group_by=v.case_id, order_by=[v.s, v.e]))
    v = v.mutate(new=ibis.cases((v.prev_end.isnull() | (v.s > (v.prev_end + ibis.interval(days=1)).cast("date")), 1),
                                else_=0))
    v = v.mutate(island=v.new.sum().over(w))
    isl = v.group_by(["case_id", "island"]).aggregate(lo=v.s.min(), hi=v.e.max())
    isl = isl.mutate(n=isl.hi.delta(isl.lo, unit="day") + 1)
    ded = isl.group_by(g_case_id=isl.case_id).aggregate(deducted_days=isl.n.sum())

    t = base.left_join(flags, base.case_id == flags.f_case_id).drop("f_case_id")
    t = t.left_join(ded, t.case_id == ded.g_case_id).drop("g_case_id")
    t = t.mutate(
        deducted_days=t.deducted_days.fill_null(0).cast("int32"),
        open_deduction=t.open_deduction.fill_null(False),
        has_deduction=t.has_deduction.fill_null(False),
        has_suspension=t.has_suspension.fill_null(False),
        in_deduction=t.in_deduction.fill_null(False),
        in_suspension=t.in_suspension.fill_null(False),
        lim_months=t.lim_months.fill_null(0),
        lim_days=t.lim_days.fill_null(0),
    )
    months_base = t.lim_months.cast("int32").as_interval("M")
    months_ext = (t.lim_months + t.ext_months).cast("int32").as_interval("M")
    base_dl = ((t.start_date + months_base).cast("date") + _days(t.lim_days)).cast("date")
    extended = ((t.start_date + months_ext).cast("date") + _days(t.lim_days + t.ext_days)).cast("date")
    t = t.mutate(base_deadline=base_dl, extended=extended)
    t = t.mutate(raw_deadline=(t.extended + _days(t.deducted_days)).cast("date"))
    t = t.left_join(calt, t.raw_deadline == calt.cal_date).drop("cal_date")
    nl = t.no_limit
    rolled = t.cal_next.fill_null(t.raw_deadline) if roll_forward else t.raw_deadline
    prov = t.cal_provisional.fill_null(True)  # outside the joined span → unknown year
    null_date = ibis.null().cast("date")
    t = t.mutate(
        deadline=ibis.cases((nl, null_date), else_=rolled),
        base_deadline=ibis.cases((nl, null_date), else_=t.base_deadline),
        raw_deadline=ibis.cases((nl, null_date), else_=t.raw_deadline),
        extension_days=ibis.cases((nl, 0), else_=t.extended.delta(t.base_deadline, unit="day")).cast("int32"),
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
