"""Integrity-risk flags: each pattern fires at its threshold (and not below), listing its cases."""

from datetime import date

import pyarrow as pa
import pytest

from zhixiao.engine import connect
from zhixiao.services.integrity import integrity_flags
from zhixiao.store.cases import CaseStore

C = "冀0123"


def _c(i, judge, lawyer=None, closed=None, method=None):
    return {"case_id": f"(2026)冀0123民初{i}号", "court_code": C, "year": 2026, "category": "civil", "type_code": "民初",
            "filing_date": date(2026, 1, 2), "closing_date": closed, "closing_method": method, "judge_id": judge,
            "judge_name": {"J1": "张某", "J2": "王某", "J3": "李某"}[judge], "lawyer": lawyer}


@pytest.fixture(scope="module")
def flags(tmp_path_factory):
    root = tmp_path_factory.mktemp("integrity")
    cases = [_c(i, "J1", "赵律师；钱律师") for i in (1, 2, 3)] + [_c(4, "J1", "赵律师")]
    cases += [_c(i, "J2", "孙律师") for i in (5, 6)]  # only 2 cases with events: below the line of 3
    # J3: 10 closed, 6 withdrawn (60 %); J2: 10 closed, 1 withdrawn → court 7/20 = 35 %; 60 ≥ 1.5×35 and +25 pp
    cases += [_c(10 + k, "J3", closed=date(2026, 2, 1), method="撤诉" if k < 6 else "判决") for k in range(10)]
    cases += [_c(30 + k, "J2", closed=date(2026, 2, 1), method="撤诉" if k < 1 else "调解") for k in range(10)]
    ev = [{"case_id": f"(2026)冀0123民初{i}号", "court_code": C, "year": 2026, "kind": k, "start_date": date(2026, 2, 1)}
          for i, k in ((1, "extension"), (2, "deduction"), (3, "suspension"), (5, "extension"), (6, "deduction"))]
    ev += [{"case_id": "(2026)冀0123民初4号", "court_code": C, "year": 2026, "kind": "transfer",
            "start_date": date(2026, 1, d)} for d in (5, 9, 20)]
    ev += [{"case_id": "(2026)冀0123民初5号", "court_code": C, "year": 2026, "kind": "transfer",
            "start_date": date(2026, 1, d)} for d in (5, 9)]
    with CaseStore(root).transaction() as tx:
        tx.write("cases", pa.Table.from_pylist(cases))
        tx.write("case_events", pa.Table.from_pylist(ev))
    return integrity_flags(connect(root), date(2026, 1, 1), date(2026, 3, 31), C)


def test_lawyer_repeat(flags):
    f = [x for x in flags if x.kind == "lawyer_repeat"]
    # 赵律师 and 钱律师 each appear on J1's cases 1–3 with events; case 4 has no 延长/扣除
    assert [(x.judge_name, x.cases) for x in f] == [
        ("张某", ["(2026)冀0123民初1号", "(2026)冀0123民初2号", "(2026)冀0123民初3号"])] * 2
    assert "律师赵律师代理的 3 件案件有审限变更记录（延长1次、扣除1次、中止1次）" in f[0].reason


def test_withdrawal_rate(flags):
    f = [x for x in flags if x.kind == "withdrawal"]
    assert len(f) == 1 and f[0].judge_name == "李某" and len(f[0].cases) == 6
    assert "撤诉率 60.0%，全院同类 35.0%（≥1.5 倍且高出 25.0 个百分点）" in f[0].reason


def test_reassignment(flags):
    f = [x for x in flags if x.kind == "reassignment"]
    assert [x.cases for x in f] == [["(2026)冀0123民初4号"]]  # case 5 moved only twice
    assert "变更承办人 3 次（2026-01-05、2026-01-09、2026-01-20）" in f[0].reason
