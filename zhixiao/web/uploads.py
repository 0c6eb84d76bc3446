"""Uploaded files before the importer sees them: .xlsx expansion limits and the life of the batch folders.

An .xlsx is a zip archive: 156 KB can unpack to 150 MB of sheet XML (a "zip bomb") and hold the importer's
memory and a worker thread for minutes. The archive is therefore measured first — by really inflating it in
chunks, since the sizes in a zip's directory are written by whoever made the file.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

from zhixiao.errors import UserError

UPLOAD_BYTES = 200 * 1024 * 1024  # one uploaded export as sent (checked before and while the body is read)
MAX_UNPACKED = 512 * 1024 * 1024  # all members together, inflated
MAX_RATIO = 100  # inflated / stored; Excel's own sheets stay well below 30
MAX_CELLS = 5_000_000  # e.g. 100,000 cases × 50 columns
BATCH_TTL = 2 * 3600  # seconds an uploaded batch waits for 确认导入 before it is removed
CELL_TAGS = (b"<c ", b"<c>")


def check_xlsx(path: Path, name: str) -> None:
    """``UserError`` unless ``path`` is a zip that inflates within MAX_UNPACKED and MAX_RATIO with at most
    MAX_CELLS worksheet cells."""
    stored = max(path.stat().st_size, 1)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise UserError(f"文件“{name}”不是有效的 Excel（.xlsx）文件，请在 Excel 中另存为 .xlsx 或导出为 CSV。") from None
    budget = min(MAX_UNPACKED, stored * MAX_RATIO)
    inflated = cells = 0
    with zf:
        for info in zf.infolist():
            sheet = info.filename.startswith("xl/worksheets/")
            tail = b""
            try:
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        inflated += len(chunk)
                        if inflated > budget:
                            raise UserError(
                                f"文件“{name}”解压后超过 {budget // 2**20} MB（压缩前 {stored / 2**20:.1f} MB），"
                                "不像法院系统的正常导出，已拒收。请重新导出，或导出为 CSV 后上传。")
                        if sheet:
                            data = tail + chunk
                            cells += sum(data.count(tag) for tag in CELL_TAGS)
                            tail = data[-2:]  # a tag cut by the chunk edge is counted once, next round
                            if cells > MAX_CELLS:
                                raise UserError(f"文件“{name}”的单元格超过 {MAX_CELLS:,} 个，请按年度或法院分批导出后上传。")
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
                raise UserError(f"文件“{name}”已损坏，无法解压（{exc}），请重新导出。") from None


def sweep(root: Path, ttl: float = BATCH_TTL) -> int:
    """Remove batch folders under ``root`` older than ``ttl`` seconds (never confirmed); returns how many."""
    if not root.is_dir():
        return 0
    cut = time.time() - ttl
    n = 0
    for d in root.iterdir():
        if d.is_dir() and d.stat().st_mtime < cut:
            shutil.rmtree(d, ignore_errors=True)
            n += 1
    return n
