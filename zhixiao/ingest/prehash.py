"""SHA-256 of the files an import is about to read, begun before the process loads its libraries.

An import records each file's SHA-256 and skips a file it has imported before. ``zhixiao import`` starts
hashing its files as its very first step (``zhixiao.launch``), in a thread: hashlib releases the GIL, so the
~0.14 s of hashing per 150 MB runs on the second core while the first loads Python's libraries (~0.2 s,
one core). Stdlib only: this module must be cheap to import.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

_jobs: dict[str, tuple[tuple[int, int], threading.Event, list[str]]] = {}
_lock = threading.Lock()


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _signature(st: os.stat_result) -> tuple[int, int]:
    return st.st_size, st.st_mtime_ns


def start(paths: Iterable[Path | str]) -> None:
    """Hash the regular files among ``paths`` in one background thread, in order (others are ignored)."""
    todo = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        key = os.path.abspath(p)
        if not stat.S_ISREG(st.st_mode) or key in _jobs:
            continue
        job = (_signature(st), threading.Event(), [])
        with _lock:
            _jobs[key] = job
        todo.append((key, job))
    if todo:
        threading.Thread(target=_run, args=(todo,), name="zhixiao-hash", daemon=True).start()


def _run(todo: list) -> None:
    for key, (_sig, done, box) in todo:
        try:
            box.append(sha256_file(key))
        except OSError:
            pass  # unreadable now: ``digest`` says None, the importer hashes (and reports) it itself
        finally:
            done.set()


def digest(path: Path | str) -> str | None:
    """The SHA-256 ``start`` computed for ``path`` if the file has not changed since (size and modification
    time), else None. Each result is handed out once."""
    with _lock:
        job = _jobs.pop(os.path.abspath(path), None)
    if job is None:
        return None
    sig, done, box = job
    done.wait()
    try:
        same = _signature(os.stat(path)) == sig
    except OSError:
        return None
    return box[0] if same and box else None


def file_arguments(argv: list[str]) -> list[str]:
    """The arguments of a command line that name existing regular files (options and directories skipped):
    what ``zhixiao import`` will read, give or take a mapping file."""
    return [a for a in argv if not a.startswith("-") and os.path.isfile(a)]
