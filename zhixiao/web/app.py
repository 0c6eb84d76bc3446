"""The dashboard: ``create_app(settings) -> FastAPI``. Server-rendered Chinese pages, htmx, vendored ECharts.

Security lives here and in ``auth``/``roles``: every route depends on ``deps.user`` (or ``checked_user`` for
state changes), every data question goes through ``roles.scope_filters``, and every response carries the
security headers below (CSP allows our own scripts only — no inline script anywhere).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.store.ops import session_factory
from zhixiao.web.data import DataHub
from zhixiao.web.deps import CsrfFailed, LoginRequired, render
from zhixiao.web.roles import Forbidden

STATIC = Path(__file__).with_name("static")
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings, *, warm: bool = False) -> FastAPI:
    """The dashboard over ``settings.data_dir`` and ``settings.ops_url`` (migrated on start).

    ``warm=True`` computes the default pages in a background thread so first visits are fast.
    """
    import zhixiao.web.models  # noqa: F401 — register the tables on Base
    from zhixiao.web.routes import ROUTERS

    app = FastAPI(title="质效 · 审判质效看板", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.Session = session_factory(settings.ops_url)
    app.state.hub = DataHub(settings)
    if warm:
        threading.Thread(target=app.state.hub.warm, name="zhixiao-warm", daemon=True).start()
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for r in ROUTERS:
        app.include_router(r)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "请先登录。"}, status_code=401)
        target = "/login?next=" + quote(str(request.url.path) + ("?" + request.url.query if request.url.query else ""))
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=403)
        return render(request, "error.html", status_code=403, title="无权访问", message=str(exc))

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        msg = "请求缺少有效的 CSRF 令牌（页面可能已过期），请刷新页面后重试。"
        if _wants_json(request):
            return JSONResponse({"error": msg}, status_code=403)
        return render(request, "error.html", status_code=403, title="请求被拒绝", message=msg)

    @app.exception_handler(UserError)
    async def _user_error(request: Request, exc: UserError) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=400)
        return render(request, "error.html", status_code=400, title="输入有误", message=str(exc))

    return app
