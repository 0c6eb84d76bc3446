"""Request plumbing shared by the page modules: who is asking, CSRF, the period, rendering, formatting."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import Path as PathParam
from fastapi import Request
from fastapi.responses import HTMLResponse

from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.reports.narrative import fmt_range, fmt_value
from zhixiao.web import auth, labels
from zhixiao.web.roles import Principal, alert_refusal

TEMPLATES = Path(__file__).with_name("templates")
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    def __init__(self, expired: bool = False) -> None:
        super().__init__()
        self.expired = expired  # a session cookie was sent but its session has ended


class CsrfFailed(Exception):
    pass


def user(request: Request) -> Principal:
    """The logged-in user (dependency); ``LoginRequired`` sends the browser to /login."""
    token = request.cookies.get(auth.COOKIE)
    found = auth.lookup(request.app.state.Session, token)
    if found is None:
        raise LoginRequired(expired=bool(token))
    request.state.user, request.state.csrf = found
    return found[0]


async def checked_user(request: Request) -> Principal:
    """``user`` plus the CSRF check every state-changing request needs (HX header or form field)."""
    u = user(request)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        form = await request.form()
        given = form.get(CSRF_FIELD)
    if not auth.csrf_ok(request.state.csrf, given if isinstance(given, str) else None):
        raise CsrfFailed()
    return u


@cache
def _networks(proxies: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(p, strict=False) for p in proxies)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text.strip())
    except ValueError:
        return None


def _trusted(addr: IPv4Address | IPv6Address | None, settings: Settings) -> bool:
    return addr is not None and any(addr in n for n in _networks(tuple(settings.trusted_proxies)))


def client_ip(request: Request) -> str:
    """The address that throttling and the audit log use: the TCP peer, or — only when the peer is one of the
    configured ``trusted_proxies`` — the nearest untrusted hop of X-Forwarded-For (read right to left, as each
    proxy appends the address it saw; anything left of an untrusted hop may be forged)."""
    peer = request.client.host if request.client else "-"
    settings = request.app.state.settings
    if not _trusted(_address(peer), settings):
        return peer
    hops = [h for v in request.headers.getlist("x-forwarded-for") for h in v.split(",")]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:  # a malformed hop: believe no further
            return peer
        if not _trusted(addr, settings):
            return str(addr)
        peer = str(addr)
    return peer


def forwarded_proto(request: Request, settings: Settings) -> str | None:
    """X-Forwarded-Proto from a trusted proxy (a TLS-terminating proxy in front of us), else None."""
    peer = request.client.host if request.client else ""
    if not _trusted(_address(peer), settings):
        return None
    return (request.headers.get("x-forwarded-proto") or "").split(",")[-1].strip().lower() or None


# Dates a page may ask about: no court data predates 1990, and 9999-01-01 would overflow the year-on-year and
# forecast arithmetic (date(10000, …)) deep inside a query instead of being refused here.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2099, 12, 31)
MAX_ID = 2**31 - 1  # ids in the ops DB are 32-bit integers; a 20-digit id overflows the SQLite/PostgreSQL driver
RowId = Annotated[int, PathParam(ge=1, le=MAX_ID)]  # a path id: out of range → the Chinese 400 page


def parse_day(text: str | None, what: str) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise UserError(f"{what}“{text[:40]}”不是有效日期，请写成 YYYY-MM-DD，例如 2025-06-30。") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise UserError(f"{what} {day} 超出可查询范围（{FIRST_DAY} 至 {LAST_DAY}），请检查日期。")
    return day


def parse_month(text: str | None) -> str | None:
    """``YYYY-MM`` with a real month in the date range, else ``UserError``."""
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not FIRST_DAY.year <= int(m.group(1)) <= LAST_DAY.year:
        raise UserError(f"月份“{text[:40]}”无效，应写成 YYYY-MM，例如 2025-06。")
    return m.group(0)


def period(request: Request, start: str | None, end: str | None) -> tuple[date, date]:
    """The requested period; default = 1 January of the data's as-of year to the as-of date (本年累计)."""
    as_of = request.app.state.hub.as_of()
    e = parse_day(end, "截止日") or as_of
    s = parse_day(start, "起始日") or date(e.year, 1, 1)
    if s > e:
        raise UserError(f"起始日 {s} 晚于截止日 {e}，请调换两者。")
    if (e - s).days > 3 * 366:
        raise UserError("统计期间最长三年，请缩短起止日期。")
    return s, e


# ── formatting (Jinja filters): the briefing's formatters, so the page and the .docx print the same figures
def fmt_yoy(v: Any, unit: str | None) -> str:
    if v is None:
        return "—"
    return f"{v:+.2f}个百分点" if unit == "pp" else f"{v:+.2f}%"


def range_status(row: dict) -> str:
    if row.get("in_range") is None:
        return "—"
    return "达标" if row["in_range"] else "未达标"


_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                          undefined=jinja2.StrictUndefined)
_env.filters.update(value=lambda v, unit=None: fmt_value(v, unit or ""), yoy=fmt_yoy, status=range_status,
                    rng=lambda r, unit=None: fmt_range(list(r) if r else None, unit or ""))


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """Render a page; an htmx request (``HX-Request``) gets only the #main fragment."""
    u = getattr(request.state, "user", None)
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    html = _env.get_template(template).render(
        request=request, user=u, csrf=getattr(request.state, "csrf", ""), partial=partial,
        path=request.url.path, **ctx)
    return HTMLResponse(html, status_code=status_code)


def scoped(request: Request, u: Principal, court: str | None = None, division: str | None = None,
           judge: str | None = None) -> dict:
    """The filters ``u`` may see for the requested court/division/judge (``Forbidden`` when outside)."""
    from zhixiao.web.roles import scope_filters

    home = request.app.state.hub.judge_home(judge) if judge else None
    return scope_filters(u, court, division, judge, judge_home=home)


def scope_label(request: Request, f: dict) -> str:
    """A Chinese name for a filter set: 全市 / court / court·division / judge."""
    r = request.app.state.hub.roster()
    if not f:
        return "全市各法院"
    parts = [r["courts"].get(f.get("court_code"), f.get("court_code") or "")]
    if f.get("division"):
        parts.append(f["division"])
    if f.get("judge_id"):
        j = r["judges"].get(f["judge_id"])
        parts.append(f"{j[2] if j else ''}（{f['judge_id']}）")
    return " · ".join(p for p in parts if p)


def query(f: dict, start: date, end: date, **extra: Any) -> str:
    """URL query for a filter set + period (values URL-encoded; used to build drill and case-list links)."""
    from urllib.parse import urlencode

    names = {"court_code": "court", "division": "division", "judge_id": "judge"}
    q = {names[k]: v for k, v in f.items() if k in names and v}
    q.update(start=start.isoformat(), end=end.isoformat())
    q.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(q)


_env.globals.update(query=query, alert_refusal=alert_refusal)
_env.filters.update(procedure=labels.procedure_name, audit_action=labels.audit_action,
                    alert_action=labels.alert_action, actor=labels.actor)
