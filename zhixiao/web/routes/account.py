"""我的账号: every user changes their own password (the current one first; other sessions end)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import delete

from zhixiao.errors import UserError
from zhixiao.web import auth
from zhixiao.web.deps import checked_user, client_ip, render, user
from zhixiao.web.models import User, WebSession
from zhixiao.web.roles import Principal

router = APIRouter()


@router.get("/account")
def account(request: Request, u: Principal = Depends(user)):
    return render(request, "account.html", title="我的账号", message=None, min_length=auth.MIN_PASSWORD)


@router.post("/account/password")
def change_password(request: Request, current: str = Form(""), new: str = Form(""), repeat: str = Form(""),
                    u: Principal = Depends(checked_user)):
    if new != repeat:
        raise UserError("两次输入的新密码不一致，请重新输入。")
    if new == current:
        raise UserError("新密码不能与当前密码相同。")
    token_id = auth.session_id(request.cookies.get(auth.COOKIE) or "")
    with request.app.state.Session() as s, s.begin():
        row = s.get(User, u.id)
        ok = row is not None and auth.verify_password(row.password_hash, current)
        if ok:
            row.password_hash = auth.hash_password(new)
            # every other session of this account ends (a session someone else may hold)
            s.execute(delete(WebSession).where(WebSession.user_id == u.id, WebSession.id != token_id))
        auth.audit(s, u.username, "password_change" if ok else "password_change_failed", u.username, None,
                   client_ip(request))
    if not ok:
        raise UserError("当前密码不正确，请重新输入。")
    return render(request, "account.html", title="我的账号", message="密码已修改；其他设备上的登录已退出。",
                  min_length=auth.MIN_PASSWORD)
