"""Demo operational data for the litigation-service module, drawn from the demo city's case store.

``seed(settings, as_of, seed)`` fills the ops DB with a year of 12368 tickets, satisfaction ratings
with 差评督办, a 司法建议 register per court and a 信访积案 ledger — linked to real demo cases and staff,
with some items overdue on ``as_of`` so the 提醒→督办 ladder has something to show. Deterministic in
``seed``; a second call on the same database leaves it unchanged.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

import pyarrow.compute as pc
from sqlalchemy import select

from zhixiao.services import suggestions as sg
from zhixiao.services.common import load_rules, work_calendar
from zhixiao.services.hotline import due_date
from zhixiao.services.ledgers import add_petition, update_petition
from zhixiao.services.models import HotlineTicket
from zhixiao.services.satisfaction import add_rating
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

CATEGORIES = [("案件查询", 30), ("诉讼咨询", 28), ("联系法官", 25), ("投诉举报", 7), ("意见建议", 5), ("预约服务", 5)]
CHANNELS = [("电话", 70), ("网络", 20), ("短信", 5), ("现场", 5)]
ITEMS = [("立案", "立案窗口"), ("诉讼咨询", "导诉台"), ("材料收转", "材料收转窗口"), ("12368", "热线"),
         ("执行事务", "执行服务窗口"), ("网上立案", "在线")]
ADDRESSEES = ["县自然资源和规划局", "县市场监督管理局", "县住房和城乡建设局", "县人力资源和社会保障局", "县农业农村局",
              "县教育局", "县卫生健康局", "某商业银行支行", "县不动产登记中心", "县交通运输局"]
ISSUES = ["不动产登记程序衔接不畅，历史遗留房屋办证难", "企业劳动用工合同不规范，欠薪纠纷多发", "行政处罚告知程序存在瑕疵",
          "金融借款格式条款提示不足", "校园周边交通安全隐患", "电信网络诈骗涉案账户管理漏洞", "物业服务收费公示不规范"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


class _CachedCalendar:
    """Memoised working-day test (the demo asks about the same few hundred days thousands of times)."""

    def __init__(self, cal):
        self._cal, self._memo = cal, {}

    def is_workday(self, d: date) -> bool:
        if d not in self._memo:
            self._memo[d] = self._cal.is_workday(d)
        return self._memo[d]

    def next_workday(self, d: date) -> date:
        while not self.is_workday(d):
            d += timedelta(days=1)
        return d

    def add_workdays(self, d: date, n: int) -> date:
        while n > 0:
            d += timedelta(days=1)
            n -= self.is_workday(d)
        return d

    def workdays_between(self, a: date, b: date) -> int:
        return sum(self.is_workday(a + timedelta(days=i)) for i in range((b - a).days + 1))


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weighted], weights=[w[1] for w in weighted])[0]


def _workday_time(rng: random.Random, cal, d: date) -> datetime:
    d = cal.next_workday(d)
    return datetime.combine(d, time(rng.randint(8, 16), rng.choice((0, 10, 20, 30, 40, 50))))


def _load(settings, since: date, as_of: date) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """Cases filed in [since, as_of] per court (filtered in Arrow, so a full-size city stays cheap), and staff."""
    store = CaseStore(settings.data_dir)
    cols = ["case_id", "court_code", "judge_id", "judge_name", "division", "filing_date", "closing_date", "tags"]
    t = store.read("cases", columns=cols)
    fd = t.column("filing_date")
    t = t.filter(pc.and_(pc.greater_equal(fd, since), pc.less_equal(fd, as_of)))
    cases: dict[str, list[dict]] = defaultdict(list)
    for r in t.to_pylist():
        cases[r["court_code"]].append(r)
    people: dict[str, list[dict]] = defaultdict(list)
    for r in store.read("people", columns=["judge_id", "name", "court_code", "division", "post"]).to_pylist():
        people[r["court_code"]].append(r)
    return cases, people


def seed(settings: Any, as_of: date, seed: int = 2026) -> str:
    """Fill the ops DB; returns a one-line Chinese summary."""
    Session = session_factory(settings.ops_url)
    with Session() as s:
        if s.scalar(select(HotlineTicket.id).where(HotlineTicket.ticket_no.like("DEMO-%")).limit(1)) is not None:
            return "诉讼服务演示数据已存在，未重复生成。"
    start = as_of - timedelta(days=365)
    cases_by_court, people_by_court = _load(settings, start - timedelta(days=400), as_of)
    cal = _CachedCalendar(work_calendar(settings))
    rules = load_rules("hotline", settings)
    counts: dict[str, int] = defaultdict(int)
    for ci, court in enumerate(sorted(cases_by_court)):
        rng = random.Random(seed * 1000 + ci)
        cases = sorted(cases_by_court[court], key=lambda c: (c["filing_date"], c["case_id"]))
        if not cases:
            continue
        staff = [p for p in people_by_court.get(court, []) if p["post"] in ("书记员", "法官助理")] or \
            people_by_court.get(court, [])
        with Session() as s, s.begin():
            counts["tickets"] += _tickets(s, rng, cal, rules, court, cases, start, as_of)
            r, f = _ratings(s, rng, cal, settings, court, staff, start, as_of)
            counts["ratings"] += r
            counts["followups"] += f
            counts["petitions"] += _petitions(s, rng, court, cases, start, as_of)
        counts["suggestions"] += _suggestions(Session, rng, settings, court, cases, start, as_of)
    return (f"诉讼服务演示数据：12368 工单 {counts['tickets']} 件，满意度评价 {counts['ratings']} 条"
            f"（差评督办 {counts['followups']} 件），司法建议 {counts['suggestions']} 件，信访积案 {counts['petitions']} 件。")


def _tickets(s, rng, cal, rules, court, cases, start, as_of) -> int:
    n = max(20, min(600, len(cases) // 20))
    filed = [c["filing_date"] for c in cases]
    callers = [f"1{rng.randint(30, 99)}{rng.randint(10000000, 99999999)}" for _ in range(max(5, n // 3))]
    rows = []
    # a couple of callers who ring again and again about the same case (重复来电)
    repeaters = [(f"1{rng.randint(30, 99)}{rng.randint(10000000, 99999999)}", rng.choice(cases)) for _ in range(2)]
    plan = [None] * n + [r for r in repeaters for _ in range(rng.randint(3, 4))]
    for k, repeat in enumerate(plan):
        day = start + timedelta(days=rng.randint(0, 364))
        if k % 8 == 0:  # the open workload: a share of tickets arrived in the last three weeks
            day = as_of - timedelta(days=rng.randint(10, 21) if k == 0 else rng.randint(2, 21))
        received = _workday_time(rng, cal, day)
        if received.date() > as_of:
            received = _workday_time(rng, cal, as_of - timedelta(days=rng.randint(1, 30)))
            if received.date() > as_of:
                continue
        cat = _pick(rng, CATEGORIES) if repeat is None else rng.choice(["联系法官", "案件查询", "投诉举报"])
        case = None
        if repeat is not None:
            case = repeat[1] if repeat[1]["filing_date"] <= received.date() else None
        elif cat in ("案件查询", "联系法官", "投诉举报") or rng.random() < 0.2:
            k_filed = bisect_right(filed, received.date())  # cases are sorted by filing date
            case = cases[rng.randrange(k_filed)] if k_filed else None
        due = due_date(received, cat, rules, cal)
        responded = None
        recent = due >= as_of - timedelta(days=14)  # only recent tickets may still be open (some overdue)
        keep_open = k == 0  # every court shows at least one ticket left unanswered past its limit
        if not keep_open and (not recent or rng.random() < (0.85 if due < as_of else 0.4)):
            late = rng.random() < 0.08
            d = cal.add_workdays(received.date(), rng.randint(0, 1) if not late else
                                 rules["hotline"]["limits"][cat] + rng.randint(1, 3))
            responded = datetime.combine(d, time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))))
            if responded.date() > as_of:
                responded = None
        contacted = (rng.random() < 0.92) if (cat == "联系法官" and responded) else None
        sat = None
        if responded and rng.random() < 0.7:
            sat = rng.choices([5, 4, 3, 2, 1], weights=[62, 25, 7, 4, 2])[0]
        phone = repeat[0] if repeat is not None else rng.choice(callers) if case and rng.random() < 0.35 else \
            f"1{rng.randint(30, 99)}{rng.randint(10000000, 99999999)}"
        rows.append(HotlineTicket(
            ticket_no=f"DEMO-{court}-{received:%Y%m%d}-{k:04d}", court_code=court, channel=_pick(rng, CHANNELS),
            category=cat, caller_name=rng.choice(SURNAMES) + "某", caller_phone=phone,
            case_id=case["case_id"] if case else None, content=f"{cat}：{case['case_id'] if case else '一般问题'}",
            received_at=received, due_date=due, assignee=(case["judge_name"] if case else "诉讼服务中心"),
            assignee_id=case["judge_id"] if case else None, division=(case["division"] if case else "诉讼服务中心"),
            responded_at=responded, result=("已答复" if responded else None), contacted=contacted, satisfaction=sat))
    s.add_all(rows)
    s.flush()
    return len(rows)


def _ratings(s, rng, cal, settings, court, staff, start, as_of) -> tuple[int, int]:
    n, f = 0, 0
    for _ in range(rng.randint(120, 240)):
        item, window = rng.choice(ITEMS)
        who = rng.choice(staff) if staff else {"judge_id": None, "name": None}
        on = start + timedelta(days=rng.randint(0, 364))
        score = rng.choices([5, 4, 3, 2, 1], weights=[70, 18, 6, 4, 2])[0]
        r = add_rating(s, court_code=court, item=item, rated_on=on, score=score, settings=settings, flush=False,
                       window=window,
                       staff_id=who["judge_id"], staff_name=who["name"], channel=rng.choice(["线下评价器", "微信", "12368"]),
                       comment=("材料清单不清楚，来回跑" if score <= 2 else None))
        n += 1
        if r.follow_up is not None:
            f += 1
            fu = r.follow_up
            if fu.due_date < as_of - timedelta(days=20) or (fu.due_date < as_of and rng.random() < 0.5):
                fu.resolution = "已回访当事人并一次性告知补正材料"
                fu.resolved_by = "立案庭庭长"
                fu.resolved_on = min(as_of, cal.add_workdays(on, rng.randint(1, 4)))
    s.flush()
    return n, f


def _suggestions(Session, rng, settings, court, cases, start, as_of) -> int:
    n = rng.randint(3, 8)
    made = 0
    for k in range(n):
        drafted = start + timedelta(days=int(365 * (k + rng.random()) / n))
        if drafted > as_of:
            continue
        src = rng.choice(cases)
        with Session() as s, s.begin():  # each creation in its own transaction: the counter row is locked
            x = sg.new_suggestion(s, court_code=court, addressee=rng.choice(ADDRESSEES), issue=rng.choice(ISSUES),
                                  proposal="建议完善相关制度、加强内部审查并定期通报整改情况", drafted_by=src["judge_name"]
                                  or "承办法官", drafted_on=drafted, source_case_id=src["case_id"], settings=settings)
            made += 1
            steps = [drafted + timedelta(days=d) for d in (3, 7, 10)]
            if steps[0] > as_of:
                continue
            sg.approve(s, x.number, actor=f"{rng.choice(SURNAMES)}庭长", role="部门负责人", on=steps[0])
            if steps[1] > as_of:
                continue
            role = rng.choice(["分管院领导", "分管院领导", "院长", "审委会"])
            sg.approve(s, x.number, actor=f"{rng.choice(SURNAMES)}{'院长' if role != '审委会' else '审委会'}", role=role,
                       on=steps[1], settings=settings)
            if steps[2] > as_of:
                continue
            sg.send(s, x.number, steps[2], settings)
            reply = steps[2] + timedelta(days=rng.randint(20, 75))
            if reply <= as_of and (rng.random() < 0.8 or steps[2] < as_of - timedelta(days=120)):
                sg.record_reply(s, x.number, reply, adopted=rng.random() < 0.85, summary="已研究并部署整改")
                if reply + timedelta(days=30) <= as_of:
                    sg.archive(s, x.number, reply + timedelta(days=30))
    return made


def _petitions(s, rng, court, cases, start, as_of) -> int:
    tagged = [c for c in cases if "petition" in (c.get("tags") or [])]
    pool = tagged or cases
    n = min(len(pool), rng.randint(2, 6))
    for c in rng.sample(pool, n):
        on = max(c["filing_date"], start) + timedelta(days=rng.randint(0, 60))
        if on > as_of:
            on = as_of
        p = add_petition(s, court_code=court, petitioner=rng.choice(SURNAMES) + "某", received_on=on,
                         owner=rng.choice(["分管副院长", "审判委员会专职委员", "立案庭庭长", "执行局局长"]), case_id=c["case_id"],
                         summary="对裁判结果或执行进度不满，多次来访")
        if rng.random() < 0.4 and on + timedelta(days=60) <= as_of:
            update_petition(s, p.id, rng.choice(["已化解", "息访"]), on + timedelta(days=60))
    return n
