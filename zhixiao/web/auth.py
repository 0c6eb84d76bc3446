"""Local accounts: argon2id hashes, DB-backed sessions with a per-session CSRF token, login throttling, audit.

Cookie: HttpOnly, SameSite=Strict, Max-Age = SESSION_HOURS (the server also expires the row).
Throttling: MAX_FAILURES failed logins for a user name, or MAX_FAILURES_PER_IP from one address (a court
network may NAT many desks), within WINDOW → refused (OWASP Authentication Cheat Sheet, "Login Throttling").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from zhixiao.errors import UserError
from zhixiao.web.models import AuditLog, LoginAttempt, User, WebSession
from zhixiao.web.roles import Principal, roles

COOKIE = "zx_session"
SESSION_HOURS = 8
MAX_FAILURES = 5
MAX_FAILURES_PER_IP = 20
WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10

_hasher = PasswordHasher()


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少需要 {MIN_PASSWORD} 个字符，请换一个更长的密码。")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal(u: User) -> Principal:
    return Principal(u.id, u.username, u.display_name, u.role, u.court_code, u.division, u.judge_id)


def create_user(s: Session, username: str, password: str, role: str, display_name: str | None = None, *,
                court_code: str | None = None, division: str | None = None, judge_id: str | None = None) -> User:
    if role not in roles():
        raise UserError(f"角色“{role}”无效，可选：{', '.join(roles())}。")
    scope = roles()[role].scope
    if scope != "all" and not court_code:
        raise UserError(f"角色“{roles()[role].name}”必须指定所属法院代字（如 冀0123）。")
    if scope == "division" and not division:
        raise UserError("庭长账号必须指定所在庭（如 民事审判一庭）。")
    if scope == "judge" and not judge_id:
        raise UserError("法官账号必须指定法官编号（名册中的 judge_id，如 冀0123-J001）。")
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"用户名“{username}”已存在，请换一个。")
    u = User(username=username, display_name=display_name or username, password_hash=hash_password(password),
             role=role, court_code=court_code, division=division, judge_id=judge_id, active=True, created_at=now())
    s.add(u)
    s.flush()
    return u


def throttled(s: Session, username: str, ip: str) -> bool:
    def fails(who) -> int:
        return s.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.at >= now() - WINDOW, LoginAttempt.success.is_(False), who)) or 0

    return fails(LoginAttempt.username == username) >= MAX_FAILURES or fails(LoginAttempt.ip == ip) >= MAX_FAILURES_PER_IP


def login(Session_: sessionmaker, username: str, password: str, ip: str) -> tuple[str, Principal] | None:
    """(cookie token, principal) on success; None on a wrong name/password. Raises UserError when throttled."""
    username = (username or "").strip()[:64]
    with Session_() as s, s.begin():
        blocked = throttled(s, username, ip)
        if blocked:  # recorded (committed) before refusing
            audit(s, username or "-", "login_throttled", None, None, ip)
    if blocked:
        raise UserError(f"登录失败次数过多，请 {int(WINDOW.total_seconds() // 60)} 分钟后再试。")
    with Session_() as s, s.begin():
        u = s.scalar(select(User).where(User.username == username))
        ok = bool(u and u.active and verify_password(u.password_hash, password or ""))
        s.add(LoginAttempt(username=username, ip=ip, at=now(), success=ok))
        audit(s, username or "-", "login" if ok else "login_failed", None, None, ip)
        if not ok:
            return None
        token = secrets.token_urlsafe(32)
        s.add(WebSession(id=_token_id(token), user_id=u.id, csrf=secrets.token_urlsafe(24), created_at=now(),
                         expires_at=now() + timedelta(hours=SESSION_HOURS)))
        s.execute(delete(WebSession).where(WebSession.expires_at < now()))
        return token, principal(u)


def lookup(Session_: sessionmaker, token: str | None) -> tuple[Principal, str] | None:
    """(principal, csrf token) for a live session cookie, else None."""
    if not token:
        return None
    with Session_() as s:
        row = s.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                        .where(WebSession.id == _token_id(token))).first()
        if row is None:
            return None
        sess, u = row
        if sess.expires_at < now() or not u.active:
            return None
        return principal(u), sess.csrf


def logout(Session_: sessionmaker, token: str | None) -> None:
    if token:
        with Session_() as s, s.begin():
            s.execute(delete(WebSession).where(WebSession.id == _token_id(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given)


def audit(s: Session, username: str, action: str, target: str | None = None, detail: str | None = None,
          ip: str | None = None) -> None:
    s.add(AuditLog(at=now(), username=username, action=action, target=(target or None) and target[:255],
                   detail=detail, ip=ip))


def record(Session_: sessionmaker, username: str, action: str, target: str | None = None,
           detail: str | None = None, ip: str | None = None) -> None:
    with Session_() as s, s.begin():
        audit(s, username, action, target, detail, ip)


def ensure_admin(Session_: sessionmaker, username: str = "admin") -> str:
    """Create the administrator account, or give it a new random password; return the password.

    How a fresh installation gets its first account (``zhixiao serve --init-admin``).
    """
    password = new_password()
    with Session_() as s, s.begin():
        u = s.scalar(select(User).where(User.username == username))
        if u is None:
            create_user(s, username, password, "admin", "系统管理员")
        else:
            u.password_hash, u.role, u.active = hash_password(password), "admin", True
            s.execute(delete(WebSession).where(WebSession.user_id == u.id))
        audit(s, "system", "admin_password", username)
    return password
