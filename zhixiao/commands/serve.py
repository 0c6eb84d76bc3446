"""``zhixiao serve``: the web dashboard (FastAPI under uvicorn)."""

from __future__ import annotations

import socket
from typing import Annotated

import typer
import uvicorn

from zhixiao.commands.common import DataDir, console, settings
from zhixiao.errors import UserError
from zhixiao.web.app import SERVER_OPTIONS, create_app
from zhixiao.web.auth import ensure_admin


def check_port_free(host: str, port: int) -> None:
    """A busy port is a user error found before anything is printed or any password is reset."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is not "busy"
        try:
            s.bind((host, port))
        except OSError as exc:
            raise UserError(f"无法在 {host}:{port} 上启动看板：该端口已被占用或地址不可用（{exc.strerror}）。"
                            "请用 --port 换一个端口，或先停止占用该端口的程序。") from None


def register(app: typer.Typer) -> None:
    @app.command("serve", help="启动审判质效看板（网页，需登录）/ serve the web dashboard")
    def serve(
        data_dir: DataDir = None,
        host: Annotated[str, typer.Option("--host", help="监听地址（默认仅本机）/ bind address")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="端口 / port")] = 8000,
        init_admin: Annotated[bool, typer.Option(
            "--init-admin", help="创建管理员账号 admin（已存在则重设密码）并显示密码 / create or reset the admin account")] = False,
    ) -> None:
        if not 0 < port < 65536:
            raise UserError(f"端口 {port} 无效：应在 1—65535 之间。")
        check_port_free(host, port)
        cfg = settings(data_dir)
        app_ = create_app(cfg, warm=True)
        if init_admin:
            console.print(f"管理员账号：admin / {ensure_admin(app_.state.Session)}（只显示这一次，请登录后妥善保管）", markup=False)
        console.print(f"看板：http://{host}:{port}/ （数据目录 {cfg.data_dir}；账号见 zhixiao demo 的输出）；Ctrl+C 退出", markup=False)
        uvicorn.run(app_, host=host, port=port, log_level="warning", **SERVER_OPTIONS)
