"""案号 parser: grammar, normalisation, error messages, properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.domain import case_types
from zhixiao.domain.case_number import (
    CaseNumber,
    CaseNumberError,
    format_case_number,
    normalize,
    parse_case_number,
    parse_many,
    try_parse,
)
from zhixiao.domain.courts import PROVINCE_CHARS

# ---------------------------------------------------------------- examples worked out by hand


def test_basic_court_first_instance():
    cn = parse_case_number("(2025)冀0123民初123号")
    assert cn == CaseNumber(2025, "冀0123", None, "民初", 123, category="civil", stage="first")
    assert cn.normalized == "(2025)冀0123民初123号"


@pytest.mark.parametrize("text", [
    "（2025）冀0123民初123号",       # full-width brackets
    "〔2025〕冀0123民初123号",       # 六角括号
    "(２０２５)冀０１２３民初１２３号",  # full-width digits
    " ( 2025 ) 冀0123 民初 123 号 ",  # stray spaces
    "（2025）冀0123民初\u3000123号",  # ideographic space
    "(2025)冀0123民初第123号",       # stray 第 before the number
    "(2025)冀0123民初00123号",       # leading zeros are dropped
])
def test_spellings_normalise_to_one_form(text):
    assert normalize(text) == "(2025)冀0123民初123号"


def test_intermediate_high_and_supreme_court_codes():
    assert parse_case_number("(2016)京01民终7217号").court_code == "京01"
    assert parse_case_number("(2021)苏行再30号").court_code == "苏"
    cn = parse_case_number("(2022)最高法知民终1592号")
    assert (cn.court_code, cn.specialized_code, cn.type_code, cn.seq) == ("最高法", "知", "民终", 1592)
    assert cn.full_type_code == "知民终"
    assert (cn.category, cn.stage) == ("civil", "second")


@pytest.mark.parametrize("text,court", [
    ("(2020)内0824民初88号", "内0824"),   # 内 = 内蒙古, not a type code
    ("(2020)兵0801民初5号", "兵0801"),    # 兵团 courts
    ("(2020)兵08民终12号", "兵08"),
    ("(2019)军0101刑初1号", "军0101"),    # 军事法院
    ("(2020)新01民终9号", "新01"),
])
def test_special_province_characters(text, court):
    assert parse_case_number(text).court_code == court


@pytest.mark.parametrize("text,type_code,category,stage", [
    ("(2021)冀0123执1号", "执", "enforcement", "enforcement"),
    ("(2021)冀0123执恢1号", "执恢", "enforcement", "enforcement"),       # not 执 + 恢…
    ("(2021)冀0123执异1号", "执异", "enforcement", "enforcement_review"),
    ("(2021)冀0123执保1号", "执保", "enforcement", "enforcement"),
    ("(2021)冀01执复1号", "执复", "enforcement", "enforcement_review"),
    ("(2021)冀01行初1号", "行初", "administrative", "first"),
    ("(2021)冀01行赔初1号", "行赔初", "compensation", "first"),          # not 行 + 赔初
    ("(2021)冀01行保1号", "行保", "preservation", "other"),              # 行为保全, not administrative
    ("(2021)冀01民特1号", "民特", "civil", "special"),
    ("(2021)冀01民特监1号", "民特监", "civil", "retrial_review"),
    ("(2021)冀01民辖终1号", "民辖终", "civil", "second"),
    ("(2021)冀0123民诉前调1号", "民诉前调", "mediation", "other"),
    ("(2024)粤0604诉前调确1716号", "诉前调确", "mediation", "special"),
    ("(2024)冀0123诉前调书1号", "诉前调书", "mediation", "other"),
    ("(2021)冀01刑再1号", "刑再", "criminal", "retrial"),
    ("(2021)冀01破申1号", "破申", "bankruptcy", "first"),
    ("(2021)冀01破1号", "破", "bankruptcy", "special"),
    ("(2022)渝0120法赔3号", "法赔", "compensation", "first"),
    ("(2021)冀01司惩1号", "司惩", "other", "other"),
])
def test_type_codes_longest_match(text, type_code, category, stage):
    cn = parse_case_number(text)
    assert (cn.type_code, cn.category, cn.stage) == (type_code, category, stage)


def test_joined_range_and_suffix():
    cn = parse_case_number("（2016）粤0304民初18775-18776号之一")
    assert (cn.seq, cn.seq_end, cn.suffix) == (18775, 18776, "之一")
    assert cn.normalized == "(2016)粤0304民初18775-18776号之一"
    assert normalize("(2016)粤0304民初18775－18776号") == "(2016)粤0304民初18775-18776号"


def test_legacy_style():
    cn = parse_case_number("(2011)浙甬民一终字第00658号")
    assert cn.legacy is True
    assert (cn.year, cn.court_code, cn.raw_court, cn.raw_type) == (2011, "浙甬", "浙甬", "民一终")
    assert (cn.type_code, cn.seq, cn.category, cn.stage) == ("民终", 658, "civil", "second")
    assert cn.normalized == "(2011)浙甬民一终字第00658号"  # keeps 字第 and the digits as written


@pytest.mark.parametrize("text,court,type_code", [
    ("(2013)锦江民初字第3681号", "锦江", "民初"),
    ("(2015)嘉刑初字第122号", "嘉", "刑初"),
    ("(2014）并民初字第518号", "并", "民初"),
    ("(2013)西法执字第01218号", "西法", "执"),
    ("(2013)西民二初字224号", "西", "民初"),       # 字 without 第
    ("(2014)沪一中民四(商)终字第1号", "沪一中", "民终"),
    ("(2012)民提字第12号", "", "民再"),            # SPC 提审 = 再审; no court abbreviation
    ("(2013)京知民初字第5号", "京", "民初"),
])
def test_legacy_best_effort(text, court, type_code):
    cn = parse_case_number(text)
    assert (cn.legacy, cn.court_code, cn.type_code) == (True, court, type_code)


def test_legacy_specialized_prefix():
    assert parse_case_number("(2013)京知民初字第5号").specialized_code == "知"


# ---------------------------------------------------------------- errors name the wrong part

@pytest.mark.parametrize("text,fragment", [
    ("", "案号为空"),
    ("2025冀0123民初1号", "缺少年度，应以（2025）"),
    ("(25)冀0123民初1号", "年度“25”应为4位数字"),
    ("(1900)冀0123民初1号", "年度“1900”不合理"),
    ("(2025)", "缺少法院代字"),
    ("(2025)X0123民初1号", "法院代字“X0123”无法识别"),
    ("(2025)冀012民初1号", "法院代字“冀012”数字位数不对"),
    ("(2025)冀0123", "缺少类型代字"),
    ("(2025)冀0123民X1号", "类型代字“民X”不在最高人民法院案件类型代字标准中"),
    ("(2025)冀0123民初号", "缺少案件编号"),
    ("(2025)冀0123民初12", "缺少结尾的“号”"),
    ("(2025)冀0123民初12号abc", "多余内容“abc”"),
    ("(2025)冀0123民初0号", "案件编号为0"),
    ("(2025)冀0123民初5-3号", "结束编号应大于起始编号"),
    ("(2025)冀0123民初1a号", "不是数字"),
    ("(2025)冀0123民初字第1号", "混用了新旧格式"),
    ("(2016)粤03民辖终3827、3828号", "含多个编号"),
])
def test_error_messages(text, fragment):
    with pytest.raises(CaseNumberError) as exc:
        parse_case_number(text)
    assert fragment in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_non_text_input_is_a_case_number_error():
    with pytest.raises(CaseNumberError):
        parse_case_number(None)  # type: ignore[arg-type]
    with pytest.raises(CaseNumberError):
        parse_case_number(float("nan"))  # type: ignore[arg-type]


def test_try_parse_and_parse_many():
    assert try_parse("(2025)冀0123民X1号") is None
    assert try_parse("(2025)冀0123民初1号").seq == 1
    out = parse_many(["(2025)冀0123民初1号", "bad", "(2025)冀01民终2号"])
    assert [type(o).__name__ for o in out] == ["CaseNumber", "CaseNumberError", "CaseNumber"]
    assert out[2].court_code == "冀01"


# ---------------------------------------------------------------- properties

_TYPES = sorted(case_types.codes())
_PROV = sorted(PROVINCE_CHARS)
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def case_numbers(draw) -> CaseNumber:
    kind = draw(st.sampled_from(["supreme", "high", "mid", "basic"]))
    ch = draw(st.sampled_from(_PROV))
    court = {"supreme": "最高法", "high": ch,
             "mid": ch + draw(st.from_regex(r"[0-9]{2}", fullmatch=True)),
             "basic": ch + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))}[kind]
    tcode = draw(st.sampled_from(_TYPES))
    t = case_types.get(tcode)
    seq = draw(st.integers(1, 10**7))
    end = draw(st.none() | st.integers(seq + 1, seq + 50))
    return CaseNumber(draw(st.integers(1949, 2100)), court, draw(st.sampled_from([None, "知"])), tcode, seq, end,
                      draw(st.sampled_from([None, "之一", "之二", "之十一"])), t.category, t.stage)


@st.composite
def spelled(draw, cn: CaseNumber) -> str:
    """The same number as a clerk might type it: any bracket style, spaces, full-width digits."""
    opening, closing = draw(st.sampled_from([("(", ")"), ("（", "）"), ("〔", "〕"), ("[", "]"), ("【", "】")]))
    text = format_case_number(cn).replace("(", opening, 1).replace(")", closing, 1)
    if draw(st.booleans()):
        text = text.translate(_FW)
    if draw(st.booleans()):
        text = text.replace("-", draw(st.sampled_from(["－", "—", "~", "～"])))
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\u3000", "\t"])))
    return "".join(chars)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_round_trip_over_spellings(data):
    cn = data.draw(case_numbers())
    assert parse_case_number(format_case_number(cn)) == cn
    assert parse_case_number(data.draw(spelled(cn))) == cn


@settings(max_examples=200, deadline=None)
@given(case_numbers())
def test_normalisation_is_idempotent(cn):
    once = normalize(format_case_number(cn))
    assert normalize(once) == once


@st.composite
def legacy_numbers(draw) -> str:
    court = draw(st.sampled_from(["浙甬", "京一中", "沪二中", "粤高法", "西法", "锦江", "嘉", ""]))
    body = draw(st.sampled_from(["民一终", "民初", "刑初", "商外初", "执", "行终", "民四(商)终", "民提"]))
    digits = draw(st.from_regex(r"[0-9]{1,5}", fullmatch=True).filter(lambda d: int(d) > 0))
    return f"({draw(st.integers(1990, 2015))}){court}{body}字第{digits}号"


@settings(max_examples=200, deadline=None)
@given(legacy_numbers())
def test_legacy_round_trip_and_idempotence(text):
    cn = parse_case_number(text)
    assert cn.legacy and cn.normalized == text
    assert parse_case_number(cn.normalized) == cn


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("()（）〔〕2025冀0123民初执恢知最高法号之一字第-－ 内兵军X")), max_size=30)
       | st.text(max_size=40))
def test_parse_never_raises_anything_else(text):
    try:
        cn = parse_case_number(text)
    except CaseNumberError:
        return
    assert parse_case_number(cn.normalized) == cn


@pytest.mark.parametrize("text", ["(2025)冀0123民初12345678901234567890123号",  # 23 digits
                                  "(2025)冀0123民初1000000000号",  # 10 digits: one past the largest
                                  "(2025)冀0123民初1-1000000000号",  # a range ending past it
                                  "(2011)浙甬民一终字第10000000000号"])  # legacy style, 11 digits
def test_over_long_sequence_is_invalid(text):
    with pytest.raises(CaseNumberError, match="案件编号超过 9 位"):
        parse_case_number(text)


def test_largest_sequence_is_valid():
    assert parse_case_number("(2025)冀0123民初999999999号").seq == 999_999_999
