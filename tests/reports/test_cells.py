"""Table cells as a 审管办 writes them (issue 17 §1): the unit of a one-unit column in its header ("新收（件）"),
the unit of a mixed column in each cell ("47.50天", "1件"), a zero change as 持平 (never "+0.00"), counts without
decimals, one minus sign (U+2212) in the .docx and in the .xlsx number formats; numbers never broken across lines.

The figures are the conftest store's (正定 2026年1—2月 against 2025年1—2月), worked out by hand:
刑事 2026: 新收 2 (cases 14, 15), 结案 1 (14), 结案率 1/2; 2025: 新收 1 (4), 结案 1 (4), 结案率 100% —
so 结案同比 (1 − 1)/1 = 0 (持平) and 结案率同比 50% − 100% = −50.00 个百分点.
平均审理天数 2026: cases 6, 9, 10, 11, 14, 16 took 80 + 57 + 27 + 39 + 28 + 54 = 285 days / 6 = 47.50;
2025: cases 1, 3, 4 took 36 + 22 + 41 = 99 / 3 = 33.00; change +14.50天 (+43.94%); with 长安 (case 18, 22 days)
the 全市基层法院平均 is (285 + 22) / 7 = 43.86.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt

from zhixiao.reports.docx_builder import (
    MAX_PICTURE_CM,
    DocxBuilder,
    _caption,
    _column_widths,
    _header_lines,
    _title_lines,
    cell_text,
)
from zhixiao.reports.model import Column, Table, cell_kind, header_text
from zhixiao.reports.narrative import MINUS
from zhixiao.reports.xlsx_builder import NUM_FORMATS, xlsx_value

CASELOAD_HEADER = ["条线", "旧存（件）", "新收（件）", "新收同比（%）", "受理（件）", "结案（件）", "结案同比（%）",
                   "未结（件）", "结案率", "结案率同比（百分点）", "结收比"]


def _table(doc, first_header: str, title_cells: int = 0):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header
                and (not title_cells or len(t.rows[0].cells) == title_cells))


def _header(table) -> list[str]:
    """The header row's texts; a header broken in a narrow column breaks before its unit ("旧存" / "（件）")."""
    out = []
    for c in table.rows[0].cells:
        lines = c.text.split("\n")
        text = "".join(lines)
        assert len(lines) == 1 or "（" not in text or lines[-1] == text[text.index("（"):], c.text
        out.append(text)
    return out


def _rows(table) -> dict[str, list[str]]:
    return {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}


def test_header_carries_the_unit_of_a_one_unit_column():
    assert header_text(Column("new_cases", "新收", "count")) == "新收（件）"
    assert header_text(Column("x", "首次执行案件结案平均用时", "days")) == "首次执行案件结案平均用时（天）"
    # the name says the unit already, or the header has its own parenthesis
    assert header_text(Column("x", "超12个月未结案件数", "count")) == "超12个月未结案件数"
    assert header_text(Column("x", "平均审理天数", "days")) == "平均审理天数"
    assert header_text(Column("age_days", "案龄（天）", "count")) == "案龄（天）"
    assert header_text(Column("new_cases_yoy", "新收同比（%）", "yoy", bare=True)) == "新收同比（%）"
    # rates, mixed columns and text carry no header unit; a column counting courts names its own
    assert [header_text(Column("k", "结案率", "rate")), header_text(Column("k", "数值", "value")),
            header_text(Column("k", "部门"))] == ["结案率", "数值", "部门"]
    assert header_text(Column("set", "设定目标法院", "count", unit="家")) == "设定目标法院（家）"
    assert header_text(Column("per_workday", "每工作日需结", "ratio", unit="件")) == "每工作日需结（件）"
    assert header_text(Column("n", "工单", "count", unit="")) == "工单"


def test_mixed_column_cells_carry_their_unit():
    value = Column("value", "数值", "value")
    cases = {"unit": "count"}
    assert cell_text(81, cell_kind(value, cases)) == "81件"
    assert cell_text(73.0612, cell_kind(value, {"unit": "days"})) == "73.06天"
    assert cell_text(195.2, cell_kind(value, {"unit": "ratio", "measure": "件"})) == "195.20件"  # 人均结案数
    assert cell_text(1.1, cell_kind(value, {"unit": "ratio"})) == "1.10"  # 案-件比: no unit
    assert cell_text(0.8098, cell_kind(value, {"unit": "rate"})) == "80.98%"
    assert cell_text(None, cell_kind(value, cases)) == "—"
    # a one-unit column: bare numbers, its unit is in the header
    assert cell_text(10001, cell_kind(Column("new_cases", "新收", "count"), {})) == "10001"
    assert cell_text(41.51, cell_kind(Column("avg_days", "平均审理天数", "days"), {})) == "41.51"


def test_a_zero_change_reads_chiping_and_a_count_change_has_no_decimals():
    delta = Column("change", "同比增减", "delta")
    assert cell_text(0.0, cell_kind(delta, {"unit": "rate"})) == "持平"
    assert cell_text(0.004, cell_kind(delta, {"unit": "rate"})) == "持平"  # rounds to 0.00 个百分点
    assert cell_text(-0.004, cell_kind(delta, {"unit": "days"})) == "持平"
    assert cell_text(0, cell_kind(delta, {"unit": "count"})) == "持平"
    assert cell_text(-6, cell_kind(delta, {"unit": "count"})) == f"{MINUS}6件"
    assert cell_text(11.0, cell_kind(delta, {"unit": "count"})) == "+11件"
    assert cell_text(-0.24, cell_kind(delta, {"unit": "rate"})) == f"{MINUS}0.24个百分点"
    bare = Column("closure_rate_yoy", "结案率同比（百分点）", "yoy", bare=True)
    assert cell_text(0.0, cell_kind(bare, {})) == "持平" and cell_text(-9.57, cell_kind(bare, {})) == "−9.57"
    assert cell_text(None, cell_kind(bare, {})) == "—"


def test_xlsx_formats_say_the_same():
    """Excel shows what the .docx prints: its own "-" would be a second minus sign, "+0.00" a zero change."""
    for kind in ("yoy_pp", "yoy_pct", "signed", "delta_count", "delta_days"):
        positive, negative, zero = NUM_FORMATS[kind].split(";")
        assert positive.startswith("+") and negative.startswith(f'"{MINUS}"') and zero == '"持平"', kind
        assert "-" not in NUM_FORMATS[kind]
    assert NUM_FORMATS["delta_count"].split(";")[0] == '+0"件"'  # counts: no decimals
    assert NUM_FORMATS["count_in"] == '0"件"' and NUM_FORMATS["days_in"] == '0.00"天"'
    # a change is stored as shown: 0.004 个百分点 is the 0 the format calls 持平, never −0.0
    assert xlsx_value(0.004, "yoy_pp") == 0.0 and str(xlsx_value(-0.001, "delta_days")) == "0.0"
    assert xlsx_value(-7.142857, "signed") == -7.14
    assert xlsx_value(0.42857142857, "rate") == 0.42857142857  # a value stays raw


def test_docx_cells_read_back(files):
    doc = Document(str(files.docx))
    title, subtitle = (p.text for p in doc.paragraphs[1:3])
    assert title == "正定县人民法院2026年1—2月\n审判执行质效数据会商报告"  # 18.8 em: over a bold 二号 line
    assert subtitle == "（统计期间：2026年1月1日至2026年2月28日；\n对比：上年同期；指标口径：传统审判执行质效指标）"
    caseload = _table(doc, "条线")
    assert _header(caseload) == CASELOAD_HEADER
    rows = _rows(caseload)
    # 合计: 结案率 50% both years → 持平, not "+0.00"
    assert rows["合计"] == ["合计", "4", "8", "+60.00", "12", "6", "+100.00", "6", "50.00%", "持平", "75.00%"]
    assert rows["刑事"] == ["刑事", "0", "2", "+100.00", "2", "1", "持平", "1", "50.00%", f"{MINUS}50.00", "50.00%"]
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "条线" and "平均审理天数" in _rows(t))
    assert _header(table) == ["指标", "条线", "数值", "合理区间", "是否达标", "全市基层法院平均",
                                                   "上年同期", "同比增减", "同比（%）", "同比趋势"]
    eff = _rows(table)
    assert eff["平均审理天数"] == ["平均审理天数", "综合", "47.50天", "—", "—", "43.86天", "33.00天", "+14.50天",
                                 "+43.94%", "趋劣"]
    # a count: 1 case filed 2024-10-01 pending (case 8) against none a year earlier; no % on a base of 0
    # annual ranges over a two-month period: said once in the table's note, not in every 合理区间 cell
    assert eff["超12个月未结案件数"][2:9] == ["1件", "应为0件", "—", "1件", "0件", "+1件", "—"]
    assert eff["结案率"][2:] == ["50.00%", "93.00%～100.00%", "—", "50.00%", "50.00%", "持平", "—", "持平"]
    assert "（年度区间，仅供参考）" not in "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    notes = [p.text for p in doc.paragraphs if "年度区间" in p.text and "不据以判断是否达标" in p.text]
    assert "合理区间为年度区间，仅供参考（本期不足一年），不据以判断是否达标。" in notes
    assert eff["人均结案数"][2] == "1.50件"  # 6 closed / 4 员额法官
    long_pending = _table(doc, "承办部门")
    assert _header(long_pending)[:2] == ["承办部门", "未结（件）"]
    text = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "+0.00" not in text and "-" not in text.replace("—", "")  # one minus sign, no "+0.00"


def test_xlsx_cells_read_back(files):
    wb = openpyxl.load_workbook(files.xlsx)
    ws = wb["收结存情况"]
    assert [c.value for c in ws[2]][:11] == CASELOAD_HEADER
    total, criminal = ws[3], ws[4]
    assert (total[0].value, total[9].value) == ("合计", 0) and total[9].number_format.endswith('"持平"')
    assert (criminal[0].value, criminal[6].value, criminal[9].value) == ("刑事", 0, -50)
    assert criminal[9].number_format == f'+0.00;"{MINUS}"0.00;"持平"'
    eff = wb["效率指标"]
    row = next(r for r in eff.iter_rows(min_row=3) if r[0].value == "平均审理天数")
    assert [row[2].value, row[6].value, row[7].value, row[8].value] == [47.5, 33, 14.5, 43.94]
    assert row[2].number_format == '0.00"天"' and row[7].number_format == f'+0.00"天";"{MINUS}"0.00"天";"持平"'
    count = next(r for r in eff.iter_rows(min_row=3) if r[0].value == "超12个月未结案件数")
    assert (count[2].value, count[2].number_format, count[7].number_format) == (1, '0"件"', f'+0"件";"{MINUS}"0"件";"持平"')


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="LibreOffice")
def test_pdf_numbers_stay_on_one_line(files):
    """Each row of the 收结存 table is one line of the PDF with every cell whole: "+100.00", not "+100.0" above
    "0" (LibreOffice laid the table out by its equal w:gridCol, not by the cells' widths)."""
    text = subprocess.run(["pdftotext", "-layout", str(files.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    table = text[text.index("表 1"):text.index("表 2")]
    caseload = _table(Document(str(files.docx)), "条线")
    cells = [[c.text for c in r.cells] for r in caseload.rows[1:]]
    assert ["执行", "1", "2", "+100.00", "3", "2", "—", "1", "66.67%", "+66.67", "100.00%"] in cells
    for row in cells:
        line = next(ln for ln in table.splitlines() if ln.split()[:1] == [row[0]])
        assert line.split() == row, line


def test_numbers_keep_their_width_when_the_table_is_too_wide():
    headers = ["指标", "数值", "合理区间", "同比增减", "同比（%）"]
    rows = [["简易程序适用率", "70.78%", "90.00%～100.00%（年度区间，仅供参考）", "+0.29个百分点", "+39.29%"]] * 3
    rows += [["一项名称相当长的质效指标" * 3, "100.00%", "很长的说明文字" * 6, "−1.66天", "—"]]
    widths = _column_widths(headers, rows, [False, True, False, True, True])
    assert sum(widths) == pytest.approx(15.6)
    # the number columns get their one-line width (a digit 0.64 em, "." 0.35, "%" 1, "+" 0.85, a CJK character
    # 1; 0.32 cm an em, + 0.25 cm of padding); the text columns wrap, none narrower than four characters
    assert widths[1] == pytest.approx((5 * 0.64 + 0.35 + 1) * 0.32 + 0.25)  # "100.00%"
    assert widths[3] == pytest.approx((0.85 + 3 * 0.64 + 0.35 + 4) * 0.32 + 0.25)  # "+0.29个百分点"
    assert widths[0] >= 4 * 0.32 + 0.25 and widths[2] >= 4 * 0.32 + 0.25


def test_title_breaks_between_words():
    assert _title_lines("正定县人民法院2026年1—11月审判执行质效数据会商报告", "正定县人民法院") == [
        "正定县人民法院2026年1—11月", "审判执行质效数据会商报告"]
    assert _title_lines("正定县人民法院2026年数据会商报告", "正定县人民法院") == ["正定县人民法院", "2026年数据会商报告"]
    # the city's: "（全市）" stays with the period (it was "…质效数" / "据会商报告")
    assert _title_lines("河北省石家庄市中级人民法院（全市）2026年1—11月审判执行质效数据会商报告",
                        "河北省石家庄市中级人民法院") == ["河北省石家庄市中级人民法院", "（全市）2026年1—11月",
                                                     "审判执行质效数据会商报告"]


def test_a_narrow_header_breaks_before_its_unit_and_evenly():
    assert _header_lines("旧存（件）", 1.0) == "旧存\n（件）"
    assert _header_lines("旧存（件）", 2.0) == "旧存（件）"  # 5 em at 0.32 cm + 0.25 cm fits
    # 8 characters in a column of 6 a line: 4 + 4, not 6 + "率" alone; a number is never broken
    assert _header_lines("法定审限内结案率", 6 * 0.32 + 0.25) == "法定审限\n内结案率"
    assert _header_lines("超12个月未结案件数", 6 * 0.32 + 0.25) == "超12个月\n未结案件数"
    assert _header_lines("结案率同比（百分点）", 5 * 0.32 + 0.25) == "结案率同比\n（百分点）"
    assert _header_lines("结案率同比（百分点）", 4 * 0.32 + 0.25) == "结案率\n同比\n（百分点）"


def test_a_long_caption_breaks_before_its_parenthesis():
    assert _caption("表40  员额法官审判质效统计表（石家庄市桥西区人民法院民事审判一庭）") == (
        "表40  员额法官审判质效统计表\n（石家庄市桥西区人民法院民事审判一庭）")
    assert _caption("表3  收结存情况（按法院）") == "表3  收结存情况（按法院）"


def _png(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_a_tall_chart_leaves_room_for_its_caption():
    """The 短板 panels (one per 短板 indicator) drawn 15 cm wide were taller than the page: cut off, with the
    caption alone on the next page. Scaled to the page less a caption line, and kept with the caption."""
    b = DocxBuilder()
    p = b.picture(_png(100, 300), 15.0)  # 15 cm wide would be 45 cm tall
    shape = b.doc.inline_shapes[0]
    assert shape.height <= Cm(MAX_PICTURE_CM) + 1 and shape.width == pytest.approx(Cm(MAX_PICTURE_CM / 3), abs=2)
    assert p.paragraph_format.keep_with_next
    b.picture(_png(300, 100), 15.0)
    assert b.doc.inline_shapes[1].width == Cm(15.0)


def test_a_table_too_wide_for_its_numbers_is_set_in_liuhao():
    """收结存 by court of the city: 11 number columns do not fit one line each at 小五 (9 pt) beside the court's
    name; the table is set in 六号 (7.5 pt) with its number columns one line wide, not squeezed to "+100.0" / "0"."""
    keys = ["旧存", "新收", "新收同比（%）", "受理", "结案", "结案同比（%）", "未结", "结案率", "结案率同比（百分点）",
            "结收比", "超12个月未结"]
    cols = [Column("court", "法院")] + [Column(k, k, "yoy" if "同比" in k else "rate" if "率" in k or "比" == k[-1]
                                               else "count", bare="同比" in k) for k in keys]
    row = {"court": "石家庄市长安区人民法院", **{k: 16043 for k in keys if "同比" not in k and "率" not in k},
           "新收同比（%）": -10.05, "结案同比（%）": 100.0, "结案率同比（百分点）": -0.13, "结案率": 0.8101, "结收比": 1.0114}
    b = DocxBuilder()
    b.table(Table("收结存情况（按法院）", cols, [row] * 8))
    t = b.doc.tables[0]
    sizes = {r.font.size for c in t.rows[1].cells for p in c.paragraphs for r in p.runs}
    assert sizes == {Pt(7.5)} and {r.font.size for p in t.rows[0].cells[1].paragraphs for r in p.runs} == {Pt(7.5)}
    grid = [Emu(int(g.get(qn("w:w"))) * 635).cm for g in t._tbl.tblGrid.iterchildren(qn("w:gridCol"))]
    assert sum(grid) == pytest.approx(15.6, abs=0.01)
    em = 0.32 * 7.5 / 9
    assert grid[3] >= (0.85 + 4 * 0.64 + 0.35) * em + 0.25 - 0.01  # "−10.05" on one line
    assert grid[1] >= 3 * em + 0.25 - 0.01  # "（件）" on one line under 旧存
    assert [c.text for c in t.rows[1].cells][1:4] == ["16043", "16043", f"{MINUS}10.05"]
    # a table that fits keeps the cell style's 小五
    b.table(Table("小表", cols[:4], [row]))
    assert {r.font.size for c in b.doc.tables[1].rows[1].cells for p in c.paragraphs for r in p.runs} == {None}
