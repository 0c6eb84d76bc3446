"""Local accounts: argon2id hashes, DB-backed sessions with a per-session CSRF token, login throttling, audit.

Cookie: HttpOnly, SameSite=Strict, Max-Age = SESSION_HOURS (the server also expires the row).
Throttling (OWASP Authentication Cheat Sheet, "Login Throttling"; issue 18 §3): counted per (account, address),
so a stranger's failures never lock the owner out from another desk. At most MAX_FAILURES password checks per
(account, address) within WINDOW, with growing waits between them (``delay``). An address with
MAX_FAILURES_PER_IP failures (password spraying) is refused only for accounts that never logged in from it
in KNOWN_DAYS, so the colleagues behind one court NAT keep working. A check is reserved by a single
conditional UPDATE before the password is verified: concurrent attempts cannot all pass one read.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from zhixiao.errors import UserError
from zhixiao.web.models import AuditLog, LoginAttempt, LoginThrottle, User, WebSession
from zhixiao.web.roles import Principal, roles

COOKIE = "zx_session"
SESSION_HOURS = 8
MAX_FAILURES = 5
MAX_FAILURES_PER_IP = 20
WINDOW = timedelta(minutes=15)
KNOWN_DAYS = 90  # an address the account logged in from this recently is "known" to it
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


def session_id(token: str) -> str:
    """The stored id of a session cookie (its SHA-256: the DB never holds a usable token)."""
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


def delay(failures: int) -> timedelta:
    """The wait before the next check after ``failures`` failures: none for two typos, then 2, 4, 8 … s."""
    return timedelta(seconds=0 if failures < 3 else 2 ** (failures - 2))


class Throttled(UserError):
    """Too many failures: the message says how long to wait."""


def _reserve(Session_: sessionmaker, key: str, limit: int, *, growing: bool) -> timedelta | None:
    """Count one password check against ``key``; None when allowed, else how long to wait.

    One UPDATE … WHERE (atomic on SQLite and PostgreSQL): a window older than WINDOW restarts at 1, else the
    counter grows only while below ``limit`` and ``next_at`` has passed.
    """
    t = now()
    with Session_() as s, s.begin():  # no read first: a read-then-write SQLite transaction can fail as busy
        s.execute(_insert(s).values(key=key, failures=0, first_at=t, next_at=t).on_conflict_do_nothing())
    cut = t - WINDOW
    T = LoginThrottle
    stale = T.first_at < cut
    next_at = case(*[(T.failures == k - 1, t + delay(k)) for k in range(1, limit + 1)], else_=t) if growing else t
    with Session_() as s, s.begin():
        n = s.execute(update(T).where(T.key == key, stale | ((T.failures < limit) & (T.next_at <= t))).values(
            failures=case((stale, 1), else_=T.failures + 1), first_at=case((stale, t), else_=T.first_at),
            next_at=case((stale, t + delay(1) if growing else t), else_=next_at))).rowcount
        if n == 1:
            return None
        row = s.get(T, key)
        until = row.first_at + WINDOW if row.failures >= limit else row.next_at
        return max(until - t, timedelta(seconds=1))


def _insert(s: Session):
    dialect = s.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite_insert(LoginThrottle)
    if dialect == "postgresql":
        return pg_insert(LoginThrottle)
    raise UserError(f"运营数据库类型 {dialect} 暂不支持登录限流，请使用 SQLite 或 PostgreSQL。")


def _release(Session_: sessionmaker, key: str, *, forget: bool) -> None:
    """Undo a reservation (a successful login or a refusal by another counter); ``forget`` clears the key."""
    T = LoginThrottle
    with Session_() as s, s.begin():
        if forget:
            s.execute(delete(T).where(T.key == key))
        else:
            s.execute(update(T).where(T.key == key, T.failures > 0).values(failures=T.failures - 1))


def _wait_text(wait: timedelta) -> str:
    secs = int(wait.total_seconds())
    return f"{-(-secs // 60)} 分钟" if secs >= 60 else f"{secs} 秒"


def login(Session_: sessionmaker, username: str, password: str, ip: str) -> tuple[str, Principal] | None:
    """(cookie token, principal) on success; None on a wrong name/password. Raises ``Throttled``."""
    username = (username or "").strip()[:64]
    ip = (ip or "-")[:64]
    acct, addr = f"acct {username} {ip}", f"addr {ip}"
    with Session_() as s:
        known = s.scalar(select(LoginAttempt.id).where(
            LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.success.is_(True),
            LoginAttempt.at >= now() - timedelta(days=KNOWN_DAYS)).limit(1)) is not None
    wait = None if known else _reserve(Session_, addr, MAX_FAILURES_PER_IP, growing=False)
    if wait is None:
        wait = _reserve(Session_, acct, MAX_FAILURES, growing=True)
        if wait is not None and not known:
            _release(Session_, addr, forget=False)
    if wait is not None:
        record(Session_, username or "-", "login_throttled", None, None, ip)
        raise Throttled(f"登录失败次数过多，请 {_wait_text(wait)}后再试。")
    with Session_() as s, s.begin():
        u = s.scalar(select(User).where(User.username == username))
        ok = bool(u and u.active and verify_password(u.password_hash, password or ""))
        s.add(LoginAttempt(username=username, ip=ip, at=now(), success=ok))
        audit(s, username or "-", "login" if ok else "login_failed", None, None, ip)
        if not ok:
            return None
        token = secrets.token_urlsafe(32)
        s.add(WebSession(id=session_id(token), user_id=u.id, csrf=secrets.token_urlsafe(24), created_at=now(),
                         expires_at=now() + timedelta(hours=SESSION_HOURS)))
        s.execute(delete(WebSession).where(WebSession.expires_at < now()))
        result = token, principal(u)
    _release(Session_, acct, forget=True)
    if not known:
        _release(Session_, addr, forget=False)
    return result


def lookup(Session_: sessionmaker, token: str | None) -> tuple[Principal, str] | None:
    """(principal, csrf token) for a live session cookie, else None."""
    if not token:
        return None
    with Session_() as s:
        row = s.execute(select(WebSession, User).join(User, User.id == WebSession.user_id)
                        .where(WebSession.id == session_id(token))).first()
        if row is None:
            return None
        sess, u = row
        if sess.expires_at < now() or not u.active:
            return None
        return principal(u), sess.csrf


def logout(Session_: sessionmaker, token: str | None) -> None:
    if token:
        with Session_() as s, s.begin():
            s.execute(delete(WebSession).where(WebSession.id == session_id(token)))


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
