"""会商报告: generate the briefing (.docx/.xlsx/.pdf) for a court and period, then download it."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.deps import checked_user, client_ip, parse_day, render, scoped, user
from zhixiao.web.roles import Principal, require

router = APIRouter()
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


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


@router.get("/reports")
def reports(request: Request, court: str | None = None, start: str | None = None, end: str | None = None,
            u: Principal = Depends(user)):
    require(u, "reports.download")
    code, s, e = _params(request, u, court, start, end)
    return render(request, "reports.html", title="会商报告", court=code, start=s, end=e,
                  courts=request.app.state.hub.roster()["courts"], files=_files(_dir(request, code, s, e)),
                  can_pick=u.scope == "all", message=None)


@router.post("/reports/generate")
def generate(request: Request, court: str = Form(""), start: str = Form(""), end: str = Form(""),
             pdf: bool = Form(False), u: Principal = Depends(checked_user)):
    from zhixiao.reports.render import write_briefing

    require(u, "reports.generate")
    code, s, e = _params(request, u, court, start, end)
    out = _dir(request, code, s, e)
    hub = request.app.state.hub
    files = hub.run(lambda eng: write_briefing(request.app.state.settings, code, s, e, out, pdf=pdf, engine=eng))
    auth.record(request.app.state.Session, u.username, "generate_briefing", f"{code} {s}~{e}", None,
                client_ip(request))
    return render(request, "reports.html", title="会商报告", court=code, start=s, end=e,
                  courts=hub.roster()["courts"], files=_files(out), can_pick=u.scope == "all",
                  message=files.pdf_message or "报告已生成。")


@router.get("/reports/download")
def download(request: Request, court: str, start: str, end: str, fmt: str, u: Principal = Depends(user)):
    require(u, "reports.download")
    code, s, e = _params(request, u, court, start, end)
    if fmt not in FORMATS:
        raise UserError(f"格式“{fmt}”无效，可选 docx、xlsx、pdf。")
    path = _files(_dir(request, code, s, e)).get(fmt)
    if path is None:
        raise HTTPException(404, "该报告尚未生成，请先在“会商报告”页点击生成。")
    auth.record(request.app.state.Session, u.username, "export_briefing", path.name, None, client_ip(request))
    return FileResponse(path, media_type=FORMATS[fmt], filename=path.name)
