"""The daily job: the 审限 sweep with the services' overdue items on the same 提醒→督办→约谈→问责 ladder, then
the data-quality check (数据质量体检) of the year so far, recorded for its trend.

It is the one module that combines supervision, services and quality (``../shared/DESIGN.md``: side-by-side
layers do not import each other; what combines them sits above both). ``zhixiao daily`` and the systemd timer
run it; ``zhixiao supervise run`` is the 审限 sweep alone, ``zhixiao quality`` the check alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from zhixiao.config import Settings
from zhixiao.engine import Engine, connect
from zhixiao.quality import Report, record, run_checks
from zhixiao.services.alerts import overdue_items
from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import RunSummary, run_daily

SYSTEM = "system"  # who the quality record names as having run the check


@dataclass
class DailySummary:
    as_of: date
    supervision: RunSummary  # the ladder's run, service items included in its counts
    service_items: int  # overdue 12368 tickets, 差评督办 and 司法建议 offered to the ladder
    quality: Report  # the data-quality check from 1 January of the as-of year
    quality_run: int  # its id among the stored checks


def run_daily_job(settings: Settings, as_of: date, *, backend: str = "duckdb", engine: Engine | None = None,
                  progress: Any = None) -> DailySummary:
    """Read the services' overdue items, run the ladder over the store's deadlines and those items, then the
    data-quality check of the settings' court (every court when none is set); one engine for both passes."""
    eng = engine or connect(settings.data_dir, backend)
    Session_ = session_factory(settings.ops_url)
    with Session_() as session:
        items = overdue_items(session, as_of, settings)
    if progress:
        progress(f"审限巡查（另有诉讼服务逾期事项 {len(items)} 项）")
    summary = run_daily(settings, as_of, engine=eng, progress=progress, items=items)
    if progress:
        progress("数据质量体检")
    report = run_checks(eng, settings.court_code, date(as_of.year, 1, 1), as_of)
    with Session_() as session, session.begin():
        run_id = record(session, report, SYSTEM)
    return DailySummary(as_of=as_of, supervision=summary, service_items=len(items), quality=report,
                        quality_run=run_id)
