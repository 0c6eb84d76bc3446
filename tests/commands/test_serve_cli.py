"""``zhixiao serve`` on a busy port: a Chinese user error (exit 1) before any URL is printed or password reset."""

from __future__ import annotations

import os
import socket
import subprocess
import sys


def test_busy_port_is_a_user_error_before_anything_happens(tmp_path):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen(1)
        port = held.getsockname()[1]
        env = {**os.environ, "COLUMNS": "200"}
        out = subprocess.run([sys.executable, "-m", "zhixiao.cli", "serve", "--data-dir", str(tmp_path / "d"),
                              "--port", str(port), "--init-admin"], capture_output=True, text=True, env=env,
                             timeout=120)
    assert out.returncode == 1, out.stderr
    assert "端口已被占用" in out.stderr and str(port) in out.stderr
    assert "http://" not in out.stdout and "管理员账号" not in out.stdout  # nothing printed, no password reset
    assert not (tmp_path / "d").exists() or not any((tmp_path / "d").rglob("*.db"))  # no ops DB touched
