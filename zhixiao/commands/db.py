"""``zhixiao db upgrade|status``: the ops database's migrations (what an upgrade of the software runs)."""

from __future__ import annotations

import typer

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, settings
from zhixiao.errors import UserError
from zhixiao.ops_doctor import Unreachable, revisions, shown_url
from zhixiao.store.ops import migrate, script_heads

db_app = typer.Typer(help="运维数据库：迁移与状态 / ops database migrations", no_args_is_help=True)


def _revisions(url: str) -> frozenset[str]:
    try:
        return revisions(url)
    except Unreachable as exc:
        raise UserError(f"无法连接运维数据库 {shown_url(url)}（{exc}）；请检查 zhixiao.toml 的 sql_url 或 "
                        "ZHIXIAO_SQL_URL、数据库服务是否启动。") from None


@db_app.command("upgrade", help="把运维数据库升级到最新结构（SQLite 或 PostgreSQL；可重复运行）/ "
                                "apply every pending migration (idempotent)")
def upgrade(data_dir: DataDir = None) -> None:
    s = settings(data_dir)
    before = _revisions(s.ops_url)
    migrate(s.ops_url)
    after = _revisions(s.ops_url)
    if before == after:
        console.print(f"运维数据库 {shown_url(s.ops_url)} 已是最新结构，无需迁移（{len(after)} 个模块分支）。", markup=False)
    else:
        moved = "、".join(sorted(after - before))
        console.print(f"已升级运维数据库 {shown_url(s.ops_url)}：现为 {moved}。", markup=False)


@db_app.command("status", help="显示运维数据库当前迁移版本与最新版本 / current and latest migration per branch")
def status(data_dir: DataDir = None, fmt: FormatOpt = Format.table) -> None:
    s = settings(data_dir)
    have = _revisions(s.ops_url)
    heads = script_heads()
    rows = [{"revision": r, "applied": r in have} for r in sorted(heads | have)]
    emit(rows, fmt, headers={"revision": "迁移版本", "applied": "已应用"})
    if have != heads:
        console.print("[yellow]运维数据库不是最新结构；请运行 zhixiao db upgrade。[/]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
