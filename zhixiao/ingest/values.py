"""Cell-value parsers: dates, amounts, yes/no, 适用程序 and formula-injection detection.

Each parser takes one text cell and returns a value or raises ``BadValue`` with the Chinese reason.
They are applied once per *distinct* value of a column (``map_distinct``), which keeps Python out of
the per-row loop on million-row exports where dates and vocabularies repeat.

Formula injection (OWASP “CSV injection”): a cell starting with = + - @ (or tab/CR) followed by
formula-like content. Decision: in key fields (案号, dates, amounts, codes) the row is rejected with
reason “疑似公式注入”; in free-text fields (案由, 当事人, 承办人 …) the row is kept and the text is stored
with a leading apostrophe, which spreadsheets show as text and never evaluate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

MAX_CELL = 2000
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (1900 date system, with its 1900-02-29 bug absorbed)
CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999999999.99")  # DECIMAL(18,2)


class BadValue(ValueError):
    """A cell that cannot be used; ``str(exc)`` is the Chinese reason."""


_NUMBERISH = re.compile(r"^[+\-]?[\d\s,.，]*(元|万元|万)?$")
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def is_formula(text: str) -> bool:
    """True for text a spreadsheet could evaluate as a formula (plain signed numbers are not)."""
    if not text or text[0] not in _FORMULA_LEAD:
        return False
    if text[0] in "+-" and _NUMBERISH.match(text):
        return False
    return len(text.strip()) > 1


def neutralise(text: str) -> str:
    return "'" + text if is_formula(text) else text


_DATE_SEP = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{6})?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_ISO = r"^[1-9]\d{3}-\d{2}-\d{2}$"  # year 0000 is no date (years before 1000 go to parse_date)


def parse_date(text: str) -> date | None:
    """2025-01-02, 2025/1/2, 2025.1.2, 2025年1月2日, 20250102, an Excel serial (45659); blank → None."""
    t = text.strip()
    if not t:
        return None
    m = _DATE_SEP.match(t) or _DATE_COMPACT.match(t)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        try:
            return date(y, mo, d)
        except ValueError:
            raise BadValue(f"日期不存在（{y}年{mo}月{d}日）") from None
    m = _SERIAL.match(t)
    if m:
        # Excel serial: a date cell exported as its number (Excel day 60 = the fictitious 1900-02-29).
        return EXCEL_EPOCH + timedelta(days=int(m.group(1)))
    raise BadValue("日期格式无法识别（应为 2025-01-02、2025/1/2、2025年1月2日 或 20250102）")


_AMOUNT_STRIP = str.maketrans({",": "", "，": "", " ": "", "\u3000": "", "¥": "", "￥": ""})


def parse_amount(text: str) -> Decimal | None:
    """Yuan as Decimal(…, 2): '1,234.5' '1234.5元' '12.5万元' '12.5万'; blank → None; negatives are returned."""
    t = text.strip().translate(_AMOUNT_STRIP)
    if not t:
        return None
    scale = Decimal(1)
    for unit, mult in (("万元", 10000), ("万", 10000), ("元", 1)):
        if t.endswith(unit):
            t, scale = t[: -len(unit)], Decimal(mult)
            break
    try:
        v = Decimal(t)
    except InvalidOperation:
        raise BadValue("金额无法识别（应为数字，可带千分位逗号、“元”或“万元”）") from None
    if not v.is_finite():
        raise BadValue("金额无法识别（应为数字，可带千分位逗号、“元”或“万元”）")
    v = (v * scale).quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(v) > MAX_MONEY:
        raise BadValue("金额超出范围")
    return v


def parse_int(text: str) -> int | None:
    t = text.strip()
    try:
        f = float(t) if t else None
    except ValueError:
        f = 0.5
    if f is not None and not f.is_integer():
        raise BadValue("不是整数")
    return None if f is None else int(f)


def make_bool_parser(true_words: list[str], false_words: list[str]) -> Callable[[str], bool | None]:
    words = {**dict.fromkeys(false_words, False), **dict.fromkeys(true_words, True)}

    def parse(text: str) -> bool | None:
        t = text.strip()
        if t and t not in words:
            raise BadValue("无法识别为“是/否”")
        return words.get(t)  # blank → None

    return parse


def procedure_code(text: str, category: str, stage: str, default: str, rules: list[dict]) -> str:
    """适用程序 text → procedure code for a first-instance case; otherwise (or no match) ``default``."""
    t = text.strip()
    if not t or stage != "first":
        return default
    for r in rules:
        if r["keyword"] in t and category in r:
            return r[category]
    return default


def keyword_lookup(text: str, table: dict[str, str], canonical: tuple[str, ...]) -> str:
    t = text.strip()
    if t in canonical:
        return t
    for k, v in table.items():
        if k in t:
            return v
    raise BadValue("无法识别")


def iso_dates(words: pa.Array) -> pa.Array:
    """``words`` written as ISO dates (2025-01-02), parsed by Arrow: exports mostly write dates so. Null for
    any other text and for a day that does not exist (Arrow rolls 02-30 over, so a date must print back as
    written); ``parse_date`` then reads or explains those."""
    ts = pc.strptime(pc.if_else(pc.match_substring_regex(words, _ISO), words, ""), "%Y-%m-%d", "s", error_is_null=True)
    return pc.if_else(pc.equal(pc.strftime(ts, "%Y-%m-%d"), words), pc.cast(ts, pa.date32()), None)


def map_distinct(col: pa.ChunkedArray | pa.Array, fn: Callable[[str], Any], typ: pa.DataType,
                 fast: Callable[[pa.Array], pa.Array] | None = None) -> tuple[pa.Array, pa.Array]:
    """Apply ``fn`` once per distinct value: (values, reasons) where a failed cell has a null value
    and its reason (string) set. ``fast`` gives the values it can read over all distinct values at once
    (null for the rest, which go to ``fn``)."""
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    enc = arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)
    known = fast(enc.dictionary) if fast else None
    todo = pc.is_null(known) if fast else pa.scalar(True)
    values: list = []
    reasons: list[str | None] = []
    for word in (enc.dictionary.filter(todo) if fast else enc.dictionary).to_pylist():
        try:
            values.append(fn(word))
            reasons.append(None)
        except BadValue as exc:
            values.append(None)
            reasons.append(str(exc))
    if known is None:
        known, why = pa.array(values, type=typ), pa.array(reasons, pa.string())
    else:
        known = pc.replace_with_mask(known, todo, pa.array(values, type=typ)) if values else known
        why = pc.replace_with_mask(pa.nulls(len(known), pa.string()), todo, pa.array(reasons, pa.string()))
    bad = any(r is not None for r in reasons)  # usually none: skip spreading a column of nulls
    return (pc.take(known, enc.indices),
            pc.take(why, enc.indices) if bad else pa.nulls(len(arr), pa.string()))
