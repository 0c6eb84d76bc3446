"""数据质量体检: the data-quality check a 审管办 runs before a 数据会商, and an intermediate court runs over its
basic courts — no figure is worth more than the data under it.

``run_checks`` runs every check of ``checks.CHECKS`` (pure queries over the store through the engine) for a
scope and returns each finding with the cases behind it, a count per check and a score per court:
score = 100 × (1 − (cases with a finding + 断号 numbers) ÷ (cases checked + 断号 numbers)), to two decimals —
the share of the court's record that is sound. ``record`` keeps the counts and scores in the ops DB
(``models``) and ``previous`` reads the last stored check of the same scope, for the trend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhixiao.domain import courts as court_registry
from zhixiao.errors import UserError
from zhixiao.quality.checks import CHECK_NAMES, CHECKS, RUNNERS, Scope
from zhixiao.quality.models import QualityCount, QualityCourt, QualityRun

ALL = "*"  # the scope of a check over every court in the store


@dataclass
class CourtResult:
    court_code: str
    court_name: str
    checked: int  # cases in scope
    flagged: int = 0  # distinct cases with at least one finding
    missing: int = 0  # 断号: numbers never registered
    counts: dict[str, int] = field(default_factory=dict)  # check id → cases (断号: missing numbers)
    previous_counts: dict[str, int] | None = None  # the last stored check of the same scope
    previous_score: float | None = None

    @property
    def score(self) -> float:
        whole = self.checked + self.missing
        return 100.0 if whole == 0 else round(100 * (1 - (self.flagged + self.missing) / whole), 2)

    def change(self, check: str) -> int | None:
        if self.previous_counts is None:
            return None
        return self.counts.get(check, 0) - self.previous_counts.get(check, 0)


@dataclass
class Report:
    scope: str
    start: date
    as_of: date
    courts: list[CourtResult]
    findings: dict[str, list[dict]]  # check id → rows (court_code, case_id, detail[, missing])
    previous_at: datetime | None = None

    def total(self, check: str) -> int:
        return sum(c.counts.get(check, 0) for c in self.courts)

    def within(self, scope: str, members: Sequence[str]) -> Report:
        """This check restricted to ``members`` under the label ``scope``: equal to checking them alone, because
        every check reads one court's own record at a time (its cases, its 案号 sequences, its roster), so a
        court's findings do not depend on the other courts checked with it. The whole city is checked once and
        each court's page is read from it."""
        keep = set(members)
        absent = keep - {c.court_code for c in self.courts}
        if absent:
            raise ValueError(f"courts {sorted(absent)} were not checked")
        courts = [replace(c, counts=dict(c.counts)) for c in self.courts if c.court_code in keep]
        findings = {k: [dict(r) for r in rows if r["court_code"] in keep] for k, rows in self.findings.items()}
        return Report(scope, self.start, self.as_of, courts, findings)

    def to_dict(self) -> dict:
        return {
            "scope": self.scope, "start": self.start.isoformat(), "as_of": self.as_of.isoformat(),
            "previous_at": self.previous_at.isoformat(timespec="seconds") if self.previous_at else None,
            "checks": [asdict(c) for c in CHECKS],
            "courts": [{**asdict(c), "score": c.score,
                        "change": {k: c.change(k) for k in CHECK_NAMES} if c.previous_counts is not None else None}
                       for c in self.courts],
            "findings": self.findings,
        }


def scope_courts(engine, court: str | None) -> tuple[str, list[str]]:
    """(scope label, court codes): one court; an intermediate court with the basic courts under it in the
    data (法〔2015〕137号 代字: 冀01 → 冀01xx); every court in the store when ``court`` is None."""
    t = engine.cases
    codes = sorted(c for c in t.select("court_code").distinct().to_pyarrow().column(0).to_pylist() if c)
    if court is None:
        return ALL, codes
    try:
        level = court_registry.court(court).level
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if level == "intermediate":
        members = [c for c in codes if c == court or _parent(c) == court]
    else:
        members = [c for c in codes if c == court]
    if not members:
        raise UserError(f"数据中没有法院 {court} 的案件；数据中的法院：{'、'.join(codes) or '（无）'}。")
    return court, members


def _parent(code: str) -> str | None:
    try:
        return court_registry.court(code).parent
    except ValueError:
        return None


def run_checks(engine, court: str | None, start: date, as_of: date, checks: Sequence[str] | None = None) -> Report:
    """Every check (or ``checks``) over the scope of ``court`` (see ``scope_courts``) for the period
    [start, as_of]."""
    if start > as_of:
        raise UserError(f"起始日期 {start} 晚于体检时点 {as_of}，请调换 --from 与 --as-of。")
    unknown = [c for c in checks or () if c not in RUNNERS]
    if unknown:
        raise UserError(f"没有体检项目“{'、'.join(unknown)}”；可用：{', '.join(RUNNERS)}。")
    label, members = scope_courts(engine, court)
    scope = Scope(tuple(members), start, as_of)
    t = scope.cases(engine.cases)
    counted = {r["court_code"]: r["n"] for r in t.group_by("court_code").aggregate(n=t.count()).to_pyarrow().to_pylist()}
    results = {c: CourtResult(c, court_registry.court_name(c) or c, int(counted.get(c, 0))) for c in members}
    findings: dict[str, list[dict]] = {}
    flagged: dict[str, set[str]] = {c: set() for c in members}
    for check in checks or RUNNERS:
        rows = RUNNERS[check](engine, scope).order_by(["court_code", "case_id"]).to_pyarrow().to_pylist()
        findings[check] = rows
        for r in rows:
            res = results[r["court_code"]]
            if "missing" in r:
                res.counts[check] = res.counts.get(check, 0) + int(r["missing"])
                res.missing += int(r["missing"])
            else:
                res.counts[check] = res.counts.get(check, 0) + 1
                flagged[r["court_code"]].add(r["case_id"])
    for c, ids in flagged.items():
        results[c].flagged = len(ids)
    return Report(label, start, as_of, [results[c] for c in members], findings)


def record(session: Session, report: Report, user: str | None = None) -> int:
    """Store the report's counts and scores as a new run; returns its id. The caller commits."""
    run = QualityRun(scope=report.scope, start=report.start, as_of=report.as_of, created_at=datetime.now(),
                     created_by=user)
    session.add(run)
    session.flush()
    for c in report.courts:
        session.add(QualityCourt(run_id=run.id, court_code=c.court_code, checked=c.checked, flagged=c.flagged,
                                 missing=c.missing, score=c.score))
        for check, n in c.counts.items():
            session.add(QualityCount(run_id=run.id, court_code=c.court_code, check=check, count=n))
    session.flush()
    return run.id


def with_previous(session: Session, report: Report, before: int | None = None) -> Report:
    """Fill each court's ``previous_counts``/``previous_score`` from the last stored run of the same scope
    (before run id ``before`` when given). A court that run did not cover keeps None."""
    q = select(QualityRun).where(QualityRun.scope == report.scope)
    if before is not None:
        q = q.where(QualityRun.id < before)
    run = session.scalars(q.order_by(QualityRun.id.desc()).limit(1)).first()
    if run is None:
        return report
    report.previous_at = run.created_at
    scores = {r.court_code: r.score for r in session.scalars(select(QualityCourt).where(QualityCourt.run_id == run.id))}
    counts: dict[str, dict[str, int]] = {}
    for r in session.scalars(select(QualityCount).where(QualityCount.run_id == run.id)):
        counts.setdefault(r.court_code, {})[r.check] = r.count
    for c in report.courts:
        if c.court_code in scores:
            c.previous_score = scores[c.court_code]
            c.previous_counts = counts.get(c.court_code, {})
    return report
