"""Special ledgers (专项台账): topic ledgers as rules, 执行难 and 终本 candidates, 民生小案,
行政争议实质性化解 rate, and the 信访积案 register.

Case ledgers read the case store through the engine and judge each case with the rule evaluator, so
each row carries the reason it is on the ledger. Overdue means 超审限 in the deadline table.
The 信访积案 register holds one entry per petitioner and case; changes go through ``update_petition``,
which records them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhixiao.deadlines import deadline_table
from zhixiao.errors import UserError
from zhixiao.services import audit
from zhixiao.services import rules as R
from zhixiao.services.common import add_months, duplicate_key, load_rules, ratio
from zhixiao.services.models import Petition
from zhixiao.services.rule_sql import columns as rule_columns
from zhixiao.services.rule_sql import prefilter, slack
from zhixiao.store.schema import ZHONGBEN_CHECKS

CASE_COLUMNS = ["case_id", "court_code", "division", "judge_id", "judge_name", "category", "type_code", "procedure",
                "cause", "filing_date", "closing_date", "closing_method", "claim_amount", "enforcement_applied_amount",
                "enforcement_collected_amount", "tags", "parties", "lawyer", "origin_case_id", *ZHONGBEN_CHECKS.values(),
                "snapshot_date"]
ORDER = ("court_code", "filing_date", "case_id")  # the order of ``received``'s rows
# what ``_figures`` and ``_is_overdue`` read of each ledger row
RULE_NEEDS = ("case_id", "filing_date", "closing_date", "claim_amount")
PETITION_STATUSES = ("在办", "已化解", "息访")
PETITION_LABELS = {"status": "状态", "resolved_on": "化解日期", "owner": "包案责任人", "summary": "诉求"}


def received(engine, start: date, end: date, court_code: str | None = None, where: Any = None,
             columns: list[str] | tuple[str, ...] | None = None):
    """The ibis table of the cases received in [start, end] (pending at start or filed in the period), the latest
    snapshot of each, that satisfy ``where`` (a predicate builder: table → boolean column; None: all), with
    ``columns`` (None: all; they must include those ``where`` reads).

    The store keeps one row per case (the import's merge); should a case have several, the latest in the period
    is the case, and ``where`` is judged on it: the engine selects the rows ``where`` accepts, then keeps those
    that are their case's latest (the window runs over the selected cases' rows only, not the whole period)."""
    t = engine.cases
    q = t.filter(t.filing_date <= end, t.closing_date.isnull() | (t.closing_date >= start))
    if court_code:
        q = q.filter(q.court_code == court_code)
    own = q if where is None else q.filter(q.case_id.isin(q.filter(where(q)).case_id))
    if columns is not None:
        own = own.select(*dict.fromkeys([*columns, *ORDER, "snapshot_date"]))
    latest = own.mutate(_zx_n=ibis.row_number().over(group_by=own.case_id, order_by=ibis.desc(own.snapshot_date)))
    latest = latest.filter(latest._zx_n == 0).drop("_zx_n")
    latest = latest if where is None else latest.filter(where(latest))
    # in a stated order: the window leaves none, and what is summed or listed from the rows should not change
    # from one run to the next (the store's file order was the order before)
    latest = latest.order_by(*ORDER)
    return latest if columns is None else latest.select(*columns)


def received_cases(engine, start: date, end: date, court_code: str | None = None, where: Any = None,
                   columns: list[str] | tuple[str, ...] = tuple(CASE_COLUMNS)) -> list[dict]:
    """``received``'s rows as dicts of ``columns`` (default: CASE_COLUMNS)."""
    return _pylist(received(engine, start, end, court_code, where, columns).to_pyarrow())


def _pylist(t: pa.Table) -> list[dict]:
    """``t.to_pylist()``, faster: a column's distinct values (dates, amounts, courts, judges repeat across a
    city's million rows) are made into Python objects once each. Lists (tags) are converted row by row, so
    no two rows share a mutable value."""
    def values(col: pa.ChunkedArray) -> list:
        if pa.types.is_nested(col.type) or col.num_chunks == 0:
            return col.to_pylist()
        enc = pc.dictionary_encode(col.combine_chunks())
        distinct = [*enc.dictionary.to_pylist(), None]
        return [distinct[i] for i in enc.indices.fill_null(len(distinct) - 1).to_numpy().tolist()]

    names = t.column_names
    return [dict(zip(names, row, strict=True)) for row in zip(*(values(t[n]) for n in names), strict=True)]


def deadline_status(engine, as_of: date, court_code: str | None = None,
                    deadlines: Any = None, case_ids: list[str] | None = None) -> dict[str, tuple[str, bool | None]]:
    """case_id → (审限 status, closed_within_limit), of one court's cases when ``court_code`` is given, of
    ``case_ids`` only when given (a ledger's cases: the engine joins, rather than a city's dict being built).

    ``deadlines`` is the 审限 table at ``as_of`` when the caller already holds one (the dashboard reads the
    snapshot's stored table rather than computing it again); without it, ``deadline_table`` computes it."""
    if deadlines is None:
        deadlines = deadline_table(engine, as_of, courts=[court_code] if court_code else None)
    elif court_code:
        deadlines = deadlines.filter(deadlines.court_code == court_code)
    if case_ids is not None:
        ids = ibis.memtable(pa.table({"case_id": pa.array(case_ids, pa.string())}))
        deadlines = deadlines.filter(deadlines.case_id.isin(ids.case_id))
    t = deadlines.select("case_id", "status", "closed_within_limit").to_pyarrow()
    # column by column: a city's table has hundreds of thousands of rows, a dict per row is the slow part
    return dict(zip(t["case_id"].to_pylist(),
                    zip(t["status"].to_pylist(), t["closed_within_limit"].to_pylist(), strict=True), strict=True))


class _Statuses(dict):
    """``deadline_status`` of a ledger's cases; ``known``: the 审限 table has rows at all (its figures say
    “overdue: unknown” without one), which the ledger's own rows cannot tell when none of them is in it."""
    known: bool = False


def _statuses(engine, as_of: date, court_code: str | None, deadlines: Any, rows: list[dict]) -> _Statuses:
    if deadlines is None:
        deadlines = deadline_table(engine, as_of, courts=[court_code] if court_code else None)
    out = _Statuses(deadline_status(engine, as_of, court_code, deadlines, [r["case_id"] for r in rows]))
    scope = deadlines if not court_code else deadlines.filter(deadlines.court_code == court_code)
    out.known = bool(out) or scope.limit(1).count().to_pyarrow().as_py() > 0
    return out


def _match_any(alternatives: list[dict], case: dict) -> str | None:
    for when in alternatives:
        why = R.explain(when, case)
        if why:
            return why
    return None


def _is_overdue(case: dict, status: dict, end: date) -> bool:
    st, within = status.get(case["case_id"], (None, None))
    if case["closing_date"] is not None and case["closing_date"] <= end:
        return within is False
    return st == "超审限"


def _known(status: dict) -> bool:
    return status.known if isinstance(status, _Statuses) else bool(status)


def _figures(rows: list[dict], start: date, end: date, status: dict) -> dict:
    closed = [r for r in rows if r["closing_date"] is not None and start <= r["closing_date"] <= end]
    days = [(r["closing_date"] - r["filing_date"]).days for r in closed if r["filing_date"]]
    return {
        "received": len(rows),
        "new_cases": sum(1 for r in rows if r["filing_date"] and r["filing_date"] >= start),
        "closed": len(closed),
        "pending": sum(1 for r in rows if r["closing_date"] is None or r["closing_date"] > end),
        "avg_days": round(sum(days) / len(days), 1) if days else None,
        "overdue": sum(1 for r in rows if _is_overdue(r, status, end)) if _known(status) else None,
    }


def _ledger_rows(engine, start: date, end: date, court_code: str | None, alternatives: list[dict],
                 where: Any = None, columns: list[str] | tuple[str, ...] = tuple(CASE_COLUMNS)) -> list[dict]:
    """The received cases any of ``alternatives`` accepts (and ``where``, a predicate it must also meet), each
    with its reason. The engine selects the candidates (``rule_sql.prefilter``); ``explain`` judges them."""
    pre = prefilter(alternatives)
    both = (pre if where is None else where if pre is None else (lambda t: pre(t) & where(t)))
    cols = list(dict.fromkeys([*columns, *RULE_NEEDS, *rule_columns(alternatives)]))
    keys = sorted(rule_columns(alternatives))
    reasons: dict[tuple, str | None] = {}  # the reason depends on the rules' columns only: judged once per value
    rows = []
    for c in received_cases(engine, start, end, court_code, both, cols):
        key = tuple(tuple(v) if isinstance(v, list) else v for v in (c[k] for k in keys))
        if key not in reasons:
            reasons[key] = _match_any(alternatives, c)
        if reasons[key]:
            c["reason"] = reasons[key]
            rows.append(c)
    return rows


def topic_ledgers(engine, start: date, end: date, court_code: str | None = None, settings: Any = None,
                  topic: str | None = None) -> dict[str, dict]:
    """{topic: {figures…, cases: [{case_id, …, reason}]}} for every topic (or one) in ledgers.toml."""
    rules = load_rules("ledgers", settings)["topics"]
    if topic is not None and topic not in rules:
        raise UserError(f"没有名为“{topic}”的专题台账，可选：{'、'.join(rules)}。")
    found = {name: _ledger_rows(engine, start, end, court_code, spec["any"]) for name, spec in rules.items()
             if topic is None or name == topic}
    status = _statuses(engine, end, court_code, None, [r for rows in found.values() for r in rows])
    out = {}
    for name, rows in found.items():
        rows = [{**r, "overdue": _is_overdue(r, status, end)} for r in rows]
        out[name] = {**_figures(rows, start, end, status), "cases": sorted(rows, key=lambda r: r["filing_date"])}
    return out


def minsheng_cases(engine, start: date, end: date, court_code: str | None = None, settings: Any = None,
                   deadlines: Any = None, columns: list[str] | tuple[str, ...] = tuple(CASE_COLUMNS)) -> dict:
    """民生小案: livelihood causes with a claim under the configured amount, each with its reason.
    ``deadlines``: the 审限 table at ``end`` if the caller holds one (see ``deadline_status``); ``columns``: the
    case columns each row carries (the rules' own and those the figures need are always there)."""
    spec = load_rules("ledgers", settings)["minsheng"]
    cap = spec["claim_amount_max"]

    def small(t):
        # no amount, or under the cap (the float comparison below decides; the engine's keeps room for it)
        return t.claim_amount.isnull() | (t.claim_amount < float(cap) + slack(cap))

    rows = [r for r in _ledger_rows(engine, start, end, court_code, spec["any"], small, columns)
            if r["claim_amount"] is None or float(r["claim_amount"]) < cap]
    status = _statuses(engine, end, court_code, deadlines, rows)
    return {**_figures(rows, start, end, status), "cases": sorted(rows, key=lambda r: r["filing_date"])}


# a city's 200k pending enforcement cases share a few thousand filing dates: each date's months counted once
_months_after = lru_cache(maxsize=65536)(add_months)


def zhongben_conditions(case: dict, as_of: date, conditions: list[dict]) -> list[dict]:
    """Each of the five 终本 conditions: {key, name, met, evidence}; met is True, False (the record or the data
    contradict it) or None (no record either way — to be verified in the file). Pure.

    The record is the case's 终本 check (store columns zb_*, store.schema.ZHONGBEN_CHECKS): True met, False not
    met, null not checked. Facts the data hold decide too: 立案满三个月 from the filing date when unchecked
    (规定(试行) 第1条(四)), and money collected contradicts 穷尽财产调查无财产 (第1条(三))."""
    out = []
    for cond in conditions:
        recorded = case.get(ZHONGBEN_CHECKS[cond["key"]])
        met, evidence = None, []
        if recorded is not None:
            met = bool(recorded)
            evidence.append("终本核查记录：" + ("已满足" if met else "未满足"))
        elif "months_since_filing" in cond:
            due = _months_after(case["filing_date"], cond["months_since_filing"])
            met = due <= as_of
            evidence.append(f"立案 {case['filing_date']}，满{cond['months_since_filing']}个月为 {due}")
        else:
            evidence.append("未见终本核查记录，待核实")
        if cond.get("requires_no_collection"):
            collected = float(case.get("enforcement_collected_amount") or 0)
            if collected > 0:
                met = False
                evidence.append(f"已执行到位 {collected:,.2f} 元")
        out.append({"key": cond["key"], "name": cond["name"], "met": met, "evidence": "；".join(evidence)})
    return out


def enforcement_hard(engine, as_of: date, court_code: str | None = None, settings: Any = None) -> dict:
    """执行难案 among pending enforcement cases: no property found, long-running, and 终本 candidates —
    all five conditions met on record, or none contradicted by the data but some not recorded (to verify).

    Pending as 收结存's 未结 (metrics.filters ``pending_end``): filed by ``as_of`` and not closed by its end — a
    case closed on ``as_of`` is not pending. ``by_type`` counts the pending cases per 案件类型 (字号), so a report
    can name those 收结存 leaves out (执恢, 执保 are excluded from it, _exclusions.toml)."""
    spec = load_rules("ledgers", settings)["enforcement"]
    cases = received_cases(engine, as_of, as_of, court_code, lambda t: (t.category == "enforcement") & (
        t.closing_date.isnull() | (t.closing_date > as_of)).fill_null(False))
    no_prop, long_run, candidates, verify = [], [], [], []
    for c in cases:
        tags = set(c.get("tags") or [])
        collected = float(c.get("enforcement_collected_amount") or 0)
        if spec["no_property_tag"] in tags:
            no_prop.append({**c, "reason": "标记为无财产可供执行"})
        elif collected == 0 and _months_after(c["filing_date"], 3) <= as_of:
            no_prop.append({**c, "reason": f"立案 {c['filing_date']} 已满3个月，执行到位金额为0"})
        if _months_after(c["filing_date"], spec["long_running_months"]) <= as_of:
            long_run.append({**c, "reason": f"立案 {c['filing_date']}，已超过{spec['long_running_months']}个月未结"})
        conds = zhongben_conditions(c, as_of, spec["zhongben"])
        if any(x["met"] is False for x in conds):
            continue
        unknown = [x["name"] for x in conds if x["met"] is None]
        row = {**c, "conditions": conds, "unverified": unknown}
        if not unknown:
            candidates.append({**row, "reason": "终本五项条件均有记录且满足"})
        else:
            verify.append({**row, "reason": "其余条件满足，待核实：" + "；".join(unknown)})
    by_type: dict[str, int] = defaultdict(int)
    for c in cases:
        by_type[c["type_code"] or ""] += 1
    return {"pending_enforcement": len(cases), "by_type": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
            "no_property": no_prop, "long_running": long_run, "zhongben_candidates": candidates,
            "zhongben_to_verify": verify}


def admin_resolution(engine, start: date, end: date, court_code: str | None = None, settings: Any = None,
                     by: str = "month") -> list[dict]:
    """行政争议实质性化解: per period, administrative first-instance cases closed, and those withdrawn after
    the agency corrected itself (tagged), with the rate."""
    spec = load_rules("ledgers", settings)["admin_resolution"]
    t = engine.cases
    q = t.filter(t.type_code.isin(spec["type_codes"]), t.closing_date >= start, t.closing_date <= end)
    if court_code:
        q = q.filter(q.court_code == court_code)
    rows = q.select("case_id", "closing_date", "closing_method", "tags").to_pyarrow().to_pylist()
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        d = r["closing_date"]
        key = f"{d.year}-{d.month:02d}" if by == "month" else f"{d.year}Q{(d.month - 1) // 3 + 1}"
        groups[key].append(r)
    out = []
    for key in sorted(groups):
        g = groups[key]
        withdrawn = [r for r in g if r["closing_method"] in spec["closing_methods"]]
        resolved = [r for r in withdrawn if set(r["tags"] or []) & set(spec["corrected_tags"])]
        out.append({"period": key, "closed": len(g), "withdrawn": len(withdrawn), "resolved": len(resolved),
                    "resolution_rate": ratio(len(resolved), len(g)),
                    "cases": [r["case_id"] for r in resolved]})
    return out


# ---- 信访积案 (ops DB) -----------------------------------------------------------------------------

def add_petition(session: Session, *, court_code: str, petitioner: str, received_on: date, owner: str,
                 case_id: str | None = None, summary: str | None = None) -> Petition:
    """Register a petition backlog entry. The same petitioner about the same case (or about no case) is one
    entry: a second one would count the backlog twice, so it is refused, whatever the first one's status."""
    if not owner.strip():
        raise UserError("信访积案必须明确包案责任人。")
    if not petitioner.strip():
        raise UserError("信访积案必须写明信访人。")
    stored = session.scalar(select(Petition).where(
        Petition.court_code == court_code, Petition.petitioner == petitioner.strip(),
        Petition.case_id.is_(None) if case_id is None else Petition.case_id == case_id))
    if stored is not None:
        about = f"就 {case_id} " if case_id else "（未关联案号）"
        raise duplicate_key("信访积案台账", f"{stored.petitioner}{about}的积案（编号 {stored.id}）",
                            f"{stored.court_code}，登记于 {stored.received_on}，{stored.status}",
                            f"积案（编号 {stored.id}）", str(stored.id))
    p = Petition(court_code=court_code, petitioner=petitioner.strip(), received_on=received_on, owner=owner,
                 case_id=case_id, summary=summary, status="在办")
    session.add(p)
    session.flush()
    return p


def update_petition(session: Session, petition_id: int, status: str | None = None, on: date | None = None,
                    owner: str | None = None, *, summary: str | None = None, user: str = "system",
                    note: str | None = None) -> Petition:
    """Change a petition's status (在办 / 已化解 / 息访, with the day it was resolved), owner or summary;
    every change is recorded with who made it."""
    p = session.get(Petition, petition_id)
    if p is None:
        raise UserError(f"信访积案 {petition_id} 不存在，请从信访积案台账中核对编号。")
    values: dict[str, object] = {}
    if status is not None:
        if status not in PETITION_STATUSES:
            raise UserError(f"状态“{status}”无效，可选：{'、'.join(PETITION_STATUSES)}。")
        if status != "在办":
            if on is None:
                raise UserError("办结（已化解/息访）须写明化解日期。")
            if on < p.received_on:
                raise UserError(f"办结日期 {on} 早于信访登记日期 {p.received_on}，请核对。")
        values.update(status=status, resolved_on=on if status != "在办" else None)
    if owner:
        values["owner"] = owner.strip()
    if summary:
        values["summary"] = summary.strip()
    if not values:
        raise UserError(f"信访积案 {petition_id} 没有给出要修改的内容：请至少写一项，如状态（办结须写明化解日期）、"
                        "包案责任人或诉求。")
    changed = audit.diff(p, values)
    if changed:  # the same values again change nothing and leave no record
        audit.apply(session, p, changed, register="petition", key=str(p.id), action="update", user=user, note=note)
    return p


def petitions(session: Session, court_code: str | None = None, open_only: bool = False) -> list[Petition]:
    q = select(Petition)
    if court_code:
        q = q.where(Petition.court_code == court_code)
    if open_only:
        q = q.where(Petition.status == "在办")
    return list(session.scalars(q.order_by(Petition.received_on)))


def petition_stats(session: Session, court_code: str | None, as_of: date) -> dict:
    ps = petitions(session, court_code)
    open_ = [p for p in ps if p.status == "在办"]
    by_owner: dict[str, int] = defaultdict(int)
    for p in open_:
        by_owner[p.owner] += 1
    return {"petitions": len(ps), "open": len(open_), "resolved": len(ps) - len(open_),
            "resolution_rate": ratio(len(ps) - len(open_), len(ps)),
            "open_over_1y": sum(1 for p in open_ if add_months(p.received_on, 12) <= as_of),
            "by_owner": dict(sorted(by_owner.items(), key=lambda kv: -kv[1]))}
