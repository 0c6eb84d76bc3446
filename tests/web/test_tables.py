"""The shared table helper (zhixiao.web.tables): filter, sort, page and the .xlsx of exactly what is shown."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import openpyxl
import pandas as pd
import pytest
from starlette.requests import Request

from zhixiao.errors import UserError
from zhixiao.web.tables import Column, table, xlsx_bytes

ROWS = [
    {"case_id": "(2025)冀0123民初1号", "judge": "张三", "days": 5, "filed": date(2025, 1, 3)},
    {"case_id": "(2025)冀0123民初2号", "judge": "李四", "days": None, "filed": date(2025, 2, 1)},
    {"case_id": "(2025)冀0123民初3号", "judge": "张三丰", "days": -2, "filed": date(2025, 1, 9)},
    {"case_id": "(2025)冀0105民初4号", "judge": "王五", "days": 12, "filed": None},
    {"case_id": "=HYPERLINK(\"x\")", "judge": "赵六", "days": 0, "filed": date(2025, 3, 1)},
]
COLS = (Column("case_id", "案号"), Column("judge", "承办法官"), Column("days", "剩余天数", numeric=True),
        Column("filed", "立案日期"))


def _request(path: str = "/x", **params: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": urlencode(params).encode(),
                    "headers": []})


def test_filter_matches_any_shown_column_and_keeps_the_unfiltered_total():
    v = table(_request(q="张三"), ROWS, COLS)
    assert [r["case_id"] for r in v.rows] == ["(2025)冀0123民初1号", "(2025)冀0123民初3号"]
    assert (v.total, v.matched) == (5, 2)
    assert table(_request(q="2025-01"), ROWS, COLS).matched == 2  # dates as shown
    assert table(_request(q="冀0105"), ROWS, COLS).rows[0]["judge"] == "王五"


def test_sort_both_ways_with_missing_values_last():
    up = table(_request(sort="days"), ROWS, COLS)
    assert [r["days"] for r in up.rows] == [-2, 0, 5, 12, None]
    down = table(_request(sort="days", desc="1"), ROWS, COLS)
    assert [r["days"] for r in down.rows] == [12, 5, 0, -2, None]
    by_date = table(_request(sort="filed", desc="1"), ROWS, COLS)
    assert [r["filed"] for r in by_date.rows] == [date(2025, 3, 1), date(2025, 2, 1), date(2025, 1, 9),
                                                  date(2025, 1, 3), None]
    # clicking the sorted header again turns it round, and goes back to page 1
    assert parse_qs(urlsplit(up.sort_url("days")).query) == {"sort": ["days"], "desc": ["1"]}
    with pytest.raises(UserError, match="不能按"):
        table(_request(sort="password_hash"), ROWS, COLS)


def test_pages_cut_nothing_and_links_keep_the_page_parameters():
    rows = [{"n": i} for i in range(1, 108)]
    cols = (Column("n", "序号", numeric=True),)
    v = table(_request("/supervision", status="open", page="3", size="20"), rows, cols)
    assert (v.pages, v.page, v.first, v.last) == (6, 3, 41, 60)
    assert [r["n"] for r in v.rows] == list(range(41, 61))
    nxt = parse_qs(urlsplit(v.url(page=v.page + 1)).query)
    assert nxt == {"status": ["open"], "page": ["4"], "size": ["20"]}
    last = table(_request(page="6", size="20"), rows, cols)
    assert [r["n"] for r in last.rows] == list(range(101, 108))
    assert table(_request(page="99", size="20"), rows, cols).page == 6  # past the end: the last page
    seen = [r["n"] for p in range(1, 7) for r in table(_request(page=str(p), size="20"), rows, cols).rows]
    assert seen == list(range(1, 108))
    for bad in ({"page": "0"}, {"page": "x"}, {"size": "100000"}):
        with pytest.raises(UserError, match="表格参数"):
            table(_request(**bad), rows, cols)


def test_export_is_what_is_shown_on_every_page_with_chinese_headers():
    v = table(_request(q="冀0123", sort="days", desc="1", size="1", export="xlsx"), ROWS, COLS)
    assert v.export and len(v.rows) == 1
    resp = v.export_response("测试表")
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''%E6%B5%8B%E8%AF%95%E8%A1%A8.xlsx" in resp.headers["content-disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(resp.body)).active
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == ["案号", "承办法官", "剩余天数", "立案日期"]
    assert [r[0] for r in got[1:]] == ["(2025)冀0123民初1号", "(2025)冀0123民初3号", "(2025)冀0123民初2号"]
    assert [r[2] for r in got[1:]] == [5, -2, None]
    assert table(_request(), ROWS, COLS).export_response("x") is None  # only when asked


def test_export_neutralises_formulas():
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("t", COLS, ROWS))).active
    assert ws.cell(6, 1).value == "'=HYPERLINK(\"x\")"


def test_a_dataframe_gives_the_same_rows_as_a_list():
    df = pd.DataFrame(ROWS).assign(filed=lambda d: pd.to_datetime(d.filed))
    for params in ({"q": "张三"}, {"sort": "days"}, {"sort": "days", "desc": "1"}, {"q": "冀0123", "sort": "filed"},
                   {"size": "2", "page": "2"}):
        a = table(_request(**params), ROWS, COLS)
        b = table(_request(**params), df, COLS)
        assert [r["case_id"] for r in a.rows] == [r["case_id"] for r in b.rows], params
        assert (a.matched, a.total) == (b.matched, b.total)
        assert [r["case_id"] for r in a.all_rows] == [r["case_id"] for r in b.all_rows]


def test_two_tables_on_one_page_keep_their_own_parameters():
    v = table(_request(q="a", x_q="张三", x_page="1"), ROWS, COLS, prefix="x_", key="second")
    assert v.q == "张三"
    assert parse_qs(urlsplit(v.url(page=2)).query) == {"q": ["a"], "x_q": ["张三"], "x_page": ["2"]}
    assert v.export_url().endswith("export=x_xlsx")
