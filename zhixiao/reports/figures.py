"""The figures step of a briefing: typed numbers fetched from metrics, analysis, supervision and services —
no sentences. ``briefing`` turns them into sections (the narrative step); the slides read the same objects.

Every figure here is a module's own result (``hotline_stats``, ``suggestion_stats``, ``deadline_table`` …);
this module only selects the period, the court and the operational database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from zhixiao.services.hotline import hotline_stats
from zhixiao.services.ledgers import admin_resolution, enforcement_hard, minsheng_cases, petition_stats
from zhixiao.services.satisfaction import satisfaction_stats
from zhixiao.services.suggestions import is_overdue, list_suggestions, suggestion_stats
from zhixiao.store.ops import migrate, session_factory

LONG_PENDING_MONTHS = 12  # 长期未结: pending more than 12 months (REFERENCE §5.1, 1年以上)


def ops_ready(settings) -> bool:
    """Whether an operational database exists (a briefing never creates an empty SQLite file); an existing
    one is brought to the current schema, so a missing table is a bug that fails, not a note."""
    if settings is None:
        return False
    url = settings.ops_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return False
    migrate(url)
    return True


@dataclass
class Suggestions:
    """司法建议 sent in the period, one definition for every figure: 回复率 = replied ÷ issued; 逾期 split into
    replied late and still unanswered past the due date."""

    issued: int
    replied: int
    adopted: int
    replied_late: int
    overdue_unanswered: int
    reply_rate: float | None
    adoption_rate: float | None


@dataclass
class Services:
    hotline: dict[str, Any]
    satisfaction: dict[str, Any]
    suggestions: Suggestions
    petitions: dict[str, Any]
    minsheng: dict[str, Any]
    enforcement_hard: dict[str, Any]
    admin_resolution: list[dict]

    def empty(self) -> bool:
        """Nothing recorded in the operational database for the period (the ledgers read case data, which
        every court has: they alone do not make a section)."""
        return not (self.hotline.get("tickets") or self.satisfaction.get("ratings") or self.suggestions.issued
                    or self.petitions.get("petitions"))


def services(settings, engine, court_code: str | None, start: date, end: date) -> Services | None:
    """诉讼服务 figures of the period (None without an operational database)."""
    if not ops_ready(settings):
        return None
    with session_factory(settings.ops_url)() as session:
        h = hotline_stats(session, court_code, start, end, settings)
        s = satisfaction_stats(session, court_code, start, end, settings)
        g = suggestion_stats(session, court_code, start, end)
        sent = [x for x in list_suggestions(session, court_code) if x.sent_on and start <= x.sent_on <= end]
        late = sum(1 for x in sent if x.reply_on and is_overdue(x, end))
        unanswered = sum(1 for x in sent if not x.reply_on and is_overdue(x, end))
        p = petition_stats(session, court_code, end)
    sug = Suggestions(g["issued"], g["replied"], g["adopted"], late, unanswered, g["reply_rate"], g["adoption_rate"])
    return Services(h, s, sug, p, minsheng_cases(engine, start, end, court_code, settings),
                    enforcement_hard(engine, end, court_code, settings),
                    admin_resolution(engine, start, end, court_code, settings))


@dataclass
class Need:
    """What moving one indicator to a reference takes: ``amount`` more of the numerator (closings, cases …)
    over a fixed denominator, or ``amount`` less of a count or of days."""

    indicator: str
    reference: float
    reference_label: str
    amount: float
    unit_word: str  # 件 | 天 | 个百分点
    by: date  # the end of the month after the period: the next 会商


def next_meeting(end: date) -> date:
    """The last day of the month after ``end`` (the 会商 after this one)."""
    first_next = date(end.year + (end.month // 12), end.month % 12 + 1, 1)
    after = date(first_next.year + (first_next.month // 12), first_next.month % 12 + 1, 1)
    return after - timedelta(days=1)


def need(indicator: str, unit: str, direction: str, value: float, numerator: float | None,
         denominator: float | None, reference: float, reference_label: str, end: date) -> Need | None:
    """The figure a 下一步 proposal names. Higher-is-better value = num ÷ den with den fixed in the period
    (结案率: 受理; 人均结案数: 员额法官): ceil(ref × den − num) more; a count that should fall: value − ref
    fewer; days: the gap in 天; a lower-is-better rate: the numerator cases beyond the reference."""
    by = next_meeting(end)
    if direction == "higher" and numerator is not None and denominator:
        n = math.ceil(reference * denominator - numerator - 1e-9)
        return Need(indicator, reference, reference_label, max(n, 0), "件", by) if n > 0 else None
    if unit == "count" and direction == "lower":
        n = math.ceil(value - reference)
        return Need(indicator, reference, reference_label, n, "件", by) if n > 0 else None
    if unit == "days" and direction == "lower":
        gap = round(value - reference, 2)
        return Need(indicator, reference, reference_label, gap, "天", by) if gap > 0 else None
    if unit == "rate" and direction == "lower" and numerator is not None and denominator:
        n = math.ceil(numerator - reference * denominator - 1e-9)
        return Need(indicator, reference, reference_label, n, "件", by) if n > 0 else None
    return None


def long_pending_cases(pending_scope, as_of: date) -> list[dict]:
    """Cases pending more than 12 months at ``as_of`` with 承办人, 部门, 案龄 and 审限状态, oldest first;
    ``pending_scope`` is the 审限 table narrowed to the 未结 figure's cases."""
    t = pending_scope.filter(pending_scope.pending_months >= LONG_PENDING_MONTHS)
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
                    "division": r["division"] or "（未分配）", "filing_date": str(filed),
                    "age_days": (as_of - filed).days, "status": r["status"],
                    "reason": "；".join(reasons) or "未登记延长、中止或扣除事由"})
    return out
