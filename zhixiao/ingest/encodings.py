"""What a file is: its kind (CSV text, .xlsx, legacy .xls) by its first bytes, and a CSV's encoding.

Court exports come as UTF-8 (with or without BOM), GBK/GB18030, or UTF-16 (Excel's “Unicode 文本”), and
are often renamed (an .xlsx saved as .csv): the content decides, never the extension. Decoding itself is
done by the CSV reader (``pyarrow.csv``'s ``encoding`` option); this module only names the encoding and,
when a byte does not decode, finds its offset and line for the error message.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from zhixiao.errors import UserError

ENCODINGS = ("auto", "utf-8", "gbk", "gb18030", "utf-16")
SAMPLE = 1 << 20
_ALIASES = {"utf8": "utf-8", "utf-8-sig": "utf-8", "cp936": "gbk", "gb2312": "gbk", "utf16": "utf-16",
            "utf-16le": "utf-16", "utf-16be": "utf-16", "unicode": "utf-16"}
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xlsx (a zip), .xls (an OLE2 compound file)


def normalise_encoding(name: str) -> str:
    n = name.strip().lower().replace("_", "-")
    n = _ALIASES.get(n, n)
    if n not in ENCODINGS:
        raise UserError(f"不支持的编码“{name}”：请用 {'、'.join(ENCODINGS)} 之一。")
    return n


def file_kind(path: Path) -> str:
    """'xlsx', 'xls' or 'text', from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    return "xlsx" if head.startswith(ZIP) else "xls" if head == OLE else "text"


def _valid_prefix(sample: bytes, encoding: str) -> int:
    """How many leading bytes decode strictly (len(sample) = all; a split last character is fine)."""
    try:
        codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
        return len(sample)
    except UnicodeDecodeError as exc:
        return exc.start


def detect_encoding(path: Path) -> str:
    """Best guess for ``path``: a BOM, else strict UTF-8, else GB18030 (a superset of GBK), else the
    encoding that reads furthest (so the reader names the bad byte and line)."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    ok = {enc: _valid_prefix(sample, enc) for enc in ("utf-8", "gb18030")}
    for enc, n in ok.items():
        if n == len(sample):
            return enc
    from charset_normalizer import from_bytes  # only for files that are neither UTF-8 nor GB18030

    best = from_bytes(sample).best()
    if best is not None and best.encoding.replace("_", "-") in ("utf-16", "utf-16-le", "utf-16-be"):
        return "utf-16"
    return max(ok, key=ok.get)


def decode_error(path: Path, encoding: str) -> UserError:
    """The first byte of ``path`` that ``encoding`` cannot decode, as a user error naming line and offset."""
    data = path.read_bytes()  # only on this error path, once
    try:
        offset = len(data.decode(encoding))  # decodes whole: no byte to name but the end
    except UnicodeDecodeError as exc:
        offset = exc.start
    line = data[:offset].count(b"\n") + 1
    hint = "gbk" if encoding.startswith("utf") else "utf-8"
    return UserError(
        f"文件 {path.name} 第 {line} 行（字节偏移 {offset}）无法按 {encoding} 解码："
        f"文件编码不对或已损坏。请用 --encoding {hint} 重试，或在 Excel/WPS 中另存为“CSV UTF-8”后再导入。"
    )
