"""会商报告: generate the briefing (.docx/.xlsx/.pptx/.pdf) for a court and period in a background job, then
download it; the job's progress is polled by the page and never blocks other users' pages."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.deps import checked_user, client_ip, parse_day, render, scoped, user
from zhixiao.web.jobs import Job
from zhixiao.web.roles import Principal, require
from zhixiao.web.routes import jobs

router = APIRouter()
router.include_router(jobs.router)  # the job status pages live beside their main user, this page
FORMATS = jobs.FORMATS
REPORT_STEPS = 5  # write_briefing's steps (collect, docx, xlsx, slides, pdf)


def _dir(request: Request, court: str, start, end) -> Path:
    if not re.fullmatch(r"[\w\u4e00-\u9fff]{1,16}", court):
        raise UserError(f"法院代字“{court}”无效。")
    return Path(request.app.state.settings.data_dir) / "web_reports" / f"{court}_{start:%Y%m%d}-{end:%Y%m%d}"


def _files(d: Path) -> dict[str, Path]:
    return {p.suffix[1:]: p for p in sorted(d.glob("*")) if p.suffix[1:] in FORMATS} if d.is_dir() else {}


def _params(request: Request, u: Principal, court: str | None, start: str | None, end: str | None):
    hub = request.app.state.hub
    f = scoped(request, u, court)
    code = (f.get("court_code") or court or request.app.state.settings.court_code
            or next(iter(hub.roster()["courts"]), None))
    if not code:
        raise UserError("数据目录中还没有案件数据，请先在“数据导入”上传法院导出文件或运行 zhixiao demo。")
    if code not in hub.roster()["courts"]:
        raise UserError(f"数据中没有法院“{code}”，请从列表中选择。")
    as_of = hub.as_of()
    e = parse_day(end, "截止日") or as_of
    s = parse_day(start, "起始日") or e.replace(month=1, day=1)
    if s > e:
        raise UserError(f"起始日 {s} 晚于截止日 {e}，请调换两者。")
    return code, s, e


def _page(request: Request, u: Principal, code: str, s, e, job: Job | None = None, message: str | None = None):
    hub = request.app.state.hub
    mine = hub.jobs.list(u.username, u.role == "admin", kind="report")[:10]
    return render(request, "reports.html", title="会商报告", court=code, start=s, end=e,
                  courts=hub.roster()["courts"], files=_files(_dir(request, code, s, e)),
                  can_pick=u.scope == "all", message=message, job=job, jobs=mine)


@router.get("/reports")
def reports(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
            u: Principal = Depends(user)):
    require(u, "reports.download")
    code, s, e = _params(request, u, court, start, end)
    return _page(request, u, code, s, e)


@router.post("/reports/generate")
def generate(request: Request, court: str = Form(""), start: str = Form(""), end: str = Form(""),
             pdf: bool = Form(False), u: Principal = Depends(checked_user)):
    """Queue the briefing; the page shows the job, which polls its status until the files are there."""
    from zhixiao.engine import connect
    from zhixiao.reports.render import write_briefing

    require(u, "reports.generate")
    code, s, e = _params(request, u, court, start, end)
    out = _dir(request, code, s, e)
    settings, runner = request.app.state.settings, request.app.state.hub.jobs
    params = {"court": code, "start": s, "end": e, "pdf": pdf}
    # the same report already being written: show that job rather than write the same files twice at once
    same = [j for j in runner.list(u.username, True, kind="report") if j.active and j.params == params]
    if same:
        return _page(request, u, code, s, e, job=same[0])

    def work(job: Job) -> tuple[str, dict[str, Path]]:
        # an engine of its own: the readers' engines stay free for the pages while the report is written
        files = write_briefing(settings, code, s, e, out, pdf=pdf, engine=connect(settings.data_dir), step=job.step)
        return files.pdf_message or "报告已生成。", _files(out)

    name = request.app.state.hub.roster()["courts"].get(code, code)
    job = runner.submit(u.username, "report", f"{name} {s} 至 {e} 会商报告", REPORT_STEPS, work, params)
    auth.record(request.app.state.Session, u.username, "generate_briefing", f"{code} {s}~{e}", None,
                client_ip(request))
    return _page(request, u, code, s, e, job=job, message="报告正在后台生成，完成后可在下方下载；您可以离开本页继续工作。")


@router.get("/reports/download")
def download(request: Request, court: str, start: str, end: str, fmt: str, u: Principal = Depends(user)):
    require(u, "reports.download")
    code, s, e = _params(request, u, court, start, end)
    if fmt not in FORMATS:
        raise UserError(f"格式“{fmt}”无效，可选 {'、'.join(FORMATS)}。")
    path = _files(_dir(request, code, s, e)).get(fmt)
    if path is None:
        raise HTTPException(404, "该报告尚未生成，请先在“会商报告”页点击生成。")
    auth.record(request.app.state.Session, u.username, "export_briefing", path.name, None, client_ip(request))
    return FileResponse(path, media_type=FORMATS[fmt], filename=path.name)
