"""``zhixiao import``: load court exports (CSV/XLSX) into the case store, with a rejects report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow.compute as pc
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, parse_date, settings, to_json
from zhixiao.errors import UserError
from zhixiao.ingest.encodings import normalise_encoding
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import TABLES

HEADERS = {"file": "文件", "encoding": "编码", "rows_read": "读取", "applied": "入库", "stale": "较旧未应用",
           "rejected": "拒收", "blank_rows": "空行", "status": "状态"}
STATUS = {"ok": "已导入", "unchanged": "已导入过，未作更改", "empty": "无数据行"}


def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="CSV、.xlsx 或 .xls 文件（可多个）/ CSV, .xlsx or .xls files", show_default=False)],
    data_dir: DataDir = None,
    encoding: Annotated[str, typer.Option("--encoding", help="文件编码 auto|utf-8|gbk|gb18030|utf-16 / file encoding")] = "auto",
    mapping: Annotated[Path | None, typer.Option("--mapping", help="列名映射 TOML（\\[columns] 我的列名 = \"规范列名\"）/ header mapping")] = None,
    table: Annotated[str, typer.Option("--table", help="目标表 cases|case_events|people / target table")] = "cases",
    snapshot_date: Annotated[str | None, typer.Option("--snapshot-date", help="数据导出日期（默认今天）/ export date, YYYY-MM-DD")] = None,
    user: Annotated[str | None, typer.Option("--user", help="操作人（记入导入记录）/ who imports")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="拒收清单路径 .csv/.xlsx（默认数据目录 rejects/ 下）/ rejects report path")] = None,
    force: Annotated[bool, typer.Option("--force", help="即使文件已导入过也重新导入 / re-import identical files")] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """导入法院导出的案件数据（CSV/XLSX/XLS，自动识别 GBK/UTF-8/UTF-16 与逗号、制表符、分号分隔），校验后原子写入；拒收行写入拒收清单。

    更新规则：文件只更新它所含的列，已存案件中文件未含的列保留原值；同一案件以导出日期最新的数据为准，
    导出日期早于已存数据的行不应用（结果中“较旧未应用”列给出行数）。

    Import court exports (CSV in any of those encodings and separators, .xlsx, .xls) into the case store (atomic, idempotent), writing rejected rows to a report.
    A file updates only the columns it carries: columns it does not carry keep their stored values; a row
    whose export date is older than the stored one is not applied (counted as “较旧未应用”)."""
    from zhixiao.ingest.importer import import_files

    if table not in TABLES:
        raise UserError(f"--table 的值“{table}”无效：可选 {', '.join(TABLES)}。")
    enc = normalise_encoding(encoding)
    snap = parse_date(snapshot_date, "--snapshot-date") if snapshot_date else None
    cfg = settings(data_dir)
    total = sum(f.stat().st_size for f in files if f.is_file())
    with Progress(TextColumn("[bold]导入 / importing"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=console, transient=True, disable=fmt != Format.table) as bar:
        task = bar.add_task("import", total=total or None)
        result = import_files(files, cfg, user=user, table=table, encoding=enc, mapping=mapping, snapshot_date=snap,
                              rejects_path=rejects, on_bytes=lambda n: bar.advance(task, n), force=force)
    rows = []
    for f in result.report.files:
        d = f.summary()
        d["status"] = STATUS.get(f.status, f.status)
        rows.append(d)
    if fmt == Format.json:
        print(to_json({"files": [f.summary() for f in result.report.files], "manifest_version": result.manifest_version,
                       "changed": result.changed, "rejects_paths": [str(p) for p in result.rejects_paths],
                       "partitions": [list(p) for p in result.partitions]}))
        return
    emit(rows, fmt, columns=list(HEADERS), headers=HEADERS, title="导入结果 / import summary")
    if fmt != Format.table:
        return
    rep = result.report
    for f in rep.files:  # file names and headers are the user's text, never console markup
        if f.unknown_columns:
            console.print(f"[yellow]提示：{escape(f.path.name)} 中未识别的列已忽略：{escape('、'.join(f.unknown_columns))}"
                          "（如需导入，请用 --mapping 指定）[/]")
        if f.stale:
            console.print(f"[yellow]{escape(f.path.name)}：{f.stale} 行早于已存数据（导出日期较旧），未应用"
                          "（同一案件以导出日期最新的数据为准）。[/]")
    if not result.changed:
        console.print("已导入过，未作更改。" if all(f.status == "unchanged" for f in rep.files) else
                      "文件无数据行，数据未作更改。" if all(f.status == "empty" for f in rep.files) else
                      "没有可入库的行，数据未作更改。")
    else:
        console.print(f"已写入 {len(result.partitions)} 个分区（法院×年度），数据版本 v{result.manifest_version}。")
    if table == "case_events" and result.changed:
        _report_orphan_events(cfg.data_dir)
    if rep.rejected:
        paths = "、".join(str(p) for p in result.rejects_paths)
        console.print(f"[yellow]共拒收 {rep.rejected} 行（其余 {rep.accepted} 行通过校验）。拒收清单：{escape(paths)}[/]")


def _report_orphan_events(data_dir: Path) -> None:
    """Events whose 案号 is not among the stored cases count for nothing until that case is imported: say so."""
    store = CaseStore(data_dir)
    events = store.read("case_events", ["case_id"]).column("case_id")
    missing = pc.invert(pc.is_in(events, value_set=store.read("cases", ["case_id"]).column("case_id").combine_chunks()))
    orphans = events.filter(missing)
    if len(orphans):
        console.print(f"[yellow]提示：{len(orphans)} 条事项的案号（{len(pc.unique(orphans))} 个）不在案件库中，"
                      f"例如 {escape(str(orphans[0]))}；审限计算用不到它们，请先导入这些案件。[/]")


def register(app: typer.Typer) -> None:
    app.command("import", help=import_cmd.__doc__)(import_cmd)
