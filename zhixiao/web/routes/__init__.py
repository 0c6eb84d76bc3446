"""One router per page; ``ROUTERS`` is what ``create_app`` mounts."""

from zhixiao.web.routes import (
    account,
    admin,
    drill,
    imports,
    login,
    overview,
    reports,
    roster,
    services,
    services_registers,
    services_tools,
    supervision,
    targets,
)

ROUTERS = [login.router, account.router, overview.router, drill.router, supervision.router, targets.router, reports.router,
           imports.router, admin.router, services.router, services_registers.router, services_tools.router,
           roster.router]
