"""Case-type registry: the SPC standard as data."""

from __future__ import annotations

import pytest

from zhixiao.domain import case_types

# REFERENCE §3.2 lists these per SPC category; every one must be in the registry.
SPC_CODES = {
    "01": "刑辖 民辖 民辖终 民辖监 行辖 行辖终 赔辖 赔辖终",
    "02": "刑初 刑终 刑监 刑申 刑抗 刑再 刑没 刑核 刑医 刑医解 刑医复 刑医监 刑止 刑止调 刑止核 刑更 刑更监 刑更备 刑他 "
          "刑教 刑教解 刑教复 刑教监",
    "03": "民初 民终 民监 民申 民抗 民再 民撤 民特 民特监 民催 民督 民督监 民他 民保令 民保更",
    "04": "行初 行终 行监 行申 行抗 行再 行审 行审复 行他",
    "05": "行赔初 行赔终 行赔监 行赔申 行赔抗 行赔再 行赔他 法赔 委赔 委赔监 赔确监 委赔提 委赔再 赔他 司救刑 司救民 司救行 "
          "司救赔 司救执 司救访 司救他",
    "06": "认台 认港 认澳 认复 认他 请台送 请港送 请澳送 台请送 港请送 澳请送 请台调 请港调 请澳调 台请调 港请调 澳请调 请移管 "
          "助移管 请移赃 助移赃",
    "07": "协外认 协他 协外送 请外送 协外调 请外调 请外移 协外移 请外引 协外引",
    "08": "司惩 司惩复",
    "09": "财保 行保 行保复 证保",
    "10": "执 执恢 执保 执异 执复 执监 执协 执他",
    "11": "清申 破申 清终 破终 清监 破监 强清 破",
}


@pytest.mark.parametrize("category", sorted(SPC_CODES))
def test_every_spc_code_is_registered_with_its_category(category):
    for code in SPC_CODES[category].split():
        t = case_types.get(code)
        assert t is not None, code
        assert t.spc_category == category, code


@pytest.mark.parametrize("code,procedure", [
    ("民初", "civil_ordinary"), ("民终", "civil_second_judgment"), ("民申", "civil_retrial_review"),
    ("民特", "civil_special"), ("刑初", "criminal_public"), ("刑终", "criminal_second"), ("刑再", "criminal_retrial"),
    ("行初", "admin_first"), ("行终", "admin_second"), ("执", "enforcement"), ("执异", "enforcement_objection"),
    ("执复", "enforcement_review"), ("民诉前调", "pre_suit_mediation"), ("刑核", "no_limit"),
])
def test_default_procedures(code, procedure):
    assert case_types.get(code).default_procedure == procedure


def test_excluded_codes_are_exactly_the_four_with_a_source():
    assert case_types.excluded_codes() == {"诉前调确", "诉前调书", "执保", "执恢"}
    assert all(case_types.get(c).source for c in case_types.excluded_codes())


def test_pre_suit_mediation_codes():
    assert case_types.get("民诉前调").spc_category == "9901"
    assert case_types.get("诉前调确").category == "mediation"


def test_vocabularies_and_lookups():
    assert case_types.get("民X") is None
    types = case_types.all_types()
    assert len(types) == len(case_types.codes()) >= 130
    assert {t.category for t in types} <= set(case_types.CATEGORIES)
    assert {t.stage for t in types} <= set(case_types.STAGES)
    assert case_types.specialized_codes() == {"知": "知识产权"}
    assert case_types.get("行保").category == "preservation"  # 行为保全, not administrative
