"""A 数据会商 briefing in two steps: the figures step (``reports.figures.collect``) fetches every number
once from metrics, analysis, supervision and services; the narrative step (``reports.sections``, one module
per section) turns those typed figures into sections without touching an engine. ``collect`` puts them
together into the one ``Briefing`` object the .docx, .xlsx, .pptx and .pdf builders render.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from zhixiao.reports import narrative as nv
from zhixiao.reports.figures.collect import BriefingFigures, context, gather
from zhixiao.reports.model import Briefing
from zhixiao.reports.sections import (
    annexes,
    caseload,
    deadlines,
    enforcement,
    proposals,
    quality,
    services,
    targets,
    weak,
)
from zhixiao.reports.sections.common import rowdict


def collect(engine, court_code: str, start: date, end: date, *, scope: str = "court", compare: str | None = "yoy",
            profile: str = "court-classic", settings=None) -> Briefing:
    """Every number of the briefing, computed once (the builders only render this object)."""
    timings: dict[str, float] = {}
    ctx = context(engine, court_code, start, end, scope, compare, profile)
    f = _timed(timings, "figures", lambda: gather(engine, ctx, settings))
    return narrate(f, timings)


def narrate(f: BriefingFigures, timings: dict[str, float] | None = None) -> Briefing:
    """The sections of the briefing from its figures (no engine), in the order of a 会商 report."""
    ctx = f.ctx
    timings = {} if timings is None else timings
    label = nv.period_label(ctx.start, ctx.end)
    title = f"{ctx.court_name}{'（全市）' if ctx.city else ''}{label}审判执行质效数据会商报告"
    b = Briefing(ctx.court_code, ctx.court_name, ctx.scope, ctx.start, ctx.end, ctx.compare, ctx.profile, title,
                 "全市法院" if ctx.city else "全院", profile_name=ctx.profile_name,
                 office=f"{ctx.court_name}审判管理办公室", issued=date.today())
    b.figures = {r.indicator: rowdict(ctx, r) for r in f.evaluations.top}
    b.sections.append(_timed(timings, "caseload", lambda: caseload.build(f, b)))
    b.sections.append(_timed(timings, "quality", lambda: quality.build(f, b)))
    b.sections.append(_timed(timings, "enforcement", lambda: enforcement.build(f, b)))
    b.sections.append(_timed(timings, "deadlines", lambda: deadlines.build(f, b)))
    b.sections.append(_timed(timings, "weak", lambda: weak.build(f, b)))
    b.sections.append(_timed(timings, "targets", lambda: targets.build(f, b)))
    sec = services.build(f, b)  # None: no ops DB or nothing in the period
    if sec is not None:
        b.sections.append(sec)
    b.sections.append(proposals.build(f, b))
    b.annex = annexes.judges(f)
    b.appendices = [annexes.long_pending(f, b), annexes.data_quality(f, b), annexes.cards(f)]
    b.timings = timings
    return b


def _timed(timings: dict[str, float], key: str, fn: Callable):
    t0 = time.perf_counter()
    try:
        return fn()
    finally:
        timings[key] = round(time.perf_counter() - t0, 3)
