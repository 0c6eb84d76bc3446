"""Files as court systems and users really produce them: legacy .xls, a title row above the header,
UTF-16 “Unicode 文本”, an .xlsx renamed to .csv, tab or semicolon separators, duplicate headers, empty and
header-only files, over-long 案号 sequences, corrupt workbooks, quoted cells with line breaks."""

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ingest._ingest_helpers import HEADER, SNAP, csv_bytes, good_row, write_csv
from zhixiao.cli import app
from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.ingest.importer import import_files, validate

ROWS = [good_row(1), good_row(2, closing="2025-03-01")]
EXPECTED = ["(2025)冀0123民初1号", "(2025)冀0123民初2号"]


def _one(path: Path, **kw):
    f = validate([path], snapshot_date=SNAP, **kw).files[0]
    assert f.accepted + f.rejected == f.rows_read
    return f


def test_xls_with_a_title_row(tmp_path):
    import xlwt  # the test extra: a missing writer fails this test rather than skipping it
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("案件")
    ws.write(0, 0, "正定县人民法院 2025年上半年案件明细")  # title row, then a blank row, then the header
    for c, h in enumerate(HEADER):
        ws.write(2, c, h)
    for r, row in enumerate(ROWS, start=3):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    p = tmp_path / "legacy.xls"
    wb.save(str(p))
    f = _one(p)
    assert (f.encoding, f.accepted, f.rejected) == ("xls", 2, 0)
    assert f.data.column("case_id").to_pylist() == EXPECTED


def test_xlsx_with_a_title_row_keeps_sheet_row_numbers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["案件明细（导出）"])
    ws.append(HEADER)
    ws.append(good_row(1))
    ws.append(good_row(2, amount="-3"))
    p = tmp_path / "titled.xlsx"
    wb.save(p)
    f = _one(p)
    # header on sheet row 2: the bad amount is on sheet row 4, as Excel shows it
    assert [(r.row, r.column, r.reason) for r in f.rejects] == [(4, "标的额", "金额为负数")]


def test_utf16_unicode_text_with_tabs(tmp_path):
    """Excel's “Unicode 文本”: UTF-16 with a BOM, tab-separated."""
    p = tmp_path / "unicode.txt"
    p.write_bytes("\r\n".join("\t".join(r) for r in [HEADER, *ROWS]).encode("utf-16"))
    f = _one(p)
    assert (f.encoding, f.accepted) == ("utf-16", 2)
    assert f.data.column("case_id").to_pylist() == EXPECTED


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated(tmp_path, sep):
    p = tmp_path / "a.csv"
    p.write_bytes("\n".join(sep.join(r) for r in [HEADER, *ROWS]).encode("gbk"))
    f = _one(p)
    assert f.accepted == 2 and f.data.column("judge_name").to_pylist() == ["张三", "张三"]


def test_xlsx_renamed_to_csv(tmp_path):
    from tests.ingest._ingest_helpers import write_xlsx

    p = write_xlsx(tmp_path / "book.xlsx", ROWS).rename(tmp_path / "renamed.csv")
    f = _one(tmp_path / "renamed.csv")
    assert (f.encoding, f.accepted) == ("xlsx", 2)
    assert not p.exists() or p.name == "renamed.csv"


def test_corrupt_xlsx_is_a_user_error(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(UserError, match="不是有效的 .xlsx 工作簿"):
        _one(p)


def test_duplicate_header_names_both_columns(tmp_path):
    p = write_csv(tmp_path / "dup.csv", [["(2025)冀0123民初1号", "2025-01-02", "张三", "李四"]],
                  header=["案号", "立案日期", "承办人", "承办人"])
    with pytest.raises(UserError, match="重复的列名“承办人”（第 3 列和第 4 列）"):
        _one(p)


def test_header_only_file_is_no_data_not_imported(tmp_path):
    p = write_csv(tmp_path / "header.csv", [])
    r = CliRunner().invoke(app, ["import", str(p), "--data-dir", str(tmp_path / "d"), "--snapshot-date", "2025-06-30"])
    assert r.exit_code == 0, r.output
    assert "无数据行" in r.output and "已导入 " not in r.output.replace("已导入过", "")


def test_over_long_case_number_sequence_is_a_row_reject(tmp_path):
    row = good_row(1)
    row[0] = "(2025)冀0123民初99999999999999999999999号"  # 23 digits: beyond any 64-bit integer
    f = _one(write_csv(tmp_path / "long.csv", [good_row(2), row]))
    assert (f.accepted, f.rejected) == (1, 1)
    assert [(r.row, r.column) for r in f.rejects] == [(3, "案号")] and "编号" in f.rejects[0].reason


def test_quoted_cells_with_commas_and_line_breaks(tmp_path):
    row = good_row(1)
    row[5] = "买卖合同纠纷，\n含\"引号\", 与换行"
    p = write_csv(tmp_path / "q.csv", [row, good_row(2)], encoding="gbk")
    f = _one(p)
    assert f.accepted == 2 and f.data.column("cause").to_pylist()[0] == "买卖合同纠纷，\n含\"引号\", 与换行"


def test_markup_in_file_name_and_headers_is_printed_as_text(tmp_path):
    p = tmp_path / "[red]导出.csv"
    p.write_bytes(csv_bytes([*HEADER, "备注[/x]", "[columns]"], [good_row(1) + ["a", "b"], good_row(2, amount="-1") + ["", ""]],
                            "utf-8"))
    (tmp_path / "data[").mkdir()
    rejects = tmp_path / "data[" / "x].csv"  # printed as …/data[/x].csv
    r = CliRunner().invoke(app, ["import", str(p), "--data-dir", str(tmp_path / "d"), "--snapshot-date", "2025-06-30",
                                 "--rejects", str(rejects)])
    assert r.exit_code == 0, r.output
    out = r.output.replace("\n", "")
    assert "[red]导出.csv" in out and "备注[/x]" in out and "[columns]" in out and "data[/x].csv" in out


def test_import_through_workbook_end_to_end(tmp_path):
    from tests.ingest._ingest_helpers import write_xlsx

    res = import_files([write_xlsx(tmp_path / "a.xlsx", ROWS)], Settings(data_dir=tmp_path / "d"),
                       snapshot_date=date(2025, 6, 30))
    assert (res.report.accepted, res.manifest_version) == (2, 1)
