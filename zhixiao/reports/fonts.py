"""Pick the official-document faces (小标宋 / 仿宋 / 黑体 / 楷体) or their installed CJK fallbacks.

The faces of 党政机关公文 (GB/T 9704-2012: title 小标宋, body 仿宋 三号, 一级标题 黑体, 二级标题 楷体) are
commercial fonts; on a Linux server the Noto CJK faces from Debian ``fonts-noto-cjk`` stand in.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass

TITLE = ("方正小标宋简体", "方正小标宋_GBK", "华文中宋", "Noto Serif CJK SC")
BODY = ("仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC")
HEADING1 = ("黑体", "SimHei", "Noto Sans CJK SC")
HEADING2 = ("楷体_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC")
LATIN = ("Times New Roman", "Liberation Serif", "Noto Serif CJK SC", "DejaVu Serif")


@functools.cache
def installed_families() -> frozenset[str]:
    if not shutil.which("fc-list"):
        return frozenset()
    out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout
    fams: set[str] = set()
    for line in out.splitlines():
        fams.update(f.strip() for f in line.split(","))
    return frozenset(fams)


def pick(chain: tuple[str, ...]) -> str:
    """First installed family of the chain; the last one when none is (Word/WPS substitute it)."""
    have = installed_families()
    for fam in chain:
        if fam in have:
            return fam
    return chain[-1]


@dataclass(frozen=True)
class FontSet:
    title: str
    body: str
    heading1: str
    heading2: str
    latin: str


def font_set() -> FontSet:
    return FontSet(pick(TITLE), pick(BODY), pick(HEADING1), pick(HEADING2), pick(LATIN))
