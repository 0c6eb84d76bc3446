"""Accounts, sessions and throttling against the ops DB on SQLite and PostgreSQL (no web server needed)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from zhixiao.errors import UserError
from zhixiao.store.ops import session_factory
from zhixiao.web import auth
from zhixiao.web.models import AuditLog, WebSession
from zhixiao.web.roles import Forbidden, Principal, scope_filters


def test_login_session_expiry_logout_and_throttle(sql_url, monkeypatch):
    S = session_factory(sql_url)
    with S() as s, s.begin():
        u = auth.create_user(s, "庭长甲", "a-long-password", "division_head", court_code="冀0123",
                             division="民事审判一庭")
        assert u.password_hash.startswith("$argon2id$") and "a-long-password" not in u.password_hash
    assert auth.login(S, "庭长甲", "wrong-password", "10.0.0.1") is None
    token, p = auth.login(S, "庭长甲", "a-long-password", "10.0.0.1")
    assert (p.role, p.court_code, p.division) == ("division_head", "冀0123", "民事审判一庭")
    found = auth.lookup(S, token)
    assert found and found[0].username == "庭长甲" and len(found[1]) >= 24
    assert auth.lookup(S, token + "x") is None
    with S() as s, s.begin():  # the server-side expiry, whatever the cookie says
        s.execute(update(WebSession).values(expires_at=auth.now() - timedelta(seconds=1)))
    assert auth.lookup(S, token) is None
    token2, _ = auth.login(S, "庭长甲", "a-long-password", "10.0.0.1")
    auth.logout(S, token2)
    assert auth.lookup(S, token2) is None
    monkeypatch.setattr(auth, "delay", lambda n: timedelta(0))  # the growing waits: test_hardening
    for _ in range(auth.MAX_FAILURES):
        assert auth.login(S, "庭长甲", "nope-nope-nope", "10.0.0.2") is None
    with pytest.raises(UserError, match="登录失败次数过多"):
        auth.login(S, "庭长甲", "a-long-password", "10.0.0.2")
    # counted per (account, address) — issue 18 §3: the stranger's failures do not lock the owner out
    assert auth.login(S, "庭长甲", "a-long-password", "10.0.0.3") is not None
    with S() as s:
        actions = [a for a in s.scalars(select(AuditLog.action))]
    assert actions.count("login") == 3 and actions.count("login_failed") == 1 + auth.MAX_FAILURES
    assert "login_throttled" in actions


def test_account_rules(sql_url):
    S = session_factory(sql_url)
    with S() as s, s.begin():
        with pytest.raises(UserError, match="至少需要"):
            auth.create_user(s, "x", "short", "admin")
        with pytest.raises(UserError, match="法官编号"):
            auth.create_user(s, "x", "a-long-password", "judge", court_code="冀0123", division="刑事审判庭")
        with pytest.raises(UserError, match="角色"):
            auth.create_user(s, "x", "a-long-password", "superuser")
        auth.create_user(s, "dup", "a-long-password", "analyst")
        with pytest.raises(UserError, match="已存在"):
            auth.create_user(s, "dup", "a-long-password", "analyst")


JUDGE = Principal(1, "j", "法官", "judge", "冀0123", "民事审判一庭", "冀0123-J001")
HEAD = Principal(2, "h", "庭长", "division_head", "冀0123", "民事审判一庭")
PRES = Principal(3, "p", "院长", "president", "冀0123")
ANALYST = Principal(4, "a", "审管办", "analyst")


def test_scope_filters_by_hand():
    assert scope_filters(ANALYST) == {}
    assert scope_filters(ANALYST, "冀0105", "刑事审判庭") == {"court_code": "冀0105", "division": "刑事审判庭"}
    assert scope_filters(PRES) == {"court_code": "冀0123"}
    assert scope_filters(PRES, None, "执行局") == {"court_code": "冀0123", "division": "执行局"}
    assert scope_filters(HEAD) == {"court_code": "冀0123", "division": "民事审判一庭"}
    assert scope_filters(HEAD, judge="冀0123-J002", judge_home=("冀0123", "民事审判一庭")) == {
        "court_code": "冀0123", "division": "民事审判一庭", "judge_id": "冀0123-J002"}
    assert scope_filters(JUDGE) == {"court_code": "冀0123", "judge_id": "冀0123-J001"}
    assert scope_filters(JUDGE, "冀0123", "民事审判一庭", "冀0123-J001") == {"court_code": "冀0123",
                                                                          "judge_id": "冀0123-J001"}
    for user, kw in [(PRES, {"court": "冀0105"}), (HEAD, {"division": "执行局"}),
                     (HEAD, {"judge": "冀0123-J009", "judge_home": ("冀0123", "执行局")}),
                     (HEAD, {"judge": "冀0123-J404"}), (JUDGE, {"judge": "冀0123-J002"}),
                     (JUDGE, {"division": "执行局"}), (JUDGE, {"court": "冀0105"})]:
        with pytest.raises(Forbidden):
            scope_filters(user, **kw)


def test_ensure_admin_creates_then_resets(sql_url):
    S = session_factory(sql_url)
    first = auth.ensure_admin(S)
    token, p = auth.login(S, "admin", first, "10.0.0.1")
    assert p.role == "admin"
    second = auth.ensure_admin(S)
    assert second != first
    assert auth.lookup(S, token) is None  # old sessions end with the reset
    assert auth.login(S, "admin", first, "10.0.0.1") is None
    assert auth.login(S, "admin", second, "10.0.0.1")[1].role == "admin"


def test_intermediate_court_leader_sees_its_basic_courts_only():
    """冀01's 院领导 reviews 冀0123 (its basic court: 两级会商) but not 冀0223 (another city) nor 冀02."""
    city = Principal(4, "c", "中院院长", "president", "冀01")
    assert scope_filters(city) == {"court_code": "冀01"}
    assert scope_filters(city, court="冀0123") == {"court_code": "冀0123"}
    for other in ("冀0223", "冀02", "京0123", "not-a-court"):
        with pytest.raises(Forbidden):
            scope_filters(city, court=other)
    with pytest.raises(Forbidden):  # a basic court's leader never sees its intermediate court or a sibling
        scope_filters(PRES, court="冀01")
    with pytest.raises(Forbidden):
        scope_filters(PRES, court="冀0102")
