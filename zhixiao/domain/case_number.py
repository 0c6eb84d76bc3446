"""案号 parser: ``(2025)冀0123民初123号`` → :class:`CaseNumber`.

Grammar (source: 法〔2015〕137号《关于人民法院案件案号的若干规定》, amended by 法〔2018〕335号;
REFERENCE §3.1): ``(收案年度)`` + 法院代字 + [专门审判代字] + 类型代字 + 案件编号 + ``号``, plus what
appears in real data: joined ranges ``18775-18776号``, suffixes ``号之一``, and the pre-2016 style
``(2011)浙甬民一终字第00658号`` (``legacy=True``, court abbreviation kept as text).

Normalised form (``CaseNumber.normalized``, the ``case_id`` of the store): ASCII parentheses, no
whitespace, half-width digits, the sequence written without leading zeros, ASCII ``-`` in ranges,
e.g. ``(2025)冀0123民初123号``, ``(2016)粤0304民初18775-18776号之一``. Legacy numbers keep ``字第``
and the sequence digits exactly as written (``(2011)浙甬民一终字第00658号``).

Speed: the importer parses millions of numbers, so the common path is one precompiled regex and dict
look-ups; only failures take the slower diagnostic path that names the wrong part.
"""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass

from zhixiao.domain import case_types
from zhixiao.domain.courts import PROVINCE_CHARS

__all__ = ["CaseNumber", "CaseNumberError", "parse_case_number", "try_parse", "normalize",
           "format_case_number", "parse_many", "clean"]

MIN_YEAR, MAX_YEAR = 1949, 2100
# 案件编号 numbers one court's cases of one type in one 收案年度 (法〔2015〕137号《关于人民法院案件案号的
# 若干规定》: 收案年度 + 法院代字 + 类型代字 + 案件编号): nine digits is far beyond any court's year, so a longer
# number is a typo or numbers run together, not a case (and it would not fit the store's integer).
MAX_SEQ_DIGITS = 9
MAX_SEQ = 10 ** MAX_SEQ_DIGITS - 1
SUPREME = "最高法"
_NUMERALS = "一二三四五六七八九十百零〇"
_SPACES = " \t\r\n\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"

_TRANS = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)},  # full-width digits
     **{c: "(" for c in "（〔[【﹙［"}, **{c: ")" for c in "）〕]】﹚］"},
     **{c: "-" for c in "－—–~～"}, **{c: None for c in _SPACES}})


class CaseNumberError(ValueError):
    """A 案号 that does not follow the SPC grammar; the message (Chinese) names the wrong part."""


@dataclass(frozen=True, slots=True)
class CaseNumber:
    year: int
    court_code: str                 # 冀0123 / 冀01 / 冀 / 最高法; legacy: the raw abbreviation (浙甬)
    specialized_code: str | None    # 专门审判代字, e.g. 知
    type_code: str                  # 类型代字, e.g. 民初 (legacy: best effort, 民一终 → 民终)
    seq: int
    seq_end: int | None = None      # joined range 18775-18776 → seq_end=18776
    suffix: str | None = None       # 之一
    category: str = "other"
    stage: str = "other"
    legacy: bool = False
    raw_court: str | None = None    # legacy only: court abbreviation as written
    raw_type: str | None = None     # legacy only: type text as written (民一终)
    seq_width: int = 0              # legacy only: digits as written (00658 → 5)

    @property
    def normalized(self) -> str:
        return format_case_number(self)

    @property
    def full_type_code(self) -> str:
        """专门审判代字 + 类型代字, e.g. 知民初 (the unit numbering runs in)."""
        return (self.specialized_code or "") + self.type_code

    @property
    def case_type(self) -> case_types.CaseType | None:
        return case_types.get(self.type_code)


def clean(text: str) -> str:
    """Bracket/digit/space canonicalisation only (no validation)."""
    return text.translate(_TRANS)


def format_case_number(cn: CaseNumber) -> str:
    rng = f"-{cn.seq_end}" if cn.seq_end is not None else ""
    if cn.legacy:
        seq = str(cn.seq).zfill(cn.seq_width)
        end = str(cn.seq_end).zfill(cn.seq_width) if cn.seq_end is not None else None
        rng = f"-{end}" if end is not None else ""
        return f"({cn.year}){cn.raw_court or ''}{cn.raw_type or cn.type_code}字第{seq}{rng}号{cn.suffix or ''}"
    return f"({cn.year}){cn.court_code}{cn.specialized_code or ''}{cn.type_code}{cn.seq}{rng}号{cn.suffix or ''}"


# --------------------------------------------------------------------------- compiled state

_state: dict = {}


def _init() -> dict:
    st: dict = {}
    types = sorted(case_types.codes(), key=len, reverse=True)  # longest first: 执恢 before 执
    if any("字" in t for t in types):
        raise ValueError("case_types.toml: a 类型代字 containing 字 would be taken for the pre-2016 style")
    spec = "".join(case_types.specialized_codes())
    prov = "".join(sorted(PROVINCE_CHARS))
    type_alt = "|".join(map(re.escape, types))
    suffix = f"(之[{_NUMERALS}]+)?"
    body = rf"({SUPREME}|[{prov}](?:[0-9]{{4}}|[0-9]{{2}})?)([{spec}])?({type_alt})第?([0-9]+)(?:-([0-9]+))?号{suffix}"
    st["modern"] = re.compile(rf"\(([0-9]{{4}})\){body}")
    # Same grammar on the raw text when it has no spaces/full-width digits: skips str.translate.
    st["raw"] = re.compile(rf"[(（〔\[【]([0-9]{{4}})[)）〕\]】]{body}")
    st["legacy"] = re.compile(rf"\(([0-9]{{4}})\)([^0-9]*?)字第?([0-9]+)(?:-([0-9]+))?号{suffix}")
    st["meta"] = {c: (t.category, t.stage) for c, t in ((t.code, t) for t in case_types.all_types())}
    st["spec"] = frozenset(case_types.specialized_codes())
    _state.update(st)  # in one step: a thread that parses meanwhile (the import validates in a pool) never sees it half-built
    return _state


def parse_case_number(text: str) -> CaseNumber:
    """Parse one 案号; raises :class:`CaseNumberError` with a Chinese message naming the wrong part."""
    st = _state or _init()
    if not isinstance(text, str):
        raise CaseNumberError(f"案号应为文本，收到的是 {type(text).__name__}“{text!r}”")
    m = st["raw"].fullmatch(text)
    if m is None:
        s = text.translate(_TRANS)
        if "字" in s:  # pre-2016 style; no 2016 类型代字 contains 字
            m = st["legacy"].fullmatch(s)
            if m is not None:
                return _legacy(text, m, st)
            raise CaseNumberError(_diagnose(text, s, st))
        m = st["modern"].fullmatch(s)
    if m is not None:
        year_s, court, spec, tcode, seq_s, end_s, suffix = m.groups()
        year, seq = int(year_s), int(seq_s)
        end = int(end_s) if end_s is not None else None
        if not (MIN_YEAR <= year <= MAX_YEAR) or seq == 0 or (end is not None and end <= seq) or max(seq, end or 0) > MAX_SEQ:
            _check_numbers(text, year, seq, end)
        cat, stage = st["meta"][tcode]
        return CaseNumber(year, court, spec, tcode, seq, end, suffix, cat, stage)
    m = st["legacy"].fullmatch(s)  # s is bound: a raw match returned above
    if m is not None:
        return _legacy(text, m, st)
    raise CaseNumberError(_diagnose(text, s, st))


def try_parse(text: str) -> CaseNumber | None:
    try:
        return parse_case_number(text)
    except CaseNumberError:
        return None


def normalize(text: str) -> str:
    """The canonical spelling of a 案号 (raises CaseNumberError when it is not one)."""
    return parse_case_number(text).normalized


def parse_many(texts: list[str]) -> list[CaseNumber | CaseNumberError]:
    """Parse a batch; failures are returned in place (as the exception), never raised.

    The cyclic GC is paused meanwhile: millions of small acyclic objects otherwise trigger
    repeated full collections that halve throughput.
    """
    parse = parse_case_number
    out: list[CaseNumber | CaseNumberError] = []
    append = out.append
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for t in texts:
            try:
                append(parse(t))
            except CaseNumberError as exc:
                append(exc)
    finally:
        if was_enabled:
            gc.enable()
    return out


# --------------------------------------------------------------------------- legacy (pre-2016)

# Characters that start the type part of an old-style number (民一终, 商外初, 执恢, 刑提 …).
_LEGACY_TYPE_START = frozenset("民刑行执赔商知破清立审监申司财证")
_LEGACY_STRIP = re.compile(rf"\([^)]*\)|[{_NUMERALS}外]")
# Old words → the 2016 standard: 商 merged into 民; 提 (提审) is a 再审.
_LEGACY_MAP = str.maketrans({"商": "民", "提": "再"})


def _legacy(text: str, m: re.Match, st: dict) -> CaseNumber:
    year_s, body, seq_s, end_s, suffix = m.groups()
    year, seq = int(year_s), int(seq_s)
    end = int(end_s) if end_s is not None else None
    _check_numbers(text, year, seq, end)
    i = next((k for k, ch in enumerate(body) if ch in _LEGACY_TYPE_START), len(body))
    raw_court, raw_type = body[:i], body[i:]
    if not raw_type:
        raise CaseNumberError(f"旧式案号“{text}”缺少类型代字（如“民初字第”中的“民初”）")
    spec, tcode = _legacy_type(raw_type, st)
    cat, stage = st["meta"].get(tcode, ("other", "other"))
    return CaseNumber(year, raw_court, spec, tcode, seq, end, suffix, cat, stage, True, raw_court, raw_type,
                      len(seq_s))


def _legacy_type(raw: str, st: dict) -> tuple[str | None, str]:
    t = _LEGACY_STRIP.sub("", raw).translate(_LEGACY_MAP)
    t = t.lstrip("审立") or t
    meta = st["meta"]
    if t in meta:
        return None, t
    if t[:1] in st["spec"] and t[1:] in meta:
        return t[0], t[1:]
    return None, t


# --------------------------------------------------------------------------- diagnostics (slow path)

def _check_numbers(text: str, year: int, seq: int, end: int | None) -> None:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        raise CaseNumberError(f"案号“{text}”的年度“{year}”不合理，应为 {MIN_YEAR}–{MAX_YEAR} 之间的收案年度")
    if seq == 0:
        raise CaseNumberError(f"案号“{text}”的案件编号为0，编号应从1开始")
    if max(seq, end or 0) > MAX_SEQ:
        raise CaseNumberError(f"案号“{text}”的案件编号超过 {MAX_SEQ_DIGITS} 位，不是有效的编号")
    if end is not None and end <= seq:
        raise CaseNumberError(f"案号“{text}”的合并编号“{seq}-{end}”结束编号应大于起始编号")


def _diagnose(text: str, s: str, st: dict) -> str:
    """Name the first part of ``s`` (cleaned ``text``) that breaks the grammar."""
    if not s:
        return "案号为空，请填写如（2025）冀0123民初123号的案号"
    m = re.match(r"\(([0-9]*)\)", s)
    if m is None:
        return f"案号“{text}”缺少年度，应以（2025）这样的括号年度开头"
    if len(m.group(1)) != 4:
        return f"案号“{text}”的年度“{m.group(1)}”应为4位数字，例如（2025）"
    rest = s[m.end():]
    if not rest:
        return f"案号“{text}”缺少法院代字，年度后应为如“冀0123”或“最高法”的法院代字"
    if rest.startswith(SUPREME):
        court, rest = SUPREME, rest[len(SUPREME):]
    elif rest[0] in PROVINCE_CHARS:
        d = re.match(r"[0-9]*", rest[1:]).group(0)
        court, rest = rest[0] + d, rest[1 + len(d):]
        if len(d) not in (0, 2, 4):
            return (f"案号“{text}”的法院代字“{court}”数字位数不对：省级简称后应为2位（中级法院）"
                    f"或4位（基层法院）数字")
    else:
        bad = re.match(r".[0-9]*", rest, re.S).group(0)
        return (f"案号“{text}”的法院代字“{bad}”无法识别：应为“最高法”或省级简称"
                f"（如京、冀、粤、内、军、兵）加2位或4位数字")
    mid = re.match(r"[^0-9]*", rest).group(0)
    rest = rest[len(mid):]
    if mid.endswith("第"):
        mid = mid[:-1]
    if mid.endswith("号"):
        return f"案号“{text}”缺少案件编号：类型代字后应为数字编号，如“民初123号”"
    if not mid:
        return f"案号“{text}”缺少类型代字：法院代字“{court}”后应为如“民初”“刑终”“执”的类型代字"
    meta = st["meta"]
    if "字" in mid:
        return (f"案号“{text}”混用了新旧格式：带数字法院代字的案号（2016年起）不写“字第”，"
                f"应写成如“(2025)冀0123民初1号”")
    if mid not in meta and not (mid[:1] in st["spec"] and mid[1:] in meta):
        return f"案号“{text}”的类型代字“{mid}”不在最高人民法院案件类型代字标准中"
    if not rest:
        return f"案号“{text}”缺少案件编号：类型代字“{mid}”后应为数字编号和“号”"
    m = re.match(r"[0-9]+(?:-[0-9]+)?", rest)
    if m and rest[m.end():m.end() + 1] in ("、", ",", "，"):
        return f"案号“{text}”含多个编号，一个案号只能有一个编号（或“起-止”合并编号），请拆成单独的案号"
    tail = rest[m.end():] if m else rest
    if not tail or not tail.startswith("号"):
        if "号" not in tail:
            return f"案号“{text}”缺少结尾的“号”字，应写成如“…民初123号”"
        return f"案号“{text}”的编号部分“{rest[:rest.index('号')]}”不是数字或“起-止”编号"
    return f"案号“{text}”在“号”后有多余内容“{tail[1:]}”（只允许“之一”这类后缀）"
