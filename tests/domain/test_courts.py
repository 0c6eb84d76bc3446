"""Court registry: names from 行政区划 codes + the special-court table."""

from __future__ import annotations

import pytest

from zhixiao.domain.courts import PROVINCE_PREFIX, court, court_name, province_of


@pytest.mark.parametrize("code,name", [
    ("冀01", "河北省石家庄市中级人民法院"),
    ("冀0102", "石家庄市长安区人民法院"),
    ("冀0104", "石家庄市桥西区人民法院"),
    ("冀0105", "石家庄市新华区人民法院"),
    ("冀0108", "石家庄市裕华区人民法院"),
    ("冀0109", "石家庄市藁城区人民法院"),
    ("冀0110", "石家庄市鹿泉区人民法院"),
    ("冀0111", "石家庄市栾城区人民法院"),
    ("冀0123", "正定县人民法院"),
    ("冀0183", "晋州市人民法院"),
    ("冀", "河北省高级人民法院"),
])
def test_demo_city_courts(code, name):
    assert court_name(code) == name


def test_levels_and_parents():
    assert court("冀0123") == court("冀0123")
    c = court("冀0123")
    assert (c.level, c.parent, c.known) == ("basic", "冀01", True)
    assert (court("冀01").level, court("冀01").parent) == ("intermediate", "冀")
    assert (court("冀").level, court("冀").parent) == ("high", "最高法")
    assert (court("最高法").name, court("最高法").level, court("最高法").parent) == ("最高人民法院", "supreme", None)


@pytest.mark.parametrize("code,name", [
    # REFERENCE §3.1: 江门 courts (news.ifeng.com 2016-01-08)
    ("粤07", "广东省江门市中级人民法院"), ("粤0703", "江门市蓬江区人民法院"), ("粤0781", "台山市人民法院"),
    ("粤0785", "恩平市人民法院"),
    ("京0105", "北京市朝阳区人民法院"),       # 直辖市 districts carry the city name
    ("京01", "北京市第一中级人民法院"),
    ("内", "内蒙古自治区高级人民法院"),
    ("内0824", "乌拉特中旗人民法院"),
    ("川0104", "成都市锦江区人民法院"),
])
def test_derived_names_follow_court_naming(code, name):
    assert court_name(code) == name


@pytest.mark.parametrize("code,name", [
    ("京73", "北京知识产权法院"), ("沪74", "上海金融法院"), ("津72", "天津海事法院"), ("粤71", "广州铁路运输中级法院"),
    ("京0491", "北京互联网法院"), ("兵", "新疆维吾尔自治区高级人民法院生产建设兵团分院"),
])
def test_special_courts(code, name):
    c = court(code)
    assert (c.name, c.known) == (name, True)


def test_unknown_but_well_formed_codes():
    c = court("冀0199")
    assert (c.name, c.known, c.level, c.parent) == (None, False, "special", "冀01")
    assert court("冀99").known is False
    assert court_name("兵01") is None


@pytest.mark.parametrize("bad", ["", "X01", "冀1", "冀012", "冀01234", "冀ab", "最高"])
def test_malformed_codes(bad):
    with pytest.raises(ValueError, match="法院代字"):
        court(bad)
    assert court_name(bad) is None


def test_province_prefix_table_is_gb2260():
    assert len(PROVINCE_PREFIX) == 31
    assert (PROVINCE_PREFIX["冀"], PROVINCE_PREFIX["粤"], PROVINCE_PREFIX["新"]) == ("13", "44", "65")
    assert province_of("冀0123") == "13" and province_of("最高法") is None


def test_renamed_divisions_resolve_old_and_new_codes():
    # 即墨市 (370282) became 即墨区 (370215) in 2017: new numbers use 鲁0215, old ones keep 鲁0282.
    assert court_name("鲁0215") == "青岛市即墨区人民法院"
    assert court_name("鲁0282") == "即墨市人民法院"
    assert court_name("湘0182") == "宁乡市人民法院"  # 宁乡县 → 宁乡市 (2017)


def test_most_corpus_courts_are_named():
    import csv
    from pathlib import Path

    rows = csv.DictReader((Path(__file__).parents[1] / "data" / "case_numbers_corpus.csv").open(encoding="utf-8"))
    codes = {r["court_code"] for r in rows if r["legacy"] == "false"}
    unknown = {c for c in codes if not court(c).known}
    assert len(unknown) <= len(codes) // 20, unknown
