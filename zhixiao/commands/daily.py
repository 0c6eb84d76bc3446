"""``zhixiao daily``: the daily job (``zhixiao.daily``) — the 审限 sweep with the services' overdue items on the
same ladder, then the data-quality check. The systemd timer (deploy/systemd/zhixiao-daily.timer) runs it."""

from __future__ import annotations

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, date_or_today, emit, settings
from zhixiao.commands.supervise import RUN_HEADERS, AsOf, Backend, check_store, run_row, warn_provisional

HEADERS = {"service_items": "诉讼服务逾期事项", "quality_flagged": "体检有问题案件", "quality_missing": "断号数",
           "quality_min_score": "体检最低得分"}


def daily(as_of: AsOf = None, data_dir: DataDir = None, backend: Backend = "duckdb", fmt: FormatOpt = Format.table) -> None:
    """每日任务：审限巡查，诉讼服务逾期事项（12368 工单、差评督办、司法建议）纳入同一督办阶梯，再做本年数据质量体检并记录
    （明细用 zhixiao quality 查看）/ the daily job: the 审限 sweep with the services' overdue items on the same
    ladder, then the year's data-quality check, recorded"""
    from zhixiao.daily import run_daily_job

    st = settings(data_dir)
    d = date_or_today(as_of, "--as-of")
    check_store(st)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as prog:
        task = prog.add_task("每日任务运行中…", total=None)
        job = run_daily_job(st, d, backend=backend, progress=lambda msg: prog.update(task, description=msg))
    q = job.quality.courts
    row = {**run_row(job.supervision), "service_items": job.service_items,
           "quality_flagged": sum(c.flagged for c in q), "quality_missing": sum(c.missing for c in q),
           "quality_min_score": min((c.score for c in q), default=None)}
    emit([row], fmt, headers={**RUN_HEADERS, **HEADERS}, title="每日任务结果")
    warn_provisional(job.supervision.provisional_cases, fmt)


def register(app: typer.Typer) -> None:
    app.command("daily")(daily)
