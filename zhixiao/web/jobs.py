"""Background jobs of the dashboard (会商报告, the daily 审限 run): run off the request thread, per-user scoped.

A long job must never hold a reader up: it runs on a small thread pool with an engine of its own (not one
of the readers' pool), reports its steps for the status page that htmx polls, and keeps its outcome — files
to download or a Chinese error message — until the server stops. A user sees only the own jobs; admin all.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from zhixiao.errors import UserError

log = logging.getLogger("zhixiao.web")

STATUS_NAMES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
KEEP = 200  # finished jobs remembered (oldest forgotten first); the files themselves stay on disk


@dataclass
class Job:
    id: str
    owner: str
    kind: str  # report | daily
    title: str  # what the user asked for, in Chinese
    total_steps: int  # expected steps (the progress bar's length); the last step may overshoot it
    status: str = "queued"
    steps: list[str] = field(default_factory=list)
    created: datetime = field(default_factory=datetime.now)
    finished: datetime | None = None
    message: str | None = None  # the outcome in one Chinese sentence
    error: str | None = None
    files: dict[str, Path] = field(default_factory=dict)  # format → file, downloadable when done
    params: dict = field(default_factory=dict)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(95, round(100 * len(self.steps) / max(self.total_steps, 1)))

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def step(self, text: str) -> None:
        """Progress callback for the job's function (one line per step)."""
        self.steps.append(text)


def job_workers() -> int:
    """Jobs at once: half the cores (ZHIXIAO_WEB_JOBS overrides), at least one, so readers keep the rest."""
    raw = os.environ.get("ZHIXIAO_WEB_JOBS", "").strip()
    return max(1, int(raw) if raw else (os.cpu_count() or 2) // 2)


class JobRunner:
    def __init__(self, workers: int | None = None):
        self._pool = ThreadPoolExecutor(max_workers=workers or job_workers(), thread_name_prefix="zhixiao-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, owner: str, kind: str, title: str, total_steps: int,
               fn: Callable[[Job], tuple[str, dict[str, Path]]], params: dict | None = None) -> Job:
        """Queue ``fn(job)``; it returns (message, files) and may call ``job.step`` as it goes."""
        job = Job(uuid.uuid4().hex, owner, kind, title, total_steps, params=params or {})
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if not j.active]
            for old in finished[:max(0, len(finished) - KEEP)]:
                del self._jobs[old.id]
        self._pool.submit(self._run, job, fn)
        return job

    @staticmethod
    def _run(job: Job, fn: Callable[[Job], tuple[str, dict[str, Path]]]) -> None:
        job.status = "running"
        try:
            job.message, job.files = fn(job)
            job.status = "done"
        except UserError as exc:
            job.error, job.status = str(exc), "failed"
        except Exception as exc:  # noqa: BLE001 — the job thread is the last place to catch it: shown, and logged
            log.exception("后台任务失败：%s %s", job.kind, job.title)
            job.error, job.status = f"内部错误（{type(exc).__name__}）：{exc}", "failed"
        finally:
            job.finished = datetime.now()

    def get(self, job_id: str, username: str, see_all: bool) -> Job | None:
        """The job if it exists and belongs to ``username`` (any job when ``see_all``), else None."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and (see_all or job.owner == username) else None

    def list(self, username: str, see_all: bool, kind: str | None = None) -> list[Job]:
        """Newest first: the user's own jobs, or everyone's when ``see_all``."""
        with self._lock:
            jobs = list(self._jobs.values())
        return sorted((j for j in jobs if (see_all or j.owner == username) and (kind is None or j.kind == kind)),
                      key=lambda j: j.created, reverse=True)

    def wait(self, job: Job, timeout: float) -> bool:
        """For tests and the bench: poll until ``job`` is finished (True) or ``timeout`` seconds pass."""
        import time

        deadline = time.monotonic() + timeout
        while job.active and time.monotonic() < deadline:
            time.sleep(0.05)
        return not job.active

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def summary(job: Job) -> dict[str, Any]:
    """What the status endpoint returns as JSON (the bench and scripts poll it)."""
    return {"id": job.id, "kind": job.kind, "title": job.title, "status": job.status, "percent": job.percent,
            "steps": job.steps, "message": job.message, "error": job.error, "files": sorted(job.files)}
