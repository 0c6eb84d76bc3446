"""Readers: encodings detected and round-tripped from real files; file-level errors name the problem."""

from pathlib import Path

import pytest

from tests.ingest._ingest_helpers import HEADER, csv_bytes, good_row, write_csv, write_xlsx
from zhixiao.errors import UserError
from zhixiao.ingest.encodings import detect_encoding
from zhixiao.ingest.readers import open_file

ROWS = [good_row(1), good_row(2, closing="2025-03-01"), ["(2025)冀0123民初3号", "2025-01-05", "", "李四、王五",
                                                         "民一庭", "离婚纠纷，含\"引号\"与逗号", "普通程序", "", "否"]]


def _read(path: Path, encoding: str = "auto"):
    raw = open_file(path, encoding)
    chunks = list(raw.batches(2))  # several batches: row numbers carry across them
    rows = [list(r) for c in chunks for r in zip(*[c.data.column(i).to_pylist() for i in range(len(raw.headers))], strict=True)]
    return raw, rows, [int(n) for c in chunks for n in c.rows]


@pytest.mark.parametrize("encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"),
                                               ("gb18030", "gb18030")])
def test_csv_encodings_round_trip(tmp_path, encoding, expected):
    p = write_csv(tmp_path / "a.csv", ROWS, encoding=encoding)
    assert detect_encoding(p) == expected
    raw, rows, nums = _read(p)
    assert raw.headers == HEADER
    assert rows == ROWS
    assert nums == [2, 3, 4]


def test_gb18030_only_characters(tmp_path):
    # 𠀀 (U+20000) and € are outside GBK; GB18030 encodes them (4-byte / 2-byte).
    rows = [good_row(1)[:3] + ["𠀀€"] + good_row(1)[4:]]
    p = write_csv(tmp_path / "a.csv", rows, encoding="gb18030")
    raw, got, _ = _read(p)
    assert raw.encoding == "gb18030" and got == rows


def test_explicit_gbk_override(tmp_path):
    p = write_csv(tmp_path / "a.csv", ROWS, encoding="gbk")
    raw, rows, _ = _read(p, "gbk")
    assert raw.encoding == "gbk" and rows == ROWS


def test_xlsx_round_trip_with_real_dates_and_numbers(tmp_path):
    from datetime import date, datetime

    rows = [["(2025)冀0123民初1号", date(2025, 1, 2), datetime(2025, 3, 4), "张三", "民一庭", "买卖合同纠纷", "简易程序", 1234.5, "是"],
            ["(2025)冀0123民初2号", 45659, None, "李四", "民一庭", "借款合同纠纷", "普通程序", 3000, True]]
    p = write_xlsx(tmp_path / "a.xlsx", rows)
    raw, got, nums = _read(p)
    assert raw.encoding == "xlsx" and raw.headers == HEADER
    assert got == [["(2025)冀0123民初1号", "2025-01-02", "2025-03-04", "张三", "民一庭", "买卖合同纠纷", "简易程序", "1234.5", "是"],
                   ["(2025)冀0123民初2号", "45659", "", "李四", "民一庭", "借款合同纠纷", "普通程序", "3000", "是"]]
    assert nums == [2, 3]


def test_ragged_rows_are_reported_not_dropped(tmp_path):
    text = "案号,立案日期\n(2025)冀0123民初1号,2025-01-02\n(2025)冀0123民初2号\n(2025)冀0123民初3号,2025-01-02,多余\n(2025)冀0123民初4号,2025-01-03\n"
    p = tmp_path / "a.csv"
    p.write_text(text, "utf-8")
    raw, rows, nums = _read(p)
    assert nums == [2, 5]
    assert [(b.row, b.reason) for b in raw.invalid] == [(3, "列数不符：表头有 2 列，此行有 1 列"),
                                                        (4, "列数不符：表头有 2 列，此行有 3 列")]


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    with pytest.raises(UserError, match="文件 empty.csv 文件为空"):
        open_file(p)


def test_whitespace_only_file(tmp_path):
    p = tmp_path / "blank.csv"
    p.write_bytes(b"\xef\xbb\xbf\n\n")
    with pytest.raises(UserError, match="文件为空"):
        open_file(p)


def test_wrong_encoding_names_offset_and_line(tmp_path):
    p = tmp_path / "gbk.csv"
    p.write_bytes(csv_bytes(HEADER, ROWS, "gbk"))
    with pytest.raises(UserError) as e:
        _read(p, "utf-8")
    # 案号 is the first header: '案' in GBK is b'\xb0\xb8' — byte 0 is not valid UTF-8.
    assert "第 1 行（字节偏移 0）无法按 utf-8 解码" in str(e.value)
    assert "--encoding gbk" in str(e.value)


def test_undecodable_bytes_mid_file(tmp_path):
    good = csv_bytes(["案号", "立案日期"], [["(2025)冀0123民初1号", "2025-01-02"]], "gbk")
    p = tmp_path / "bad.csv"
    p.write_bytes(good + b"\xff\xff,2025-01-03\n")
    with pytest.raises(UserError) as e:
        _read(p)
    assert f"第 3 行（字节偏移 {len(good)}）无法按 gb18030 解码" in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(UserError, match="找不到文件"):
        open_file(tmp_path / "nope.csv")


def test_corrupt_xls_is_a_user_error(tmp_path):
    p = tmp_path / "a.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(UserError, match="不是有效的 .xls 工作簿"):
        open_file(p)
