"""Reading a PDF page by page (poppler's ``pdftotext -bbox``): the text of each page and the columns of its
centred table cells, so a test can tell whether a table row was broken across two pages."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from docx import Document
from lxml import etree

SPACE_PT = 3.6  # a space in a 9 pt CJK table cell is ~3.1 pt; neighbouring cells are ≥ 4 pt apart (padding)
SAME_CELL_PT = 4.0  # the lines of one centred cell share their middle within this


@dataclass
class Page:
    text: str  # all text, whitespace removed
    columns: str  # each centred column's lines top to bottom, joined; columns separated by newlines


def pages(pdf) -> list[Page]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    root = etree.fromstring(html.encode(), etree.HTMLParser(encoding="utf-8"))
    out = []
    for page in root.iter("page"):
        raw = sorted((round(float(w.get("ymin")), 1), float(w.get("xmin")), float(w.get("xmax")), w.text or "")
                     for w in page.iter("word"))
        chunks: list[tuple[float, float, float, str]] = []  # the words of one line of one cell, joined
        for y, x0, x1, t in raw:
            if chunks and chunks[-1][0] == y and x0 - chunks[-1][2] < SPACE_PT:
                chunks[-1] = (y, chunks[-1][1], x1, chunks[-1][3] + t)
            else:
                chunks.append((y, x0, x1, t))
        cols: list[list[tuple[float, str]]] = []
        last = None
        for mid, y, t in sorted(((x0 + x1) / 2, y, t) for y, x0, x1, t in chunks):
            if last is None or mid - last > SAME_CELL_PT:
                cols.append([])
            cols[-1].append((y, t))
            last = mid
        out.append(Page("".join(t for *_, t in raw), "\n".join("".join(t for _, t in sorted(c)) for c in cols)))
    return out


def broken_rows(docx, pdf) -> list[list[str]]:
    """Rows of the .docx's tables whose cells (2+ characters) no single page of the PDF holds whole."""
    ps = pages(pdf)
    bad = []
    for table in Document(str(docx)).tables:
        for row in table.rows:
            cells = [c for c in (re.sub(r"\s+", "", cell.text) for cell in row.cells) if len(c) >= 2]
            if cells and not any(all(c in p.columns for c in cells) for p in ps):
                bad.append(cells)
    return bad


def blank_pages(pdf) -> list[int]:
    """1-based numbers of pages with nothing but a page number ("— 3 —")."""
    return [i for i, p in enumerate(pages(pdf), start=1) if len(re.sub(r"[—\-\d]", "", p.text)) < 2]
