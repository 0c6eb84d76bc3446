"""繁简分流 and FTZ team routing on hand-written cases: expected team, judge and reason."""

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.services.common import load_rules
from zhixiao.services.routing import decide, route_case, route_file, triage
from zhixiao.store.cases import CaseStore

FTZ = "沪0115"
ROSTER = [
    {"judge_id": "J1", "name": "张某", "court_code": FTZ, "post": "员额法官", "team": "知识产权", "division": "自贸区法庭"},
    {"judge_id": "J2", "name": "王某", "court_code": FTZ, "post": "员额法官", "team": "知识产权", "division": "自贸区法庭"},
    {"judge_id": "J3", "name": "李某", "court_code": FTZ, "post": "员额法官", "team": "生物医药", "division": "自贸区法庭"},
    {"judge_id": "J4", "name": "赵某", "court_code": FTZ, "post": "员额法官", "team": "电子信息", "division": "自贸区法庭"},
    {"judge_id": "J5", "name": "钱某", "court_code": FTZ, "post": "员额法官", "team": "金融贸易", "division": "自贸区法庭"},
    {"judge_id": "J6", "name": "孙某", "court_code": FTZ, "post": "员额法官", "team": "涉外", "division": "自贸区法庭"},
    {"judge_id": "J7", "name": "周某", "court_code": FTZ, "post": "员额法官", "team": "跨境投资", "division": "自贸区法庭"},
    {"judge_id": "A1", "name": "吴助理", "court_code": FTZ, "post": "法官助理", "team": "知识产权", "division": "自贸区法庭"},
    {"judge_id": "K1", "name": "郑某", "court_code": "冀0123", "post": "员额法官", "team": "速裁团队", "division": "立案庭"},
    {"judge_id": "K2", "name": "冯某", "court_code": "冀0123", "post": "员额法官", "team": "速裁团队", "division": "立案庭"},
    {"judge_id": "K3", "name": "陈某", "court_code": "冀0123", "post": "员额法官", "team": None, "division": "民一庭"},
    {"judge_id": "K4", "name": "褚某", "court_code": "冀0123", "post": "员额法官", "team": None, "division": "民一庭"},
    # a court without a 速裁团队 but with a 速裁庭
    {"judge_id": "M1", "name": "蒋某", "court_code": "冀0124", "post": "员额法官", "team": None, "division": "速裁庭"},
    {"judge_id": "M2", "name": "沈某", "court_code": "冀0124", "post": "员额法官", "team": None, "division": "民事审判一庭"},
    {"judge_id": "M3", "name": "韩某", "court_code": "冀0124", "post": "员额法官", "team": None, "division": "刑事审判庭"},
]
LOADS = {"J1": (12, 12.0), "J2": (14, 13.0), "A1": (0, 0.0), "K1": (10, 12.0), "K2": (11, 9.5), "K3": (30, 31.0),
         "K4": (25, 33.5)}


def ftz(cause, parties, **kw):
    return {"case_id": "x", "court_code": FTZ, "cause": cause, "parties": parties, "tags": ["ftz"], **kw}


CASES = [
    # (case, expected team, expected judge, a reason that must appear)
    (ftz("技术合同纠纷", "甲科技公司；乙公司"), "知识产权", "张某", "案由为技术合同纠纷 → 知识产权团队"),
    (ftz("买卖合同纠纷", "某药业有限公司；某贸易公司"), "生物医药", "李某", "当事人或案情含“药业” → 生物医药团队"),
    (ftz("股权转让纠纷", "上海某投资公司；ABC Holdings Ltd."), "跨境投资", "周某",
     "案由为股权转让纠纷且当事人ABC Holdings Ltd.为境外主体 → 跨境投资团队"),
    (ftz("服务合同纠纷", "Smith John；某公司"), "涉外", "孙某", "当事人Smith John为境外主体 → 涉外团队"),
    (ftz("金融借款合同纠纷", "某银行股份有限公司；某公司"), "金融贸易", "钱某", "案由为金融借款合同纠纷 → 金融贸易团队"),
    (ftz("计算机软件开发合同纠纷", "某电子科技有限公司；某公司"), "知识产权", "张某", "案由为计算机软件开发合同纠纷 → 知识产权团队"),
    (ftz("买卖合同纠纷", "某电子科技有限公司；某公司"), "电子信息", "赵某", "当事人或案情含“电子” → 电子信息团队"),
    (ftz("劳动争议", "张三；某公司"), "金融贸易", "钱某", "未命中专业团队规则 → 默认金融贸易团队"),
    (ftz("服务合同纠纷", "某公司；某公司", tags=["ftz", "foreign_related"]), "涉外", "孙某", "标记为涉外 → 涉外团队"),
    # ordinary court: simple → 速裁团队 (K2 has more cases but less weighted work), complex → the division
    ({"case_id": "y", "court_code": "冀0123", "cause": "民间借贷纠纷", "parties": "甲；乙", "procedure": "civil_small_claims",
      "claim_amount": Decimal("30000"), "division": "民一庭"}, "速裁团队", "冯某", "简案 → 速裁团队"),
    ({"case_id": "z", "court_code": "冀0123", "cause": "建设工程施工合同纠纷", "parties": "甲；乙；丙；丁",
      "procedure": "civil_ordinary", "claim_amount": Decimal("8000000"), "division": "民一庭"}, None, "陈某",
     "繁案 → 由民一庭员额法官审理"),
    # an FTZ-tagged appeal in a court without the specialised teams: ordinary triage, and it says so
    ({"case_id": "f", "court_code": "冀0124", "cause": "技术合同纠纷", "tags": ["ftz"], "procedure": "civil_ordinary",
      "division": "民事审判一庭"}, None, "沈某", "自贸区案件，但本院没有专业化审判团队 → 按繁简分流分案"),
    ({"case_id": "m", "court_code": "冀0124", "cause": "物业服务合同纠纷", "procedure": "civil_small_claims",
      "claim_amount": Decimal("3000")}, None, "蒋某", "简案 → 速裁庭"),
    # no division given: a civil cause (…纠纷) goes to the divisions named 民事…, never to the criminal one
    ({"case_id": "n", "court_code": "冀0124", "cause": "股东资格确认纠纷", "procedure": "civil_ordinary",
      "claim_amount": Decimal("6000000")}, None, "沈某", "繁案 → 由民事审判部门员额法官审理"),
]


@pytest.mark.parametrize(("case", "team", "judge", "reason"), CASES)
def test_routing_table(case, team, judge, reason):
    d = decide(case, ROSTER, LOADS, load_rules("triage"), load_rules("ftz_routing"))
    assert (d.team, d.judge_name) == (team, judge)
    assert reason in d.explanation, d.explanation


def test_reason_names_the_least_loaded_judge():
    d = decide(CASES[0][0], ROSTER, LOADS, load_rules("triage"), load_rules("ftz_routing"))
    assert "张某在办12件（加权12），最少（次少：王某14件，加权13）" in d.explanation
    assert d.judge_id == "J1"  # the 法官助理 in the team is never a candidate


def test_triage_points_worked_by_hand():
    r = load_rules("triage")
    # 小额 −2, 标的额 3 万 < 10 万 −1, 类型化案由 民间借贷 −1 → −4 → 简案
    track, pts, why = triage({"cause": "民间借贷纠纷", "procedure": "civil_small_claims", "claim_amount": Decimal(30000),
                              "parties": "甲；乙"}, r)
    assert (track, pts) == ("simple", -4) and "简案（-4分" in why
    # 普通程序 +1, 标的额 800 万 ≥ 500 万 +2, 4 方当事人 +1, 疑难案由 建设工程 +2 → 6 → 繁案
    track, pts, why = triage(next(c for c, *_ in CASES if c["case_id"] == "z"), r)
    assert (track, pts) == ("complex", 6)
    assert "标的额800万元 ≥ 500万元 +2" in why and "当事人4方 ≥ 4方 +1" in why


def test_team_without_judges_is_a_clear_error():
    roster = [p for p in ROSTER if p["team"] != "涉外"]
    with pytest.raises(UserError, match="涉外团队没有在岗的员额法官"):
        decide(CASES[3][0], roster, LOADS, load_rules("triage"), load_rules("ftz_routing"))


@pytest.fixture()
def store(tmp_path):
    s = CaseStore(tmp_path)
    cases = pa.table({
        "case_id": ["(2026)沪0115民初1号", "(2026)沪0115民初2号", "(2026)沪0115民初3号", "(2026)沪0115民初4号"],
        "court_code": [FTZ] * 4, "year": [2026] * 4, "type_code": ["民初"] * 4,
        "procedure": ["civil_ordinary", "civil_ordinary", "civil_small_claims", "civil_ordinary"],
        "cause": ["专利权权属纠纷", "著作权侵权纠纷", "买卖合同纠纷", "技术服务合同纠纷"],
        "filing_date": [date(2026, 1, 5), date(2026, 2, 1), date(2026, 2, 3), date(2026, 3, 1)],
        "closing_date": [None, None, None, None],
        "judge_id": ["J1", "J1", "J2", None], "judge_name": ["张某", "张某", "王某", None],
        "parties": ["甲；乙", "甲；乙", "丙；丁", "某科技公司；Acme Inc."],
        "tags": [["ftz"], ["ftz"], ["ftz"], ["ftz"]],
        "dispute_id": ["D1", None, None, "D1"],
    })
    people = pa.table({k: [r.get(k) for r in ROSTER[:3]] for k in ("judge_id", "name", "court_code", "post", "team")})
    people = people.append_column("year", pa.array([2026] * 3, pa.int32()))
    with s.transaction() as tx:
        tx.write("cases", cases)
        tx.write("people", people)
    return tmp_path


def test_route_case_number_and_file_through_engine(store, tmp_path):
    eng = connect(store)
    # 张某 has 2 pending 民初 (2.0), 王某 1 小额 (0.5) → 王某
    d = route_case(eng, "(2026)沪0115民初4号", as_of=date(2026, 3, 2))
    assert (d.team, d.judge_name) == ("知识产权", "王某")
    assert "案由为技术服务合同纠纷 → 知识产权团队" in d.explanation and "王某在办1件（加权0.5），最少" in d.explanation
    assert "有关联案件(2026)沪0115民初1号 +1" in d.explanation  # same dispute_id
    f = tmp_path / "new.csv"
    f.write_text("案号,案由,当事人,标的额,程序,标记\n"
                 "（2026）沪0115民初10号,商标权侵权纠纷,甲；乙,100000,普通程序,ftz\n"
                 "（2026）沪0115民初11号,专利合同纠纷,甲；乙,100000,普通程序,ftz\n"
                 "（2026）沪0115民初12号,技术合同纠纷,甲；乙,100000,普通程序,ftz\n", "utf-8")
    ds = route_file(eng, f, as_of=date(2026, 3, 2))
    # 王某 0.5 → 1.5 → 张某 2.0 vs 王某 1.5 → 王某 2.5 … each routed case counts towards the load
    assert [x.judge_name for x in ds] == ["王某", "王某", "张某"]
    with pytest.raises(UserError, match="在案件库中不存在"):
        route_case(eng, "（2026）沪0115民初999号", as_of=date(2026, 3, 2))
