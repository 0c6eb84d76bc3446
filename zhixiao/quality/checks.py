"""The checks of the 数据质量体检, each one vectorised query over the store (ibis on the engine).

Every check returns an ibis table with ``court_code``, ``case_id`` and ``detail`` (Chinese), one row per case
behind the finding; 断号 (``seq_gaps``) has no case behind it and returns one row per missing range instead,
with ``missing`` (numbers in the range). ``Scope`` says which courts and cases are looked at: the cases the
period's figures rest on (filed by the as-of date and not closed before the period began).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import ibis

from zhixiao.deadlines import deadline_table
from zhixiao.domain.calendar import WorkCalendar

# 刑事复核 案号 carry fixed 8-digit random numbers, not a sequence (REFERENCE §3.1); 刑止核 likewise.
RANDOM_NUMBERED = ("刑核", "刑止核")
FIRST_SEQUENCED_YEAR = 2016  # 法〔2015〕137号: one sequence per court × 类型代字 × 收案年度 from 2016-01-01
DUPLICATE_DAYS = 30  # two registrations of one dispute filed at most this many days apart (see duplicates)


@dataclass(frozen=True)
class Check:
    id: str
    name: str  # what the finding says, in the words of a 审管办 report
    why: str  # the rule it enforces, with its source where there is one


CHECKS = (
    Check("closed_no_method", "已结案未填结案方式", "结案方式是结案统计和调撤率、服判息诉率等指标的依据"),
    Check("closed_no_judge", "已结案无承办人", "无承办人的结案不能计入任何法官和部门的质效"),
    Check("closed_before_filed", "结案日期早于立案日期", "审理天数为负，审限、平均审理天数均失真"),
    Check("events_after_closing", "结案后仍有审限事件", "延长、扣除、中止等审限事项应在结案前发生"),
    Check("filing_outside_year", "立案日期不在案号年度", "案号年度为收案年度（法〔2015〕137号）"),
    Check("seq_gaps", "案号断号", "案号在同一法院、类型代字、年度内按自然数顺序编号（法〔2015〕137号）"),
    Check("duplicate_registration", "同一纠纷重复立案",
          f"同一法院同一类型代字下，纠纷编号相同或当事人与案由均相同，立案相隔不超过{DUPLICATE_DAYS}日且前案未结时后案又立"),
    Check("judge_not_on_roster", "承办人不在人员名册", "承办法官须为该院人员名册中的人员（只核对已导入名册的法院）"),
    Check("late_deduction", "超审限后补扣", "审限届满后才开始的扣除或中止期间不予扣除（审限司法解释，REFERENCE §2.2）"),
    Check("late_extension", "超审限后延长", "延长审限须在审限届满前批准（民诉法解释第128条等，REFERENCE §2.1）"),
)
CHECK_NAMES = {c.id: c.name for c in CHECKS}


@dataclass(frozen=True)
class Scope:
    courts: tuple[str, ...]
    start: date  # the period the meeting reviews begins
    as_of: date

    def cases(self, t: ibis.Table) -> ibis.Table:
        """The cases of the scope's courts the period's figures rest on: filed by the as-of date and either
        pending then, filed in the period or closed in it."""
        return t.filter(t.court_code.isin(list(self.courts)), t.filing_date <= self.as_of,
                        t.closing_date.isnull() | (t.closing_date >= self.start) | (t.filing_date >= self.start))

    def closed(self, t: ibis.Table) -> ibis.Table:
        c = self.cases(t)
        return c.filter(c.closing_date <= self.as_of)


def _blank(col: ibis.Value) -> ibis.Value:
    return col.isnull() | (col.strip() == "")


def _rows(t: ibis.Table, detail: ibis.Value) -> ibis.Table:
    return t.select("court_code", "case_id", detail=detail)


def _date(col: ibis.Value) -> ibis.Value:
    return col.cast("string")


def closed_no_method(engine, scope: Scope) -> ibis.Table:
    t = scope.closed(engine.cases)
    t = t.filter(_blank(t.closing_method))
    return _rows(t, "结案日期 " + _date(t.closing_date) + "，结案方式为空")


def closed_no_judge(engine, scope: Scope) -> ibis.Table:
    t = scope.closed(engine.cases)
    t = t.filter(_blank(t.judge_id) & _blank(t.judge_name))
    return _rows(t, "结案日期 " + _date(t.closing_date) + "，承办人为空")


def closed_before_filed(engine, scope: Scope) -> ibis.Table:
    t = scope.cases(engine.cases)
    t = t.filter(t.closing_date < t.filing_date)
    return _rows(t, "立案 " + _date(t.filing_date) + "，结案 " + _date(t.closing_date))


def events_after_closing(engine, scope: Scope) -> ibis.Table:
    c = scope.closed(engine.cases).select("case_id", "court_code", "closing_date")
    ev = engine.case_events.select("case_id", "kind", "start_date")
    j = ev.join(c, "case_id")
    j = j.filter(j.start_date > j.closing_date)
    g = j.group_by(["court_code", "case_id", "closing_date"]).aggregate(
        n=j.kind.count(), first=j.start_date.min(), kinds=j.kind.collect().unique().sort().join("、"))
    return _rows(g, "结案 " + _date(g.closing_date) + " 后有 " + g.n.cast("string") + " 项事件（" + g.kinds
                 + "），最早 " + _date(g.first))


def filing_outside_year(engine, scope: Scope) -> ibis.Table:
    t = scope.cases(engine.cases)
    t = t.filter(t.year.notnull() & (t.filing_date.year() != t.year))
    return _rows(t, "案号年度 " + t.year.cast("string") + "，立案日期 " + _date(t.filing_date))


def seq_gaps(engine, scope: Scope) -> ibis.Table:
    """Missing numbers between the registered ones of each court × 专门审判代字 × 类型代字 × 年度, and before
    the first (numbering starts at 1), for the 案号 years from the period's start to the as-of date. After
    the last registered number nothing is known (the year may still be running): no finding."""
    t = engine.cases
    t = t.filter(t.court_code.isin(list(scope.courts)), t.seq.notnull(), t.seq > 0,
                 t.year.between(max(scope.start.year, FIRST_SEQUENCED_YEAR), scope.as_of.year),
                 t.filing_date <= scope.as_of, ~t.type_code.isin(RANDOM_NUMBERED))
    t = t.select("court_code", "year", "type_code", spec=t.specialized_code.fill_null(""), seq=t.seq).distinct()
    w = ibis.window(group_by=["court_code", "spec", "type_code", "year"], order_by="seq")
    t = t.mutate(prev=t.seq.lag().over(w).fill_null(0))
    g = t.filter(t.seq - t.prev > 1)
    lo, hi = g.prev + 1, g.seq - 1
    prefix = "(" + g.year.cast("string") + ")" + g.court_code + g.spec + g.type_code
    numbers = ibis.cases((lo == hi, lo.cast("string")), else_=lo.cast("string") + "-" + hi.cast("string"))
    return g.select("court_code", case_id=prefix + numbers + "号", detail="缺 " + (hi - lo + 1).cast("string") + " 个号",
                    missing=(hi - lo + 1).cast("int64"))


def duplicate_registration(engine, scope: Scope) -> ibis.Table:
    """The later of two registrations of one dispute (see ``CHECKS``): same court and 类型代字, the same
    纠纷编号 or — where either has none — the same 当事人 and 案由, filed at most ``DUPLICATE_DAYS`` apart
    while the earlier was still pending. A 撤诉 then 再起诉 is filed after the first closed: not a duplicate."""
    t = scope.cases(engine.cases).select("case_id", "court_code", "type_code", "dispute_id", "parties", "cause",
                                         "filing_date", "closing_date")
    t = t.mutate(parties=t.parties.strip())

    def pairs(key_cols: list[str], extra) -> ibis.Table:
        # one equi-join per matching rule: a join on "rule 1 OR rule 2" cannot hash on either rule's columns, so
        # it compared every pair of a court's cases of one 类型代字 (quadratic in a court's caseload)
        a, b = t, t.view()
        on = [a.court_code == b.court_code, a.type_code == b.type_code, *(a[c] == b[c] for c in key_cols)]
        later = (b.filing_date > a.filing_date) | ((b.filing_date == a.filing_date) & (b.case_id > a.case_id))
        near = b.filing_date.delta(a.filing_date, unit="day") <= DUPLICATE_DAYS
        open_then = a.closing_date.isnull() | (b.filing_date <= a.closing_date)
        j = a.join(b, [*on, extra(a, b), later, near, open_then])
        return j.select(court_code=a.court_code, case_id=b.case_id, first=a.case_id)

    same_dispute = pairs(["dispute_id"], lambda a, b: a.dispute_id.notnull())
    same_parties = pairs(["parties", "cause"], lambda a, b: (a.dispute_id.isnull() | b.dispute_id.isnull())
                         & ~_blank(a.parties))
    j = same_dispute.union(same_parties)  # a pair matching both rules counts once (min below ignores repeats)
    g = j.group_by(["court_code", "case_id"]).aggregate(first=j.first.min())
    return _rows(g, "与 " + g.first + " 同一纠纷，前案未结时又立案")


def judge_not_on_roster(engine, scope: Scope) -> ibis.Table:
    t = scope.cases(engine.cases)
    t = t.filter(~_blank(t.judge_id))
    p = engine.people.select("judge_id", "court_code").distinct()
    with_roster = p.select("court_code").distinct()
    t = t.semi_join(with_roster, t.court_code == with_roster.court_code)
    t = t.anti_join(p, (t.judge_id == p.judge_id) & (t.court_code == p.court_code))
    return _rows(t, "承办人 " + t.judge_id + " " + t.judge_name.fill_null(""))


def late_deduction(engine, scope: Scope) -> ibis.Table:
    d = deadline_table(engine, scope.as_of, courts=scope.courts)
    d = scope.cases(d).filter(d.late_deduction)
    return _rows(d, "审限届满日 " + _date(d.deadline) + "，其后开始的扣除或中止 " + d.late_deducted_days.cast("string")
                 + " 日未予扣除")


def late_extension(engine, scope: Scope) -> ibis.Table:
    """Extensions approved (the event's start date) after the deadline as it then stood: the base limit plus
    the counted deductions plus the extensions approved before it, rolled forward to a working day. Limits
    that extend "to a total" (刑事简易 一个半月) are read as one extension of the difference."""
    d = deadline_table(engine, scope.as_of, courts=scope.courts)
    d = scope.cases(d).filter(~d.no_limit).select("case_id", "court_code", "base_deadline", "deducted_days")
    ev = engine.case_events
    ev = ev.filter(ev.kind == "extension", ev.start_date.notnull()).select(
        "case_id", "start_date", m=ev.months.fill_null(0), dd=ev.days.fill_null(0))
    w = ibis.cumulative_window(group_by="case_id", order_by=["start_date", "m", "dd"])
    ev = ev.mutate(prior_m=ev.m.sum().over(w) - ev.m, prior_d=ev.dd.sum().over(w) - ev.dd)
    j = ev.join(d, "case_id")
    # date ± interval is a TIMESTAMP in DuckDB and ibis drops a date→date cast: through timestamp to a DATE
    standing = (j.base_deadline + j.prior_m.cast("int32").as_interval("M")).cast("timestamp").cast("date")
    standing = (standing + (j.prior_d + j.deducted_days).cast("int32").as_interval("D")).cast("timestamp").cast("date")
    j = j.mutate(standing=standing)
    cal = _roll_table(engine, scope)
    j = j.left_join(cal, j.standing == cal.cal_date)
    due = j.cal_next.fill_null(j.standing)
    j = j.filter(j.start_date > due).mutate(due=due)
    g = j.group_by(["court_code", "case_id"]).aggregate(due=j.due.min(), approved=j.start_date.min(),
                                                        n=j.start_date.count())
    return _rows(g, "审限届满日 " + _date(g.due) + "，延长于 " + _date(g.approved) + " 批准（共 "
                 + g.n.cast("string") + " 次超期延长）")


def _roll_table(engine, scope: Scope) -> ibis.Table:
    """date → the working day it rolls forward to (the court's calendar), over the years a deadline of the
    scope can fall in."""
    cal = getattr(engine, "calendar", None) or WorkCalendar()
    lo = date(min(FIRST_SEQUENCED_YEAR, scope.start.year) - 10, 1, 1)
    hi = scope.as_of + timedelta(days=3 * 366)
    arrow = cal.calendar_table(lo, hi).select(["date", "next_workday"])
    return ibis.memtable(arrow).rename(cal_date="date", cal_next="next_workday")


RUNNERS: dict[str, Callable] = {
    "closed_no_method": closed_no_method, "closed_no_judge": closed_no_judge,
    "closed_before_filed": closed_before_filed, "events_after_closing": events_after_closing,
    "filing_outside_year": filing_outside_year, "seq_gaps": seq_gaps,
    "duplicate_registration": duplicate_registration, "judge_not_on_roster": judge_not_on_roster,
    "late_deduction": late_deduction, "late_extension": late_extension,
}
