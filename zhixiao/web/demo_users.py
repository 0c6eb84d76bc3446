"""Demo accounts, one per role, with random passwords (called by ``zhixiao demo`` through its seed hooks).

admin · 审管办 analyst (city-wide) · 院领导 of 冀0123 · 庭长 of one 冀0123 division · one 冀0123 法官.
The 庭长 and 法官 are real people of the demo roster, so their pages show their own cases.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import delete, select

from zhixiao.config import Settings

DEMO_COURT = "冀0123"
USERNAMES = ("admin", "analyst", "president", "division_head", "judge")


def _pick_judge(settings: Settings, seed: int) -> tuple[str, str, str] | None:
    """(judge_id, name, division) of one 冀0123 员额法官 who has cases, chosen with the seed."""
    from zhixiao.engine import connect

    e = connect(settings.data_dir)
    c = e.cases
    t = c.filter((c.court_code == DEMO_COURT) & c.judge_id.notnull() & c.division.notnull())
    rows = (t.group_by("judge_id", "judge_name", "division").aggregate(n=t.count())
            .order_by(["judge_id", "division"]).execute().to_dict("records"))
    if not rows:
        return None
    best: dict[str, dict] = {}
    for r in rows:  # a judge's main division = where most of their cases are
        if r["judge_id"] not in best or r["n"] > best[r["judge_id"]]["n"]:
            best[r["judge_id"]] = r
    choices = sorted(best.values(), key=lambda r: r["judge_id"])
    r = random.Random(seed).choice(choices)
    return r["judge_id"], r["judge_name"] or r["judge_id"], r["division"]


def seed(settings: Settings, as_of: date, seed: int) -> str:
    """(Re)create the five demo accounts with fresh random passwords; return the lines to print."""
    from zhixiao.store.ops import session_factory
    from zhixiao.web import auth
    from zhixiao.web.models import User

    judge = _pick_judge(settings, seed)
    judge_id, judge_name, division = judge or ("冀0123-J001", "示例法官", "民事审判一庭")
    specs = [
        ("admin", "系统管理员", "admin", {}),
        ("analyst", "审管办分析员", "analyst", {}),
        ("president", "正定法院院领导", "president", {"court_code": DEMO_COURT}),
        ("division_head", f"{division}庭长", "division_head", {"court_code": DEMO_COURT, "division": division}),
        ("judge", judge_name, "judge", {"court_code": DEMO_COURT, "division": division, "judge_id": judge_id}),
    ]
    Session_ = session_factory(settings.ops_url)
    lines = []
    with Session_() as s, s.begin():
        existing = list(s.scalars(select(User.id).where(User.username.in_(USERNAMES))))
        if existing:
            from zhixiao.web.models import WebSession

            s.execute(delete(WebSession).where(WebSession.user_id.in_(existing)))
            s.execute(delete(User).where(User.id.in_(existing)))
        for username, name, role, kw in specs:
            password = auth.new_password()
            auth.create_user(s, username, password, role, name, **kw)
            where = " ".join(v for v in kw.values())
            lines.append(f"{username} / {password}（{auth.roles()[role].name}{' ' + where if where else ''}）")
    return "看板演示账号（密码随机，仅显示这一次）：\n" + "\n".join(lines)
