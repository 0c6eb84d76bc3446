"""`zhixiao serve --init-admin` on loopback: prints the admin password, serves, and that password logs in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx

from tests.web.server import free_port


def test_serve_command(web_env, tmp_path):
    from tests.web.helpers import isolated_app

    _, d = isolated_app(web_env, tmp_path)
    port = free_port()
    env = {**os.environ, "ZHIXIAO_CONFIG": os.devnull, "COLUMNS": "200"}
    p = subprocess.Popen([sys.executable, "-m", "zhixiao.cli", "serve", "--data-dir", str(d), "--port", str(port),
                          "--init-admin"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = ""
        deadline = time.time() + 60
        while "管理员账号" not in line and time.time() < deadline:
            line = p.stdout.readline()
        password = re.search(r"admin / (\S+?)（", line).group(1)
        base = f"http://127.0.0.1:{port}"
        while time.time() < deadline:
            try:
                r = httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert r.status_code == 200 and "server" not in r.headers
        assert r.headers["x-frame-options"] == "DENY"
        with httpx.Client(base_url=base, timeout=30) as c:
            tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
            r = c.post("/login", data={"username": "admin", "password": password, "csrf_token": tok, "next": "/admin"})
            assert r.status_code == 303 and r.headers["location"] == "/admin"
            assert "用户与角色" in c.get("/admin").text
    finally:
        p.terminate()
        p.wait(10)
