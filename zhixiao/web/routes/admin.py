"""管理: users and roles, the daily job (last run, next run, run now), escalation rules, calendar overrides, the
indicator profile and its ranges, audit log."""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select

from zhixiao.domain.courts import court
from zhixiao.errors import UserError
from zhixiao.reports.figures.collect import profile_name
from zhixiao.web import auth, labels
from zhixiao.web.deps import RowId, checked_user, client_ip, render, user
from zhixiao.web.models import AuditLog, User, WebSession
from zhixiao.web.roles import Principal, require, roles
from zhixiao.web.schedule import installed_timer, last_daily_run
from zhixiao.web.tables import Column, table

router = APIRouter()
AUDIT_SHOWN = 5000  # the newest entries on the page (filter, sort, page, export); the table keeps them all
AUDIT_COLUMNS = (Column("at", "时间", text=lambda v, r: f"{v:%Y-%m-%d %H:%M:%S}"), Column("username", "用户"),
                 Column("action", "操作"), Column("target", "对象"), Column("detail", "说明"), Column("ip", "地址"))


USER_COLUMNS = (Column("username", "用户名"), Column("display_name", "姓名"), Column("role_name", "角色"),
                Column("court_name", "法院"), Column("division", "部门"), Column("judge_id", "法官编号"),
                Column("status", "状态"))


def _user_rows(users: list[User], courts: dict[str, str]) -> list[dict]:
    """The accounts as the page shows them: role and court by name (the court's code beside an unknown one)."""
    names = roles()
    return [{"id": x.id, "active": x.active, "username": x.username, "display_name": x.display_name or "",
             "role_name": names[x.role].name if x.role in names else x.role,
             "court_name": courts.get(x.court_code, x.court_code) if x.court_code else "",
             "division": x.division or "", "judge_id": x.judge_id or "", "status": "启用" if x.active else "停用"}
            for x in users]


def _page(request: Request, message: str | None = None, password: str | None = None):
    from zhixiao.metrics.card import DIRECTION_NAMES, UNIT_NAMES
    from zhixiao.metrics.catalogue import load_profile
    from zhixiao.supervision.rules import LEVEL_NAMES, load_ladder

    settings = request.app.state.settings
    dd = Path(settings.data_dir)
    with request.app.state.Session() as s:
        users = list(s.scalars(select(User).order_by(User.id)))
        audit = [{"at": a.at, "username": labels.actor(a.username), "action": labels.audit_action(a.action),
                  "target": a.target, "detail": a.detail, "ip": a.ip}
                 for a in s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(AUDIT_SHOWN))]
        last = last_daily_run(s)
    timer = installed_timer()
    daily = {"last": last, "timer": timer, "next": timer.next_run(datetime.now()) if timer else None,
             "jobs": request.app.state.hub.jobs.list("", True, kind="daily")[:3]}
    try:
        ladder = load_ladder(settings)
        rules, rules_error = [(LEVEL_NAMES.get(r.level, r.level), r) for r in ladder.rules], None
    except UserError as exc:
        rules, rules_error = [], str(exc)
    cal = dd / "calendar_overrides.toml"
    sup = dd / "supervision.toml"
    roster = request.app.state.hub.roster()
    audit_view = replace(table(request, audit, AUDIT_COLUMNS, key="audit", prefix="a_"), path="/admin")
    if (resp := audit_view.export_response("审计日志")) is not None:
        return resp
    users_view = replace(table(request, _user_rows(users, roster["courts"]), USER_COLUMNS, key="users", prefix="u_",
                               size=100), path="/admin")
    if (resp := users_view.export_response("用户与角色")) is not None:
        return resp
    return render(request, "admin.html", title="管理", users=users_view, roles=roles(), audit=audit_view,
                  audit_shown=AUDIT_SHOWN, message=message,
                  courts=roster["courts"], divisions=roster["divisions"],
                  judges=sorted(roster["judges"].items(), key=lambda kv: (kv[1][0] or "", kv[1][1] or "", kv[0])),
                  password=password, daily=daily, as_of=request.app.state.hub.as_of(), rules=rules, rules_error=rules_error, profile=settings.profile,
                  profile_name=profile_name(settings.profile, dd),
                  indicators=load_profile(settings.profile, data_dir=dd), unit_names=UNIT_NAMES,
                  direction_names=DIRECTION_NAMES, basis=labels.basis,
                  calendar_text=cal.read_text("utf-8") if cal.is_file() else "",
                  rules_text=sup.read_text("utf-8") if sup.is_file() else "")


@router.get("/admin")
def admin(request: Request, u: Principal = Depends(user)):
    require(u, "admin.manage")
    return _page(request)


def _registered(request: Request, court_code: str, division: str, judge_id: str) -> tuple[str | None, ...]:
    """Court, division and judge of a new account as the registries know them, else ``UserError``: the court
    from the 法院代字表 (``domain.courts``), the division and judge from the imported roster of that court."""
    if not court_code:
        if division or judge_id:
            raise UserError("指定部门或法官时必须同时选择所属法院。")
        return None, None, None
    try:
        c = court(court_code)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not c.known:
        raise UserError(f"法院代字“{court_code}”不在法院代字表中（法〔2015〕137号），请从列表中选择法院。")
    roster = request.app.state.hub.roster()
    if division and division not in roster["divisions"].get(court_code, []):
        raise UserError(f"{c.name}的案件数据中没有“{division}”，请从列表中选择部门。")
    if judge_id:
        j = roster["judges"].get(judge_id)
        if j is None or j[0] != court_code:
            raise UserError(f"{c.name}的法官名册中没有编号 {judge_id}，请从列表中选择法官。")
        division = division or j[1] or ""
    return court_code, division or None, judge_id or None


@router.post("/admin/users")
def create_user(request: Request, username: str = Form(""), display_name: str = Form(""), role: str = Form(""),
                court_code: str = Form(""), division: str = Form(""), judge_id: str = Form(""),
                u: Principal = Depends(checked_user)):
    require(u, "admin.manage")
    court_code, division, judge_id = _registered(request, court_code.strip(), division.strip(), judge_id.strip())
    password = auth.new_password()
    with request.app.state.Session() as s, s.begin():
        auth.create_user(s, username.strip(), password, role, display_name.strip() or None,
                         court_code=court_code, division=division, judge_id=judge_id)
        auth.audit(s, u.username, "user_create", username, role, client_ip(request))
    return _page(request, f"已创建用户 {username}，初始密码只显示这一次：", password)


@router.post("/admin/users/{user_id}/reset")
def reset_password(request: Request, user_id: RowId, u: Principal = Depends(checked_user)):
    require(u, "admin.manage")
    password = auth.new_password()
    with request.app.state.Session() as s, s.begin():
        target = s.get(User, user_id)
        if target is None:
            raise UserError(f"用户编号 {user_id} 不存在。")
        target.password_hash = auth.hash_password(password)
        s.query(WebSession).filter(WebSession.user_id == user_id).delete()
        auth.audit(s, u.username, "user_reset", target.username, None, client_ip(request))
        name = target.username
    return _page(request, f"已重置 {name} 的密码，新密码只显示这一次：", password)


@router.post("/admin/users/{user_id}/toggle")
def toggle(request: Request, user_id: RowId, u: Principal = Depends(checked_user)):
    require(u, "admin.manage")
    with request.app.state.Session() as s, s.begin():
        target = s.get(User, user_id)
        if target is None:
            raise UserError(f"用户编号 {user_id} 不存在。")
        if target.id == u.id:
            raise UserError("不能停用自己的账号。")
        target.active = not target.active
        if not target.active:
            s.query(WebSession).filter(WebSession.user_id == user_id).delete()
        auth.audit(s, u.username, "user_enable" if target.active else "user_disable", target.username, None,
                   client_ip(request))
        msg = f"已{'启用' if target.active else '停用'}用户 {target.username}。"
    return _page(request, msg)


RANGES_FILE = "web_ranges.toml"  # the 管理 page's 合理区间 edits, one [[override]] per indicator


def _number(text: str, unit: str, what: str) -> float:
    text = (text or "").strip()
    pct = text.endswith("%")
    try:
        v = float(text.rstrip("%"))
    except ValueError:
        raise UserError(f"区间{what}“{text}”不是数字；比率可写 93% 或 0.93，天数、件数写数字。") from None
    return v / 100 if pct or (unit == "rate" and v > 1) else v


def _toml_str(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


@router.post("/admin/ranges")
def save_range(request: Request, indicator: str = Form(""), low: str = Form(""), high: str = Form(""),
               source: str = Form(""), u: Principal = Depends(checked_user)):
    from zhixiao.metrics.catalogue import load_profile

    require(u, "admin.manage")
    settings = request.app.state.settings
    dd = Path(settings.data_dir)
    inds = {i.id: i for i in load_profile(settings.profile, data_dir=dd)}
    if indicator not in inds:
        raise UserError(f"指标“{indicator}”不在指标体系 {settings.profile} 中。")
    lo, hi = _number(low, inds[indicator].unit, "下限"), _number(high, inds[indicator].unit, "上限")
    if lo > hi:
        raise UserError(f"区间下限 {low} 大于上限 {high}，请调换。")
    path = dd / "indicators" / RANGES_FILE
    current = tomllib.loads(path.read_text("utf-8")).get("override", []) if path.is_file() else []
    edits = {o["id"]: o for o in current}
    edits[indicator] = {"id": indicator, "range": [lo, hi],
                        "range_source": source.strip() or f"本院设定（{u.username}）"}
    lines = ["# 管理页面设定的合理区间（zhixiao web）", "[profile]", f"id = {_toml_str(settings.profile)}", ""]
    for o in edits.values():
        lines += ["[[override]]", f"id = {_toml_str(o['id'])}",
                  f"range = [{float(o['range'][0])!r}, {float(o['range'][1])!r}]",
                  f"range_source = {_toml_str(o.get('range_source', ''))}", ""]
    old = path.read_text("utf-8") if path.is_file() else None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    try:
        load_profile(settings.profile, data_dir=dd)  # the catalogue must still load
    except UserError:
        if old is None:
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise
    auth.record(request.app.state.Session, u.username, "indicator_range", indicator, f"{lo} ～ {hi}",
                client_ip(request))
    return _page(request, f"已保存 {inds[indicator].name} 的合理区间，看板数字随即按新区间判定达标。")


@router.post("/admin/calendar")
def save_calendar(request: Request, text: str = Form(""), u: Principal = Depends(checked_user)):
    from zhixiao.domain.calendar import WorkCalendar, parse_overrides

    require(u, "admin.manage")
    try:
        WorkCalendar(parse_overrides(text))
    except (tomllib.TOMLDecodeError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"日历覆盖内容有误：{exc}。请按 [[closure]] / [[workday]] / [year.YYYY] 的格式填写。") from None
    path = Path(request.app.state.settings.data_dir) / "calendar_overrides.toml"
    path.write_text(text, encoding="utf-8")
    auth.record(request.app.state.Session, u.username, "calendar_overrides", str(path), None, client_ip(request))
    return _page(request, "已保存节假日覆盖表；下一次审限计算（每日任务或“立即运行每日任务”）起生效。")


@router.post("/admin/rules")
def save_rules(request: Request, text: str = Form(""), u: Principal = Depends(checked_user)):
    from zhixiao.supervision.rules import load_ladder

    require(u, "admin.manage")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"督办规则不是有效的 TOML：{exc}，请修正后再保存。") from None
    with tempfile.TemporaryDirectory() as tmp:  # validate through the ladder loader before writing
        (Path(tmp) / "supervision.toml").write_text(text, encoding="utf-8")
        load_ladder(SimpleNamespace(data_dir=tmp, rules={}))
    path = Path(request.app.state.settings.data_dir) / "supervision.toml"
    path.write_text(text, encoding="utf-8")
    auth.record(request.app.state.Session, u.username, "escalation_rules", str(path), None, client_ip(request))
    return _page(request, "已保存督办升级规则；下一次审限监管任务起生效。")
