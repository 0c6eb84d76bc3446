"""Roles as data (``roles.toml``) and the one place that turns a user + a request into allowed filters.

Every page, API and download asks ``scope_filters`` for the canonical-column filters it must apply, so a
judge cannot see another judge's cases by editing the URL, nor a 庭长 another division's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROLES_FILE = Path(__file__).with_name("roles.toml")


class Forbidden(Exception):
    """The user may not do this; the message (Chinese) is shown on the 403 page."""


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    scope: str  # all | court | division | judge
    permissions: frozenset[str]


@cache
def roles() -> dict[str, Role]:
    raw = tomllib.loads(ROLES_FILE.read_text(encoding="utf-8"))["role"]
    return {k: Role(k, v["name"], v["scope"], frozenset(v["permissions"])) for k, v in raw.items()}


@dataclass(frozen=True)
class Principal:
    """The logged-in user as the request handlers see it."""

    id: int
    username: str
    display_name: str
    role: str
    court_code: str | None = None
    division: str | None = None
    judge_id: str | None = None

    @property
    def role_name(self) -> str:
        return roles()[self.role].name

    @property
    def scope(self) -> str:
        return roles()[self.role].scope

    def can(self, permission: str) -> bool:
        r = roles().get(self.role)
        return bool(r and permission in r.permissions)


def require(user: Principal, permission: str) -> None:
    if not user.can(permission):
        raise Forbidden(f"“{user.role_name}”角色无权访问此功能（需要权限 {permission}），如需开通请联系系统管理员。")


def scope_filters(user: Principal, court: str | None = None, division: str | None = None,
                  judge: str | None = None, judge_home: tuple[str, str] | None = None) -> dict:
    """Filters (canonical columns) for what ``user`` asked for, or ``Forbidden`` if it is outside their scope.

    ``judge_home`` is (court_code, division) of the requested judge from the roster, so a 庭长 asking for a
    judge of another division is refused rather than shown an empty list.
    """
    scope = user.scope
    court, division, judge = court or None, division or None, judge or None
    if scope != "all":
        if court not in (None, user.court_code):
            raise Forbidden(f"您只能查看本院（{user.court_code}）的数据，不能查看“{court}”。")
        court = user.court_code
    if scope in ("division", "judge"):
        own_div = user.division
        if scope == "division":
            if division not in (None, own_div):
                raise Forbidden(f"您只能查看本庭（{own_div}）的数据，不能查看“{division}”。")
            division = own_div
            if judge and judge_home is not None and judge_home != (court, own_div):
                raise Forbidden(f"法官 {judge} 不在本庭（{own_div}），无权查看其案件。")
            if judge and judge_home is None:
                raise Forbidden(f"名册中没有法官 {judge}。")
        else:
            if judge not in (None, user.judge_id):
                raise Forbidden("法官只能查看本人承办的案件，不能查看其他法官的案件。")
            if division not in (None, own_div):
                raise Forbidden(f"法官只能查看本人承办的案件，不能查看“{division}”。")
            judge = user.judge_id
            division = None  # the judge's own cases, whatever division they were filed under
    out = {}
    if court:
        out["court_code"] = court
    if division:
        out["division"] = division
    if judge:
        out["judge_id"] = judge
    return out
