"""后台任务: the status of a user's long jobs (polled by htmx), their downloads, and the admin's daily run."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.deps import checked_user, client_ip, parse_day, render, user
from zhixiao.web.jobs import Job, summary
from zhixiao.web.roles import Principal, require

router = APIRouter()
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "pdf": "application/pdf"}
DAILY_STEPS = 3  # run_daily_job's progress lines (ladder, quality) and its end


def _job(request: Request, u: Principal, job_id: str) -> Job:
    """The job if it is the user's (admin: anyone's); otherwise the same 404 whether it exists or not."""
    job = None
    if re.fullmatch(r"[0-9a-f]{32}", job_id):
        job = request.app.state.hub.jobs.get(job_id, u.username, u.role == "admin")
    if job is None:
        raise HTTPException(404, "没有这个后台任务，或它不属于您（服务重启后任务记录不再保留，已生成的报告仍可在“会商报告”页下载）。")
    return job


@router.get("/jobs")
def jobs_page(request: Request, u: Principal = Depends(user)):
    jobs = request.app.state.hub.jobs.list(u.username, u.role == "admin")
    return render(request, "jobs.html", title="后台任务", jobs=jobs, all_users=u.role == "admin")


@router.get("/jobs/{job_id}")
def job_page(request: Request, job_id: str, u: Principal = Depends(user)):
    return render(request, "jobs.html", title="后台任务", jobs=[_job(request, u, job_id)], all_users=u.role == "admin")


@router.get("/jobs/{job_id}/status")
def job_status(request: Request, job_id: str, main: bool = False, u: Principal = Depends(user)):
    """The job's status fragment; it asks again every second while the job runs (htmx). ``main``: the job
    the page was opened for (its file list keeps the page's id)."""
    return render(request, "job_status.html", job=_job(request, u, job_id), main=main)


@router.get("/api/jobs/{job_id}")
def job_json(request: Request, job_id: str, u: Principal = Depends(user)):
    return JSONResponse(summary(_job(request, u, job_id)))


@router.get("/jobs/{job_id}/download/{fmt}")
def job_download(request: Request, job_id: str, fmt: str, u: Principal = Depends(user)):
    job = _job(request, u, job_id)
    path: Path | None = job.files.get(fmt) if fmt in FORMATS else None
    if path is None or not path.is_file():
        raise HTTPException(404, f"该任务没有 {fmt} 格式的文件（任务未完成、失败，或未生成此格式）。")
    auth.record(request.app.state.Session, u.username, "export_briefing", path.name, None, client_ip(request))
    return FileResponse(path, media_type=FORMATS[fmt], filename=path.name)


@router.post("/jobs/daily")
def run_daily(request: Request, as_of: str | None = None, u: Principal = Depends(checked_user)):
    """The daily job (审限巡查 + 诉讼服务逾期 + 数据体检) run now by an admin, in the background."""
    from zhixiao.daily import run_daily_job
    from zhixiao.engine import connect

    require(u, "admin.manage")
    hub = request.app.state.hub
    running = [j for j in hub.jobs.list(u.username, True, kind="daily") if j.active]
    if running:  # one ledger run at a time: two would race on the same alerts
        return render(request, "job_status.html", job=running[0])
    day = parse_day(as_of, "巡查日") or hub.as_of()
    settings = request.app.state.settings

    def work(job: Job) -> tuple[str, dict[str, Path]]:
        res = run_daily_job(settings, day, engine=connect(settings.data_dir), progress=job.step)
        sup = res.supervision
        if sup is None:
            raise UserError("每日任务没有返回审限巡查结果。")
        return (f"巡查完成（{day}）：检查未结案件 {sup.cases_checked:,} 件，新增督办事项 {sup.created_total} 项，"
                f"升级 {sup.escalated} 项，自动办结 {sup.auto_resolved} 项；诉讼服务逾期事项 {res.service_items} 项。"), {}

    job = hub.jobs.submit(u.username, "daily", f"{day} 每日审限巡查", DAILY_STEPS, work, {"as_of": day})
    auth.record(request.app.state.Session, u.username, "run_daily", str(day), None, client_ip(request))
    return render(request, "job_status.html", job=job)
