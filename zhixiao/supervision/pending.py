"""长期未结 ledger (12/24/36 months) and the 四项未结 list (延长/中止/中断/扣除), over the deadline table.

四项未结: courts track pending cases in 延长 / 中止 / 中断 / 扣除审限 status separately because they distort
the 法定正常审限内结案率 (REFERENCE §2.2). Here 中断 = a restart of the clock (刑事 补充侦查 and the like).
超审限后补扣: cases, pending or closed, whose record has a deduction or 中止 that began after the deadline had
passed — it was not counted, and a court reviews why it was recorded (REFERENCE §2.2 "late deductions").
"""

from __future__ import annotations

import ibis

LONG_PENDING_TIERS = (12, 24, 36)
LEDGER_COLUMNS = ("case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code",
                  "procedure", "filing_date", "pending_months", "deadline", "provisional", "unconfirmed", "status")
FOUR_FLAGS = {"extended": "延长", "suspended": "中止", "interrupted": "中断", "deducted": "扣除"}


def long_pending(table: ibis.Table, tiers: tuple[int, ...] = LONG_PENDING_TIERS) -> ibis.Table:
    """Pending cases at or past the lowest tier, with ``tier`` = the highest tier (months) reached."""
    tiers = tuple(sorted(tiers))
    t = table.filter(table.pending & (table.pending_months >= tiers[0]))
    tier = ibis.cases(*[(t.pending_months >= m, m) for m in reversed(tiers)], else_=tiers[0])
    return t.select(*LEDGER_COLUMNS, tier=tier).order_by([ibis.desc("pending_months"), "case_id"])


def four_pending(table: ibis.Table) -> ibis.Table:
    """Pending cases with an extension, a 中止, a restart (中断) or a deducted period."""
    t = table.mutate(
        extended=table.n_extensions > 0,
        suspended=table.has_suspension,
        interrupted=table.has_restart,
        deducted=table.has_deduction,
    )
    any_flag = t.extended | t.suspended | t.interrupted | t.deducted
    return t.filter(t.pending & any_flag).select(*LEDGER_COLUMNS, *FOUR_FLAGS).order_by(["division", "case_id"])


LATE_COLUMNS = ("case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
                "filing_date", "closing_date", "deadline", "deducted_days", "late_deducted_days", "provisional",
                "unconfirmed", "status")


def late_deductions(table: ibis.Table) -> ibis.Table:
    """超审限后补扣: every case (pending or closed) with a deducted period that began after its deadline."""
    return table.filter(table.late_deduction).select(*LATE_COLUMNS).order_by(
        [ibis.desc("late_deducted_days"), "case_id"])
