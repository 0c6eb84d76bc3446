"""Integrity-risk flags (廉政风险) from data patterns, each with the cases behind it.

Flags are prompts for a human check, not findings: repeated 延长/扣除 on one lawyer's cases before the
same judge, unusual withdrawal (撤诉) rates, and cases reassigned many times.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zhixiao.services import rules as R
from zhixiao.services.common import load_rules, pct, ratio
from zhixiao.services.ledgers import received_cases


@dataclass
class Flag:
    kind: str  # lawyer_repeat | withdrawal | reassignment
    title: str
    judge_id: str | None
    judge_name: str | None
    reason: str
    cases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _events(engine, case_ids: set[str], kinds: list[str]) -> dict[str, list[dict]]:
    ev = engine.case_events
    rows = ev.filter(ev.kind.isin(kinds)).select("case_id", "kind", "start_date", "reason").to_pyarrow().to_pylist()
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["case_id"] in case_ids:
            out[r["case_id"]].append(r)
    return out


def lawyer_flags(cases: list[dict], events: dict[str, list[dict]], spec: dict) -> list[Flag]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for c in cases:
        for lawyer in R.PARTY_SEP.split(c.get("lawyer") or ""):
            if lawyer.strip() and events.get(c["case_id"]):
                groups[(c["judge_id"], c["judge_name"], lawyer.strip())].append(c)
    out = []
    for (jid, jname, lawyer), cs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if len(cs) < spec["min_cases"]:
            continue
        kinds = defaultdict(int)
        for c in cs:
            for e in events[c["case_id"]]:
                kinds[e["kind"]] += 1
        what = "、".join(f"{ {'extension': '延长', 'deduction': '扣除', 'suspension': '中止'}.get(k, k)}{n}次"
                        for k, n in sorted(kinds.items(), key=lambda kv: spec["kinds"].index(kv[0])))
        out.append(Flag("lawyer_repeat", spec["name"], jid, jname,
                        f"{jname}承办、律师{lawyer}代理的 {len(cs)} 件案件有审限变更记录（{what}），"
                        f"达到 {spec['min_cases']} 件的提示线", sorted(c["case_id"] for c in cs)))
    return out


def withdrawal_flags(closed: list[dict], spec: dict) -> list[Flag]:
    def is_w(c):
        return c.get("closing_method") in spec["closing_methods"]

    court_rate = ratio(sum(1 for c in closed if is_w(c)), len(closed))
    by_judge: dict[tuple, list[dict]] = defaultdict(list)
    for c in closed:
        by_judge[(c["judge_id"], c["judge_name"])].append(c)
    out = []
    for (jid, jname), cs in sorted(by_judge.items(), key=lambda kv: kv[0][0] or ""):
        if len(cs) < spec["min_closed"] or court_rate is None:
            continue
        w = [c for c in cs if is_w(c)]
        rate = len(w) / len(cs)
        if rate >= court_rate * spec["ratio_to_court"] and (rate - court_rate) * 100 >= spec["min_excess_pp"]:
            out.append(Flag("withdrawal", spec["name"], jid, jname,
                            f"{jname}本期结案 {len(cs)} 件，撤诉 {len(w)} 件，撤诉率 {pct(rate)}，"
                            f"全院同类 {pct(court_rate)}（≥{spec['ratio_to_court']:g} 倍且高出 "
                            f"{(rate - court_rate) * 100:.1f} 个百分点）", sorted(c["case_id"] for c in w)))
    return out


def reassignment_flags(cases: list[dict], events: dict[str, list[dict]], spec: dict) -> list[Flag]:
    out = []
    for c in sorted(cases, key=lambda c: c["case_id"]):
        n = len(events.get(c["case_id"], []))
        if n >= spec["min_transfers"]:
            dates = "、".join(str(e["start_date"]) for e in sorted(events[c["case_id"]], key=lambda e: e["start_date"]))
            out.append(Flag("reassignment", spec["name"], c["judge_id"], c["judge_name"],
                            f"{c['case_id']}变更承办人 {n} 次（{dates}），现由{c['judge_name']}承办", [c["case_id"]]))
    return out


def integrity_flags(engine, start: date, end: date, court_code: str | None = None, settings: Any = None) -> list[Flag]:
    """All flags for cases received in [start, end] (withdrawals: cases closed in the period)."""
    spec = load_rules("integrity", settings)
    cases = received_cases(engine, start, end, court_code)
    ids = {c["case_id"] for c in cases}
    closed = [c for c in cases if c["closing_date"] is not None and start <= c["closing_date"] <= end
              and c["category"] in spec["withdrawal"]["categories"]]
    return (lawyer_flags(cases, _events(engine, ids, spec["lawyer_repeat"]["kinds"]), spec["lawyer_repeat"])
            + withdrawal_flags(closed, spec["withdrawal"])
            + reassignment_flags(cases, _events(engine, ids, ["transfer"]), spec["reassignment"]))

