"""``zhixiao info``: what a data directory holds — courts, tables, snapshot version, recent imports."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, settings, to_json
from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES

COURT_HEADERS = {"court_code": "法院代字", "court_name": "法院名称", "years": "年度", "cases": "案件数", "pending": "未结"}
STATUS_ZH = {"ok": "成功", "unchanged": "已导入过，未作更改", "failed": "失败"}
IMPORT_HEADERS = {"started_at": "导入时间", "user": "操作人", "file_name": "文件", "table": "表", "rows_read": "读取",
                  "accepted": "入库", "rejected": "拒收", "status": "状态", "manifest_version": "版本"}


def gather(cfg: Settings) -> dict:
    """Facts about the store and the ops DB (used by the CLI and the web status page). The store is read through
    its own filesystem, so a store at a base URI (``store_uri``) answers as a local one does."""
    store = CaseStore(cfg.data_dir)
    try:
        m = store.manifest()
        tables = {name: store.dataset(name).count_rows() if store.relative(name) else 0 for name in TABLES}
        courts = _courts(store) if store.relative("cases") else []
    except OSError as exc:
        if store.location.local:
            raise
        raise UserError(f"无法读取案件数据位置 {store.location.shown}（{str(exc).splitlines()[0][:200]}）；"
                        "请运行 zhixiao doctor 查看需要修复的地方。") from None
    return {"data_dir": str(cfg.data_dir), "store": store.location.shown, "manifest_version": m.version,
            "updated_at": m.updated_at, "tables": tables, "courts": courts, "imports": _imports(cfg)}


def _courts(store: CaseStore) -> list[dict]:
    """Per court: its name, the years it has cases in, how many, and how many are still pending."""
    import duckdb

    q = ("SELECT court_code, any_value(court_name) AS court_name, list(DISTINCT year ORDER BY year) AS years, "
         "count(*) AS cases, count(*) FILTER (WHERE closing_date IS NULL) AS pending "
         "FROM cases GROUP BY court_code ORDER BY court_code")
    con = duckdb.connect()
    try:
        con.register("cases", store.dataset("cases"))
        return [{"court_code": code, "court_name": name, "years": [int(y) for y in years], "cases": int(n),
                 "pending": int(pending)} for code, name, years, n, pending in con.execute(q).fetchall()]
    finally:
        con.close()


def _imports(cfg: Settings) -> list[dict]:
    url = cfg.ops_url
    if url.startswith("sqlite") and not Path(url.split("///", 1)[-1]).is_file():
        return []  # no ops DB yet: nothing was imported (and `info` must not create one)
    from zhixiao.ingest.importer import recent_imports

    return recent_imports(cfg, 10)


def info_cmd(data_dir: DataDir = None, fmt: FormatOpt = Format.table) -> None:
    """数据目录概况：法院、年度、案件数、未结数、各表行数、数据版本与最近 10 次导入。 / Overview of a data directory: courts, tables, snapshot version, last imports."""
    cfg = settings(data_dir)
    if not cfg.store_uri and not Path(cfg.data_dir).is_dir():  # a store at a base URI needs no local files
        raise UserError(f"数据目录 {cfg.data_dir} 不存在：请先用 zhixiao import 导入数据，或用 --data-dir 指定正确的目录。")
    facts = gather(cfg)
    if fmt == Format.json:
        print(to_json(facts))
        return
    if fmt == Format.csv:
        emit(facts["courts"], fmt, columns=list(COURT_HEADERS), headers=COURT_HEADERS)
        return
    where = "" if facts["store"] == str(Path(facts["data_dir"]).absolute()) else f"　案件数据位置：{facts['store']}"
    console.print(f"数据目录：{facts['data_dir']}{where}　数据版本：v{facts['manifest_version']}　"
                  f"最后更新：{facts['updated_at'] or '（尚无数据）'}", markup=False)
    t = Table(title="各表行数 / tables")
    t.add_column("表")
    t.add_column("行数", justify="right")
    for name, n in facts["tables"].items():
        t.add_row(name, f"{n:,}")
    console.print(t)
    emit(facts["courts"], fmt, columns=list(COURT_HEADERS), headers=COURT_HEADERS, title="法院 / courts")
    if facts["imports"]:
        rows = [{**r, "started_at": r["started_at"].strftime("%Y-%m-%d %H:%M:%S"),
                 "status": STATUS_ZH.get(r["status"], r["status"])} for r in facts["imports"]]
        emit(rows, fmt, columns=list(IMPORT_HEADERS), headers=IMPORT_HEADERS, title="最近导入 / recent imports")
    else:
        console.print("尚无导入记录。")


def register(app: typer.Typer) -> None:
    app.command("info", help=info_cmd.__doc__)(info_cmd)
