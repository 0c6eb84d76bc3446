"""Case-level figures of a briefing: the 审限 of the cases pending at the period end (status, 四项未结, the
长期未结 list), the monthly trend, the 环比 figures, the 员额法官 roster and the courts' names — each one
engine query, no sentences."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from zhixiao.deadlines import deadline_table
from zhixiao.domain.courts import court_name as registry_court_name
from zhixiao.metrics.catalogue import Indicator
from zhixiao.metrics.evaluate import Row, evaluate
from zhixiao.metrics.filters import Compiler, Period
from zhixiao.metrics.series import monthly
from zhixiao.supervision.pending import FOUR_FLAGS, four_pending

LONG_PENDING_MONTHS = 12  # 长期未结: pending more than 12 months (REFERENCE §5.1, 1年以上)
UNASSIGNED = "（未分配）"


@dataclass
class FourPending:
    """四项未结 (延长 / 中止 / 中断 / 扣除审限, REFERENCE §2.2) per (court,) division: ``rows`` carry
    court, division and one count per ``FOUR_FLAGS`` key; ``total`` counts each case once."""

    rows: list[dict]
    total: int


@dataclass
class Deadlines:
    """The 审限 of the cases in the 未结 figure at the period end (this court's, or the city's)."""

    status_counts: dict[str, int]  # 审限状态 → cases
    four: FourPending
    long_pending: list[dict]  # pending > 12 months, oldest first (案号, 承办人, 部门, 案龄, 审限状态, 原因)
    by_court_division: list[Row] = field(default_factory=list)  # city scope: 未结 and 长期未结 per court, division


def pending_scope(engine, court_code: str | None, start: date, end: date, pending: Indicator):
    """Rows of the 审限 table that are in the 未结 figure: the court (None: every court), pending at the period
    end, with the indicator's own exclusions (诉前调确, 执保 …) — so the 审限 counts add up to 收结存's 未结.
    The 审限 table is materialised once per engine by ``deadline_table`` itself (engine.cache)."""
    t = deadline_table(engine, end, courts=[court_code] if court_code else None)
    if court_code:
        t = t.filter(t.court_code == court_code)
    comp = Compiler(t, Period(start, end, end), "cases")
    return t.filter(comp.where(pending.numerator, pending.line, pending.exclusion_rules))


def deadlines(engine, court_code: str | None, start: date, end: date, pending: Indicator) -> Deadlines:
    t = pending_scope(engine, court_code, start, end, pending)
    status = t.select("status").execute()
    counts = {str(k): int(v) for k, v in status["status"].value_counts().items()}
    return Deadlines(counts, _four(t, city=court_code is None), long_pending_cases(t, end))


def _four(scope, *, city: bool) -> FourPending:
    df = four_pending(scope).execute()
    keys = ["court_code", "division"] if city else ["division"]
    df["division"] = df["division"].fillna(UNASSIGNED)
    for k in FOUR_FLAGS:
        df[k] = df[k].fillna(False).astype(int)
    agg = df.groupby(keys, dropna=False)[list(FOUR_FLAGS)].sum().reset_index() if len(df) else df
    rows = [{"court": rec.get("court_code", ""), "division": rec["division"], **{k: int(rec[k]) for k in FOUR_FLAGS}}
            for rec in agg.to_dict("records")]
    rows.sort(key=lambda r: (str(r["court"]), str(r["division"])))
    return FourPending(rows, len(df))


def long_pending_cases(scope, as_of: date) -> list[dict]:
    """Cases pending more than 12 months at ``as_of`` with 承办人, 部门, 案龄 and 审限状态, oldest first;
    ``scope`` is the 审限 table narrowed to the 未结 figure's cases (``pending_scope``)."""
    t = scope.filter(scope.pending_months >= LONG_PENDING_MONTHS)
    df = t.select("case_id", "judge_name", "division", "filing_date", "pending_months", "status",
                  "extension_days", "deducted_days").order_by(["filing_date", "case_id"]).execute()
    out = []
    for r in df.to_dict("records"):
        filed = r["filing_date"]
        filed = filed.date() if hasattr(filed, "date") else filed
        reasons = []
        if r["status"] in ("中止中", "扣除中"):
            reasons.append(f"{r['status'][:2]}审限")
        if r["extension_days"] and r["extension_days"] > 0:
            reasons.append(f"延长审限{int(r['extension_days'])}天")
        if r["deducted_days"] and r["deducted_days"] > 0:
            reasons.append(f"扣除审限{int(r['deducted_days'])}天")
        out.append({"case_id": r["case_id"], "judge_name": r["judge_name"] or "（未登记）",
                    "division": r["division"] or UNASSIGNED, "filing_date": str(filed),
                    "age_days": (as_of - filed).days, "status": r["status"],
                    "reason": "；".join(reasons) or "未登记延长、中止或扣除事由"})
    return out


@dataclass
class MonthOnMonth:
    """环比 of a year-to-date report: the figures from the same start to the end of the previous month."""

    last: date
    rows: dict[str, Row]


MOM_IDS = ("closure_rate", "clearance_ratio", "pending")


def month_on_month(engine, profile: str, start: date, end: date, filters: dict | None) -> MonthOnMonth | None:
    """None unless the period is the year to date ending on a month end, with a previous month in it;
    ``profile``: the one that defines the glossary ids."""
    last = end.replace(day=1) - timedelta(days=1)
    ytd = start == date(end.year, 1, 1) and (end + timedelta(days=1)).day == 1
    if not ytd or last < start:
        return None
    rows = evaluate(engine, profile, start, last, indicators=list(MOM_IDS), filters=filters, compare=None).rows
    return MonthOnMonth(last, {r.indicator: r for r in rows})


def trend(engine, start: date, end: date, filters: dict | None, profile: str, compare: bool) -> list[dict]:
    """Monthly 新收/结案/月末未结 (``metrics.series.monthly``) and, with 同比, the same months a year earlier."""
    return monthly(engine, start, end, filters, profile=profile, previous_year=compare)


def court_name(engine, court_code: str) -> str:
    """The registry's name (法院代字表); a code the registry cannot name keeps the name in the data."""
    name = registry_court_name(court_code)
    if name:
        return name
    t = engine.cases
    df = t.filter(t.court_code == court_code).select("court_name").limit(1).execute()
    return str(df["court_name"].iloc[0]) if len(df) and df["court_name"].iloc[0] else court_code


def court_names(engine, court_code: str | None) -> dict[str, str]:
    """court code → the name in the data, of the court (None: of every court)."""
    t = engine.cases
    if court_code:
        t = t.filter(t.court_code == court_code)
    df = t.select("court_code", "court_name").distinct().execute()
    return {c: n for c, n in zip(df["court_code"], df["court_name"], strict=True) if n}


def roster(engine, court_code: str | None, names: dict[str, str]) -> dict[str, tuple]:
    """员额法官 judge_id → (court_code, court_name, division, name), from the latest roster year."""
    p = engine.people
    p = p.filter(p.post == "员额法官")
    if court_code:
        p = p.filter(p.court_code == court_code)
    df = p.select("judge_id", "name", "court_code", "division", "year").execute()
    df = df.sort_values(["judge_id", "year"]).drop_duplicates("judge_id", keep="last")
    return {r.judge_id: (r.court_code, names.get(r.court_code, r.court_code), r.division or UNASSIGNED,
                         r.name or r.judge_id) for r in df.itertuples()}


def coverage(engine, court_code: str | None) -> str:
    """The filing dates the data holds, for the message when the period has no case."""
    t = engine.cases
    if court_code:
        t = t.filter(t.court_code == court_code)
    df = t.aggregate(lo=t.filing_date.min(), hi=t.filing_date.max()).execute()
    lo, hi = df["lo"].iloc[0], df["hi"].iloc[0]
    if lo is None or lo != lo:
        return "；数据中没有该院的任何案件"
    return f"；现有数据的立案日期范围为 {str(lo)[:10]} 至 {str(hi)[:10]}"
