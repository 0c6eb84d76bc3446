"""A real ``zhixiao serve`` in a subprocess, logged in as admin, for tests that run beside a serving server."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Traffic:
    """Requests made by the background reader: (start, end, status) each."""
    log: list[tuple[float, float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def during(self, t0: float, t1: float) -> list[int]:
        return [status for a, b, status in self.log if a < t1 and b > t0]


@contextmanager
def serving(data_dir: Path, paths: tuple[str, ...] = ("/", "/supervision")):
    """Start the server, log in as admin, and keep requesting ``paths`` in a thread until the block ends."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "zhixiao.cli", "serve", "--data-dir", str(data_dir), "--port",
                             str(port), "--init-admin"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    traffic = Traffic()
    try:
        line = ""
        while "管理员账号" not in line:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "server exited before printing the admin account"
        password = re.search(r"admin / ([A-Za-z0-9_-]+)", line).group(1)
        client = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
        for _ in range(300):
            try:
                client.get("/login")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        csrf = client.cookies.get("zx_login_csrf")  # the login form's double-submit token
        res = client.post("/login", data={"username": "admin", "password": password, "csrf_token": csrf})
        assert res.status_code == 200, res.text[:500]

        def read() -> None:
            i = 0
            while not traffic.stop.is_set():
                t0 = time.perf_counter()
                status = client.get(paths[i % len(paths)]).status_code
                traffic.log.append((t0, time.perf_counter(), status))
                i += 1

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        yield traffic
        traffic.stop.set()
        reader.join(60)
        client.close()
    finally:
        proc.terminate()
        proc.wait(30)
