"""The rule conditions as engine predicates (``rule_sql.prefilter``): every case ``explain`` accepts passes."""

from decimal import Decimal

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.services.rule_sql import columns, prefilter
from zhixiao.services.rules import explain

CON = ibis.duckdb.connect()
SCHEMA = pa.schema([("case_id", pa.string()), ("cause", pa.string()), ("parties", pa.string()),
                    ("tags", pa.list_(pa.string())), ("procedure", pa.string()), ("category", pa.string()),
                    ("type_code", pa.string()), ("closing_method", pa.string()),
                    ("claim_amount", pa.decimal128(18, 2)), ("origin_case_id", pa.string())])


def passing(alternatives: list[dict], cases: list[dict]) -> set[str]:
    """The case ids the engine's prefilter selects (all of them when the rules do not narrow)."""
    t = ibis.memtable(pa.Table.from_pylist(cases, schema=SCHEMA))
    pre = prefilter(alternatives)
    if pre is None:
        return {c["case_id"] for c in cases}
    return set(CON.execute(t.filter(pre(t)).select("case_id"))["case_id"])


def accepted(alternatives: list[dict], cases: list[dict]) -> set[str]:
    return {c["case_id"] for c in cases if any(explain(w, c) for w in alternatives)}


def case(cid: str, **kw) -> dict:
    return {"case_id": cid, "cause": None, "parties": None, "tags": None, "procedure": None, "category": None,
            "type_code": None, "closing_method": None, "claim_amount": None, "origin_case_id": None, **kw}


CASES = [
    case("a", cause="追索劳动报酬纠纷", parties="张三；某建筑有限公司", tags=["民生"], procedure="civil_small_claims",
         category="civil", type_code="民初", closing_method="判决", claim_amount=Decimal("8000.00")),
    case("b", cause="买卖合同纠纷", parties="李四；王五", tags=[], procedure="civil_ordinary", category="civil",
         type_code="民初", closing_method="调解", claim_amount=Decimal("200000.00")),
    case("c", cause="离婚纠纷", parties="赵六；钱七", tags=["涉企", "民生"], procedure="civil_simplified",
         category="civil", type_code="民初", claim_amount=Decimal("199999.99")),
    case("d", cause=None, parties=None, tags=None, category="enforcement", type_code="执"),
    case("e", cause="劳务合同纠纷", parties="某县自然资源局；孙八", tags=["历史遗留"], procedure="admin_first",
         category="administrative", type_code="行初", closing_method="撤诉", claim_amount=Decimal("0.00")),
]

# (rule alternatives, the ids the prefilter selects, worked out from the cases above)
HAND = [
    ([{"cause_matches": ["劳动", "离婚"]}], {"a", "c"}),  # 追索劳动报酬, 离婚; d has no 案由
    ([{"cause_not_matches": ["劳动", "离婚"]}], {"b", "d", "e"}),  # no 案由 is “not 劳动” (explain reads it as "")
    ([{"cause_matches": ["劳.报酬"]}], None),  # a regular expression is left to explain: no narrowing
    ([{"cause_not_matches": ["劳.报酬", "离婚"]}], {"a", "b", "d", "e"}),  # only the literal 离婚 narrows
    ([{"keywords_any": ["自然资源局", "买卖"]}], {"b", "e"}),  # 当事人 of e, 案由 of b
    ([{"party_keywords_any": ["有限公司"]}], {"a"}),
    ([{"party_keywords_any": ["有限 公司"]}], None),  # a space could span 案由 and 当事人 in explain's text
    ([{"tags_any": ["民生", "历史遗留"]}], {"a", "c", "e"}),
    ([{"tags_none": ["民生"]}], {"b", "d", "e"}),  # no tags at all is “none of them”
    ([{"procedure_in": ["civil_small_claims", "admin_first"]}], {"a", "e"}),
    ([{"category_in": ["enforcement"]}], {"d"}),
    ([{"type_code_in": ["行初"]}], {"e"}),
    ([{"closing_method_in": ["撤诉", "调解"]}], {"b", "e"}),
    ([{"claim_amount_min": 200000}], {"b"}),  # 200000.00 ≥ 200000; 199999.99 is 0.01 short (slack < 1 分)
    ([{"claim_amount_max": 8000}], {"a", "e"}),  # ≤ 8000 + slack selects 8000.00 (explain: 8000 < 8000 fails), 0
    ([{"claim_amount_max": 200000}], {"a", "b", "c", "e"}),  # 200000.00 itself kept by the slack, rejected later
    ([{"parties_min": 2}], None),  # not translated
    ([{"type_code_in": "民初行初"}], None),  # a string, not a list: explain tests “民初” in “民初行初” as a substring
    ([{"cause_matches": ["劳务"], "tags_any": ["历史遗留"]}, {"tags_any": ["涉企"]}], {"c", "e"}),
    ([{"cause_matches": ["劳务"]}, {"foreign_party": True}], None),  # one alternative does not narrow: no prefilter
]


@pytest.mark.parametrize(("rules", "expected"), HAND)
def test_each_condition(rules, expected):
    got = passing(rules, CASES)
    if expected is None:
        assert prefilter(rules) is None
    else:
        assert got == expected
    assert accepted(rules, CASES) <= got


def test_amount_slack_leaves_the_decision_to_explain():
    # claim_amount_max 200000: the prefilter keeps b (200000.00), explain rejects it (200000 < 200000 fails)
    assert "b" in passing([{"claim_amount_max": 200000}], CASES)
    assert accepted([{"claim_amount_max": 200000}], CASES) == {"a", "c", "e"}


def test_columns_read():
    assert columns([{"cause_matches": ["x"], "tags_any": ["y"]}, {"claim_amount_max": 1}]) == {
        "cause", "tags", "claim_amount"}


WORDS = ["劳动", "劳务", "离婚", "有限公司", "自然资源局", "民间借贷", "纠纷", "劳.报酬", "", "有限 公司", "Co", "[劳离]"]
TAGS = ["民生", "涉企", "历史遗留", "foreign_related"]
CODES = {"procedure_in": ["civil_ordinary", "civil_small_claims", "enforcement"],
         "category_in": ["civil", "enforcement", "administrative"], "type_code_in": ["民初", "执", "行初"],
         "closing_method_in": ["判决", "撤诉", "调解"]}
COLUMN_OF = {"procedure_in": "procedure", "category_in": "category", "type_code_in": "type_code",
             "closing_method_in": "closing_method"}
AMOUNTS = [Decimal("0.00"), Decimal("7999.99"), Decimal("8000.00"), Decimal("8000.01"), Decimal("199999.99"),
           Decimal("200000.00"), Decimal("1000000.50")]

words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True)
conditions = st.one_of(
    st.tuples(st.sampled_from(["cause_matches", "cause_not_matches", "keywords_any", "party_keywords_any"]), words),
    st.tuples(st.sampled_from(["tags_any", "tags_none"]), st.lists(st.sampled_from(TAGS), min_size=1, max_size=2)),
    *(st.tuples(st.just(k), st.lists(st.sampled_from(v), min_size=1, max_size=2)) for k, v in CODES.items()),
    st.tuples(st.sampled_from(["claim_amount_min", "claim_amount_max"]),
              st.sampled_from([0, 8000, 8000.005, 200000, 199999.99])),
    st.tuples(st.just("parties_min"), st.integers(1, 3)),
    st.tuples(st.just("related_case"), st.booleans()),
)
TEXT = ( st.lists(st.sampled_from(["追索", "劳动", "报酬", "劳务", "离婚", "纠纷", "某", "有限公司", "自然资源局",
                                     "；", " ", "Co", "劳"]), max_size=5).map("".join) | st.none())


@st.composite
def cases(draw):
    n = draw(st.integers(1, 12))
    out = []
    for i in range(n):
        out.append(case(
            f"c{i}", cause=draw(TEXT), parties=draw(TEXT),
            tags=draw(st.none() | st.lists(st.sampled_from(TAGS), max_size=3)),
            claim_amount=draw(st.none() | st.sampled_from(AMOUNTS)),
            origin_case_id=draw(st.none() | st.just("(2025)冀0123民初1号")),
            **{col: draw(st.none() | st.sampled_from(CODES[k])) for k, col in COLUMN_OF.items()}))
    return out


@st.composite
def rule_sets(draw):
    alts = []
    for _ in range(draw(st.integers(1, 3))):
        when = {}
        for key, arg in draw(st.lists(conditions, min_size=1, max_size=3)):
            when[key] = arg
        alts.append(when)
    return alts


@settings(max_examples=80, deadline=None)
@given(rule_sets(), cases())
def test_prefilter_is_a_superset_of_explain(alternatives, cs):
    assert accepted(alternatives, cs) <= passing(alternatives, cs)
