"""Golden tests of the indicator definitions changed by issue 13 §1 and §5, on a small hand-made court whose
expected values are worked out below. Each test also names what the old definition gave (it fails there).

2025 cases (冀0123; default exclusions drop the 民诉前调 files M1 M2 from 收结存-type counts):
  N1 民初 简易 filed 2025-01-06 closed 03-20 判决 民一庭 — limit 3 months → 04-06 (Sunday, 清明) → 04-07: on time
  N2 民初 简易 filed 2025-01-06 closed 06-30 调解 民一庭 — same limit: late
  N7 民初 小额 filed 2025-02-01 closed 03-01 判决 民一庭 — limit 2 months → 04-01: on time
  N3 财保 procedure no_limit, closed 2025-02-11, 立案庭 — no statutory limit
  N4 民督 procedure no_limit, closed 2025-03-01, 立案庭 — no statutory limit
  N5 民初 普通 tagged foreign_related, filed 2024-03-01 closed 2025-05-10 撤诉 民一庭 — 涉外: no limit
  N6 民初 普通 filed 2025-03-03, pending
  M1 民诉前调 filed 02-01 closed 02-20 调解成功, dispute D1; M2 民诉前调 filed 03-01 closed 03-25 调解不成, D2;
  M3 民初 filed 2025-04-01 (the failed M2 brought to court), dispute D2, pending
  E1..E5 执 filed in 2025, pending; 执行依据 (origin_case_id): E1 民初 judgment, E2 民终 judgment,
  E3 an arbitration award, E4 a notarised debt instrument, E5 none recorded
2024 first half (period 2024-01-01 … 2024-06-30, the 26-indicator version of spc-2024):
  F1 民初 判决 appealed, F2 民初 调解, F3 民初 撤诉, F4 民初 驳回起诉 (a ruling), all 民一庭;
  F5 刑初 判决 tagged petition (申诉), F6 刑初 判决 appealed, 刑庭; X1 民再 (retrial) 判决 tagged petition, 民一庭;
  A1 民终 at 冀01 reversed F1; A2 民终 at 冀01 remanded F4.
"""

from __future__ import annotations

import json
from datetime import date as d

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from zhixiao.cli import app
from zhixiao.engine import connect
from zhixiao.metrics.card import card, excluded_counts
from zhixiao.metrics.catalogue import get, load_profile
from zhixiao.metrics.drill import case_list
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import CASES as CASES_SCHEMA
from zhixiao.store.schema import conform

BASIC, MID = "冀0123", "冀01"
Y25 = (d(2025, 1, 1), d(2025, 12, 31))
H1_24 = (d(2024, 1, 1), d(2024, 6, 30))

# id, court, category, stage, type_code, procedure, filed, closed, method, division, judge, extra
CASES = [
    ("N1", BASIC, "civil", "first", "民初", "civil_simplified", d(2025, 1, 6), d(2025, 3, 20), "判决", "民一庭", "J1", {}),
    ("N2", BASIC, "civil", "first", "民初", "civil_simplified", d(2025, 1, 6), d(2025, 6, 30), "调解", "民一庭", "J1", {}),
    ("N7", BASIC, "civil", "first", "民初", "civil_small_claims", d(2025, 2, 1), d(2025, 3, 1), "判决", "民一庭", "J1", {}),
    ("N3", BASIC, "preservation", "other", "财保", "no_limit", d(2025, 2, 10), d(2025, 2, 11), "准予保全", "立案庭", "J9", {}),
    ("N4", BASIC, "civil", "special", "民督", "no_limit", d(2025, 2, 20), d(2025, 3, 1), "支付令", "立案庭", "J9", {}),
    ("N5", BASIC, "civil", "first", "民初", "civil_ordinary", d(2024, 3, 1), d(2025, 5, 10), "撤诉", "民一庭", "J1",
     dict(tags=["foreign_related"])),
    ("N6", BASIC, "civil", "first", "民初", "civil_ordinary", d(2025, 3, 3), None, None, "民一庭", "J1", {}),
    ("M1", BASIC, "mediation", "other", "民诉前调", "pre_suit_mediation", d(2025, 2, 1), d(2025, 2, 20), "调解成功",
     "诉讼服务中心", None, dict(dispute_id="D1")),
    ("M2", BASIC, "mediation", "other", "民诉前调", "pre_suit_mediation", d(2025, 3, 1), d(2025, 3, 25), "调解不成",
     "诉讼服务中心", None, dict(dispute_id="D2")),
    ("M3", BASIC, "civil", "first", "民初", "civil_simplified", d(2025, 4, 1), None, None, "民一庭", "J1",
     dict(dispute_id="D2")),
    ("E1", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 4, 1), None, None, "执行局", "J4",
     dict(origin_case_id="（2024）冀0123民初100号")),
    ("E2", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 5, 1), None, None, "执行局", "J4",
     dict(origin_case_id="（2025）冀01民终7号")),
    ("E3", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 5, 2), None, None, "执行局", "J4",
     dict(origin_case_id="（2025）石仲字第12号")),
    ("E4", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 6, 1), None, None, "执行局", "J4",
     dict(origin_case_id="（2025）冀石正证字第3号")),
    ("E5", BASIC, "enforcement", "enforcement", "执", "enforcement", d(2025, 6, 2), None, None, "执行局", "J4", {}),
    ("F1", BASIC, "civil", "first", "民初", "civil_simplified", d(2024, 1, 10), d(2024, 2, 20), "判决", "民一庭", "J1",
     dict(appealed=True)),
    ("F2", BASIC, "civil", "first", "民初", "civil_simplified", d(2024, 1, 15), d(2024, 3, 1), "调解", "民一庭", "J1", {}),
    ("F3", BASIC, "civil", "first", "民初", "civil_simplified", d(2024, 1, 20), d(2024, 3, 5), "撤诉", "民一庭", "J1", {}),
    ("F4", BASIC, "civil", "first", "民初", "civil_simplified", d(2024, 1, 25), d(2024, 3, 10), "驳回起诉", "民一庭", "J1", {}),
    ("F5", BASIC, "criminal", "first", "刑初", "criminal_public", d(2024, 2, 1), d(2024, 4, 1), "判决", "刑庭", "J3",
     dict(appealed=False, tags=["petition"])),
    ("F6", BASIC, "criminal", "first", "刑初", "criminal_public", d(2024, 2, 5), d(2024, 4, 10), "判决", "刑庭", "J3",
     dict(appealed=True)),
    ("X1", BASIC, "civil", "retrial", "民再", "civil_ordinary", d(2024, 2, 1), d(2024, 5, 1), "判决", "民一庭", "J2",
     dict(tags=["petition"])),
    ("A1", MID, "civil", "second", "民终", "civil_second_judgment", d(2024, 3, 1), d(2024, 5, 10), "判决", "民二庭", "J5",
     dict(appeal_result="reversed", origin_case_id="F1")),
    ("A2", MID, "civil", "second", "民终", "civil_second_ruling", d(2024, 4, 1), d(2024, 6, 1), "裁定", "民二庭", "J5",
     dict(appeal_result="remanded", origin_case_id="F4")),
]


@pytest.fixture(scope="module")
def court(tmp_path_factory):
    path = tmp_path_factory.mktemp("definitions")
    rows = [dict(case_id=cid, court_code=court, court_name="正定县人民法院" if court == BASIC else "石家庄市中级人民法院",
                 year=filed.year, category=cat, stage=stage, type_code=tc, procedure=proc, filing_date=filed,
                 closing_date=closed, closing_method=method, division=div, judge_id=judge, **extra)
            for cid, court, cat, stage, tc, proc, filed, closed, method, div, judge, extra in CASES]
    with CaseStore(path).transaction() as tx:
        tx.write("cases", conform("cases", pa.Table.from_pylist(rows, schema=CASES_SCHEMA)))
    return connect(path, "duckdb")


def _parts(row) -> tuple:
    return row.numerator, row.denominator, row.value


# ---------------------------------------------------------------- §1 审限内结案率 over the cases with a limit

@pytest.mark.parametrize("profile", ["court-classic", "spc-2024"])
def test_on_time_rate_leaves_out_cases_without_a_statutory_limit(court, profile):
    res = evaluate(court, profile, *Y25, indicators=["on_time_rate"])
    row = res.rows[0]
    # closed in 2025 (M1 M2 excluded as 诉前调解 files): N1 N2 N7 with a limit, N3 N4 N5 without;
    # on time N1 N7 → 2/3, 3 left out. The old definition: 2/6 = 33.33%
    assert _parts(row) == (2, 3, pytest.approx(2 / 3)) and row.excluded == 3


def test_division_of_only_unlimited_cases_has_no_on_time_rate_not_zero(court):
    res = evaluate(court, "court-classic", *Y25, by=("division",), indicators=["on_time_rate"])
    filing = res.get("on_time_rate", division="立案庭")
    # 立案庭 closed only N3 财保 and N4 民督: nothing to judge on time → no value (the old rate: 0/2 = 0.00%)
    assert (filing.numerator, filing.denominator, filing.value, filing.excluded) == (0, 0, None, 2)
    civil = res.get("on_time_rate", division="民一庭")
    assert _parts(civil) == (2, 3, pytest.approx(2 / 3)) and civil.excluded == 1  # N5 涉外 left out


def test_excluded_cases_by_type_and_drill(court):
    ind = get("on_time_rate", "court-classic", Y25[1])
    assert excluded_counts(court, ind, *Y25) == {"民初": 1, "民督": 1, "财保": 1}  # N5, N4, N3
    assert sorted(case_list(court, "on_time_rate", "court-classic", *Y25, part="excluded").case_id) == ["N3", "N4", "N5"]
    assert sorted(case_list(court, "on_time_rate", "court-classic", *Y25, part="denominator").case_id) == ["N1", "N2", "N7"]


# ---------------------------------------------------------------- §5 definitions

def test_enforcement_application_rate_counts_only_civil_judgments_and_mediations(court):
    row = evaluate(court, "spc-2024", *Y25, indicators=["enforcement_application_rate"]).rows[0]
    # new 执 in 2025: E1 (民初) and E2 (民终) count; E3 仲裁, E4 公证, E5 without 执行依据 do not.
    # civil first/second 判决 or 调解 closed in 2025: N1 判决, N2 调解, N7 判决 (N5 撤诉 no) → 2/3 (old: 5/3)
    assert _parts(row) == (2, 3, pytest.approx(2 / 3))


def test_pre_suit_mediation_ratio_counts_disputes(court):
    row = evaluate(court, "spc-2024", *Y25, indicators=["pre_suit_mediation_ratio"]).rows[0]
    # successful: M1. Disputes reaching the court in 2025 (new 民诉前调 or 民初): D1 (M1), D2 (M2 and M3 — one
    # dispute, not two), and N1 N2 N6 N7 without a 纠纷编号, each its own → 6. (old: 7 proceedings)
    assert _parts(row) == (1, 6, pytest.approx(1 / 6))


@pytest.mark.parametrize("iid, origin", [("first_reversed_rate", "F1"), ("first_remanded_rate", "F4")])
def test_reversal_rates_are_over_judgments_and_rulings(court, iid, origin):
    res = evaluate(court, "spc-2024", *H1_24, by=("division",), indicators=[iid])
    civil = res.get(iid, division="民一庭")
    # 民一庭's first-instance judgments and rulings closed in 2024 H1: F1 判决, F4 驳回起诉 (F2 调解, F3 撤诉 are
    # not; X1 is a retrial) → denominator 2; A1 reversed F1 / A2 remanded F4 → 1/2 (old: 1/4)
    assert _parts(civil) == (1, 2, 0.5)
    court_wide = evaluate(court, "spc-2024", *H1_24, indicators=[iid]).rows[0]
    assert _parts(court_wide) == (1, 4, 0.25)  # + F5 F6 刑事判决 (old denominator: F1..F6 = 6)
    assert list(case_list(court, iid, "spc-2024", *H1_24, {"division": "民一庭"}).origin_case_id) == [origin]


def test_acceptance_rate_counts_petitions_and_shows_what_gives_its_value(court):
    row = evaluate(court, "court-classic", *H1_24, indicators=["acceptance_rate"]).rows[0]
    # first-instance and retrial judgments closed in 2024 H1: F1..F6, X1 = 7; not accepted: F1 上诉, F5 申诉
    # (petition), F6 上诉, X1 申诉 = 4 → 1 − 4/7, shown as 3 accepted of 7. Old: 1 − 2/6 shown as (2, 6).
    assert _parts(row) == (3, 7, pytest.approx(3 / 7))
    assert row.value == pytest.approx(row.numerator / row.denominator)
    accepted = case_list(court, "acceptance_rate", "court-classic", *H1_24)
    assert sorted(accepted.case_id) == ["F2", "F3", "F4"]  # the drill-down lists the 3 of the numerator


def test_criminal_acceptance_rate_written_as_complement(court):
    ind = get("criminal_acceptance_rate", "spc-2024", H1_24[1])
    assert ind.complement is False and ind.complement_of is not None  # rewritten at load, x kept for the card
    row = evaluate(court, "spc-2024", *H1_24, indicators=["criminal_acceptance_rate"]).rows[0]
    assert _parts(row) == (1, 2, 0.5)  # 刑事一审 closed F5 F6; appealed F6 → 1 − 1/2, shown as 1 of 2
    assert "分子 = 分母 − x" in card(ind).formula


def test_complement_must_be_part_of_its_denominator(tmp_path):
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "c.toml").write_text('''
[profile]
id = "mine"
[[indicator]]
id = "x"
name = "x"
group = "效果"
unit = "rate"
complement = true
numerator = { set = "new_cases", where = [{ col = "stage", eq = "retrial_review" }] }
denominator = { set = "closed", where = [{ col = "stage", eq = "first" }] }
source = "test"
''', encoding="utf-8")
    from zhixiao.errors import UserError

    with pytest.raises(UserError, match="分子须是分母案件的一部分"):
        load_profile("mine", data_dir=tmp_path)


# ---------------------------------------------------------------- §5 spc-2024: 26 until the revision, 18 after

def test_spc_2024_has_26_then_18_each_with_source_and_what_is_unpublished():
    before = load_profile("spc-2024", d(2024, 3, 31))
    after = load_profile("spc-2024", d(2025, 6, 30))
    assert (len(before), len(after)) == (26, 18)
    removed = {"closed_per_judge", "extension_rate", "retrial_ordered_rate", "suggestion_feedback_rate"}
    assert removed <= {i.id for i in before} and not removed & {i.id for i in after}
    assert {"second_reversal_remand_ratio", "retrial_reversal_remand_ratio"} <= {i.id for i in after}
    for ind in before + after:
        assert ind.source and ind.unpublished, ind.id
        assert ind.range is None, ind.id  # no public 合理区间: none presented as official


def test_unavailable_indicator_is_empty_with_its_reason(court):
    res = evaluate(court, "spc-2024", *Y25, indicators=["petition_visit_ratio", "appeal_rate"])
    row = res.get("petition_visit_ratio")
    assert row.value is None and "信访" in row.note


# ---------------------------------------------------------------- the 口径 card

def test_card_of_on_time_rate_says_what_is_left_out():
    c = card(get("on_time_rate", "court-classic"))
    assert "无法定审限" in c.excluded and "no_limit" in c.excluded
    assert any(t.startswith("民催") for t in c.no_limit_types)  # from the 审限 table (民催's procedure: no_limit)
    assert any("foreign_related" in t for t in c.no_limit_types)
    assert c.numerator.startswith("件数｜结案") and "审限内结案" in c.numerator
    assert c.versions == "不限（各版本通用）" and c.range is None


def test_explain_command_table_and_json(court):
    root = str(court.store.root)
    out = CliRunner().invoke(app, ["indicators", "explain", "on_time_rate", "--data-dir", root, "--court", BASIC,
                                   "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["excluded_count"] == 3 and doc["excluded_by_type"] == {"民初": 1, "民督": 1, "财保": 1}
    assert {"numerator", "denominator", "exclusions", "unit", "range", "range_source", "effective_from",
            "effective_to", "unpublished"} <= set(doc)
    spc = CliRunner().invoke(app, ["indicators", "explain", "first_reversed_rate", "--profile", "spc-2024",
                                   "--on", "2024-06-30"], env={"COLUMNS": "200"})
    assert spc.exit_code == 0, spc.output
    assert "未公开" in spc.stdout and "2024-09-30" in spc.stdout and "一审裁判被改判率" in spc.stdout
    gone = CliRunner().invoke(app, ["indicators", "explain", "first_reversed_rate", "--profile", "spc-2024",
                                    "--on", "2025-06-30"])
    assert gone.exit_code != 0  # not in the 18 of the revision
    # the evaluation command is unchanged and shows the left-out count
    ev = CliRunner().invoke(app, ["indicators", "--data-dir", root, "--court", BASIC, "--from", "2025-01-01",
                                  "--to", "2025-12-31", "--indicator", "on_time_rate"], env={"COLUMNS": "200"})
    assert ev.exit_code == 0 and "66.67%" in ev.stdout and "口径排除" in ev.stdout


@pytest.mark.spark
def test_same_answers_on_spark(court):
    spark = connect(court.store.root, "spark")
    for profile, period in (("court-classic", Y25), ("spc-2024", Y25), ("court-classic", H1_24), ("spc-2024", H1_24)):
        a = evaluate(court, profile, *period, by=("division",)).to_dict()
        b = evaluate(spark, profile, *period, by=("division",)).to_dict()
        assert json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str), profile


def test_an_annual_range_does_not_judge_a_two_month_period():
    """结案率's 合理区间 93%–100% is annual (range_period "year"): a 1—2月 value of 40% is neither 达标 nor
    未达标 (in_range None), while the same value over the calendar year is 未达标 (False)."""
    from zhixiao.metrics.catalogue import load_profile
    from zhixiao.metrics.evaluate import Period, in_range

    ind = next(i for i in load_profile("court-classic") if i.id == "closure_rate")
    assert ind.range_period == "year" and ind.range == (0.93, 1.0)
    assert in_range(ind, 0.40, Period(d(2026, 1, 1), d(2026, 2, 28), d(2026, 2, 28))) is None
    assert in_range(ind, 0.40, Period(d(2025, 1, 1), d(2025, 12, 31), d(2025, 12, 31))) is False
    assert in_range(ind, 0.95, Period(d(2025, 1, 1), d(2025, 12, 31), d(2025, 12, 31))) is True
