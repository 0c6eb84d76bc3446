"""数据导入: upload an export, show the validation report (rejected rows with reasons), then confirm."""

from __future__ import annotations

import json
import re
import secrets
import shutil
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.deps import checked_user, client_ip, render, user
from zhixiao.web.roles import Forbidden, Principal, require
from zhixiao.web.tables import Column, table
from zhixiao.web.uploads import UPLOAD_BYTES, check_xlsx, sweep

router = APIRouter()
MAX_BYTES = UPLOAD_BYTES
IMPORT_HISTORY = 10_000  # import records listed (paged): years of daily imports
IMPORT_STATUS = {"ok": "成功", "unchanged": "已导入过，未更改", "failed": "失败"}
IMPORT_COLUMNS = (Column("started_at", "时间", text=lambda v, _r: "" if v is None else str(v)[:19]),
                  Column("user", "用户"), Column("file_name", "文件"), Column("rows_read", "读取", numeric=True),
                  Column("accepted", "导入", numeric=True), Column("rejected", "拒收", numeric=True),
                  Column("status", "状态", text=lambda v, _r: IMPORT_STATUS.get(v or "", v or "")))
REJECT_COLUMNS = (Column("row", "行号", numeric=True), Column("column", "列"), Column("value", "值"), Column("reason", "原因"))
SUFFIXES = (".csv", ".xlsx", ".xls", ".txt")


def _uploads(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir) / "web_uploads"


def _batch(request: Request, u: Principal, token: str) -> tuple[Path, dict]:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token or ""):
        raise UserError("导入批次编号无效，请重新上传文件。")
    d = _uploads(request) / token
    meta_path = d / "meta.json"
    if not meta_path.is_file():
        raise UserError("找不到这个导入批次（可能已确认或已过期），请重新上传文件。")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["user"] != u.username:
        raise Forbidden("只能确认自己上传的导入批次。")
    return d, meta


@router.get("/imports")
def imports(request: Request, u: Principal = Depends(user)):
    from zhixiao.ingest.importer import recent_imports

    require(u, "imports.upload")
    sweep(_uploads(request))
    view = table(request, recent_imports(request.app.state.settings, IMPORT_HISTORY), IMPORT_COLUMNS, key="recent-imports")
    if (resp := view.export_response("导入记录")) is not None:
        return resp
    return render(request, "imports.html", title="数据导入", report=None, token=None, result=None, recent=view)


@router.post("/imports/validate")
def validate_upload(request: Request, file: UploadFile | None = File(None), u: Principal = Depends(checked_user)):
    from zhixiao.ingest.importer import validate

    require(u, "imports.upload")
    if file is None or not file.filename:
        raise UserError("请选择要上传的法院导出文件（CSV 或 .xlsx）。")
    name = Path(file.filename or "upload.csv").name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise UserError(f"文件“{name}”的类型不支持：请上传 CSV 或 Excel（.xlsx）导出文件。")
    safe = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", name)[:120]
    token = secrets.token_urlsafe(18)
    sweep(_uploads(request))
    d = _uploads(request) / token
    d.mkdir(parents=True)
    try:  # a refused or failed upload leaves no folder behind
        size = 0
        with open(d / safe, "wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise UserError(f"文件“{name}”超过 {MAX_BYTES // 2**20} MB，请按年度或法院分批导出后上传。")
                out.write(chunk)
        if Path(safe).suffix.lower() == ".xlsx":
            check_xlsx(d / safe, name)
        rep = validate([d / safe])
        report = {"file": name, "rows_read": rep.rows_read, "accepted": rep.accepted, "rejected": rep.rejected,
                  "encoding": rep.files[0].encoding, "unknown_columns": rep.files[0].unknown_columns}
        (d / "meta.json").write_text(json.dumps({"user": u.username, "file": safe, "report": report},
                                                ensure_ascii=False), encoding="utf-8")
        (d / "rejects.json").write_text(json.dumps([vars(r) for r in rep.rejects], ensure_ascii=False, default=str),
                                        encoding="utf-8")
    except BaseException:
        shutil.rmtree(d, ignore_errors=True)
        raise
    auth.record(request.app.state.Session, u.username, "import_validate", safe,
                f"读取 {rep.rows_read} 行，可导入 {rep.accepted} 行，拒收 {rep.rejected} 行", client_ip(request))
    return _report_page(request, token, report, [vars(r) for r in rep.rejects])


def _report_page(request: Request, token: str, report: dict, rejects: list[dict]):
    """The validation report; its rejects table pages through GET /imports/rejects (the upload is kept until
    confirmed or swept)."""
    view = table(request, rejects, REJECT_COLUMNS, key="rejects", path="/imports/rejects", params={"token": token})
    if (resp := view.export_response(f"拒收清单_{report['file']}")) is not None:
        return resp
    return render(request, "imports.html", title="数据导入", report=report, view=view, token=token, result=None,
                  recent=[])


@router.get("/imports/rejects")
def rejects(request: Request, token: str = "", u: Principal = Depends(user)):
    require(u, "imports.upload")
    d, meta = _batch(request, u, token)
    return _report_page(request, token, meta["report"], json.loads((d / "rejects.json").read_text(encoding="utf-8")))


@router.post("/imports/confirm")
def confirm(request: Request, token: str = Form(""), u: Principal = Depends(checked_user)):
    from zhixiao.ingest.importer import import_files

    require(u, "imports.upload")
    d, meta = _batch(request, u, token)
    res = import_files([d / meta["file"]], request.app.state.settings, user=u.username)
    shutil.rmtree(d, ignore_errors=True)  # imported: the uploaded copy is not kept
    result = {"file": meta["file"], "accepted": res.report.accepted, "rejected": res.report.rejected,
              "version": res.manifest_version, "changed": res.changed,
              "rejects_paths": [str(p) for p in res.rejects_paths]}
    auth.record(request.app.state.Session, u.username, "import", meta["file"], json.dumps(result, ensure_ascii=False),
                client_ip(request))
    return render(request, "imports.html", title="数据导入", report=None, token=None, result=result, recent=[])
