"""人员名册: the judges roster (people table) as imported, and its upload — ``zhixiao import --table people`` in the
browser. The roster decides who a new account may be linked to, 分案 pools and the staff assessment."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from fastapi import APIRouter, Depends, File, Request, UploadFile

from zhixiao.domain.courts import court_name
from zhixiao.errors import UserError
from zhixiao.ingest.importer import import_files
from zhixiao.web.deps import checked_user, render, user
from zhixiao.web.roles import Principal, require
from zhixiao.web.routes import services_common as sc
from zhixiao.web.tables import Column, table
from zhixiao.web.uploads import check_xlsx, sweep

router = APIRouter()
SUFFIXES = (".csv", ".xlsx", ".txt")
SHOW_REJECTS = 200
COLUMNS = (Column("judge_id", "法官编号"), Column("name", "姓名"), Column("court_name", "法院"),
           Column("division", "部门"))


def _page(request: Request, result: dict | None = None):
    judges = request.app.state.hub.roster()["judges"]
    rows = [{"judge_id": jid, "name": name, "court_code": court, "court_name": court_name(court) or court,
             "division": division} for jid, (court, division, name) in judges.items()]
    view = table(request, rows, COLUMNS, key="roster", default_sort="judge_id")
    if (resp := view.export_response("人员名册")) is not None:
        return resp
    return render(request, "roster.html", title="人员名册", view=view, result=result)


@router.get("/roster")
def roster(request: Request, u: Principal = Depends(user)):
    require(u, "roster.import")
    return _page(request)


@router.post("/roster/import")
def roster_import(request: Request, file: UploadFile | None = File(None), u: Principal = Depends(checked_user)):
    require(u, "roster.import")
    if file is None or not file.filename:
        raise UserError("请选择人员名册文件（CSV 或 .xlsx，含 法官编号、姓名、法院代字 等列）。")
    name = Path(file.filename).name
    if Path(name).suffix.lower() not in SUFFIXES:
        raise UserError(f"文件“{name[:60]}”的类型不支持：请上传 CSV 或 Excel（.xlsx）名册。")
    safe = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", name)[:120]
    uploads = Path(request.app.state.settings.data_dir) / "web_uploads"
    sweep(uploads)
    d = uploads / secrets.token_urlsafe(18)
    d.mkdir(parents=True)
    try:  # the uploaded copy is never kept, imported or not
        with open(d / safe, "wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        if safe.lower().endswith(".xlsx"):
            check_xlsx(d / safe, name)
        res = import_files([d / safe], request.app.state.settings, user=u.username, table="people")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    rep = res.report
    result = {"file": name, "rows_read": rep.rows_read, "accepted": rep.accepted, "rejected": rep.rejected,
              "changed": res.changed, "rejects": [vars(r) for r in rep.rejects[:SHOW_REJECTS]],
              "more": max(0, len(rep.rejects) - SHOW_REJECTS)}
    sc.audited(request, u, "roster_import", name, f"读取 {rep.rows_read} 行，导入 {rep.accepted} 行，拒收 {rep.rejected} 行")
    return _page(request, result)
