"""Security properties: headers, cookies, CSRF, throttling, escaping, no inline script, audit log."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import PASSWORD, XSS, csrf_of, login
from zhixiao.web.models import AuditLog

P = "start=2025-01-01&end=2025-11-20"


def test_security_headers_on_pages_api_and_static(web_env):
    c = web_env.clients["analyst"]
    for url in ("/", "/api/chart/courts", "/static/app.js", "/login"):
        h = c.get(url).headers
        csp = h["content-security-policy"]
        script_src = re.search(r"script-src ([^;]+)", csp).group(1).split()
        assert script_src == ["'self'"], url
        assert "frame-ancestors 'none'" in csp
        assert h["x-frame-options"] == "DENY"
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "same-origin"


def test_session_cookie_flags(web_env):
    r = login(TestClient(web_env.app), "analyst")
    cookie = r.headers["set-cookie"]
    assert "zx_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    assert "Max-Age=28800" in cookie  # 8 hours


def test_no_inline_script_anywhere(web_env):
    c = web_env.clients["admin"]
    for url in ("/", f"/indicators?court=冀0123&{P}", "/supervision", "/targets?court=冀0123", "/reports",
                "/imports", "/admin", "/login"):
        html = c.get(url).text
        tags = re.findall(r"<script\b[^>]*>", html)
        assert tags and all(re.search(r'\bsrc="/static/', t) for t in tags), url
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers either
        assert "http://" not in html and "https://" not in html, url  # every asset served by the app


def test_state_change_without_csrf_is_refused(web_env):
    from zhixiao.supervision.models import Alert, AlertEvent

    def state():
        with web_env.app.state.Session() as s:
            n = len(s.scalars(select(AlertEvent).where(AlertEvent.alert_id == web_env.alert_own)).all())
            return s.get(Alert, web_env.alert_own).status, n

    before = state()
    c = web_env.clients["judge"]
    for action in ("acknowledge", "resolve"):
        r = c.post(f"/supervision/alerts/{web_env.alert_own}/{action}", data={"note": "无令牌"})
        assert r.status_code == 403 and "CSRF" in r.text
        r = c.post(f"/supervision/alerts/{web_env.alert_own}/{action}", data={"note": "x"},
                   headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 403
    assert state() == before


def test_login_csrf_and_wrong_password(web_env):
    c = TestClient(web_env.app)
    c.get("/login")
    r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "nope"},
               follow_redirects=False)
    assert r.status_code == 403
    r = login(c, "admin", "wrong-password-1")
    assert r.status_code == 401 and "用户名或密码不正确" in r.text


def test_login_throttling(web_env, monkeypatch):
    """Five failures for a user name from one address within 15 minutes → even the right password is refused
    there (429); from another address the owner gets in (issue 18 §3: throttle by account and address)."""
    from datetime import timedelta

    from zhixiao.web import auth

    monkeypatch.setattr(auth, "delay", lambda n: timedelta(0))  # the growing waits: test_hardening
    with web_env.app.state.Session() as s, s.begin():
        auth.create_user(s, "throttled", PASSWORD, "analyst")
    c = TestClient(web_env.app, client=("10.1.2.3", 40000))
    for _ in range(5):
        assert login(c, "throttled", "bad-password-x").status_code == 401
    r = login(c, "throttled", PASSWORD)
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    other = TestClient(web_env.app, client=("10.1.2.4", 40000))
    assert login(other, "throttled", PASSWORD).status_code == 303  # the owner at another desk
    assert login(other, "analyst", PASSWORD).status_code == 303  # other accounts are unaffected
    spray = TestClient(web_env.app, client=("10.9.9.9", 40000))  # one address trying many names
    for i in range(auth.MAX_FAILURES_PER_IP):
        assert login(spray, f"nobody{i}", "x-password-x").status_code == 401
    assert login(spray, "analyst", PASSWORD).status_code == 429


def test_script_in_cause_is_shown_as_text(web_env):
    r = web_env.clients["judge"].get(f"/cases?indicator=closed&{P}")
    assert web_env.xss_case in r.text
    assert XSS not in r.text
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;买卖合同纠纷" in r.text
    csv = web_env.clients["judge"].get(f"/cases.csv?indicator=closed&{P}")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]


def test_audit_log_records_logins_case_views_exports_and_ledger_actions(web_env):
    c = web_env.clients["president"]
    c.get(f"/cases?indicator=pending&court=冀0123&{P}")
    c.get(f"/cases.csv?indicator=pending&court=冀0123&{P}")
    r = c.post(f"/supervision/alerts/{web_env.alert_other_division}/acknowledge",
               data={"csrf_token": csrf_of(c), "note": "已提醒承办法官"})
    assert r.status_code == 200 and "已签收" in r.text
    with web_env.app.state.Session() as s:
        rows = [(a.username, a.action, a.target or "") for a in s.scalars(select(AuditLog))]
    mine = [(a, t) for u, a, t in rows if u == "president"]
    assert ("login", "") in mine
    assert any(a == "view_cases" and t.startswith("pending/numerator") for a, t in mine)
    assert any(a == "export_cases" for a, _ in mine)
    assert ("alert_acknowledge", f"alert/{web_env.alert_other_division}") in mine
    assert any(a == "login_failed" for _, a, _ in rows)
