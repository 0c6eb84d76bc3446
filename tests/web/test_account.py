"""Issue 18 §2: users change their own password; new accounts take court, division and judge from the
registries, and the role offered first is the least privileged one."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import COURT, OTHER_COURT, PASSWORD, csrf_of, login
from zhixiao.web import auth
from zhixiao.web.models import User
from zhixiao.web.roles import roles


def test_users_change_their_own_password(web_env):
    with web_env.app.state.Session() as s, s.begin():
        auth.create_user(s, "pw_owner", PASSWORD, "judge", "甲", court_code=COURT, division=web_env.division,
                         judge_id=web_env.peer)
    here, there = TestClient(web_env.app), TestClient(web_env.app)
    assert login(here, "pw_owner").status_code == 303 and login(there, "pw_owner").status_code == 303
    page = here.get("/account")
    assert page.status_code == 200 and 'id="password-form"' in page.text and 'id="account-link"' in page.text
    token = csrf_of(here)

    def change(current: str, new: str, repeat: str | None = None):
        return here.post("/account/password", data={"csrf_token": token, "current": current, "new": new,
                                                     "repeat": new if repeat is None else repeat})

    for current, new, repeat, words in [("wrong-password-1", "a-new-long-password", None, "当前密码不正确"),
                                        (PASSWORD, "a-new-long-password", "another-password", "不一致"),
                                        (PASSWORD, "short", None, "至少需要 10 个字符"),
                                        (PASSWORD, PASSWORD, None, "不能与当前密码相同")]:
        r = change(current, new, repeat)
        assert r.status_code == 400 and words in r.text, words
    r = change(PASSWORD, "a-new-long-password")
    assert r.status_code == 200 and "密码已修改" in r.text
    assert here.get("/account").status_code == 200  # this session goes on
    r = there.get("/supervision", follow_redirects=False)  # the other one has ended
    assert r.status_code == 303 and r.headers["location"].endswith("message=expired")
    fresh = TestClient(web_env.app)
    assert login(fresh, "pw_owner").status_code == 401
    assert login(fresh, "pw_owner", "a-new-long-password").status_code == 303
    with web_env.app.state.Session() as s:
        from zhixiao.web.models import AuditLog

        actions = list(s.scalars(select(AuditLog.action).where(AuditLog.username == "pw_owner")))
    assert actions.count("password_change_failed") == 1 and actions.count("password_change") == 1


def test_new_accounts_come_from_the_registries(web_env):
    c = web_env.clients["admin"]
    page = c.get("/admin").text
    first_role = re.search(r'<select name="role"><option value="([^"]+)"', page).group(1)
    fewest = min(roles().values(), key=lambda r: len(r.permissions))
    assert first_role == fewest.id == "judge"  # the default is the least privileged role
    assert 'value="冀9999"' not in page and f'<option value="{COURT}">正定县人民法院（{COURT}）</option>' in page
    token = csrf_of(c)
    judges = web_env.app.state.hub.roster()["judges"]
    foreign = next(j for j, v in sorted(judges.items()) if v[0] == OTHER_COURT)

    def create(name: str, **form):
        return c.post("/admin/users", data={"csrf_token": token, "username": name, **form})

    for form, words in [({"role": "president", "court_code": "冀9999"}, "不在法院代字表中"),
                        ({"role": "president", "court_code": "河北"}, "格式不正确"),
                        ({"role": "division_head", "court_code": COURT, "division": "不存在的庭"}, "没有“不存在的庭”"),
                        ({"role": "judge", "court_code": COURT, "judge_id": foreign}, f"没有编号 {foreign}"),
                        ({"role": "judge", "division": web_env.division}, "必须同时选择所属法院")]:
        r = create("reg_refused", **form)
        assert r.status_code == 400 and words in r.text, words
    r = create("reg_judge", role="judge", court_code=COURT, judge_id=web_env.peer)
    assert r.status_code == 200 and "已创建用户 reg_judge" in r.text
    with web_env.app.state.Session() as s:
        users = {u.username: u for u in s.scalars(select(User).where(User.username.like("reg_%")))}
    assert set(users) == {"reg_judge"}
    # the division comes from the roster when the form leaves it empty
    assert (users["reg_judge"].court_code, users["reg_judge"].division) == (COURT, judges[web_env.peer][1])
