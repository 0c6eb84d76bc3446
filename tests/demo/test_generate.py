"""The demo city: determinism, volumes and mix, 案号 consistency, links between proceedings, realism."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from zhixiao.demo.generate import build_city
from zhixiao.domain.case_number import parse_case_number
from zhixiao.domain.courts import court_name
from zhixiao.store.cases import CaseStore

AS_OF = date(2024, 12, 31)
SCALE = 0.05
BASIC = ("冀0102", "冀0104", "冀0105", "冀0108", "冀0109", "冀0110", "冀0123")


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    d = tmp_path_factory.mktemp("city")
    summary = build_city(d, AS_OF, seed=2026, scale=SCALE, progress=False)
    store = CaseStore(d)
    cases = store.read("cases").to_pylist()
    events = store.read("case_events").to_pylist()
    people = store.read("people").to_pylist()
    return summary, cases, events, people


def _by_id(cases):
    return {c["case_id"]: c for c in cases}


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for d, seed in ((a, 7), (b, 7), (c, 8)):
        build_city(d, date(2024, 5, 31), seed=seed, scale=0.02, progress=False)
    sa, sb, sc = CaseStore(a), CaseStore(b), CaseStore(c)
    for table in ("cases", "case_events", "people"):
        assert sa.partitions(table) == sb.partitions(table)
        fa, fb = sa.files(table), sb.files(table)
        assert fa and len(fa) == len(fb)
        for x, y in zip(fa, fb, strict=True):
            assert x.read_bytes() == y.read_bytes(), (table, x.name)
    assert sa.read("cases").column("case_id") != sc.read("cases").column("case_id") or \
        sa.read("cases").column("judge_name") != sc.read("cases").column("judge_name")


def test_volumes_per_court_at_scale_one(city):
    summary, cases, _, _ = city
    new = {c["court_code"]: c["new_cases"][2024] / SCALE for c in summary.courts}
    for code in BASIC:
        assert 5000 <= new[code] <= 25000, (code, new[code])
    assert 10000 <= new["冀0123"] <= 14000  # ≈ 12k
    # the intermediate court hears more appeals than first-instance cases
    mid = Counter(c["type_code"] for c in cases if c["court_code"] == "冀01" and c["year"] == 2024)
    assert mid["民终"] + mid["刑终"] + mid["行终"] > mid["民初"] + mid["刑初"] + mid["行初"] > 0


def test_national_case_type_mix(city):
    _, cases, _, _ = city
    rows = [c for c in cases if c["year"] == 2024 and c["court_code"] in BASIC]
    n = len(rows)
    share = Counter(c["category"] for c in rows)
    civil_first = sum(1 for c in rows if c["type_code"] == "民初") / n
    assert 0.42 <= civil_first <= 0.56
    assert 0.22 <= share["enforcement"] / n <= 0.36
    assert 0.05 <= share["criminal"] / n <= 0.11
    assert 0.005 <= share["administrative"] / n <= 0.04
    procs = Counter(c["procedure"] for c in rows if c["type_code"] == "民初")
    m = sum(procs.values())
    # 民初 procedures 简易 ~60%, 小额 ~15%, 普通 ~25% (final procedure, after 简易→普通 changes)
    assert 0.45 <= procs["civil_simplified"] / m <= 0.65
    assert 0.08 <= procs["civil_small_claims"] / m <= 0.20
    assert 0.20 <= procs["civil_ordinary"] / m <= 0.38


def test_case_numbers_match_columns_and_filing_order(city):
    _, cases, _, _ = city
    pat = re.compile(r"^\((\d{4})\)(冀\d+)(\D+?)(\d+)号$")
    groups: dict[tuple, list] = {}
    for c in cases:
        m = pat.match(c["case_id"])
        assert m, c["case_id"]
        assert (int(m[1]), m[2], m[3], int(m[4])) == (c["year"], c["court_code"], c["type_code"], c["seq"])
        if c["year"] >= 2024:
            groups.setdefault((c["court_code"], c["year"], c["type_code"]), []).append(c)
    assert len({c["case_id"] for c in cases}) == len(cases)
    for rows in groups.values():
        rows.sort(key=lambda r: r["seq"])
        assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))  # sequence per court × year × type
        filings = [r["filing_date"] for r in rows]
        assert filings == sorted(filings)  # numbered in filing order
        assert all(r["filing_date"].year == r["year"] for r in rows)


def test_case_numbers_parse_with_the_registry(city):
    _, cases, _, _ = city
    sample = cases[:: max(1, len(cases) // 400)]
    for c in sample:
        p = parse_case_number(c["case_id"])
        assert p.normalized == c["case_id"]
        assert (p.year, p.court_code, p.type_code, p.seq) == (c["year"], c["court_code"], c["type_code"], c["seq"])
        assert (p.category, p.stage) == (c["category"], c["stage"]), c["case_id"]


def test_court_names_follow_the_registry(city):
    summary = city[0]
    for c in summary.courts:
        assert court_name(c["court_code"]) in (None, c["court_name"])
    names = {c["court_code"]: c["court_name"] for c in summary.courts}
    assert names["冀0123"] == "正定县人民法院"


def test_follow_up_proceedings_link_to_existing_origins(city):
    _, cases, _, _ = city
    ids = _by_id(cases)
    expect_origin = {"执": {"民初"}, "执保": {"民初"}, "执恢": {"执"}, "执异": {"执", "执恢"}, "执复": {"执异"},
                     "民终": {"民初"}, "刑终": {"刑初"}, "行终": {"行初"}, "诉前调确": {"民诉前调"},
                     "诉前调书": {"民诉前调"}}
    seen = Counter()
    for c in cases:
        if c["type_code"] not in expect_origin:
            assert c["origin_case_id"] is None
            continue
        o = ids.get(c["origin_case_id"])
        assert o is not None, (c["case_id"], c["origin_case_id"])
        assert o["type_code"] in expect_origin[c["type_code"]]
        assert o["dispute_id"] == c["dispute_id"]
        seen[c["type_code"]] += 1
        if c["type_code"] in ("民终", "刑终", "行终"):
            assert c["court_code"] == "冀01" and o["court_code"] != "冀01"
            assert o["appealed"] is True and o["closing_method"] == "判决"
            assert o["closing_date"] < o["appeal_date"] < o["transfer_date"] <= c["filing_date"]
        if c["type_code"] == "执":
            assert o["closing_method"] in ("判决", "调解") and o["closing_date"] < c["filing_date"]
    assert seen["执"] > 100 and seen["民终"] > 10 and seen["执恢"] > 0


def test_money_dates_and_pending(city):
    _, cases, _, _ = city
    for c in cases:
        assert c["snapshot_date"] == AS_OF
        assert c["filing_date"] <= AS_OF
        if c["closing_date"] is None:
            assert c["closing_method"] is None
        else:
            assert c["filing_date"] <= c["closing_date"] <= AS_OF and c["closing_method"]
        a, b = c["enforcement_applied_amount"], c["enforcement_collected_amount"]
        if b is not None:
            assert a is not None and 0 <= b <= a
        if c["appealed"]:
            assert c["appeal_date"] <= AS_OF


def test_events_reference_cases_and_are_consistent(city):
    _, cases, events, _ = city
    ids = _by_id(cases)
    kinds = Counter(e["kind"] for e in events)
    assert {"extension", "deduction", "suspension", "resumption", "procedure_change", "restart"} <= set(kinds)
    for e in events:
        c = ids[e["case_id"]]
        assert (e["court_code"], e["year"]) == (c["court_code"], c["year"])
        assert c["filing_date"] <= e["start_date"] <= AS_OF
        if e["kind"] == "procedure_change":
            assert e["detail"] == c["procedure"] and e["reason"] in ("简易转普通", "小额转普通", "小额转简易",
                                                                     "刑事简易转普通", "速裁转普通")
        if e["kind"] == "extension":
            assert e["months"] > 0 and e["approver"] in ("院长", "上级法院")
        if e["kind"] == "deduction":
            assert e["reason"] in ("公告", "鉴定", "和解", "管辖异议", "审计评估", "拍卖")
            if e["end_date"] is not None:
                assert e["days"] == (e["end_date"] - e["start_date"]).days
                if c["closing_date"] is not None:
                    assert e["end_date"] <= c["closing_date"]
    open_ded = [e for e in events if e["kind"] == "deduction" and e["end_date"] is None]
    assert open_ded  # some deducted periods have no end yet
    # issue 13: criminal conversions (counted from the decision) and a few deductions recorded after expiry
    assert any(e["kind"] == "procedure_change" and e["detail"] == "criminal_public" for e in events)


def test_newly_limited_types_are_mostly_on_time(city):
    """民督 (15 days) and 财保 (48 hours) now have limits; the city rules most of them in time, as courts do."""
    from zhixiao.domain.time_limits import compute_deadline

    _, cases, _, _ = city
    for code, procedure in (("民督", "civil_payment_order"), ("财保", "preservation_pre_suit")):
        closed = [c for c in cases if c["type_code"] == code and c["closing_date"] is not None]
        assert closed and all(c["procedure"] == procedure for c in closed), code
        on_time = sum(c["closing_date"] <= compute_deadline(procedure, c["filing_date"]).deadline for c in closed)
        assert on_time / len(closed) > 0.9, (code, on_time, len(closed))


def test_seasonality_spring_festival_dip_and_december_surge(city):
    _, cases, _, _ = city
    rows = [c for c in cases if c["year"] == 2024 and c["court_code"] in BASIC]
    filed = Counter(c["filing_date"].month for c in rows)
    mean = sum(filed.values()) / 12
    assert filed[2] < 0.85 * mean  # 春节 2024-02-10
    assert filed[12] < mean  # December filing lull
    closed = Counter(c["closing_date"].month for c in cases if c["closing_date"] and c["closing_date"].year == 2024)
    assert closed[12] > max(closed[m] for m in range(3, 12))  # year-end closing surge


def test_realism_rates(city):
    _, cases, _, _ = city
    civil = [c for c in cases if c["type_code"] == "民初" and c["closing_date"] and c["closing_date"].year == 2024]
    days = sum((c["closing_date"] - c["filing_date"]).days for c in civil) / len(civil)
    assert 50 <= days <= 85  # national 民一审 67 days
    methods = Counter(c["closing_method"] for c in civil)
    assert 0.33 <= (methods["调解"] + methods["撤诉"]) / len(civil) <= 0.47  # 调撤率 ~40%
    judged = [c for c in cases if c["type_code"] == "民初" and c["closing_method"] == "判决"
              and c["closing_date"] <= AS_OF - timedelta(days=20)]
    rate = sum(1 for c in judged if c["appealed"]) / len(judged)
    assert 0.06 <= rate <= 0.14
    enf = [c for c in cases if c["type_code"] == "执" and c["closing_date"]]
    applied = sum(c["enforcement_applied_amount"] for c in enf)
    collected = sum(c["enforcement_collected_amount"] for c in enf)
    assert 0.45 <= float(collected / applied) <= 0.65  # 执行到位率
    zb = sum(1 for c in enf if c["closing_method"] == "终结本次执行程序") / len(enf)
    assert 0.33 <= zb <= 0.45
    now = [c for c in cases if c["year"] == 2024]
    ratio = len(now) / len({c["dispute_id"] for c in now})
    assert 1.15 <= ratio <= 1.6  # 案-件比


def test_long_pending_tiers(city):
    _, cases, _, _ = city
    pending = [c for c in cases if c["closing_date"] is None]
    age = [(AS_OF - c["filing_date"]).days for c in pending]
    assert any(a > 365 for a in age)
    assert any(a > 3 * 365 for a in age)  # 超36个月: legacy cases with old 案号 years
    assert any(c["year"] < 2023 for c in pending)


def test_people_roster_and_assignment(city):
    _, cases, _, people = city
    staff = {(p["court_code"], p["judge_id"]): p for p in people}
    assert {p["post"] for p in people} == {"员额法官", "法官助理", "书记员", "院领导"}
    for p in people:
        assert re.fullmatch(r"冀\d+-[JACL]\d+", p["judge_id"]) and p["judge_id"].startswith(p["court_code"] + "-")
    for c in cases[:: 50]:
        p = staff[(c["court_code"], c["judge_id"])]
        assert p["name"] == c["judge_name"] and p["post"] in ("员额法官", "院领导")
    teams = {p["team"] for p in people if p["court_code"] == "冀0123" and p["team"]}
    assert teams == {"生物医药", "电子信息", "知识产权", "金融贸易", "涉外", "跨境投资"}
    ftz = [c for c in cases if "ftz" in c["tags"] and c["type_code"] == "民初"]
    assert ftz and all(c["court_code"] == "冀0123" and c["division"] == "自贸区法庭" for c in ftz)
    # follow-up proceedings of an FTZ dispute keep the tag (执 at 正定, 民终 at 冀01)
    assert {c["court_code"] for c in cases if "ftz" in c["tags"]} <= {"冀0123", "冀01"}


def test_anomaly_fodder_outlier_judge_and_refiles(city):
    summary, cases, events, _ = city
    ext = {e["case_id"] for e in events if e["kind"] == "extension"}
    per_judge: dict[str, list[int]] = {}
    for c in cases:
        if c["court_code"] == "冀0123" and c["type_code"] == "民初":
            per_judge.setdefault(c["judge_id"], []).append(c["case_id"] in ext)
    rates = {j: sum(v) / len(v) for j, v in per_judge.items() if len(v) >= 10}
    others = sorted(r for j, r in rates.items() if j != summary.outlier_judge)
    assert rates[summary.outlier_judge] > 3 * others[len(others) // 2]
    civil = sorted((c for c in cases if c["type_code"] == "民初"), key=lambda c: c["filing_date"])
    by_key: dict[tuple, list] = {}
    for c in civil:
        by_key.setdefault((c["parties"], c["cause"]), []).append(c)
    pairs = [(a, b) for rows in by_key.values() for a, b in zip(rows, rows[1:], strict=False)
             if a["closing_method"] == "撤诉" and 0 < (b["filing_date"] - a["closing_date"]).days <= 30]
    assert pairs


def test_rejects_as_of_before_the_city_starts(tmp_path):
    from zhixiao.errors import UserError

    with pytest.raises(UserError, match="2024-01-01"):
        build_city(tmp_path, date(2023, 6, 30), progress=False)
