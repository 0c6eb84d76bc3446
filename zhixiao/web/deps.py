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
from zhixiao.domain.courts import court_name
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


PERIOD_COOKIE = "zx_period"
PRESETS = {"month": "本月", "quarter": "本季度", "year": "本年", "last_year": "上年同期", "custom": "自定义"}


def preset_range(preset: str, as_of: date) -> tuple[date, date]:
    """A named period ending at the data's as-of date; 上年同期 = 本年 one year earlier (29 Feb → 28 Feb)."""
    if preset == "month":
        return as_of.replace(day=1), as_of
    if preset == "quarter":
        return date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1), as_of
    if preset == "last_year":
        end = as_of.replace(year=as_of.year - 1, day=28) if (as_of.month, as_of.day) == (2, 29) else \
            as_of.replace(year=as_of.year - 1)
        return date(end.year, 1, 1), end
    return date(as_of.year, 1, 1), as_of


def _remembered(request: Request) -> tuple[str, str | None, str | None]:
    """The period last picked in this browser (cookie ``zx_period``: a preset, or ``custom:start:end``)."""
    raw = request.cookies.get(PERIOD_COOKIE) or ""
    name, _, rest = raw.partition(":")
    if name == "custom":
        s, _, e = rest.partition(":")
        return "custom", s, e
    return (name, None, None) if name in PRESETS else ("", None, None)


def period(request: Request, start: str | None, end: str | None) -> tuple[date, date]:
    """The requested period. A preset picked on the page (``period=``) wins and is remembered for every page
    (cookie, set by ``render``); explicit start/end (links carry them) come next; then the remembered one;
    default 本年累计 (1 January of the data's as-of year to the as-of date)."""
    as_of = request.app.state.hub.as_of()
    chosen = request.query_params.get("period")
    if chosen is not None and chosen not in PRESETS:
        raise UserError(f"期间“{chosen[:20]}”无效，请从期间选择框中选择。")
    preset = chosen or ""
    if chosen and chosen != "custom":
        s, e = preset_range(chosen, as_of)
    elif start or end or chosen == "custom":
        e = parse_day(end, "截止日") or as_of
        s = parse_day(start, "起始日") or date(e.year, 1, 1)
        preset = "custom"
    else:
        preset, rs, re_ = _remembered(request)
        if preset == "custom":
            e = _day_or_none(re_) or as_of
            s = _day_or_none(rs) or date(e.year, 1, 1)
        else:
            s, e = preset_range(preset or "year", as_of)
    if s > e:
        raise UserError(f"起始日 {s} 晚于截止日 {e}，请调换两者。")
    if (e - s).days > 3 * 366:
        raise UserError("统计期间最长三年，请缩短起止日期。")
    request.state.period_preset = preset or "year"
    if chosen:
        request.state.period_cookie = chosen if chosen != "custom" else f"custom:{s}:{e}"
    return s, e


def _day_or_none(text: str | None) -> date | None:
    """A remembered day: a cookie the browser kept is not the user's input — a bad one is forgotten."""
    try:
        d = date.fromisoformat(text or "")
    except ValueError:
        return None
    return d if FIRST_DAY <= d <= LAST_DAY else None


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
    """Render a page; an htmx request (``HX-Request``) gets only the #main fragment. A period picked on this
    request is remembered for the next pages (cookie)."""
    u = getattr(request.state, "user", None)
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"
    html = _env.get_template(template).render(
        request=request, user=u, csrf=getattr(request.state, "csrf", ""), partial=partial,
        path=request.url.path, presets=PRESETS, period_preset=getattr(request.state, "period_preset", "year"), **ctx)
    resp = HTMLResponse(html, status_code=status_code)
    remembered = getattr(request.state, "period_cookie", None)
    if remembered and status_code < 400:
        resp.set_cookie(PERIOD_COOKIE, remembered, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")
    return resp


def scoped(request: Request, u: Principal, court: str | None = None, division: str | None = None,
           judge: str | None = None) -> dict:
    """The filters ``u`` may see for the requested court/division/judge (``Forbidden`` when outside)."""
    from zhixiao.web.roles import scope_filters

    home = request.app.state.hub.judge_home(judge) if judge else None
    f = scope_filters(u, court, division, judge, judge_home=home)
    code = f.get("court_code")
    if code and code not in request.app.state.hub.roster()["courts"] and court_name(code) is None:
        # an unknown court answered with zeros under its code looked like a court with no cases
        raise UserError(f"没有代字为“{code[:20]}”的法院，请从页面上的法院列表选择。")
    return f


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
