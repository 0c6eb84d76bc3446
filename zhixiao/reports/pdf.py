"""Make the .pdf from the .docx with LibreOffice (``soffice --headless --convert-to pdf``).

Each conversion uses its own throw-away LibreOffice profile so parallel runs don't share a lock.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from zhixiao.errors import UserError

INSTALL_HINT = ("未找到 LibreOffice（soffice），无法由 .docx 生成 PDF。请运行 scripts/setup.sh，或执行 "
                "apt-get install libreoffice-writer-nogui fonts-noto-cjk 后重试；.docx 和 .xlsx 已正常生成。")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(exe: str, profile: str, docx: Path, out_dir: Path, timeout: int) -> subprocess.CompletedProcess:
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
           "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise UserError(f"LibreOffice 转换 {docx.name} 超过 {timeout} 秒未完成，请稍后重试。") from None


def docx_to_pdf(docx: Path, out_dir: Path | None = None, timeout: int = 180, profile: str | None = None) -> Path:
    """Convert ``docx`` to a PDF next to it (or in ``out_dir``); UserError when LibreOffice is missing.

    ``profile``: the user profile of an instance started by ``warm_office`` — the conversion is handed
    to it and skips LibreOffice's start-up; if that fails, a fresh instance converts.
    """
    exe = soffice()
    if exe is None:
        raise UserError(INSTALL_HINT)
    out_dir = out_dir or docx.parent
    pdf = out_dir / (docx.stem + ".pdf")
    if pdf.exists():
        pdf.unlink()
    proc = None
    if profile:
        proc = _convert(exe, profile, docx, out_dir, timeout)
    if not pdf.is_file():
        with tempfile.TemporaryDirectory(prefix="zx-lo-") as fresh:
            proc = _convert(exe, fresh, docx, out_dir, timeout)
    if not pdf.is_file():
        raise UserError(f"LibreOffice 未能把 {docx.name} 转成 PDF（退出码 {proc.returncode}）：{proc.stderr.strip()[:300]}")
    return pdf


@contextmanager
def warm_office() -> Iterator[str | None]:
    """Start a headless LibreOffice now, so its start-up overlaps the data work; yields its profile
    (None when LibreOffice is not installed). The instance is stopped on exit."""
    exe = soffice()
    if exe is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="zx-lo-warm-") as profile:
        proc = subprocess.Popen(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nologo",
             "--nodefault", f"--accept=pipe,name=zx{os.getpid()}_{id(profile)};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield profile
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
