"""Login / logout. The login form has its own double-submit CSRF cookie (there is no session yet)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.deps import CsrfFailed, checked_user, client_ip, render

router = APIRouter()
LOGIN_CSRF = "zx_login_csrf"
# What ``/login?message=`` may show: a key of this table, never the parameter's own text (a link could
# otherwise put any sentence — "系统升级，请拨打…" — into the page's error box).
MESSAGES = {
    "expired": "会话已过期，请重新登录。",
    "logged_out": "您已退出登录。",
    "password_changed": "密码已修改，请用新密码重新登录。",
}


def _safe_next(nxt: str | None) -> str:
    # only local paths: never redirect off-site after login
    return nxt if nxt and nxt.startswith("/") and not nxt.startswith("//") and "\\" not in nxt else "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None, message: str | None = None) -> Response:
    token = secrets.token_urlsafe(24)
    resp = render(request, "login.html", title="登录", login_csrf=token, next=_safe_next(next),
                  message=MESSAGES.get(message or ""))
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", max_age=1800)
    return resp


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/")) -> Response:
    if not auth.csrf_ok(request.cookies.get(LOGIN_CSRF, ""), csrf_token):
        raise CsrfFailed()
    try:
        found = auth.login(request.app.state.Session, username, password, client_ip(request))
    except UserError as exc:
        return render(request, "login.html", status_code=429, title="登录", login_csrf=csrf_token,
                      next=_safe_next(next), message=str(exc))
    if found is None:
        return render(request, "login.html", status_code=401, title="登录", login_csrf=csrf_token,
                      next=_safe_next(next), message="用户名或密码不正确。")
    token, _ = found
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(auth.COOKIE, token, httponly=True, samesite="strict", max_age=auth.SESSION_HOURS * 3600,
                    secure=request.url.scheme == "https")
    resp.delete_cookie(LOGIN_CSRF)
    return resp


@router.post("/logout")
async def logout(request: Request) -> Response:
    u = await checked_user(request)
    auth.logout(request.app.state.Session, request.cookies.get(auth.COOKIE))
    auth.record(request.app.state.Session, u.username, "logout", ip=client_ip(request))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(auth.COOKIE)
    return resp
