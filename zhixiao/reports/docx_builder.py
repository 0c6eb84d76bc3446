"""Render a ``Briefing`` as an official-looking .docx (会商报告).

Fonts: python-docx's ``Font.name`` does not set ``w:eastAsia`` and its default template falls back to
MS Mincho for CJK (MEASURES_AND_STACK.md §3.3; python-docx issue #1601), so we define our own styles and
write ``w:rFonts`` (ascii/hAnsi/eastAsia/cs) on the document defaults, every style and every run.
Sizes: title 二号 22pt, body 三号 16pt, 四号 14pt captions, 五号 10.5pt table cells (GB/T 9704-2012).
Furniture of GB/T 9704-2012: "内部资料" where 密级 goes (§7.2.2, 黑体 三号, top left), the 发文机关署名 and
成文日期 after the body (§7.3.5), "— 1 —" page numbers (§7.5). Table rows never split across a page
(w:cantSplit) and the header row repeats (w:tblHeader); short tables stay on one page and a long one never
leaves its last row alone on the next.
"""

from __future__ import annotations

import copy
import io
import math
import re
import struct
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from zhixiao.reports import charts, narrative
from zhixiao.reports.fonts import FontSet, font_set
from zhixiao.reports.model import (
    DELTA_KINDS,
    NUMERIC_KINDS,
    VALUE_KINDS,
    ZERO_CHANGE,
    Briefing,
    Section,
    Table,
    cell_kind,
    header_text,
)

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_SMALL = Pt(14)  # 四号
SIZE_TABLE = Pt(9)  # 小五 (wide statistical tables)
SIZE_TABLE_WIDE = Pt(7.5)  # 六号: a table whose numbers would not fit one line each at 小五 (11 number columns)
CM_PER_EM = 0.32  # a 9 pt character
CAPTION_LINE_EM = 30.0  # a 四号 (14 pt) line of 15.6 cm holds 31 CJK characters
CELL_PAD_CM = 0.25  # a cell's left and right margins (2 pt each) and some slack
TEXT_WIDTH_CM = 15.6  # A4 210 mm − 28 mm − 26 mm margins
TITLE_LINE_EM = 18.0  # a 二号 (22 pt) line of 15.6 cm holds 20 CJK characters; digits and bold take room
TEXT_HEIGHT_CM = 22.5  # 297 mm − 37 mm − 35 mm margins
MAX_PICTURE_CM = TEXT_HEIGHT_CM - 2.5  # a chart's height: its caption (one 四号 line) fits below it on the page
KEEP_WHOLE_ROWS = 12  # a table up to this many rows is kept on one page
_RUN_PATH = f"{qn('w:p')}/{qn('w:r')}"  # a table cell's one run


def set_fonts(rpr_owner, east_asia: str, latin: str) -> None:
    """Write w:rFonts with an explicit eastAsia face on a run, style or rPrDefault element."""
    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()  # inserted in schema order
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        # w:lang comes after the formatting elements and before eastAsianLayout/specVanish/oMath
        later = [rpr.find(qn(t)) for t in ("w:eastAsianLayout", "w:specVanish", "w:oMath")]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(lang)
        else:
            rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


class DocxBuilder:
    def __init__(self, fonts: FontSet | None = None):
        self.f = fonts or font_set()
        self.doc = Document()
        self._setup()

    # -- styles -----------------------------------------------------------------------------------
    def _setup(self) -> None:
        doc, f = self.doc, self.f
        rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        set_fonts(_RprHolder(rpr_default), f.body, f.latin)
        normal = doc.styles["Normal"]
        set_fonts(normal.element, f.body, f.latin)
        normal.font.size = SIZE_BODY
        pf = normal.paragraph_format
        pf.line_spacing = Pt(28)  # 公文: 每页22行, 固定值约28磅
        pf.space_before = pf.space_after = Pt(0)
        self.styles = {
            "title": self._style("ZX 标题", f.title, SIZE_TITLE, bold=True, center=True),
            "subtitle": self._style("ZX 副标题", f.heading2, SIZE_SMALL, center=True),
            "h1": self._style("ZX 一级标题", f.heading1, SIZE_BODY, indent=True),
            "h2": self._style("ZX 二级标题", f.heading2, SIZE_BODY, indent=True),
            "h3": self._style("ZX 三级标题", f.body, SIZE_BODY, bold=True, indent=True),
            "body": self._style("ZX 正文", f.body, SIZE_BODY, indent=True),
            "caption": self._style("ZX 表题", f.heading1, SIZE_SMALL, center=True),
            "cell": self._style("ZX 表格", f.body, SIZE_TABLE, center=True, compact=True),
            "note": self._style("ZX 注", f.body, SIZE_TABLE, compact=True),
            "mark": self._style("ZX 密级", f.heading1, SIZE_BODY),
            "sign": self._style("ZX 署名", f.body, SIZE_BODY, right=True),
        }
        self._cell_id = self.styles["cell"].style_id
        for key in ("h1", "h2", "h3"):  # a heading never ends a page (it stays with its first paragraph)
            self.styles[key].paragraph_format.keep_with_next = True
        section = doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        self._page_number(section)

    def _style(self, name: str, face: str, size, *, bold=False, center=False, indent=False, compact=False,
               right=False):
        st = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = self.doc.styles["Normal"]
        set_fonts(st.element, face, self.f.latin)
        st.font.size = size
        st.font.bold = bold
        pf = st.paragraph_format
        if center:
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if right:
            pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            pf.right_indent = Pt(64)  # 成文日期右空四字 (GB/T 9704 §7.3.5.1)
        if indent:
            pf.first_line_indent = Pt(32)  # 首行缩进两字
        if compact:
            pf.line_spacing = 1.0
        st._zx_face = face  # remembered for runs
        return st

    def _page_number(self, section) -> None:
        """Footer "— N —" with a PAGE field, centred (公文 页码)."""
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, "— ", self.f.body, SIZE_SMALL)
        run = self._run(p, "", self.f.body, SIZE_SMALL)
        for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
            if kind == "instr":
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            elif kind == "text":
                el = OxmlElement("w:t")
                el.text = text
            else:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        self._run(p, " —", self.f.body, SIZE_SMALL)

    # -- primitives ---------------------------------------------------------------------------------
    def _run(self, paragraph, text: str, face: str, size=None, bold: bool | None = None):
        run = paragraph.add_run(text)
        set_fonts(run._r, face, self.f.latin)
        if size is not None:
            run.font.size = size
        if bold is not None:
            run.font.bold = bold
        return run

    def para(self, text: str, kind: str = "body"):
        st = self.styles[kind]
        p = self.doc.add_paragraph()
        p._p.style = st.style_id
        self._run(p, text, st._zx_face)
        return p

    def heading(self, level: int, n: int, title: str):
        st = self.styles[f"h{min(level, 3)}"]
        p = self.doc.add_paragraph()
        p._p.style = st.style_id
        self._run(p, narrative.heading_label(level, n) + title, st._zx_face)
        return p

    def picture(self, png: bytes, width_cm: float = 15.0):
        """A chart, kept with its caption (the next paragraph); a tall one (the 短板 panels) is scaled down to
        leave a page room for the caption: a picture taller than the page is cut off and pushes its caption
        onto the next page, after a page that looks empty."""
        w_px, h_px = struct.unpack(">II", png[16:24])  # PNG IHDR: width, height
        width_cm = min(width_cm, MAX_PICTURE_CM * w_px / h_px)
        p = self.doc.add_paragraph(style=self.styles["cell"])
        p.paragraph_format.keep_with_next = True
        run = self._run(p, "", self.f.body)
        run.add_picture(io.BytesIO(png), width=Cm(width_cm))
        return p

    def table(self, t: Table, number: int | None = None) -> None:
        cap = _caption(f"表{number}  {t.title}" if number else t.title)
        self.para(cap, "caption").paragraph_format.keep_with_next = True
        if not t.rows:
            self.para("（无数据）", "note")
            return
        kinds = [[cell_kind(c, row) for c in t.columns] for row in t.rows]
        texts = [[cell_text(row.get(c.key), k) for c, k in zip(t.columns, ks, strict=True)]
                 for row, ks in zip(t.rows, kinds, strict=True)]
        headers = [header_text(c) for c in t.columns]
        numeric = [all(ks[i] in NUMERIC_KINDS for ks in kinds) for i in range(len(t.columns))]
        ems = _Ems.of(headers, texts)
        size = SIZE_TABLE if ems.numbers_fit(numeric) else SIZE_TABLE_WIDE
        cm = CM_PER_EM * size.pt / SIZE_TABLE.pt
        small = size if size != SIZE_TABLE else None  # the cell style's size unless the table is too wide for it
        widths = _column_widths(headers, ems, numeric, cm)
        tbl = self.doc.add_table(rows=1, cols=len(t.columns))
        tbl.style = self.doc.styles["Table Grid"]
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl.autofit = False
        _narrow_cell_margins(tbl)
        face = self.styles["cell"]._zx_face
        for grid_col, w in zip(tbl.columns, widths, strict=True):  # w:gridCol: LibreOffice lays a fixed table
            grid_col.width = Cm(w)  # out by its grid, not by the cells' w:tcW (all columns came out equal)
        for cell, head, w in zip(tbl.rows[0].cells, headers, widths, strict=True):
            cell.width = Cm(w)
            p = cell.paragraphs[0]
            p._p.style = self._cell_id  # by id: python-docx looks a style object up in O(styles)
            self._run(p, _header_lines(head, w, cm), self.f.heading1, small, bold=True)
        _row_flag(tbl.rows[0], "w:cantSplit")
        _repeat_header(tbl.rows[0])
        # One body row is built through python-docx (widths, cell style, fonts, no split); the others are copies
        # of its XML with their own texts — python-docx's add_row/cells/width per cell cost far more than the copy.
        proto = tbl.add_row()
        for cell, w in zip(proto.cells, widths, strict=True):
            cell.width = Cm(w)
            p = cell.paragraphs[0]
            p._p.style = self._cell_id  # by id: python-docx looks a style object up in O(styles)
            self._run(p, "", face, small)
        _row_flag(proto, "w:cantSplit")
        proto_tr = proto._tr
        for row_texts in texts:
            tr = copy.deepcopy(proto_tr)
            for tc, text in zip(tr.iterchildren(qn("w:tc")), row_texts, strict=True):
                if text:
                    Run(tc.find(_RUN_PATH), None).text = text  # python-docx's setter: tabs, breaks, spaces kept
            proto_tr.addprevious(tr)
        proto_tr.getparent().remove(proto_tr)
        _keep_rows(tbl.rows)
        if t.note:
            self.para(t.note, "note")

    # -- document -----------------------------------------------------------------------------------
    def build(self, b: Briefing) -> Document:
        self.para("内部资料", "mark")
        title = self.doc.add_paragraph(style=self.styles["title"])
        self._run(title, "\n".join(_title_lines(b.title, b.court_name)), self.f.title)
        cmp = "上年同期" if b.compare == "yoy" else "不作同比"
        # two lines broken at a semicolon (one line wrapped as "……对比：上年同" / "期；指标口径……")
        self.para(f"（统计期间：{_cn_date(b.start)}至{_cn_date(b.end)}；\n对比：{cmp}；"
                  f"指标口径：{b.profile_name or '—'}）", "subtitle")
        self._table_no = 0
        self._figure_no = 0
        for i, sec in enumerate(b.sections, start=1):
            self._section(sec, 1, i)
        self.para("")
        if b.office:
            self.para(b.office, "sign")
        self.para(_cn_date(b.issued or b.end), "sign")
        annexes = ([("员额法官审判质效统计表", b.annex)] if b.annex else []) + [
            (a.title, a) for a in b.appendices]
        for n, (title_text, content) in enumerate(annexes, start=1):
            head_p = self.para(f"附件{n}" if len(annexes) > 1 else "附件", "h1")
            head_p.paragraph_format.page_break_before = True  # never an empty paragraph holding the break
            self.para(title_text, "title")
            if isinstance(content, Section):
                for text in content.paragraphs:
                    self.para(text)
                for t in content.tables:
                    self._table_no += 1
                    self.table(t, self._table_no)
                for j, sub in enumerate(content.subsections, start=1):
                    self._section(sub, 2, j)
            else:
                for t in content:
                    self._table_no += 1
                    self.table(t, self._table_no)
        return self.doc

    def _section(self, sec: Section, level: int, n: int) -> None:
        self.heading(level, n, sec.title)
        if sec.missing:
            self.para(sec.missing)
        for text in sec.paragraphs:
            self.para(text)
        for chart in sec.charts:
            self.picture(charts.render(chart), 15.0 if chart.kind in ("trend", "panels") else 12.5)
            self._figure_no += 1
            self.para(f"图{self._figure_no}  {chart.title}", "caption")
        for t in sec.tables:
            if t.where != "both":
                continue
            self._table_no += 1
            self.table(t, self._table_no)
        for j, sub in enumerate(sec.subsections, start=1):
            self._section(sub, level + 1, j)


class _RprHolder:
    """Adapter so ``set_fonts`` can write into docDefaults' bare w:rPr."""

    def __init__(self, rpr):
        self._rpr = rpr

    def get_or_add_rPr(self):
        return self._rpr


_LATIN_EM = {".": 0.35, ",": 0.35, "%": 1.0, "+": 0.85, "−": 0.85}


def _em(text: str) -> float:
    """Width in ems: a CJK character (and the dash "—", full width in a CJK face) is one; Latin as wide as in the
    widest face LibreOffice may stand in for Times New Roman (DejaVu Serif: digits 0.64, "%" 0.95, "+" 0.84)."""
    return sum(1.0 if ord(ch) > 0x2E80 or ch == "—" else _LATIN_EM.get(ch, 0.64) for ch in text)


@dataclass(frozen=True)
class _Ems:
    """A table's widths in ems, measured once (one pass over its cells) for any font size: per column its widest
    cell, its header's unit "（件）" and its whole header."""

    cells: list[float]
    units: list[float]
    heads: list[float]

    @classmethod
    def of(cls, headers: list[str], rows: list[list[str]]) -> _Ems:
        cells = [max([_em(r[i]) for r in rows] + [0]) for i in range(len(headers))]
        units = [_em(h[h.index("（"):]) if "（" in h else 0.0 for h in headers]
        return cls(cells, units, [_em(h) for h in headers])

    def floors(self, cm: float) -> tuple[list[float], list[float]]:
        """Per column (cm): its widest cell on one line, its unit whole; and that with its header on two lines."""
        cells = [max(c, u) * cm + CELL_PAD_CM for c, u in zip(self.cells, self.units, strict=True)]
        need = [max(c, h * cm / 2 + CELL_PAD_CM, 1.0) for c, h in zip(cells, self.heads, strict=True)]
        return cells, need

    def numbers_fit(self, numeric: list[bool], cm: float = CM_PER_EM) -> bool:
        """Whether the number columns fit on one line each beside text columns of ≥ 1 cm."""
        cells, need = self.floors(cm)
        floor = [min(n, max(c, 1.0)) for n, c in zip(need, cells, strict=True)]
        return sum(f if num else 1.0 for f, num in zip(floor, numeric, strict=True)) <= TEXT_WIDTH_CM


def _column_widths(headers: list[str], rows: list[list[str]] | _Ems, numeric: list[bool] | None = None,
                   cm: float = CM_PER_EM) -> list[float]:
    """Column widths (cm): each column as wide as its widest cell on one line (``cm`` an em: a 9 pt CJK
    character is 0.32 cm) and its header on two; when the sum exceeds the text width, shrink the columns wider
    than they need for their cells first, then the text columns (their lines wrap): a number never breaks
    ("100.00" / "%"), only when the numbers alone are wider than the page are all columns shrunk alike."""
    numeric = numeric or [False] * len(headers)
    cells, need = (rows if isinstance(rows, _Ems) else _Ems.of(headers, rows)).floors(cm)
    total = sum(need)
    if total <= TEXT_WIDTH_CM:
        return [TEXT_WIDTH_CM * n / total for n in need]
    floor = [min(n, max(c, 1.0)) for n, c in zip(need, cells, strict=True)]
    if sum(floor) <= TEXT_WIDTH_CM:  # headers wrap onto more lines, cells stay on one
        spare = TEXT_WIDTH_CM - sum(floor)
        extra = [n - f for n, f in zip(need, floor, strict=True)]
        k = spare / sum(extra) if sum(extra) else 0
        return [f + e * k for f, e in zip(floor, extra, strict=True)]
    fixed = sum(f for f, num in zip(floor, numeric, strict=True) if num)
    text = [min(f, 14.0) for f, num in zip(floor, numeric, strict=True) if not num]
    room = TEXT_WIDTH_CM - fixed
    if text and room >= 1.0 * len(text):  # numbers on one line; the text columns share the rest, ≥ 1 cm each
        share = iter(_shares(text, room, 1.0, 4 * cm + CELL_PAD_CM))
        return [f if num else next(share) for f, num in zip(floor, numeric, strict=True)]
    return [TEXT_WIDTH_CM * min(n, 14.0) / sum(min(x, 14.0) for x in need) for n in need]


def _shares(wants: list[float], room: float, least: float, four: float) -> list[float]:
    """Split ``room`` among text columns: each first gets what it wants up to four characters a line (so a name
    like 简易程序适用率 wraps onto two lines, not four of two), none below ``least``; what is left goes in
    proportion to what they want beyond that. When even that does not fit, in proportion, none below ``least``."""
    base = [max(least, min(w, four)) for w in wants]  # four: four characters a line
    if sum(base) <= room:
        extra = [max(w - b, 0.0) for w, b in zip(wants, base, strict=True)]
        k = (room - sum(base)) / sum(extra) if sum(extra) else 0.0
        return [b + e * k for b, e in zip(base, extra, strict=True)]
    out = [0.0] * len(wants)
    left = list(range(len(wants)))
    while left:
        k = room / sum(wants[i] for i in left)
        small = [i for i in left if wants[i] * k < least]
        if not small:
            for i in left:
                out[i] = wants[i] * k
            break
        for i in small:
            out[i] = least
            room -= least
            left.remove(i)
    return out


def _header_lines(head: str, width_cm: float, cm: float = CM_PER_EM) -> str:
    """A header too wide for its column: its unit on a line of its own ("旧存" / "（件）", never "（件" / "）"), its
    name in lines of even length ("法定审限" / "内结案率", not "法定审限内结案" / "率")."""
    room = (width_cm - CELL_PAD_CM) / cm  # ems a line
    if _em(head) <= room:
        return head
    name, sep, unit = head.partition("（")
    lines = _even_lines(name, room) if name else []
    return "\n".join(lines + ([f"（{unit}"] if sep else []))


def _even_lines(text: str, room: float) -> list[str]:
    """``text`` in as few lines of ``room`` ems as it needs, of about even length, never breaking a number."""
    n = math.ceil(_em(text) / room - 1e-9)
    if n <= 1:
        return [text]
    target = min(room, _em(text) / n + 0.5)
    out, cur = [], ""
    for ch in text:
        inside_number = cur and cur[-1].isascii() and cur[-1].isalnum() and ch.isascii() and ch.isalnum()
        if cur and len(out) < n - 1 and _em(cur + ch) > target and not inside_number:
            out.append(cur)
            cur = ""
        cur += ch
    return [*out, cur]


def _caption(text: str) -> str:
    """A caption longer than a 四号 line breaks before its last "（…）" (表40  员额法官审判质效统计表 /
    （石家庄市桥西区人民法院民事审判一庭）), not with "庭）" alone on the second line."""
    if _em(text) <= CAPTION_LINE_EM or "（" not in text:
        return text
    head, _, tail = text.rpartition("（")
    return f"{head}\n（{tail}" if head.strip() and _em(tail) + 1 <= CAPTION_LINE_EM else text


def _narrow_cell_margins(tbl, twips: int = 40) -> None:
    """Left/right cell padding of 2 pt (Word's default is 5.4 pt) so wide statistical tables fit."""
    tbl_pr = tbl._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    look = tbl_pr.find(qn("w:tblLook"))  # schema order: … tblLayout, tblCellMar, tblLook
    if look is not None:
        look.addprevious(mar)
    else:
        tbl_pr.append(mar)


def _row_flag(row, tag: str) -> None:
    """w:cantSplit / w:tblHeader in w:trPr's schema order (cantSplit before tblHeader)."""
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    if tag == "w:cantSplit":
        header = trpr.find(qn("w:tblHeader"))
        if header is not None:
            header.addprevious(el)
            return
    trpr.append(el)


def _repeat_header(row) -> None:
    _row_flag(row, "w:tblHeader")


def _keep_rows(rows) -> None:
    """A short table stays on one page; a long one keeps its header with two rows and its
    last two rows together (keep-with-next on every paragraph of a row ties it to the next row)."""
    rows = list(rows)  # every row carries w:cantSplit already (the header and the body rows' prototype)
    n = len(rows)
    tie = range(n - 1) if n <= KEEP_WHOLE_ROWS + 1 else [0, 1, n - 2]
    for i in tie:
        for p in rows[i]._tr.iter(qn("w:p")):  # the row's XML: python-docx's .cells lays out the whole grid
            p.get_or_add_pPr().keepNext_val = True


def _title_lines(title: str, court_name: str) -> list[str]:
    """The title's lines, each breaking where the words do (GB/T 9704 §7.3.1: 回行时词意完整，排列对称):
    the court on its own line, the period with it when the rest would not fit one 二号 line
    ("正定县人民法院2026年1—11月" / "审判执行质效数据会商报告", not a lone "告" on a third line)."""
    head, sep, rest = title.partition(court_name)
    if not sep or head:
        court_name, rest = "", title
    if _em(rest) <= TITLE_LINE_EM:
        return [x for x in (court_name, rest) if x]
    m = re.match(r"^((?:（[^）]*）)?[0-9年月日至—]+)(.+)$", rest)  # the period, after a "（全市）"
    if not m:
        return [x for x in (court_name, rest) if x]
    period, words = m.groups()
    if court_name and _em(court_name + period) <= TITLE_LINE_EM:
        return [court_name + period, words]
    return [x for x in (court_name, period, words) if x]


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _change(value, digits: int, word: str = "") -> str:
    """+1.25 / −1.25 (the document's one minus sign, narrative.MINUS) in the change's unit; 持平 for zero."""
    text = narrative.signed(value, digits, word)
    return ZERO_CHANGE if text == f"+{0:.{digits}f}{word}" else text


def cell_text(value, kind: str) -> str:
    """The one place table cells are formatted (the .xlsx keeps raw numbers with number formats).

    The unit rule is model.HEADER_UNITS: a count or days column carries 件/天 in its header (model.header_text)
    and bare numbers here; a mixed column's cell carries its own unit (model.VALUE_KINDS)."""
    if kind == "text" or kind == "flag":
        return "" if value is None else str(value)
    if kind == "yoy_pp":
        return _change(value, 2, "个百分点")
    if kind == "yoy_pct":
        return _change(value, 2, "%")
    if kind == "signed":
        return _change(value, 2)
    if kind in DELTA_KINDS:
        word, digits = DELTA_KINDS[kind]
        return _change(value, digits, word)
    if kind in VALUE_KINDS:
        word, digits = VALUE_KINDS[kind]
        text = narrative.fmt_decimal(value, digits)
        return text if text == "—" else text + word
    if kind == "days":
        return narrative.fmt_decimal(value)
    return narrative.fmt_value(value, kind)


def write_docx(briefing: Briefing, path: Path, fonts: FontSet | None = None) -> Path:
    doc = DocxBuilder(fonts).build(briefing)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


