"""The dashboard: ``create_app(settings) -> FastAPI``. Server-rendered Chinese pages, htmx, vendored ECharts.

Security lives here and in ``auth``/``roles``: every route depends on ``deps.user`` (or ``checked_user`` for
state changes), every data question goes through ``roles.scope_filters``, and every response — error pages,
redirects and the body guard's refusals included — carries the security headers below (CSP allows our own
scripts only — no inline script anywhere). No error reaches a person as a JSON body: pages get a Chinese
error page; only ``/api/`` (read by our own scripts) answers JSON, in Chinese.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.store.ops import session_factory
from zhixiao.web import auth, labels
from zhixiao.web.data import DataHub
from zhixiao.web.deps import CsrfFailed, LoginRequired, forwarded_proto, render
from zhixiao.web.roles import Forbidden
from zhixiao.web.uploads import UPLOAD_BYTES

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)",
}
HSTS = "max-age=31536000"  # only over HTTPS (RFC 6797 §7.2: never sent on plain HTTP)
# How uvicorn must run the app: X-Forwarded-For is the app's business (``deps.client_ip`` believes it only from
# ``trusted_proxies``); uvicorn's own proxy handling trusts 127.0.0.1 by default and would let anyone on the
# server machine pick their address. ``zhixiao serve`` and ``quickstart`` pass these to ``uvicorn.run``.
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}

# Request bodies: the most a POST may carry, by path prefix (first match); checked from Content-Length before
# anything is read and again while the body streams in (chunked uploads have no length).
BODY_LIMITS = (("/imports/validate", UPLOAD_BYTES),)
DEFAULT_BODY_BYTES = 16 * 1024 * 1024
ANONYMOUS_POSTS = frozenset({"/login"})  # the only state-changing path without a session

HTTP_TITLES = {404: "页面不存在", 405: "不支持此操作", 413: "内容过大"}
HTTP_MESSAGES = {
    404: "您访问的页面不存在，请从导航栏重新进入。",
    405: "此地址不支持这种访问方式，请从页面上的按钮或链接操作。",
    413: "提交的内容过大，请分批导入（单个文件不超过 200 MB）。",
}


def body_limit(path: str) -> int:
    return next((n for prefix, n in BODY_LIMITS if path.startswith(prefix)), DEFAULT_BODY_BYTES)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def login_response(request: Request, expired: bool) -> Response:
    """Where an anonymous request goes: 401 for the API and htmx, else the login page (and back afterwards)."""
    if _wants_json(request):
        return JSONResponse({"error": "会话已过期，请重新登录。" if expired else "请先登录。"}, status_code=401)
    back = str(request.url.path) + ("?" + request.url.query if request.url.query else "")
    if request.method != "GET":  # after logging in, return to the page the form was on
        referer = request.headers.get("referer", "")
        base = str(request.base_url)
        back = "/" + referer[len(base):] if referer.startswith(base) else "/"
    target = "/login?next=" + quote(back) + ("&message=expired" if expired else "")
    if request.headers.get("HX-Request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_response(request: Request, status: int, title: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "error.html", status_code=status, title=title, message=message)


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413)


class BodyGuard:
    """Refuse a POST before reading its body when it is too large (Content-Length) or anonymous; count the
    bytes of what is read so a body without a length cannot exceed the limit either."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        request = Request(scope)
        if scope["path"] not in ANONYMOUS_POSTS:  # first: a stranger learns nothing, not even the limit
            token = request.cookies.get(auth.COOKIE)
            found = await run_in_threadpool(auth.lookup, scope["app"].state.Session, token) if token else None
            if found is None:
                resp = login_response(request, expired=bool(token))
                resp.headers["Connection"] = "close"  # the unread body cannot be skipped on this connection
                return await resp(scope, receive, send)
        limit = body_limit(scope["path"])
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            resp = error_response(request, 413, HTTP_TITLES[413], HTTP_MESSAGES[413])
            resp.headers["Connection"] = "close"
            return await resp(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            seen += len(msg.get("body", b""))
            if seen > limit:
                raise BodyTooLarge()
            return msg

        await self.app(scope, counted, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        https = scope.get("scheme") == "https" or forwarded_proto(Request(scope), self.settings) == "https"

        async def with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                h = MutableHeaders(scope=msg)
                for k, v in SECURITY_HEADERS.items():
                    h.setdefault(k, v)
                if https:
                    h.setdefault("Strict-Transport-Security", HSTS)
                if not scope["path"].startswith("/static/"):
                    h.setdefault("Cache-Control", "no-store")
            await send(msg)

        await self.app(scope, receive, with_headers)


def add_warmers(hub: DataHub) -> None:
    """The default questions of the pages whose answers the routes ask themselves (总览's 收结存, 全市对比,
    数据体检, 民生小案, 人员考核), for precompute after an import beside the indicator, 审限 and 目标 pages
    ``DataHub`` warms itself."""
    from zhixiao.web.routes import city, overview, quality, services_registers, services_tools

    hub.add_warmer("flows", overview.warm)
    hub.add_warmer(("city", "city_flows"), city.warm)
    hub.add_warmer("quality", quality.warm)
    hub.add_warmer("svc_minsheng", services_registers.warm)
    hub.add_warmer("svc_assess", services_tools.warm)


def _warm(app: FastAPI) -> None:
    """Serve mode's background start: 审限监控's item list (the ops database's), then the snapshot's pages."""
    from zhixiao.web.routes import supervision

    supervision.warm(app)
    app.state.hub.warm()


def create_app(settings: Settings, *, warm: bool = False) -> FastAPI:
    """The dashboard over ``settings.data_dir`` and ``settings.ops_url`` (migrated on start).

    ``warm=True`` computes the default pages in a background thread so first visits are fast.
    """
    import zhixiao.web.models  # noqa: F401 — register the tables on Base
    from zhixiao.web.routes import ROUTERS, city, quality

    app = FastAPI(title="质效 · 审判质效看板", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.Session = session_factory(settings.ops_url)
    app.state.hub = DataHub(settings)
    add_warmers(app.state.hub)
    if warm:
        app.state.hub.load(app.state.hub.store.manifest().version)  # the kept answers, before the first request
        threading.Thread(target=_warm, args=(app,), name="zhixiao-warm", daemon=True).start()
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for r in (*ROUTERS, city.router, quality.router):
        app.include_router(r)
    app.add_middleware(BodyGuard)
    app.add_middleware(SecurityHeaders, settings=settings)  # added last = outermost: sees every response

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        return login_response(request, exc.expired)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_response(request, 403, "无权访问", str(exc))

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        return error_response(request, 403, "请求被拒绝",
                              "请求缺少有效的 CSRF 令牌（页面可能已过期），请刷新页面后重试。")

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        return error_response(request, 400, "输入有误", str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        default = HTTP_MESSAGES.get(exc.status_code, "请求无法完成，请返回上一页重试。")
        # a detail written for people (Chinese) is shown; Starlette's English defaults are replaced
        message = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else default
        resp = error_response(request, exc.status_code, HTTP_TITLES.get(exc.status_code, "请求无法完成"), message)
        resp.headers.update(exc.headers or {})
        return resp

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [e for e in exc.errors() if e.get("loc")]
        missing = sorted({labels.param(str(e["loc"][-1])) for e in errors if e.get("type") == "missing"})
        invalid = sorted({labels.param(str(e["loc"][-1])) for e in errors if e.get("type") != "missing"})
        parts = ([f"缺少{'、'.join(f'“{n}”' for n in missing)}"] if missing else []) + \
            ([f"{'、'.join(f'“{n}”' for n in invalid)}的值无效或超出范围"] if invalid else [])
        what = "，".join(parts) or "请求参数无效"
        return error_response(request, 400, "输入有误", f"{what}，请从页面上的链接或表单重新进入。")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        # runs outside the middleware stack (Starlette's ServerErrorMiddleware): add the headers here
        log.exception("内部错误：%s %s", request.method, request.url.path)
        resp = error_response(request, 500, "系统内部错误",
                              "系统内部错误，请稍后重试；如果反复出现，请把出现时间告诉系统管理员（详情已记入服务日志）。")
        for k, v in SECURITY_HEADERS.items():
            resp.headers.setdefault(k, v)
        return resp

    return app
