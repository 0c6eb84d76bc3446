"""A Spark standalone cluster from the pyspark distribution's own ``bin/spark-class``: one master and two
workers as separate processes, everything bound to 127.0.0.1 (``SPARK_LOCAL_IP``), work dirs in a temp folder."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyspark

from tests.deploy._server import free_port

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"


@dataclass(frozen=True)
class Cluster:
    url: str  # spark://127.0.0.1:PORT
    work_dirs: tuple[Path, ...]
    env: dict[str, str]  # what a driver process needs to reach it on loopback


def _wait_port(port: int, procs: list[subprocess.Popen], logs: list[Path], timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for p, log in zip(procs, logs, strict=True):
            assert p.poll() is None, log.read_text(errors="replace")[-3000:]
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"Spark master did not listen on {port}")


def _wait_workers(log: Path, n: int, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if log.read_text(errors="replace").count("Registering worker") >= n:
            return
        time.sleep(0.3)
    raise TimeoutError(f"{n} workers did not register: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def standalone_cluster(tmp: Path, workers: int = 2, cores: int = 1, memory: str = "1536m") -> Iterator[Cluster]:
    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOCAL_HOSTNAME": "localhost",
           "SPARK_LOG_DIR": str(tmp / "logs"), "SPARK_CONF_DIR": str(tmp / "conf"),
           "SPARK_NO_DAEMONIZE": "1"}
    (tmp / "conf").mkdir(parents=True, exist_ok=True)
    (tmp / "logs").mkdir(exist_ok=True)
    port = free_port()
    spark_class = str(home / "bin" / "spark-class")
    procs: list[subprocess.Popen] = []
    logs: list[Path] = []

    def start(args: list[str], name: str) -> None:
        log = tmp / "logs" / f"{name}.log"
        logs.append(log)
        procs.append(subprocess.Popen([spark_class, *args], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                      start_new_session=True))

    try:
        start([MASTER, "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port())], "master")
        _wait_port(port, procs, logs)
        url = f"spark://127.0.0.1:{port}"
        dirs = []
        for i in range(workers):
            work = tmp / f"work{i}"
            work.mkdir()
            dirs.append(work)
            start([WORKER, "--host", "127.0.0.1", "--cores", str(cores), "--memory", memory, "--work-dir", str(work),
                   "--webui-port", str(free_port()), url], f"worker{i}")
        _wait_workers(logs[0], workers)
        yield Cluster(url, tuple(dirs), {"SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOCAL_HOSTNAME": "localhost",
                                         "ZHIXIAO_SPARK_MASTER": url})
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
