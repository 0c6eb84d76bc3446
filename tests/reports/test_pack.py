"""The 会商 pack read back (issue 17): .docx, .xlsx and .pptx numbers equal fresh evaluator results; the PDF has
no blank page and no table row broken across pages; GB/T 9704 fonts with east-Asian attributes; no command
name or profile id in any document; every slide renders to a non-empty PNG."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from lxml import etree
from PIL import Image
from pptx import Presentation

from tests.reports.pdfpages import blank_pages, broken_rows
from zhixiao.metrics.catalogue import load_profile, profiles
from zhixiao.metrics.evaluate import evaluate
from zhixiao.reports import figures as fg
from zhixiao.reports.docx_builder import write_docx
from zhixiao.reports.model import Briefing, Column, Section, Table
from zhixiao.reports.pdf import docx_to_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
GB9704 = {"方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"}
OFFICE = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None
needs_office = pytest.mark.skipif(not OFFICE, reason="需要 LibreOffice 与 poppler-utils（scripts/setup.sh 安装）")


def _pptx_charts(path: Path) -> list[tuple[str, list[str], dict[str, list[float]]]]:
    """(slide title, categories, {series: values}) for every chart of the deck."""
    out = []
    for slide in Presentation(str(path)).slides:
        title = next(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        for shape in slide.shapes:
            if shape.has_chart:
                plot = shape.chart.plots[0]
                out.append((title, list(plot.categories), {s.name: list(s.values) for s in plot.series}))
    return out


def test_pptx_numbers_equal_the_evaluator(files, engine, period):
    assert files.pptx and files.pptx.is_file()
    charts = _pptx_charts(files.pptx)
    res = evaluate(engine, "court-classic", *period, compare="yoy", filters={"court_code": "冀0123"})
    # 总体态势, by hand (conftest): 新收 8, 结案 6, 未结 6; a year earlier 5, 3, 3
    title, cats, series = charts[0]  # flows and the stock on charts of their own
    assert cats == ["新收", "结案"]
    assert series == {"本期": [8.0, 6.0], "上年同期": [5.0, 3.0]}
    assert charts[1][1:] == (["期末未结"], {"本期": [6.0], "上年同期": [3.0]})
    assert [res.get(k).value for k in ("new_cases", "closed", "pending")] == [8, 6, 6]
    assert title.startswith("结案率50.00%")  # 6 ÷ 12, the slide's message is its title
    # 收结存 by 条线 equals the evaluator by line
    by_line = evaluate(engine, "court-classic", *period, by=("line",), filters={"court_code": "冀0123"},
                       indicators=["new_cases", "closed", "pending"], compare=None)
    title, cats, series = next(c for c in charts if c[2].keys() == {"新收", "结案"})
    series = series | next(c[2] for c in charts if c[0] == title and c[2].keys() == {"未结"})
    for i, line in enumerate(cats):
        for key, name in (("new_cases", "新收"), ("closed", "结案"), ("pending", "未结")):
            assert series[name][i] == by_line.get(key, line=line).value, (line, key)
    assert cats == ["刑事", "民事", "执行"]  # 行政 has no case in the small store
    # 核心指标: every rate the deck shows is the evaluator's
    panels = [c for c in charts if c[1][:1] == ["本院"]]  # one panel per rate, 本院 first
    assert panels
    names = {r.name: r.value for r in res.rows}
    for _title, _cats, series in panels:
        ((name, values),) = series.items()
        assert values[0] == pytest.approx(names[name], abs=1e-12), name


def test_every_docx_and_xlsx_number_is_the_evaluators(files, engine, period):
    """Each indicator row of every table, in both documents, against a fresh evaluation."""
    b = files.briefing
    res = evaluate(engine, "court-classic", *period, compare="yoy", filters={"court_code": "冀0123"})
    rows = [r for t in b.all_tables() for r in t.rows if "indicator" in r]
    assert len(rows) >= 10
    for r in rows:
        assert r["value"] == res.get(r["indicator"]).value
        assert r["previous"] == res.get(r["indicator"]).previous
    wb = openpyxl.load_workbook(files.xlsx)
    seen = enforcement = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            name = row[0]
            hit = [r for r in res.rows if r.name == name and r.value is not None and isinstance(row[2], float | int)]
            if hit and row[1] in ("综合", "执行"):  # the 执行 section's table carries its indicators' line
                assert row[2] == pytest.approx(hit[0].value, rel=1e-14), name
                seen += 1
                enforcement += row[1] == "执行"
    assert seen >= 5
    assert enforcement >= 5  # 执行完毕率, 首执平均用时, 首执终本率, 终本合格率, 实际执结率 … (conftest has 执行 cases)


def test_attribution_top_in_docx_full_table_in_xlsx(files):
    b = files.briefing
    weak = next(s for s in b.sections if s.key == "weak")
    full = [t for t in weak.tables if t.where == "xlsx"]
    top = [t for t in weak.tables if t.where == "both"]
    if not b.figures["weak"]["indicators"]:
        pytest.skip("小样本中没有短板")
    assert len(full) == 1 and len(top) == 1
    per = {}
    for r in top[0].rows:
        per[(r["indicator_name"], r["kind"])] = per.get((r["indicator_name"], r["kind"]), 0) + 1
    assert max(per.values()) <= 3
    wb = openpyxl.load_workbook(files.xlsx)
    titles = [c.value for ws in wb.worksheets for c in ws["A"] if isinstance(c.value, str)]
    assert full[0].title in titles and top[0].title in titles
    assert full[0].title not in [p.text for p in Document(str(files.docx)).paragraphs]


def test_docx_names_gbt9704_fonts_with_east_asian_attributes(files):
    with zipfile.ZipFile(files.docx) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        doc = etree.fromstring(z.read("word/document.xml"))
    by_style = {}
    for st in styles.iter(f"{W}style"):
        name = st.find(f"{W}name")
        fonts = st.find(f"{W}rPr/{W}rFonts")
        if name is not None and fonts is not None:
            by_style[name.get(f"{W}val")] = fonts.get(f"{W}eastAsia")
    assert by_style["ZX 标题"] == "方正小标宋简体"
    assert by_style["ZX 一级标题"] == "黑体" and by_style["ZX 二级标题"] == "楷体_GB2312"
    assert by_style["ZX 正文"] == "仿宋_GB2312"
    used = {r.get(f"{W}eastAsia") for r in doc.iter(f"{W}rFonts")}
    assert used <= GB9704 and {"方正小标宋简体", "仿宋_GB2312", "黑体"} <= used
    assert not [f for f in used if "Noto" in f]
    text = [p.text for p in Document(str(files.docx)).paragraphs]
    assert text[0] == "内部资料"  # GB/T 9704 §7.2.2 position
    assert "正定县人民法院审判管理办公室" in text  # 发文机关署名
    assert any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", t) for t in text)  # 成文日期


def _document_texts(files) -> dict[str, str]:
    docx = Document(str(files.docx))
    parts = [p.text for p in docx.paragraphs] + [c.text for t in docx.tables for r in t.rows for c in r.cells]
    wb = openpyxl.load_workbook(files.xlsx)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
             if isinstance(v, str)] + wb.sheetnames
    deck = Presentation(str(files.pptx))
    slides = [s.text_frame.text for sl in deck.slides for s in sl.shapes if s.has_text_frame]
    slides += [str(c) for sl in deck.slides for s in sl.shapes if s.has_chart for c in s.chart.plots[0].categories]
    return {"docx": "\n".join(parts), "xlsx": "\n".join(cells), "pptx": "\n".join(slides)}


def test_no_command_name_or_profile_id_in_any_document(files, small_store):
    ids = set(profiles(small_store))
    ids |= {i.id for p in ids for i in load_profile(p, date(2026, 2, 28), data_dir=small_store)}
    assert {"court-classic", "closure_rate"} <= ids
    for kind, text in _document_texts(files).items():
        assert "zhixiao" not in text.lower(), kind
        assert not re.search(r"(^|\s)--[a-z]", text), kind
        found = sorted(i for i in ids if re.search(rf"(?<![A-Za-z_]){re.escape(i)}(?![A-Za-z_])", text))
        assert not found, (kind, found)
        assert "as_of" not in text, kind


def test_annex_judges_add_up_to_their_division(files, engine, period):
    """民事审判一庭: 张明 (cases 6, 10, 11) and 李华 (7, 8, 12, 13); 结案 6/10/11 = 3, 未结 7/8/12/13 = 4."""
    civil = next(t for t in files.briefing.annex if t.title.endswith("（民事审判一庭）"))
    total = civil.rows[-1]
    assert total["judge_name"] == "部门合计" and total["closed"] == 3 and total["pending"] == 4
    judges = [r for r in civil.rows if "judge_id" in r]
    assert sum(r["closed"] for r in judges) == 3 and sum(r["pending"] for r in judges) == 4


def test_proposal_figure_by_hand():
    """结案率 42.10% = 1351 ÷ 3209; to reach 43.60%: ceil(0.436 × 3209 − 1351) = ceil(48.124) = 49 more closings
    by the end of March (the 会商 after a January–February report)."""
    n = fg.need("closure_rate", "rate", "higher", 1351 / 3209, 1351, 3209, 0.436, "全市基层法院平均",
                date(2026, 2, 28))
    assert (n.amount, n.unit_word, n.by) == (49, "件", date(2026, 3, 31))
    # a count to clear: 75 pending over 12 months against last year's 56 → 19
    assert fg.need("long_pending_12m", "count", "lower", 75, 75, None, 56, "上年同期", date(2026, 2, 28)).amount == 19
    # 平均审理天数 75.52 against 70.57: 4.95 天
    assert fg.need("avg_days", "days", "lower", 75.52, None, None, 70.57, "", date(2025, 12, 31)).amount == 4.95
    assert fg.next_meeting(date(2025, 12, 31)) == date(2026, 1, 31)
    # already at the reference: nothing to ask
    assert fg.need("closure_rate", "rate", "higher", 0.5, 6, 12, 0.5, "", date(2026, 2, 28)) is None


@needs_office
def test_pdf_has_no_blank_page_and_no_broken_row(files):
    assert files.pdf and files.pdf.is_file()
    assert blank_pages(files.pdf) == []
    assert broken_rows(files.docx, files.pdf) == []


def _long_table_briefing() -> Briefing:
    rows = [{"a": f"第{i}行", "b": "甲乙丙丁戊己庚辛" * (1 + i % 4), "c": i} for i in range(90)]
    t = Table("长表", [Column("a", "序号"), Column("b", "说明"), Column("c", "件数", "count")], rows)
    sec = Section("s", "长表测试", paragraphs=["正文。" * 40], tables=[t])
    return Briefing("冀0123", "正定县人民法院", "court", date(2026, 1, 1), date(2026, 2, 28), None, "court-classic",
                    "正定县人民法院长表测试", "全院", sections=[sec], profile_name="传统审判执行质效指标")


@needs_office
def test_rows_never_split_over_a_page_and_the_check_can_fail(tmp_path):
    """A 90-row table spanning pages: our rows (w:cantSplit) stay whole; the same table with the rows
    allowed to split and tall cells is caught by the checker — so the check above can fail."""
    docx = write_docx(_long_table_briefing(), tmp_path / "long.docx")
    pdf = docx_to_pdf(docx)
    assert len(re.findall(r"\f", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                                check=True).stdout)) >= 3
    assert broken_rows(docx, pdf) == [] and blank_pages(pdf) == []
    doc = Document(str(docx))
    for tr in doc.element.body.iter(f"{W}tr"):
        pr = tr.find(f"{W}trPr")
        if pr is not None:
            for el in pr.findall(f"{W}cantSplit"):
                pr.remove(el)
    for i, row in enumerate(doc.tables[0].rows[1:]):  # several lines per row, each cell's text its own
        row.cells[1].paragraphs[0].runs[0].text = f"第{i}行" + "很长的说明文字" * 30 + f"止于{i}"
    bad_docx = tmp_path / "split.docx"
    doc.save(str(bad_docx))
    assert broken_rows(bad_docx, docx_to_pdf(bad_docx))


@needs_office
def test_every_slide_renders_to_a_non_empty_png(files, tmp_path):
    n = len(Presentation(str(files.pptx)).slides)
    assert n >= 8
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(files.pptx)], capture_output=True, check=True, timeout=180)
    pdf = tmp_path / (files.pptx.stem + ".pdf")
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "slide")], check=True)
    pngs = sorted(tmp_path.glob("slide*.png"))
    assert len(pngs) == n
    for png in pngs:
        img = Image.open(png).convert("L")
        ink = sum(1 for px in img.getdata() if px < 200)
        assert ink > 0.01 * img.width * img.height, png.name  # a title and a chart or text, not a white page
    keep = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports" / "slides"
    keep.mkdir(parents=True, exist_ok=True)
    for png in pngs:
        shutil.copy(png, keep / png.name)


def test_month_on_month_for_a_year_to_date_report(files):
    """环比 against the year to 31 January (conftest by hand): 旧存 4 (6, 7, 8, 9) + 1月新收 5 (10, 11, 12, 14, 16)
    = 受理 9, 结案 1 (case 6 on 01-20): 结案率 1/9 = 11.11% → 6/12 = 50.00%, +38.89 个百分点; 结收比 1/5 = 20% →
    6/8 = 75%, +55.00; 未结 9 − 1 = 8 → 6, 2 fewer."""
    assert files.briefing.figures["month_on_month"]["pending"] == 8
    assert ("与截至1月底的累计数相比（环比），结案率上升38.89个百分点，结收比上升55.00个百分点，未结减少2件。"
            in files.briefing.sections[0].paragraphs)
