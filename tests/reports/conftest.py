"""A small hand-made store (two courts, 2024-10 → 2026-02) whose figures are worked out by hand in the tests.

冀0123, 2026-01-01..2026-02-28: 新收 8 (cases 10–17), 旧存 4 (6, 7, 8, 9), 受理 12, 结案 6 (6, 9, 10, 11, 14, 16),
未结 6 (7, 8, 12, 13, 15, 17), 结案率 6/12 = 50%, 结收比 6/8 = 75%, 超12个月未结 1 (case 8, filed 2024-10-01).
Same period 2025: 新收 5 (1–5), 旧存 1 (8), 受理 6, 结案 3 (1, 3, 4), 未结 3 (2, 5, 8), 结案率 50%, 结收比 60%.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from zhixiao.store.cases import CaseStore
from zhixiao.store.schema import conform

D = date.fromisoformat
ZD, CA = ("冀0123", "正定县人民法院"), ("冀0102", "石家庄市长安区人民法院")
CIV, CRI, ENF = ("civil", "first", "civil_simplified"), ("criminal", "first", "criminal_public"), (
    "enforcement", "enforcement", "enforcement")
DIV = {"J001": "民事审判一庭", "J002": "民事审判一庭", "J003": "刑事审判庭", "J004": "执行局", "J101": "民事审判庭"}
NAME = {"J001": "张明", "J002": "李华", "J003": "王强", "J004": "赵敏", "J101": "孙丽"}

# n, court, year, type, kind, filed, closed, method, judge
CASES = [
    (1, ZD, 2025, "民初", CIV, "2025-01-05", "2025-02-10", "调解", "J001"),
    (2, ZD, 2025, "民初", CIV, "2025-01-20", "2025-03-15", "判决", "J001"),
    (3, ZD, 2025, "民初", CIV, "2025-02-03", "2025-02-25", "撤诉", "J002"),
    (4, ZD, 2025, "刑初", CRI, "2025-01-10", "2025-02-20", "判决", "J003"),
    (5, ZD, 2025, "执", ENF, "2025-02-01", "2025-04-01", "执行完毕", "J004"),
    (6, ZD, 2025, "民初", CIV, "2025-11-01", "2026-01-20", "判决", "J001"),
    (7, ZD, 2025, "民初", CIV, "2025-12-01", None, None, "J002"),
    (8, ZD, 2024, "民初", CIV, "2024-10-01", None, None, "J002"),
    (9, ZD, 2025, "执", ENF, "2025-12-15", "2026-02-10", "终结本次执行程序", "J004"),
    (10, ZD, 2026, "民初", CIV, "2026-01-05", "2026-02-01", "调解", "J001"),
    (11, ZD, 2026, "民初", CIV, "2026-01-12", "2026-02-20", "判决", "J001"),
    (12, ZD, 2026, "民初", CIV, "2026-01-20", None, None, "J002"),
    (13, ZD, 2026, "民初", CIV, "2026-02-10", None, None, "J002"),
    (14, ZD, 2026, "刑初", CRI, "2026-01-08", "2026-02-05", "判决", "J003"),
    (15, ZD, 2026, "刑初", CRI, "2026-02-15", None, None, "J003"),
    (16, ZD, 2026, "执", ENF, "2026-01-03", "2026-02-26", "执行完毕", "J004"),
    (17, ZD, 2026, "执", ENF, "2026-02-01", None, None, "J004"),
    (18, CA, 2026, "民初", CIV, "2026-01-10", "2026-02-01", "判决", "J101"),
    (19, CA, 2026, "民初", CIV, "2026-02-01", None, None, "J101"),
]


def build_store(root) -> None:
    rows = []
    for n, (code, cname), year, tc, (cat, stage, proc), filed, closed, method, judge in CASES:
        rows.append({
            "case_id": f"({year}){code}{tc}{n}号", "court_code": code, "court_name": cname, "year": year,
            "type_code": tc, "seq": n, "category": cat, "stage": stage, "procedure": proc, "cause": "民间借贷纠纷",
            "filing_date": D(filed), "closing_date": D(closed) if closed else None, "closing_method": method,
            "division": DIV[judge], "judge_id": f"{code}-{judge}", "judge_name": NAME[judge],
            "dispute_id": f"D{n}", "snapshot_date": D("2026-02-28"),
        })
    people = [{"judge_id": f"{code}-{j}", "name": NAME[j], "court_code": code, "year": 2026, "division": DIV[j],
               "post": "员额法官", "active_from": D("2020-01-01")}
              for j, code in (("J001", ZD[0]), ("J002", ZD[0]), ("J003", ZD[0]), ("J004", ZD[0]), ("J101", CA[0]))]
    store = CaseStore(root)
    with store.transaction() as tx:
        tx.write("cases", conform("cases", pa.Table.from_pylist(rows)))
        tx.write("people", conform("people", pa.Table.from_pylist(people)))


@pytest.fixture(scope="session")
def small_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("briefing-store")
    build_store(root)
    return root


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
PERIOD = (D("2026-01-01"), D("2026-02-28"))


@pytest.fixture(scope="session")
def period():
    return PERIOD


@pytest.fixture(scope="session")
def engine(small_store):
    from zhixiao.engine import connect

    return connect(small_store)


@pytest.fixture(scope="session")
def files(small_store, engine):
    """The 正定 1—2月 2026 briefing written once per session (kept under test-artifacts/ for people)."""
    from zhixiao.config import Settings
    from zhixiao.reports.render import write_briefing

    return write_briefing(Settings(data_dir=small_store), "冀0123", *PERIOD, ARTIFACTS, engine=engine,
                          pdf=shutil.which("soffice") is not None)
