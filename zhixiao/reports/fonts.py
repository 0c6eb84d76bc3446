"""The faces a briefing names: those of GB/T 9704-2012 and of court Windows PCs, never the server's.

党政机关公文格式 (GB/T 9704-2012 §7): title 方正小标宋简体, body 仿宋_GB2312 三号, 一级标题 黑体,
二级标题 楷体_GB2312. The .docx and .pptx name these faces, so a court PC opens them as the 审管办 would have
typed them; on a Linux server LibreOffice's PDF finds them through the fontconfig aliases in
``deploy/fontconfig/65-zhixiao-gongwen.conf`` (仿宋 → a 仿宋-like face, 楷 → a 楷 face …).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FontSet:
    title: str
    body: str
    heading1: str
    heading2: str
    latin: str


GB9704 = FontSet(title="方正小标宋简体", body="仿宋_GB2312", heading1="黑体", heading2="楷体_GB2312",
                 latin="Times New Roman")
# Spreadsheets and slides: the faces every Chinese Windows PC has (Excel's own default is 宋体 / 等线)
SHEET_FACE = "宋体"
SLIDE_TITLE_FACE = "黑体"
SLIDE_BODY_FACE = "仿宋_GB2312"


def font_set() -> FontSet:
    return GB9704
