"""Quarterly staff assessment (人员考核): weighted workload plus indicators scored against reference
ranges (合理区间), never by rank; every point carries its reason. Sheets export to .xlsx.

A quarter is measured up to the data's date: the current quarter's sheets say so (``cut_note``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhixiao.domain.time_limits import LIMITS, pending_months
from zhixiao.errors import UserError
from zhixiao.services.common import load_rules, parse_quarter, pct, ratio
from zhixiao.services.ledgers import deadline_status, received_cases
from zhixiao.services.models import Rating
from zhixiao.services.routing import case_weight, roster

# what ``case_metrics`` reads of a case; ``routing.case_weight`` weighs by 专门代字 + 类型代字 (知民初 1.5 in the
# packaged rules), so the 专门代字 is read too (it was not: a 知民初 weighed as a 民初)
METRIC_COLUMNS = ("case_id", "judge_id", "division", "specialized_code", "type_code", "procedure", "filing_date",
                  "closing_date")


def _procedure(code: str) -> str:
    """The procedure's Chinese name (data/time_limits.toml), as every sheet shows it; a code not there as it is."""
    return LIMITS[code].name if code in LIMITS else code


@dataclass
class ScoreItem:
    key: str
    name: str
    value: float | None
    max_points: float
    points: float
    reason: str


def data_as_of(engine) -> date:
    """The data's as-of date: the latest snapshot in the store (today when no row carries one), as the
    dashboard's ``DataHub.as_of`` reads it."""
    v = engine.cases.snapshot_date.max().to_pyarrow().as_py()
    return v if v is not None else date.today()


def measured_span(quarter: str, as_of: date) -> tuple[date, date]:
    """(quarter start, the date it is measured to): the quarter's end, or the data's as-of date while the
    quarter runs. A quarter that has not begun on the data's date is a UserError."""
    start, end = parse_quarter(quarter)
    if start > as_of:
        raise UserError(f"{start.year}Q{(start.month + 2) // 3} 尚未开始：数据截至 {as_of:%Y-%m-%d}。")
    # an assessment reports what happened up to the data's date; a figure "at quarter end" before the quarter
    # ends would be a forecast, not a count
    return start, min(end, as_of)


def cut_note(quarter: str, measured_to: date) -> str:
    """The sentence every presentation shows when the quarter is measured before its end, else ""."""
    if measured_to >= parse_quarter(quarter)[1]:
        return ""
    return f"本季度尚未结束，统计截至 {measured_to.year}年{measured_to.month}月{measured_to.day}日"


@dataclass
class Sheet:
    court_code: str
    quarter: str
    person_id: str
    name: str
    post: str
    division: str | None
    measured_to: date  # the quarter's end, or the data's as-of date while the quarter runs
    items: list[ScoreItem] = field(default_factory=list)

    @property
    def note(self) -> str:
        return cut_note(self.quarter, self.measured_to)

    @property
    def total(self) -> float:
        return round(sum(i.points for i in self.items), 2)

    @property
    def max_total(self) -> float:
        return round(sum(i.max_points for i in self.items), 2)

    def as_dict(self) -> dict:
        return {"court_code": self.court_code, "quarter": self.quarter, "person_id": self.person_id,
                "name": self.name, "post": self.post, "division": self.division, "total": self.total,
                "max_total": self.max_total, "measured_to": self.measured_to, "note": self.note or None,
                "items": [i.__dict__ for i in self.items]}


def _fmt(value: float, kind: str) -> str:
    return pct(value) if kind == "rate" else (f"{value:g}天" if kind == "days" else f"{value:g}件")


def score_indicator(ind: dict, value: float | None) -> ScoreItem:
    """Full points inside [lo, hi]; outside, ``deduct`` per percentage point / day / case of distance."""
    lo, hi = ind["range"]
    kind, pts = ind["kind"], float(ind["points"])
    rng = f"{_fmt(lo, kind)}–{_fmt(hi, kind)}"
    if value is None:
        return ScoreItem(ind["key"], ind["name"], None, pts, pts, f"{ind['name']}无可计算数据，不扣分，得 {pts:g} 分")
    if lo <= value <= hi:
        return ScoreItem(ind["key"], ind["name"], value, pts, pts,
                         f"{ind['name']} {_fmt(value, kind)} 在合理区间 {rng} 内，得满分 {pts:g} 分")
    side, gap = ("低于下限", lo - value) if value < lo else ("高于上限", value - hi)
    unit_gap = gap * 100 if kind == "rate" else gap
    unit = {"rate": "个百分点", "days": "天", "count": "件"}[kind]
    lost = min(pts, round(unit_gap * ind["deduct"], 2))
    got = round(pts - lost, 2)
    return ScoreItem(ind["key"], ind["name"], value, pts, got,
                     f"{ind['name']} {_fmt(value, kind)} {side}（区间 {rng}），差 {unit_gap:.4g} {unit} × "
                     f"{ind['deduct']:g} 分 = 扣 {lost:g} 分，得 {got:g} 分")


def score_workload(weighted: float, detail: str, share_of: int, post_rules: dict) -> ScoreItem:
    pts, ref = float(post_rules["workload_points"]), float(post_rules["workload_reference"])
    got = round(min(pts, pts * weighted / ref), 2) if ref else pts
    share = f"，部门同岗位 {share_of} 人平均" if share_of > 1 else ""
    return ScoreItem("workload", "工作量", round(weighted, 2), pts, got,
                     f"审结加权案件 {weighted:.4g} 件（{detail}{share}），基准 {ref:g} 件得满分 {pts:g} 分，"
                     f"得 {got:g} 分")


def case_metrics(cases: list[dict], start: date, end: date, status: dict, weights: dict) -> dict:
    """Workload and indicator values for one person's (or division's) received cases, measured on ``end``
    (the quarter's end, or the data's date while it runs). ``status``: ``deadline_status`` on ``end``.
    Besides the packaged indicators, ``overdue_pending`` (未结超审限) is there for a court's own rules. Pure."""
    closed = [c for c in cases if c["closing_date"] is not None and start <= c["closing_date"] <= end]
    pending_end = [c for c in cases if c["closing_date"] is None or c["closing_date"] > end]
    judged = [status[c["case_id"]][1] for c in closed if c["case_id"] in status and status[c["case_id"]][1] is not None]
    days = [(c["closing_date"] - c["filing_date"]).days for c in closed]
    parts: Counter = Counter()
    weighted = 0.0
    for c in closed:
        w = case_weight(c, weights)
        weighted += w
        parts[((c.get("specialized_code") or "") + (c.get("type_code") or "?"), c.get("procedure"), w)] += 1
    detail = " + ".join(f"{code}{'' if not proc else '·' + _procedure(proc)} {n}件×{w:g}"
                        for (code, proc, w), n in sorted(parts.items(), key=lambda kv: -kv[1])) or "无审结案件"
    return {
        "weighted": weighted, "detail": detail, "received": len(cases), "closed": len(closed),
        "closure_rate": ratio(len(closed), len(cases)),
        "on_time_rate": ratio(sum(1 for x in judged if x), len(judged)),
        "avg_days": round(sum(days) / len(days), 1) if days else None,
        "long_pending_12m": sum(1 for c in pending_end if pending_months(c["filing_date"], end) >= 12),
        "overdue_pending": sum(1 for c in pending_end if status.get(c["case_id"], (None,))[0] == "超审限"),
    }


def _satisfaction(session: Session | None, court_code: str, start: date, end: date, ok: int) -> dict[str, float]:
    if session is None:
        return {}
    q = select(Rating.staff_id, Rating.score).where(Rating.court_code == court_code, Rating.rated_on >= start,
                                                     Rating.rated_on <= end, Rating.staff_id.is_not(None))
    g: dict[str, list[int]] = defaultdict(list)
    for sid, score in session.execute(q):
        g[sid].append(score)
    return {k: sum(1 for s in v if s >= ok) / len(v) for k, v in g.items()}


@dataclass(frozen=True)
class PersonMetrics:
    """One person's case metrics for the quarter: of his own received cases, or his division's shared by
    ``share`` people of the same post, measured to ``measured_to``."""
    person: dict
    metrics: dict
    share: int
    measured_to: date


def person_metrics(engine, court_code: str, quarter: str, settings: Any = None,
                   deadlines: Any = None, as_of: date | None = None) -> list[PersonMetrics]:
    """The part of the assessment read from the case store, for each 员额法官 / 法官助理 / 书记员 active in the
    court during the quarter, in sheet order, measured to the quarter's end or, while the quarter runs, to the
    data's as-of date (``as_of``; None: the store's latest snapshot). It changes only with the data (the
    dashboard keeps it per snapshot); the satisfaction ratings, kept in the ops DB, are read by ``assess``
    each time. ``deadlines``: the 审限 table on that date if the caller holds one (see ``deadline_status``)."""
    start, upto = measured_span(quarter, data_as_of(engine) if as_of is None else as_of)
    rules = load_rules("assessment", settings)
    posts = rules["posts"]
    people = [p for p in roster(engine, court_code, start, upto) if p.get("post") in posts]
    if not people:
        raise UserError(f"法院 {court_code} 在 {quarter} 没有在岗的员额法官、法官助理或书记员，请先导入人员名册。")
    cases = received_cases(engine, start, upto, court_code, columns=METRIC_COLUMNS)
    # the received cases' rows of the court's table: its own rows are enough
    status = deadline_status(engine, upto, court_code, deadlines, [c["case_id"] for c in cases])
    groups: dict[tuple[str, Any], list[dict]] = defaultdict(list)
    for c in cases:
        groups[("self", c["judge_id"])].append(c)
        groups[("division", c["division"])].append(c)
    headcount = Counter((p.get("division"), p["post"]) for p in people)
    measured: dict[tuple[str, Any], dict] = {}  # a division's figures are the same for each of its people
    out = []
    for p in sorted(people, key=lambda p: (list(posts).index(p["post"]), p.get("division") or "", p["judge_id"])):
        pr = posts[p["post"]]
        key = ("self", p["judge_id"]) if pr["scope"] == "self" else ("division", p.get("division"))
        if key not in measured:
            measured[key] = case_metrics(groups.get(key, []), start, upto, status, rules["workload_weights"])
        share = 1 if pr["scope"] == "self" else headcount[(p.get("division"), p["post"])]
        out.append(PersonMetrics(p, dict(measured[key]), share, upto))
    return out


def assess(engine, session: Session | None, court_code: str, quarter: str, settings: Any = None,
           metrics: list[PersonMetrics] | None = None, as_of: date | None = None) -> list[Sheet]:
    """One sheet per 员额法官 / 法官助理 / 书记员 active in the court during the quarter, measured as
    ``person_metrics`` measures (``as_of``: the data's date; None: the store's latest snapshot). ``metrics``:
    ``person_metrics``' answer when the caller keeps it (then ``engine`` is not read)."""
    start, end = parse_quarter(quarter)
    posts = load_rules("assessment", settings)["posts"]
    if metrics is None:
        metrics = person_metrics(engine, court_code, quarter, settings, as_of=as_of)
    measured_to = metrics[0].measured_to if metrics else end
    sat_ok = load_rules("hotline", settings)["satisfaction"]["satisfied_min_score"]
    # the ratings up to the same date as the case figures: the sheet says what it counts up to
    satisfaction = _satisfaction(session, court_code, start, measured_to, sat_ok)
    sheets = []
    for pm in metrics:
        p, pr = pm.person, posts[pm.person["post"]]
        m = {**pm.metrics, "service_satisfaction": satisfaction.get(p["judge_id"])}
        sheet = Sheet(court_code, quarter, p["judge_id"], p["name"], p["post"], p.get("division"), measured_to)
        sheet.items.append(score_workload(m["weighted"] / pm.share, m["detail"], pm.share, pr))
        for ind in pr["indicator"]:
            sheet.items.append(score_indicator(ind, m.get(ind["key"])))
        sheets.append(sheet)
    return sheets


def write_xlsx(sheets: list[Sheet], path: Path | str) -> Path:
    """Summary sheet plus one worksheet per person listing every item with its reason."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "font_name": "宋体"})
    cell = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "font_name": "宋体"})
    num = wb.add_format({"border": 1, "num_format": "0.00", "valign": "top"})
    title = wb.add_format({"bold": True, "font_size": 14, "font_name": "宋体"})
    q = sheets[0].quarter if sheets else ""
    note = sheets[0].note if sheets else ""
    ws = wb.add_worksheet("汇总")
    ws.write(0, 0, f"{q} 人员考核汇总（按合理区间评分，不排名）", title)
    if note:
        ws.write(1, 0, f"{note}。")
    for j, h in enumerate(["编号", "姓名", "岗位", "部门", "得分", "满分"]):
        ws.write(2, j, h, head)
    for i, s in enumerate(sheets, start=3):
        for j, v in enumerate([s.person_id, s.name, s.post, s.division or ""]):
            ws.write(i, j, v, cell)
        ws.write_number(i, 4, s.total, num)
        ws.write_number(i, 5, s.max_total, num)
    ws.set_column(0, 3, 14)
    used: set[str] = {"汇总"}
    for s in sheets:
        name = f"{s.name}-{s.person_id}"[:31]
        while name in used:
            name = name[:28] + f"~{len(used)}"
        used.add(name)
        w = wb.add_worksheet(name)
        w.write(0, 0, f"{s.name}（{s.post}，{s.division or ''}）{s.quarter} 考核表", title)
        if s.note:
            w.write(1, 0, f"{s.note}。")
        for j, h in enumerate(["项目", "数值", "满分", "得分", "计分理由"]):
            w.write(2, j, h, head)
        for i, it in enumerate(s.items, start=3):
            w.write(i, 0, it.name, cell)
            w.write(i, 1, "" if it.value is None else it.value, num if it.value is not None else cell)
            w.write_number(i, 2, it.max_points, num)
            w.write_number(i, 3, it.points, num)
            w.write(i, 4, it.reason, cell)
        last = 3 + len(s.items)
        w.write(last, 0, "合计", head)
        w.write_number(last, 2, s.max_total, num)
        w.write_number(last, 3, s.total, num)
        w.set_column(0, 0, 20)
        w.set_column(1, 3, 10)
        w.set_column(4, 4, 90)
    wb.close()
    return path
