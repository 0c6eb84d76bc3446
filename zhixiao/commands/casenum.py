"""``zhixiao casenum parse|types|court``: check 案号, list 类型代字, look up 法院代字.

An invalid 案号 is an answer (valid=false + the reason), not a user error; an unreadable file is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import DataDir, Format, FormatOpt, emit, os_reason
from zhixiao.errors import UserError

COLUMNS = ["input", "valid", "normalized", "year", "court_code", "court_name", "specialized_code", "type_code",
           "seq", "category", "stage", "legacy", "error"]
HEADERS = {"input": "输入", "valid": "有效", "normalized": "规范案号", "year": "年度", "court_code": "法院代字",
           "court_name": "法院名称", "specialized_code": "专门审判代字", "type_code": "类型代字", "seq": "编号",
           "category": "案件大类", "stage": "审级", "legacy": "旧式案号", "error": "错误"}

PROGRESS_FROM = 20_000  # inputs; below this parsing takes well under a second
TABLE_COLUMNS = ["input", "valid", "normalized", "court_name", "type_code", "category", "stage", "error"]

casenum_app = typer.Typer(help="案号：解析校验、类型代字、法院代字 / case numbers, type codes, court codes",
                          no_args_is_help=True)


def read_lines(path: Path) -> list[str]:
    """Non-empty lines of a UTF-8 (with or without BOM) or GBK/GB18030 text file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取文件“{path}”：{os_reason(exc)}。请检查路径和权限。") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # gb18030 decodes almost anything; kept for safety
        raise UserError(f"文件“{path}”既不是 UTF-8 也不是 GBK 编码，请另存为 UTF-8 后重试。")
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def parse_row(text: str) -> dict:
    """One output row for one input (the JSON contract of ``casenum parse``)."""
    from zhixiao.domain.case_number import CaseNumberError, parse_case_number
    from zhixiao.domain.courts import court_name

    row = dict.fromkeys(COLUMNS)
    row.update(input=text, valid=False)
    try:
        cn = parse_case_number(text)
    except CaseNumberError as exc:
        row["error"] = str(exc)
        return row
    row.update(valid=True, normalized=cn.normalized, year=cn.year, court_code=cn.court_code,
               court_name=None if cn.legacy else court_name(cn.court_code),
               specialized_code=cn.specialized_code, type_code=cn.type_code, seq=cn.seq,
               category=cn.category, stage=cn.stage, legacy=cn.legacy)
    return row


def _parse_rows(inputs: list[str]) -> list[dict]:
    """Parse every input; big files show a progress bar on stderr (stdout stays clean for pipes)."""
    if len(inputs) < PROGRESS_FROM:
        return [parse_row(t) for t in inputs]
    from rich.console import Console
    from rich.progress import track

    return [parse_row(t) for t in track(inputs, description="解析案号 / parsing", console=Console(stderr=True),
                                        transient=True)]


@casenum_app.command("parse")
def parse_cmd(
    texts: Annotated[list[str] | None, typer.Argument(help="案号，可多个 / case numbers")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="每行一个案号的文本文件（UTF-8 或 GBK）/ one per line")] = None,
    fmt: FormatOpt = Format.json,
    data_dir: DataDir = None,
) -> None:
    """解析并校验案号，输出年度、法院、类型代字、案件大类、审级；无效案号给出原因。

    Parse and check case numbers; invalid ones are reported (valid=false), not rejected.
    """
    inputs = list(texts or [])
    if file is not None:
        inputs += read_lines(file)
    if not inputs:
        raise UserError("没有要解析的案号：请在命令后写出案号，或用 --file 指定每行一个案号的文件。")
    rows = _parse_rows(inputs)
    if fmt == Format.table:  # a terminal is narrow: the parts people read, booleans in words
        rows = [{**r, "valid": "是" if r["valid"] else "否"} for r in rows]
        emit(rows, fmt, TABLE_COLUMNS, HEADERS, title="案号解析 / case numbers")
    else:
        emit(rows, fmt, COLUMNS, HEADERS)


@casenum_app.command("types")
def types_cmd(fmt: FormatOpt = Format.table, data_dir: DataDir = None) -> None:
    """列出最高人民法院案件类型代字标准（含默认程序、是否不纳入统计）。

    List the SPC case-type codes with category, stage, default procedure and statistics exclusion.
    """
    from zhixiao.domain import case_types

    cols = ["code", "name", "spc_category", "category", "stage", "default_procedure", "stats_excluded"]
    heads = {"code": "类型代字", "name": "名称", "spc_category": "大类代码", "category": "案件大类", "stage": "审级",
             "default_procedure": "默认程序", "stats_excluded": "不纳入统计"}
    rows = [{c: getattr(t, c) for c in cols} for t in case_types.all_types()]
    emit(rows, fmt, cols, heads, title="案件类型代字 / case-type codes")


@casenum_app.command("court")
def court_cmd(
    codes: Annotated[list[str], typer.Argument(help="法院代字，如 冀0123 / court codes")],
    fmt: FormatOpt = Format.table,
    data_dir: DataDir = None,
) -> None:
    """查询法院代字对应的法院名称、层级和上级法院。

    Look up court codes: name, level, parent court.
    """
    from zhixiao.domain.courts import court

    rows = []
    for code in codes:
        try:
            c = court(code.strip())
        except ValueError as exc:
            raise UserError(str(exc)) from None
        rows.append({"code": c.code, "name": c.name or "名称未知", "level": c.level, "parent": c.parent,
                     "known": c.known})
    emit(rows, fmt, ["code", "name", "level", "parent", "known"],
         {"code": "法院代字", "name": "法院名称", "level": "层级", "parent": "上级法院", "known": "已收录"},
         title="法院代字 / court codes")


def register(app: typer.Typer) -> None:
    app.add_typer(casenum_app, name="casenum")
