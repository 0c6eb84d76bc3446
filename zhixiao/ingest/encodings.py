"""Detect a text file's encoding and transcode it to UTF-8 as a stream.

Court exports come as UTF-8, UTF-8 with BOM, GBK or GB18030. Detection order: BOM, then a strict
UTF-8 decode of a sample, then GB18030 (a superset of GBK), then charset-normalizer. Decoding is done
in big blocks with an incremental decoder so a 1 GB file never sits in memory, and an undecodable
byte is reported with its byte offset and line number.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import functools
import inspect
import io
import struct
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from zhixiao.errors import UserError

ENCODINGS = ("auto", "utf-8", "gbk", "gb18030")
SAMPLE = 1 << 20
BLOCK = 4 << 20
CHILD_MIN_BYTES = 8 << 20  # smaller files are transcoded in this process (a child costs ~20 ms)
_ALIASES = {"utf8": "utf-8", "utf-8-sig": "utf-8", "cp936": "gbk", "gb2312": "gbk"}


class DecodeFailure(Exception):
    def __init__(self, offset: int, line: int, encoding: str):
        super().__init__(f"{encoding} @ {offset}")
        self.offset, self.line, self.encoding = offset, line, encoding


def normalise_encoding(name: str) -> str:
    n = name.strip().lower().replace("_", "-")
    n = _ALIASES.get(n, n)
    if n not in ENCODINGS:
        raise UserError(f"不支持的编码“{name}”：请用 auto、utf-8、gbk 或 gb18030 之一。")
    return n


def _valid_prefix(sample: bytes, encoding: str) -> int:
    """How many leading bytes decode strictly (len(sample) = all; a split last character is fine)."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
        return len(sample)
    except UnicodeDecodeError as exc:
        return exc.start


def detect_encoding(path: Path) -> str:
    """Best guess for ``path`` (a codec name Python knows); 'utf-8' also covers a UTF-8 BOM."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    ok = {enc: _valid_prefix(sample, enc) for enc in ("utf-8", "gb18030")}
    for enc, n in ok.items():
        if n == len(sample):
            return enc
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and best.encoding.replace("_", "-") in ("utf-8", "gb18030", "gbk", "gb2312", "big5"):
        return best.encoding
    # Damaged file: take the encoding that reads furthest, so the reader names the bad byte and line.
    return max(ok, key=ok.get)


def _gbk_fast(data: bytes, final: bool) -> tuple[str, int] | None:
    """GB18030 text that is plain GBK (the usual court export) decodes faster with the GBK codec, with
    the same result: CPython's two codecs agree on every byte sequence GBK accepts, and GBK rejects
    GB18030's four-byte sequences (their second byte is a digit). None = use the GB18030 codec."""
    try:
        return data.decode("gbk"), len(data)
    except UnicodeDecodeError as exc:
        if final or exc.start < len(data) - 3:
            return None
        try:  # maybe a character split across blocks: decode up to it, carry the rest to the next block
            return data[:exc.start].decode("gbk"), exc.start
        except UnicodeDecodeError:
            return None


class _Transcoder:
    """Source blocks → UTF-8 (BOM dropped), carrying a character split across blocks; raises
    :class:`DecodeFailure` naming the byte offset and line. Self-contained (stdlib only) because the
    transcoding child process runs this very source."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self.left = b""  # an incomplete multi-byte sequence carried to the next block
        self.base = 0  # source offset of self.left[0]
        self.lines = 0  # newlines before self.base
        self.first = True

    def step(self, raw: bytes) -> bytes:
        """UTF-8 of the next source block; ``raw`` = b"" at the end of the file."""
        final = not raw
        data = self.left + raw
        if self.first:
            self.first = False
            if data.startswith(codecs.BOM_UTF8) and self.encoding == "utf-8":
                data = data[3:]
                self.base = 3
        fast = _gbk_fast(data, final) if self.encoding == "gb18030" else None
        try:
            text, keep = fast or (data.decode(self.encoding), len(data))
        except UnicodeDecodeError as exc:
            if final or exc.start < len(data) - 3:
                raise self.failure(data, exc.start) from None
            keep = exc.start  # maybe a character split across blocks: retry with the next block
            try:
                text = data[:keep].decode(self.encoding)
            except UnicodeDecodeError as exc2:
                raise self.failure(data, exc2.start) from None
        done = data[:keep]
        self.left = data[keep:]
        self.lines += done.count(b"\n")
        self.base += keep
        return done if self.encoding == "utf-8" else text.encode("utf-8")

    def failure(self, data: bytes, at: int) -> DecodeFailure:
        return DecodeFailure(self.base + at, self.lines + data[:at].count(b"\n") + 1, self.encoding)


# The transcoding child: reads the file, writes frames (source bytes, UTF-8 length or -1, offset, line)
# each followed by that much UTF-8; a frame with 0 source bytes is the last one.
_FRAME = struct.Struct("<qqqq")
_CHILD_MAIN = """
def _main():
    import sys
    path, encoding, block = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = sys.stdout.buffer
    t = _Transcoder(encoding)
    with open(path, "rb") as fh:
        while True:
            raw = fh.read(block)
            try:
                data = t.step(raw)
            except DecodeFailure as f:
                out.write(_FRAME.pack(len(raw), -1, f.offset, f.line))
                break
            out.write(_FRAME.pack(len(raw), len(data), 0, 0))
            out.write(data)
            if not raw:
                break
    out.flush()


_main()
"""


@functools.cache
def _child_source() -> str:
    parts = [inspect.getsource(x) for x in (DecodeFailure, _gbk_fast, _Transcoder)]
    return "\n".join(["import codecs", "import struct", '_FRAME = struct.Struct("<qqqq")', *parts, _CHILD_MAIN])


def _spawn(path: Path, encoding: str, block: int) -> subprocess.Popen | None:
    """Start the transcoding child (None if this platform cannot)."""
    if not sys.executable:  # embedded interpreter: no Python to start
        return None
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _child_source(), str(path), encoding, str(block)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError:
        return None
    with contextlib.suppress(OSError, AttributeError):  # a bigger pipe: fewer wake-ups (Linux)
        fcntl.fcntl(proc.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
    return proc


class Utf8Stream(io.RawIOBase):
    """A readable stream of UTF-8 bytes transcoded from ``path`` (BOM dropped).

    ``on_bytes(n)`` is called with the number of source bytes consumed (for a progress bar).
    Raises :class:`DecodeFailure` on the first undecodable byte.

    A big GBK/GB18030 file is transcoded by a child process (``child=None`` = decide by size):
    Python's codecs hold the GIL, so decoding in a thread of this process would stall the Arrow
    parsing and validation running here; in a child it runs on the other core.
    """

    def __init__(self, path: Path, encoding: str, on_bytes: Callable[[int], None] | None = None,
                 block: int = BLOCK, child: bool | None = None):
        super().__init__()
        self.path, self.encoding, self.block = path, encoding, block
        if child is None:
            child = encoding != "utf-8" and Path(path).stat().st_size >= CHILD_MIN_BYTES
        self._proc = _spawn(path, encoding, block) if child else None
        self._fh = None if self._proc else open(path, "rb")
        self._tr = _Transcoder(encoding)
        self._buf = b""
        self._off = 0
        self._eof = False
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        if self._proc:
            self._buf += self._from_child()
            return
        raw = self._fh.read(self.block)
        if self._on_bytes and raw:
            self._on_bytes(len(raw))
        self._buf += self._tr.step(raw)
        self._eof = not raw

    def _from_child(self) -> bytes:
        pipe = self._proc.stdout
        head = pipe.read(_FRAME.size)
        if len(head) < _FRAME.size:
            raise self._child_died()
        src, n, offset, line = _FRAME.unpack(head)
        if self._on_bytes and src:
            self._on_bytes(src)
        if n < 0:
            self._eof = True
            raise DecodeFailure(offset, line, self.encoding)
        data = pipe.read(n) if n else b""
        if len(data) < n:
            raise self._child_died()
        self._eof = src == 0
        return data

    def _child_died(self) -> OSError:
        rc = self._proc.wait()
        err = self._proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
        return OSError(f"转码子进程意外退出（退出码 {rc}）：{err[-1] if err else '无输出'}")

    def readinto(self, b) -> int:
        while self._off >= len(self._buf) and not self._eof:
            self._buf, self._off = self._buf[self._off:], 0
            self._fill()
        n = min(len(b), len(self._buf) - self._off)
        b[:n] = self._buf[self._off:self._off + n]
        self._off += n
        return n

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(self.block), b""))
        parts: list = []  # views of the decoded blocks: one copy in the join, not one per layer
        got = 0
        while got < size:
            if self._off >= len(self._buf):
                if self._eof:
                    break
                self._buf, self._off = b"", 0
                self._fill()
                continue
            n = min(size - got, len(self._buf) - self._off)
            parts.append(memoryview(self._buf)[self._off:self._off + n])
            self._off += n
            got += n
        return b"".join(parts)

    def close(self) -> None:
        if self._fh:
            self._fh.close()
        if self._proc:
            if self._eof:  # it sent its last frame and is exiting
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=5)
            if self._proc.poll() is None:  # closed early (error, cancelled import)
                self._proc.kill()
            self._proc.wait()
            self._proc.stdout.close()
            self._proc.stderr.close()
        super().close()


def decode_error(path: Path, failure: DecodeFailure) -> UserError:
    hint = "gbk" if failure.encoding.startswith("utf") else "utf-8"
    return UserError(
        f"文件 {path.name} 第 {failure.line} 行（字节偏移 {failure.offset}）无法按 {failure.encoding} 解码："
        f"文件编码不对或已损坏。请用 --encoding {hint} 重试，或在 Excel/WPS 中另存为“CSV UTF-8”后再导入。"
    )
