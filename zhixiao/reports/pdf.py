"""Make the .pdf from the .docx with LibreOffice (``soffice --headless --convert-to pdf``).

Each conversion uses its own throw-away LibreOffice profile so parallel runs don't share a lock.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from zhixiao.errors import UserError

INSTALL_HINT = ("未找到 LibreOffice（soffice），无法由 .docx 生成 PDF。请运行 scripts/setup.sh，或执行 "
                "apt-get install libreoffice-writer-nogui fonts-noto-cjk 后重试；.docx 和 .xlsx 已正常生成。")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, out_dir: Path | None = None, timeout: int = 180) -> Path:
    """Convert ``docx`` to a PDF next to it (or in ``out_dir``); UserError when LibreOffice is missing."""
    exe = soffice()
    if exe is None:
        raise UserError(INSTALL_HINT)
    out_dir = out_dir or docx.parent
    with tempfile.TemporaryDirectory(prefix="zx-lo-") as profile:
        cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise UserError(f"LibreOffice 转换 {docx.name} 超过 {timeout} 秒未完成，请稍后重试。") from None
    pdf = out_dir / (docx.stem + ".pdf")
    if proc.returncode != 0 or not pdf.is_file():
        raise UserError(f"LibreOffice 未能把 {docx.name} 转成 PDF（退出码 {proc.returncode}）：{proc.stderr.strip()[:300]}")
    return pdf
