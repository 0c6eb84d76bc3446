"""Roles as data (``roles.toml``) and the one place that turns a user + a request into allowed filters.

Every page, API and download asks ``scope_filters`` for the canonical-column filters it must apply, so a
judge cannot see another judge's cases by editing the URL, nor a 庭长 another division's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from zhixiao.domain import courts

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


# 问责 is decided by 院长 / 审委会 (data/rules/supervision.toml, [level.hold_accountable] assignee = "leader"):
# only roles holding this permission in roles.toml may 签收 or 办结 it.
ACCOUNTABLE_PERMISSION = "alert.act.hold_accountable"


def alert_refusal(user: Principal, level: str, judge_id: str | None) -> str | None:
    """Why ``user`` may not 签收/办结 an item of ``level`` about ``judge_id``'s case (None = may).

    Separation of duties (issue 18 §3): nobody closes an item about their own cases — a judge who could would
    close his own 约谈 while the case is still overdue — and 问责 only by the roles the rules name.
    """
    if not user.can("alert.act"):
        return f"“{user.role_name}”角色不能签收或办结督办事项。"
    if user.judge_id and judge_id == user.judge_id:
        return "不能签收或办结本人承办案件的督办事项，请由庭长或院领导处理。"
    if level == "hold_accountable" and not user.can(ACCOUNTABLE_PERMISSION):
        names = "、".join(r.name for r in roles().values() if ACCOUNTABLE_PERMISSION in r.permissions)
        return f"问责事项只能由{names}签收或办结。"
    return None


def _supervises(own: str | None, other: str) -> bool:
    """An intermediate court's leaders review the basic courts under it (两级会商, REFERENCE §5.1): the
    registry's parent link decides, never a prefix of the code."""
    try:
        return own is not None and courts.court(own).level == "intermediate" and courts.court(other).parent == own
    except ValueError:  # a malformed court code in the request: not a court this user supervises
        return False


def scope_filters(user: Principal, court: str | None = None, division: str | None = None,
                  judge: str | None = None, judge_home: tuple[str, str] | None = None) -> dict:
    """Filters (canonical columns) for what ``user`` asked for, or ``Forbidden`` if it is outside their scope.

    ``judge_home`` is (court_code, division) of the requested judge from the roster, so a 庭长 asking for a
    judge of another division is refused rather than shown an empty list.
    """
    scope = user.scope
    court, division, judge = court or None, division or None, judge or None
    if scope != "all":
        if court not in (None, user.court_code) and not (scope == "court" and _supervises(user.court_code, court)):
            raise Forbidden(f"您只能查看本院（{user.court_code}）的数据，不能查看“{court}”。")
        court = court or user.court_code
        if scope == "court" and judge and (judge_home is None or judge_home[0] != court):
            # refused before any page prints the roster's name for that judge of another court
            raise Forbidden(f"法官 {judge} 不在本院（{court}），无权查看。")
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
