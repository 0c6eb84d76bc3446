"""Validate a big CSV file in two processes: the machine's second core does real work.

Threads cannot do this: decoding and much of validation hold the GIL. The file is cut at the start of a
line (``SHARE_HERE`` of the way in: this process also loads SQLAlchemy and checks the ops DB meanwhile),
and a worker process — forked from this one in a process that only imports, else a fresh interpreter
started before the cut is known (``start_worker``) — reads and validates bytes [cut, end) straight from
the file (no pipe carries data) while this process
does [0, cut). The worker streams its accepted rows to an Arrow IPC file (memory-mapped here, not
copied) and sends its rejects, counts and ragged rows as Python objects.

Only the direct reading path is used for the halves; where it would hand over to the transcoding path
(an undecodable byte, a ragged row that is not UTF-8) — or the worker fails in any way — the caller
validates the whole file the usual way, so what users see (rows, row numbers, rejects, error messages)
never depends on the split. The cut must be the start of a record: it is only made when no double quote
occurs before it (a quoted field is the only way a record spans lines), and the rows before it are
counted from the line breaks.
"""

from __future__ import annotations

import mmap
import os
import pickle
import queue
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from zhixiao.ingest.aliases import HeaderMap
from zhixiao.ingest.readers import _DIRECT, HandOver, InvalidRow, RawFile, range_chunks
from zhixiao.ingest.validate import DUP_KEY, KEY, ROW, Reject, validate_chunk
from zhixiao.store.schema import TABLES

# Below this a second process costs more than it saves (a fresh interpreter's start-up is ~0.3 s CPU; a fork's
# copied pages and the IPC file of its rows cost too).
MIN_BYTES = 32 << 20
WORKER = [sys.executable, "-m", "zhixiao.ingest.split"]
# Of the file validated here (this process also checks the ops DB), measured so both halves end together: with
# a forked worker, which starts at once, and with a fresh interpreter, which first spends ~0.3 s starting up.
SHARE_HERE = {"fork": 0.40, "spawn": 0.56}
COUNT_WINDOW = 4 << 20  # bytes per step when counting the rows before the cut
SPREADSHEETS = (".xlsx", ".xlsm", ".xls")  # never split: read cell by cell


@dataclass
class Cut:
    at: int  # byte offset of the first record of the second half
    rows_before: int  # physical rows before it, header included
    size: int


@dataclass
class Part:
    """What validating one part of a file produced (the accepted rows keep their ROW numbers)."""
    tables: list[pa.Table]
    rejects: list[Reject]
    rows_read: int
    blank_rows: int
    invalid: list[InvalidRow]


def find_cut(path: Path, encoding: str, worker: str = "spawn") -> Cut | None:
    """Where to split ``path`` in two for a ``worker`` of that kind (``worker_kind``), or None (small file, a
    quote before the cut, no line break, or no interpreter to start: an embedded Python has no
    ``sys.executable``)."""
    if encoding not in _DIRECT or path.suffix.lower() in SPREADSHEETS or not sys.executable:
        return None
    size = path.stat().st_size
    if size < MIN_BYTES:
        return None
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        nl = mm.find(b"\n", int(size * SHARE_HERE[worker]))
        if nl < 0 or nl + 1 >= size or mm.find(b'"', 0, nl + 1) >= 0:
            return None
        rows = count_rows(mm, nl + 1)
    return Cut(nl + 1, rows, size)


def count_rows(buf, end: int) -> int:
    """Rows in ``buf[:end]``: Arrow ends a row at LF, CR LF or a lone CR, so LFs plus CRs not followed by
    an LF. Counted with numpy over windows of a zero-copy view (no 70 MB copy to fault in)."""
    a = np.frombuffer(buf, dtype=np.uint8, count=end)
    rows = 0
    for at in range(0, end, COUNT_WINDOW):
        w = a[at: at + COUNT_WINDOW]
        rows += int(np.count_nonzero(w == 0x0A))
        nxt = np.flatnonzero(w == 0x0D) + (at + 1)
        rows += int(np.count_nonzero((nxt >= end) | (a[np.minimum(nxt, end - 1)] != 0x0A)))
    return rows


def _validate_part(raw: RawFile, start: int, stop: int, first_row: int, hm: HeaderMap, snapshot: date,
                   on_bytes: Callable[[int], None] | None, cancel: threading.Event | None = None,
                   sink: Callable[[pa.Table], None] | None = None) -> Part:
    """Validate bytes [start, stop); accepted rows go to ``part.tables`` or, if given, to ``sink``."""
    part = Part([], [], 0, 0, raw.invalid)
    # No reader thread: the other core is busy with the other half, and chunks made in one thread and freed
    # in another are memory the allocator keeps (~40 MB more peak per process).
    for chunk in range_chunks(raw, start, stop, first_row, on_bytes):
        if cancel is not None and cancel.is_set():
            raise Cancelled(raw.path.name)
        res = validate_chunk(chunk, hm, raw.path.name, snapshot)
        part.rows_read += res.rows_read
        part.blank_rows += res.blank_rows
        part.rejects.extend(res.rejects)
        if sink is None:
            part.tables.append(res.accepted)
        else:
            sink(res.accepted)
    return part


def empty_accepted(table: str) -> pa.Table:
    t = TABLES[table].empty_table().append_column(ROW, pa.array([], pa.int64()))
    return t.append_column(KEY, pa.array([], pa.int64())) if DUP_KEY[table] == ("case_id",) else t


class Progress:
    """``on_bytes`` for one or more passes over a file: each byte position is reported once, so a pass
    that starts again after a hand-over (``restart``) only moves the bar past where it already was."""

    def __init__(self, on_bytes: Callable[[int], None] | None):
        self.on_bytes, self.seen, self.shown = on_bytes, 0, 0

    def __call__(self, k: int) -> None:
        self.seen += k
        if self.seen > self.shown:
            if self.on_bytes:
                self.on_bytes(self.seen - self.shown)
            self.shown = self.seen

    def restart(self) -> None:
        self.seen = 0


class Cancelled(Exception):
    """A validation that turned out not to be needed (the file was already imported)."""


def may_split(path: Path) -> bool:
    """Cheap first guess (before the encoding is known) whether ``find_cut`` may split ``path``."""
    return bool(sys.executable) and path.suffix.lower() not in SPREADSHEETS and \
        path.is_file() and path.stat().st_size >= MIN_BYTES


def start_worker() -> subprocess.Popen | Forked | None:
    """The worker, waiting for its job on its stdin; progress and the result come back on its stdout. In a
    process that only imports (``import_process``), a fork of this one (``Forked``): it has everything
    loaded, where a fresh interpreter spends ~0.18 s CPU importing and warming up before it can start.
    Elsewhere (a server, tests) a fresh interpreter (not multiprocessing: its spawn re-imports the caller's
    __main__), started before the cut is known so that its start-up overlaps the caller's. None if it
    cannot be started (then one process does it all)."""
    try:
        if _FORK["ok"] and hasattr(os, "fork"):
            return Forked()
        return subprocess.Popen(WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    except OSError:
        return None


class Forked:
    """The worker as a forked child, with the part of ``subprocess.Popen`` the caller uses. Forked from the
    thread that imports, before that process opens its ops DB session: the child runs only ``_serve`` on
    what is already loaded and leaves by ``os._exit`` (no atexit handlers, no buffers of the parent's
    flushed twice). Arrow's thread pools and jemalloc re-initialise themselves in a forked child."""

    def __init__(self) -> None:
        _warm_up()  # once, here: the child inherits it and this process needs it for its own half
        job_r, job_w = os.pipe()
        out_r, out_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            code = 0
            try:
                os.close(job_w)
                os.close(out_r)
                with open(job_r, "rb") as job, open(out_w, "wb") as out:
                    _serve(job, out)
            except BaseException:  # noqa: BLE001 — never back into the parent's code
                code = 1
            finally:
                os._exit(code)
        os.close(job_r)
        os.close(out_w)
        self.pid = pid
        self.stdin = open(job_w, "wb")  # noqa: SIM115 — closed by stop_worker, like Popen's
        self.stdout = open(out_r, "rb")  # noqa: SIM115
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is not None:  # as Popen.wait: poll, then give up
            end = time.monotonic() + timeout
            while self.poll() is None:
                if time.monotonic() > end:
                    raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
                time.sleep(0.01)
        if self.returncode is None:
            _pid, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # already gone (reaped below)
            pass


def worker_kind(worker: subprocess.Popen | Forked | None) -> str:
    return "fork" if isinstance(worker, Forked) else "spawn"


def stop_worker(worker: subprocess.Popen | Forked) -> None:
    if worker.poll() is None:
        worker.kill()
    worker.wait()
    for stream in (worker.stdin, worker.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def validate_halves(raw: RawFile, hm: HeaderMap, cut: Cut, snapshot: date, on_bytes: Callable[[int], None] | None,
                    cancel: threading.Event | None, worker: subprocess.Popen | Forked,
                    sent: threading.Event | None = None) -> Part:
    """Both halves of ``raw`` validated at once (the second by ``worker``, from ``start_worker``), joined
    in file order; ``sent`` is set once the worker has its job. Raises HandOver when the file must be read
    the usual way."""
    listener = _Listener(worker.stdout)
    shown = 0

    def show_worker_progress() -> None:
        nonlocal shown
        done = listener.progress
        if on_bytes and done > shown:
            on_bytes(done - shown)
        shown = done

    def mine(k: int) -> None:
        if on_bytes:
            on_bytes(k)
        show_worker_progress()

    fd, ipc_path = tempfile.mkstemp(prefix="zhixiao-import-", suffix=".arrow")
    os.close(fd)
    try:
        try:
            worker.stdin.write(pickle.dumps((str(raw.path), raw.encoding, raw.headers, hm, snapshot, cut, ipc_path)))
            worker.stdin.close()
        except OSError:  # it died before reading its job
            raise HandOver("validation worker gone") from None
        if sent is not None:
            sent.set()
        first = _validate_part(RawFile(raw.path, raw.headers, raw.encoding, iter(())), 0, cut.at, 2, hm, snapshot,
                               mine, cancel)
        listener.done.wait()
        while not listener.done.wait(0.05):
            show_worker_progress()
            if cancel is not None and cancel.is_set():
                raise Cancelled(raw.path.name)
        worker.wait()
        show_worker_progress()
        if listener.result is None:  # the worker died (killed, out of memory …): do without it
            raise HandOver(f"validation worker exited with code {worker.returncode}")
        status, payload = listener.result
        if status != "ok":  # e.g. a full temp disk: the one-process path then says what is really wrong, if anything
            raise HandOver(f"validation worker failed: {payload!r}")
        rejects, rows_read, blank_rows, invalid = payload
        second = pa.ipc.open_stream(pa.memory_map(ipc_path)).read_all()  # zero-copy: the pages are the file's
        raw.invalid.extend(first.invalid + invalid)
        return Part(first.tables + [second], first.rejects + rejects, first.rows_read + rows_read,
                    first.blank_rows + blank_rows, raw.invalid)
    finally:
        stop_worker(worker)
        Path(ipc_path).unlink(missing_ok=True)  # a mapped file stays readable until unmapped


def _group_while_waiting(tables: list[pa.Table], done: threading.Event) -> None:
    """Until the worker is done (this process's core would idle), order our chunks' rows by partition so
    the store's writers slice them instead of gathering (``merge.group_by_partition``)."""
    from zhixiao.ingest.merge import group_by_partition  # not in the worker: it loads the store

    for i, t in enumerate(tables):
        if done.is_set():
            return
        tables[i] = group_by_partition(t)


class _Listener:
    """Reads the worker's messages (b"p" + bytes read so far, b"r" + a pickled result) in a thread."""

    def __init__(self, stream):
        self.progress = 0
        self.result = None
        self.done = threading.Event()
        threading.Thread(target=self._run, args=(stream,), name="zhixiao-split-listener", daemon=True).start()

    def _run(self, stream) -> None:
        try:
            while head := stream.read(9):
                if len(head) < 9:
                    break
                kind, n = head[:1], struct.unpack("<q", head[1:])[0]
                if kind == b"p":
                    self.progress = n
                else:
                    self.result = pickle.loads(stream.read(n))
        except Exception:  # noqa: BLE001 — a message cut short (the worker died): no result, see validate_halves
            self.result = None
        finally:
            self.done.set()


def _send(out, kind: bytes, n: int, payload: bytes = b"") -> None:
    out.write(kind + struct.pack("<q", n) + payload)
    out.flush()


class _IpcSink:
    """Accepted rows written to an Arrow IPC stream chunk by chunk as they are validated, so the worker
    never holds its half (the stream format, unlike the file format, lets a dictionary change per batch)."""

    def __init__(self, fh, table: str):
        self.fh, self.table = fh, table
        self.writer = None
        self.schema: pa.Schema | None = None

    def __call__(self, t: pa.Table) -> None:
        if self.writer is None:
            self.schema = t.schema
            self.writer = pa.ipc.new_stream(self.fh, t.schema)
        elif not t.schema.equals(self.schema):
            t = t.cast(self.schema)  # e.g. a column dictionary-encoded in one chunk, plain in another
        self.writer.write_table(t)

    def close(self) -> None:
        if self.writer is None:
            self.writer = pa.ipc.new_stream(self.fh, empty_accepted(self.table).schema)
        self.writer.close()


class _NoPandas:
    """Import finder: pandas is not installed as far as pyarrow (and DuckDB) can tell."""

    def find_spec(self, name: str, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"No module named {name!r} (not used by an import)")


def without_pandas() -> None:
    """pyarrow loads pandas on its first array (~0.2 s CPU) in case it is given pandas objects, and an import
    never does. For the rest of the process pandas cannot be imported: see ``import_process``."""
    if "pandas" not in sys.modules and not any(isinstance(f, _NoPandas) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoPandas())


_FORK = {"ok": False}  # set by import_process: this process may fork its worker (see start_worker)


def import_process() -> None:
    """Set up a process that only imports and then ends (the worker, ``zhixiao import``; never a server):
    no pandas (``without_pandas``), the validation worker forked from it (``start_worker``), and jemalloc as
    Arrow's allocator unless the user chose one (``ARROW_DEFAULT_MEMORY_POOL``). The default, mimalloc, hands
    memory back eagerly: on these machines a 1M-row import then paid ~1 s of page-fault system time, ~0.25 s
    with jemalloc. Not process-wide: pandas-heavy work (signals, the benches' pandas baselines) runs markedly
    slower on jemalloc (sys 10 s against 2 s)."""
    without_pandas()
    _FORK["ok"] = True
    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except NotImplementedError:  # a pyarrow built without jemalloc
            pass


def _worker_main() -> None:
    """The worker as a fresh interpreter (``python -m zhixiao.ingest.split``)."""
    import_process()
    _warm_up()  # while the caller still reads the header and looks for the cut
    _serve(sys.stdin.buffer, sys.stdout.buffer)


def _serve(job, out) -> None:
    """Validate bytes [cut.at, end) and write the accepted rows to the IPC file named in the job."""
    path, encoding, headers, hm, snapshot, cut, ipc_path = pickle.loads(job.read())
    read = 0

    def count(k: int) -> None:
        nonlocal read
        read += k
        _send(out, b"p", read)

    try:
        raw = RawFile(Path(path), headers, encoding, iter(()))
        with pa.OSFile(ipc_path, "wb") as fh:
            sink = _IpcSink(fh, hm.table)
            part = _validate_part(raw, cut.at, cut.size, cut.rows_before + 1, hm, snapshot, count, sink=sink)
            sink.close()
        result: tuple = ("ok", (part.rejects, part.rows_read, part.blank_rows, part.invalid))
    except BrokenPipeError:
        _orphaned(ipc_path)
    except BaseException as exc:  # noqa: BLE001 — the parent then reads the whole file itself
        result = ("error", exc)
    try:
        payload = pickle.dumps(result)
    except Exception:  # noqa: BLE001 — an exception that does not pickle: send its text
        payload = pickle.dumps(("error", RuntimeError(f"{type(result[1]).__name__}: {result[1]}")))
    try:
        _send(out, b"r", len(payload), payload)
    except BrokenPipeError:
        _orphaned(ipc_path)


def _warm_up() -> None:
    """Load what validation loads on first use: the 案号 parser, court and case-type registries, vocabularies."""
    from zhixiao.domain import case_number, case_types, courts  # noqa: F401
    from zhixiao.ingest.aliases import vocab

    vocab()
    pa.array([0])  # pyarrow's one-time conversion set-up


def _orphaned(ipc_path: str) -> None:
    """The importing process is gone (killed): remove what only it could use, and stop."""
    Path(ipc_path).unlink(missing_ok=True)
    os._exit(0)  # no interpreter shutdown: it would try to flush the broken pipe


def prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Iterate ``items`` in a background thread, ``depth`` ahead: decoding the next block (GIL-bound)
    overlaps with validating this one (Arrow kernels release the GIL). Errors surface in the caller."""
    q: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def run() -> None:
        try:
            for it in items:
                if stop.is_set():
                    return
                q.put(it)
            q.put(done)
        except BaseException as exc:  # noqa: BLE001 — handed to the consumer and re-raised there
            q.put(exc)

    t = threading.Thread(target=run, name="zhixiao-reader", daemon=True)
    t.start()
    try:
        while True:
            it = q.get()
            if it is done:
                return
            if isinstance(it, BaseException):
                raise it
            yield it
    finally:
        stop.set()
        while t.is_alive():  # unblock a producer waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                t.join(0.05)


if __name__ == "__main__":
    _worker_main()
