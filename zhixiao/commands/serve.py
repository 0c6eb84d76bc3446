"""``zhixiao serve``: the web dashboard (FastAPI under uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from zhixiao.commands.common import DataDir, console, settings


def register(app: typer.Typer) -> None:
    @app.command("serve", help="启动审判质效看板（网页，需登录）/ serve the web dashboard")
    def serve(
        data_dir: DataDir = None,
        host: Annotated[str, typer.Option("--host", help="监听地址（默认仅本机）/ bind address")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="端口 / port")] = 8000,
        init_admin: Annotated[bool, typer.Option(
            "--init-admin", help="创建管理员账号 admin（已存在则重设密码）并显示密码 / create or reset the admin account")] = False,
    ) -> None:
        import uvicorn

        from zhixiao.web.app import create_app

        cfg = settings(data_dir)
        app_ = create_app(cfg, warm=True)
        if init_admin:
            from zhixiao.web.auth import ensure_admin

            console.print(f"管理员账号：admin / {ensure_admin(app_.state.Session)}（只显示这一次，请登录后妥善保管）")
        console.print(f"看板：http://{host}:{port}/ （数据目录 {cfg.data_dir}；账号见 zhixiao demo 的输出）；Ctrl+C 退出")
        uvicorn.run(app_, host=host, port=port, log_level="warning", server_header=False)
