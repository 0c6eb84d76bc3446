"""A synthetic two-court store with known seasonality, for forecast, target and signal tests."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa

from zhixiao.store.cases import CaseStore

# Filing shares by month (Jan … Dec): low February (春节), the rest flat-ish.
SHARE = [0.08, 0.05, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.09, 0.06]
JUDGES = [("J1", "张一", "民一庭"), ("J2", "李二", "民一庭"), ("J3", "王三", "民二庭"), ("J4", "赵四", "民二庭"),
          ("J5", "钱五", "民二庭")]


def make_cases(court: str, years: range, per_year: int, mean_days: float, seed: int, data_end: date,
               judges=JUDGES) -> list[dict]:
    """Filings spread by SHARE; exponential durations (constant closing hazard); pending after data_end."""
    rng = random.Random(seed)
    rows = []
    for y in years:
        for m in range(12):
            n = round(per_year * SHARE[m])
            days = (date(y + (m == 11), (m + 1) % 12 + 1, 1) - date(y, m + 1, 1)).days
            for _ in range(n):
                filed = date(y, m + 1, 1 + rng.randrange(days))
                closed = filed + timedelta(days=max(1, round(rng.expovariate(1 / mean_days))))
                jid, jname, div = judges[rng.randrange(len(judges))]
                rows.append(case(court, y, len(rows) + 1, filed, closed if closed <= data_end else None,
                                 jid, jname, div, parties=f"原告{len(rows)}；被告{len(rows)}"))
    return rows


def case(court: str, year: int, seq: int, filed: date, closed: date | None, judge_id: str = "J1",
         judge_name: str = "张一", division: str = "民一庭", *, type_code: str = "民初", category: str = "civil",
         procedure: str = "civil_ordinary", method: str | None = None, cause: str = "民间借贷纠纷",
         parties: str | None = None) -> dict:
    return {
        "case_id": f"({year}){court}{type_code}{seq}号", "court_code": court, "court_name": court + "法院",
        "year": year, "type_code": type_code, "seq": seq, "category": category, "stage": "first",
        "procedure": procedure, "cause": cause, "filing_date": filed, "closing_date": closed,
        "closing_method": method or ("判决" if closed else None), "division": division, "judge_id": judge_id,
        "judge_name": judge_name, "parties": parties,
    }


def write(data_dir, cases: list[dict], events: list[dict] | None = None) -> CaseStore:
    store = CaseStore(data_dir)
    with store.transaction() as tx:
        tx.write("cases", pa.Table.from_pylist(cases))
        if events:
            tx.write("case_events", pa.Table.from_pylist(events))
    return store


def event(case: dict, kind: str, start: date, end: date | None = None, months: int | None = None,
          days: int | None = None) -> dict:
    return {"case_id": case["case_id"], "court_code": case["court_code"], "year": case["year"], "kind": kind,
            "start_date": start, "end_date": end, "months": months, "days": days}
