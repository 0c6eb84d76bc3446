"""``zhixiao backup`` / ``zhixiao restore``: the case store's snapshot and the ops database, together."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhixiao.commands.common import DataDir, console, settings
from zhixiao.errors import UserError
from zhixiao.store import backup as bk


def register(app: typer.Typer) -> None:
    @app.command("backup", help="备份案件库当前快照与运维数据库（服务运行中也可），附 SHA-256 校验清单 / "
                                "back up the case store and the ops database while the server runs")
    def backup_cmd(
        to: Annotated[Path, typer.Option("--to", help="备份目录（新目录或空目录）/ new or empty backup directory")],
        data_dir: DataDir = None,
    ) -> None:
        s = settings(data_dir)
        r = bk.backup(s.data_dir, s.ops_url, to)
        console.print(f"已备份到 {r.dest}：案件库第 {r.manifest_version} 版快照 {r.files} 个数据文件、"
                      f"运维数据库（{r.ops_dialect}），共 {r.bytes / 1e6:.1f} MB，用时 {r.seconds:.1f} 秒；"
                      f"校验清单 {r.dest / bk.SUMS}。", markup=False)

    @app.command("restore", help="从备份恢复到一个新的数据目录（先核对校验和）/ "
                                 "restore a backup into a new data directory (checksums verified first)")
    def restore_cmd(
        src: Annotated[Path, typer.Option("--from", help="备份目录 / backup directory")],
        data_dir: Annotated[Path | None, typer.Option(
            "--data-dir", help="恢复到的新数据目录（须为空）/ new, empty data directory")] = None,
        sql_url: Annotated[str | None, typer.Option(
            "--sql-url", help="恢复到的新运维数据库（默认数据目录内的 SQLite）/ new ops database URL")] = None,
    ) -> None:
        if data_dir is None:
            raise UserError("请用 --data-dir 指定恢复到的新数据目录，例如 --data-dir /srv/zhixiao-restored。")
        r = bk.restore(src, data_dir, sql_url)
        console.print(f"已恢复到 {r.data_dir}：案件库第 {r.manifest_version} 版快照 {r.files} 个数据文件，"
                      f"运维数据库 {r.ops_url.split('@')[-1]}，用时 {r.seconds:.1f} 秒。", markup=False)
