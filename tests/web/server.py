"""Run an app under uvicorn on a free loopback port in a background thread (browser and concurrency tests)."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

from zhixiao.web.app import SERVER_OPTIONS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app):
    import uvicorn

    port = free_port()
    # the options `zhixiao serve` runs with (no uvicorn-side X-Forwarded-For handling)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **SERVER_OPTIONS))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(10)
