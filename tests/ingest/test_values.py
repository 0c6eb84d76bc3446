"""Cell parsers: dates in every export format, amounts, formula detection (values worked out by hand)."""

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.ingest.values import (
    BadValue,
    is_formula,
    iso_dates,
    map_distinct,
    neutralise,
    parse_amount,
    parse_date,
    procedure_code,
)


@pytest.mark.parametrize("text", ["2025-01-02", "2025/1/2", "2025.01.02", "2025年1月2日", "20250102",
                                  "2025-01-02 09:30:00", " 2025-1-2 ", "45659"])
def test_date_formats(text):
    # 45659 is Excel's serial for 2025-01-02 (days since 1899-12-30).
    assert parse_date(text) == date(2025, 1, 2)


def test_blank_date_is_none():
    assert parse_date("") is None and parse_date("  ") is None


@pytest.mark.parametrize("text,reason", [("2025-02-30", "日期不存在（2025年2月30日）"),
                                         ("2024年13月1日", "日期不存在（2024年13月1日）"),
                                         ("20250231", "日期不存在（2025年2月31日）")])
def test_impossible_dates(text, reason):
    with pytest.raises(BadValue) as e:
        parse_date(text)
    assert str(e.value) == reason


@pytest.mark.parametrize("text", ["明天", "2025", "1/2/2025", "2025-01", "abc"])
def test_unreadable_dates(text):
    with pytest.raises(BadValue, match="日期格式无法识别"):
        parse_date(text)


def test_leap_day():
    assert parse_date("2024年2月29日") == date(2024, 2, 29)
    with pytest.raises(BadValue):
        parse_date("2025-02-29")


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}", "serial"]))
def test_date_roundtrip(d, fmt):
    text = str((d - date(1899, 12, 30)).days) if fmt == "serial" else fmt.format(y=d.year, m=d.month, d=d.day)
    assert parse_date(text) == d


@pytest.mark.parametrize("text,value", [("1,234.5", "1234.50"), ("1234.5元", "1234.50"), ("12.5万元", "125000.00"),
                                        ("3万", "30000.00"), ("￥88", "88.00"), ("0.005", "0.01"), ("-5", "-5.00")])
def test_amounts(text, value):
    assert parse_amount(text) == Decimal(value)


def test_bad_amount():
    with pytest.raises(BadValue, match="金额无法识别"):
        parse_amount("约一万")
    assert parse_amount("") is None


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False))
def test_amount_with_thousands_separators(v):
    assert parse_amount(f"{v:,.2f}") == v


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "=1+1", "@SUM(A1)", "+cmd", "-2+3+cmd|' /C calc'!A0",
                                  "=HYPERLINK(\"http://x\")", "\t=1"])
def test_formula_detected(text):
    assert is_formula(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-5", "+86 138 0000 0000", "1,234", "张三", "", "=", "-"])
def test_not_formula(text):
    assert not is_formula(text)


def test_procedure_vocabulary():
    rules = [{"keyword": "小额", "civil": "civil_small_claims"},
             {"keyword": "简易", "civil": "civil_simplified", "criminal": "criminal_simplified"}]
    assert procedure_code("小额诉讼程序", "civil", "first", "civil_ordinary", rules) == "civil_small_claims"
    assert procedure_code("简易程序", "criminal", "first", "criminal_public", rules) == "criminal_simplified"
    assert procedure_code("简易程序", "civil", "second", "civil_second_judgment", rules) == "civil_second_judgment"
    assert procedure_code("", "civil", "first", "civil_ordinary", rules) == "civil_ordinary"
    assert procedure_code("小额诉讼程序", "criminal", "first", "criminal_public", rules) == "criminal_public"


def test_serial_dates_cover_modern_range():
    assert parse_date("36526") == date(2000, 1, 1)
    assert parse_date("36526") - parse_date("36525") == timedelta(days=1)


_date_like = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.tuples(st.integers(0, 99999), st.integers(0, 99), st.integers(0, 99)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
    st.text(alphabet="0123456789-/年月日 ", max_size=12))


@settings(deadline=None)
@given(st.lists(_date_like, min_size=1, max_size=30))
def test_iso_fast_path_agrees_with_parse_date(words):
    """Arrow reads the ISO dates of a column and parse_date the rest: the values and the reasons are those of
    parse_date on every cell (Arrow alone rolls 2025-02-30 over to 03-02; the round trip sends it back)."""
    arr = pa.array(words, pa.string())
    fast = map_distinct(arr, parse_date, pa.date32(), iso_dates)
    slow = map_distinct(arr, parse_date, pa.date32())
    assert fast[0].to_pylist() == slow[0].to_pylist() and fast[1].to_pylist() == slow[1].to_pylist()


def test_iso_fast_path_on_a_nonexistent_day():
    # Arrow alone reads 2025-02-30 as 03-02 and 0000-01-01 as a date before year 1.
    v, why = map_distinct(pa.array(["2025-02-30", "2025-02-28", "0000-01-01"]), parse_date, pa.date32(), iso_dates)
    assert v.to_pylist() == [None, date(2025, 2, 28), None]
    assert why.to_pylist() == ["日期不存在（2025年2月30日）", None, "日期不存在（0年1月1日）"]
