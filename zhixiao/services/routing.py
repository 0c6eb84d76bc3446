"""繁简分流 and specialised-team routing: rules as data pick a track and a team, then the judge in that
team with the least weighted pending work; every step says why in Chinese.

``decide`` is pure (case + roster + loads → decision); ``route_case`` gathers roster and loads from the
engine; ``route_file`` routes a batch and counts each routed case towards its judge's load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from zhixiao.domain.case_number import parse_case_number
from zhixiao.errors import UserError
from zhixiao.services import rules as R
from zhixiao.services.common import load_rules, normalize_case_number
from zhixiao.services.importers import map_headers, raise_if_errors, read_rows, require_headers

FILE_ALIASES: dict[str, tuple[str, ...]] = {
    "case_number": ("案号",),
    "cause": ("案由",),
    "parties": ("当事人",),
    "claim_amount": ("标的额", "诉讼标的额", "诉讼标的额（元）"),
    "procedure": ("程序", "适用程序"),
    "tags": ("标记", "标签"),
    "division": ("承办部门", "部门"),
    "keywords": ("关键词", "案情摘要"),
    "origin_case_id": ("关联案号", "原审案号"),
}
PROCEDURE_ALIASES = {"普通程序": "civil_ordinary", "简易程序": "civil_simplified", "小额诉讼": "civil_small_claims",
                     "小额诉讼程序": "civil_small_claims", "速裁程序": "criminal_speedy"}
JUDGE_POST = "员额法官"


@dataclass
class RoutingDecision:
    case_id: str | None
    track: str  # simple | complex (简案 | 繁案)
    team: str | None
    judge_id: str | None
    judge_name: str | None
    reasons: list[str] = field(default_factory=list)
    points: int = 0

    @property
    def explanation(self) -> str:
        return "；".join(self.reasons)

    def as_dict(self) -> dict:
        return {"case_id": self.case_id, "track": self.track, "track_name": "简案" if self.track == "simple" else "繁案",
                "team": self.team, "judge_id": self.judge_id, "judge_name": self.judge_name,
                "points": self.points, "explanation": self.explanation}


def triage(case: dict, triage_rules: dict) -> tuple[str, int, str]:
    """(simple|complex, points, reason) from the 繁简分流 rule set."""
    hits = []
    for rule in triage_rules["rule"]:
        why = R.explain(rule["when"], case)
        if why:
            hits.append((rule["points"], why))
    points = sum(p for p, _ in hits)
    track = "complex" if points >= triage_rules["complex_min_points"] else "simple"
    detail = "，".join(f"{why} {p:+d}" for p, why in hits) or "未命中任何规则"
    name = "繁案" if track == "complex" else "简案"
    return track, points, f"繁简分流：{name}（{points}分，≥{triage_rules['complex_min_points']}分为繁案；{detail}）"


def is_ftz(case: dict, ftz_rules: dict) -> bool:
    tags = set(case.get("tags") or [])
    return bool(tags & set(ftz_rules["applies_to_tags"])) or case.get("court_code") in ftz_rules["applies_to_courts"]


def ftz_team(case: dict, ftz_rules: dict) -> tuple[str, str]:
    patterns = tuple(ftz_rules.get("foreign_patterns", R.FOREIGN_PATTERNS))
    for rule in ftz_rules["rule"]:
        why = R.explain(rule["when"], case, patterns)
        if why:
            return rule["team"], f"{why} → {rule['team']}团队"
    team = ftz_rules["default_team"]
    return team, f"未命中专业团队规则 → 默认{team}团队"


def case_weight(case: dict, weights: dict) -> float:
    """Pending-load weight of one case: its procedure's weight, else its type code's, else the default."""
    if case.get("procedure") in weights.get("procedure", {}):
        return float(weights["procedure"][case["procedure"]])
    code = (case.get("specialized_code") or "") + (case.get("type_code") or "")
    for c in (code, case.get("type_code")):
        if c in weights.get("type_code", {}):
            return float(weights["type_code"][c])
    return float(weights["default"])


def _fast_pool(judges: list[dict], triage_rules: dict) -> list[dict]:
    pool = [p for p in judges if p.get("team") == triage_rules["fast_track_team"]]
    return pool or [p for p in judges if p.get("division") == triage_rules.get("fast_track_division")]


def _division_pool(case: dict, judges: list[dict], triage_rules: dict) -> tuple[list[dict], str]:
    """The case's division; without one, divisions named for its category (民事/刑事/行政/执行)."""
    if case.get("division"):
        return [p for p in judges if p.get("division") == case["division"]], case["division"]
    cat = case.get("category") or ("civil" if (case.get("cause") or "").endswith("纠纷") else None)
    kw = triage_rules.get("division_keywords", {}).get(cat)
    if kw:
        return [p for p in judges if kw in (p.get("division") or "")], f"{kw}审判部门"
    return judges, "本院"


def decide(case: dict, people: list[dict], loads: dict[str, tuple[int, float]], triage_rules: dict,
           ftz_rules: dict) -> RoutingDecision:
    """Route one case given the court's roster (people rows) and pending loads {judge_id: (count, weighted)}."""
    track, points, triage_reason = triage(case, triage_rules)
    reasons = [triage_reason]
    judges = [p for p in people if p.get("post") == JUDGE_POST and p.get("court_code") == case.get("court_code")]
    fast = triage_rules["fast_track_team"]
    ftz_teams = {r["team"] for r in ftz_rules["rule"]} | {ftz_rules["default_team"]}
    has_teams = any(p.get("team") in ftz_teams for p in judges)
    if is_ftz(case, ftz_rules) and not has_teams:
        reasons.append("自贸区案件，但本院没有专业化审判团队 → 按繁简分流分案")
    if is_ftz(case, ftz_rules) and has_teams:
        team, why = ftz_team(case, ftz_rules)
        pool = [p for p in judges if p.get("team") == team]
        reasons.append(why)
    elif track == "simple" and _fast_pool(judges, triage_rules):
        pool = _fast_pool(judges, triage_rules)
        team = fast if pool[0].get("team") == fast else None
        reasons.append(f"简案 → {team or triage_rules['fast_track_division']}")
    else:
        team = None
        pool, where = _division_pool(case, judges, triage_rules)
        reasons.append(f"{'繁案' if track == 'complex' else '简案'} → 由{where}员额法官审理")
    if not pool:
        who = f"{team}团队" if team else (case.get("division") or case.get("court_code"))
        raise UserError(f"{who}没有在岗的员额法官，无法分案；请在人员名册中为该团队或部门补录员额法官（post=员额法官）。")
    ranked = sorted(pool, key=lambda p: (loads.get(p["judge_id"], (0, 0.0))[1], loads.get(p["judge_id"], (0, 0.0))[0],
                                         p["judge_id"]))
    best = ranked[0]
    n, w = loads.get(best["judge_id"], (0, 0.0))
    judge_reason = f"{best['name']}在办{n}件（加权{w:g}），最少"
    if len(ranked) > 1:
        n2, w2 = loads.get(ranked[1]["judge_id"], (0, 0.0))
        judge_reason += f"（次少：{ranked[1]['name']}{n2}件，加权{w2:g}）"
    reasons.append(judge_reason)
    return RoutingDecision(case.get("case_id"), track, team, best["judge_id"], best["name"], reasons, points)


# ---- engine side --------------------------------------------------------------------------------

def roster(engine, court_code: str, as_of: date, until: date | None = None) -> list[dict]:
    """Latest roster row per person in a court, active on ``as_of`` (or at any time in [as_of, until])."""
    p = engine.people
    rows = p.filter(p.court_code == court_code).to_pyarrow().to_pylist()
    latest: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: r.get("year") or 0):
        latest[r["judge_id"]] = r
    return [r for r in latest.values()
            if (r.get("active_from") is None or r["active_from"] <= (until or as_of))
            and (r.get("active_to") is None or r["active_to"] >= as_of)]


def pending_loads(engine, court_code: str, as_of: date, weights: dict) -> dict[str, tuple[int, float]]:
    """{judge_id: (pending cases, weighted pending)} on ``as_of``."""
    t = engine.cases
    q = t.filter(t.court_code == court_code, t.filing_date <= as_of,
                 t.closing_date.isnull() | (t.closing_date > as_of))
    q = q.group_by(["judge_id", "specialized_code", "type_code", "procedure"]).agg(n=q.count())
    out: dict[str, tuple[int, float]] = {}
    for r in q.to_pyarrow().to_pylist():
        n, w = out.get(r["judge_id"], (0, 0.0))
        out[r["judge_id"]] = (n + r["n"], w + r["n"] * case_weight(r, weights))
    return out


def lookup_case(engine, text: str) -> dict:
    case_id, _court, _year = normalize_case_number(text)
    t = engine.cases
    rows = t.filter(t.case_id == case_id).to_pyarrow().to_pylist()
    if not rows:
        raise UserError(f"案号“{text}”在案件库中不存在；新收案件请用文件方式提供案由、当事人等信息分案。")
    return max(rows, key=lambda r: r.get("snapshot_date") or date.min)


def route_case(engine, case_or_text: dict | str, settings: Any = None, as_of: date | None = None,
               loads: dict | None = None) -> RoutingDecision:
    """Route one case: a 案号 already in the store, or a dict with the canonical case columns."""
    case = lookup_case(engine, case_or_text) if isinstance(case_or_text, str) else dict(case_or_text)
    if case.get("dispute_id") and not case.get("related_cases"):  # other proceedings of the same dispute
        t = engine.cases
        others = t.filter((t.dispute_id == case["dispute_id"]) & (t.case_id != case.get("case_id", ""))).select("case_id")
        case["related_cases"] = "、".join(sorted(others.limit(3).to_pyarrow().column("case_id").to_pylist())) or None
    if not case.get("court_code"):
        raise UserError("待分案案件缺少法院代字（court_code），请提供案号或法院代字。")
    as_of = as_of or date.today()
    triage_rules = load_rules("triage", settings)
    ftz_rules = load_rules("ftz_routing", settings)
    if loads is None:
        loads = pending_loads(engine, case["court_code"], as_of, triage_rules["load_weights"])
        if case.get("case_id") and not case.get("closing_date") and case.get("judge_id") in loads:
            # the case is already pending with its judge: do not count it against them when re-routing
            n, w = loads[case["judge_id"]]
            loads[case["judge_id"]] = (n - 1, w - case_weight(case, triage_rules["load_weights"]))
    return decide(case, roster(engine, case["court_code"], as_of), loads, triage_rules, ftz_rules)


def _file_case(row: dict, rownum: int, default_court: str | None) -> dict:
    case: dict[str, Any] = {k: row.get(k) for k in ("cause", "parties", "division", "keywords", "origin_case_id")}
    if row.get("case_number"):
        cid, court, _y = normalize_case_number(str(row["case_number"]))
        cn = parse_case_number(cid)
        case.update(case_id=cid, court_code=court, type_code=cn.type_code, specialized_code=cn.specialized_code)
    else:
        case.update(case_id=f"第{rownum}行", court_code=default_court)
    if row.get("claim_amount") not in (None, ""):
        try:
            case["claim_amount"] = Decimal(str(row["claim_amount"]).replace(",", ""))
        except InvalidOperation:
            raise UserError(f"第 {rownum} 行：标的额“{row['claim_amount']}”不是数字，请填写金额（元）。") from None
    proc = row.get("procedure")
    case["procedure"] = PROCEDURE_ALIASES.get(proc, proc)
    case["tags"] = [t for t in R.PARTY_SEP.split(row.get("tags") or "") if t]
    return case


def route_file(engine, path: Path | str, settings: Any = None, as_of: date | None = None,
               court_code: str | None = None) -> list[RoutingDecision]:
    """Route each new case in a CSV/XLSX (案号, 案由, 当事人, 标的额, 程序, 标记 …) in order; each routed
    case adds to its judge's pending load so a batch spreads over the team."""
    as_of = as_of or date.today()
    fname = Path(path).name
    rows = read_rows(path)
    require_headers(rows, FILE_ALIASES, ["cause"], fname)
    cases, errors = [], []
    for rownum, raw in rows:
        try:
            cases.append(_file_case(map_headers(raw, FILE_ALIASES), rownum, court_code))
        except UserError as exc:
            errors.append(f"第 {rownum} 行：{exc}" if not str(exc).startswith("第") else str(exc))
    raise_if_errors(errors, fname)
    weights = load_rules("triage", settings)["load_weights"]
    loads_by_court: dict[str, dict] = {}
    out = []
    for case in cases:
        court = case.get("court_code")
        if not court:
            raise UserError(f"文件 {fname} 中“{case['case_id']}”没有案号，也未指定法院代字，无法确定所属法院。")
        if court not in loads_by_court:
            loads_by_court[court] = pending_loads(engine, court, as_of, weights)
        loads = loads_by_court[court]
        d = route_case(engine, case, settings, as_of, loads)
        n, w = loads.get(d.judge_id, (0, 0.0))
        loads[d.judge_id] = (n + 1, w + case_weight(case, weights))
        out.append(d)
    return out
