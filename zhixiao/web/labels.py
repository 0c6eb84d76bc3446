"""Chinese names for the codes the store and the ops database keep (a person never reads ``civil_ordinary``,
``system`` or ``view_cases``). Used by the pages and their Excel exports; also Jinja filters (see deps)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def procedure_names() -> dict[str, str]:
    """procedure code → its name in data/time_limits.toml (e.g. civil_ordinary → 民事一审普通程序)."""
    raw = tomllib.loads(resources.files("zhixiao.data").joinpath("time_limits.toml").read_text("utf-8"))
    return {code: p["name"] for code, p in raw.get("procedure", {}).items() if "name" in p}


def procedure_name(code: str | None) -> str:
    if not code:
        return ""
    return procedure_names().get(code, code)


# appeal_result on a case (store schema): how the appeal court disposed of it
APPEAL_RESULTS = {"upheld": "维持原判", "reversed": "改判", "remanded": "发回重审", "withdrawn": "撤回上诉",
                  "mediated": "调解", "other": "其他"}


def appeal_result(code: str | None) -> str:
    return APPEAL_RESULTS.get(code or "", code or "")


# the alert history's actions (zhixiao.supervision.ledger) and who did them
ALERT_ACTIONS = {
    "created": "系统生成", "acknowledged": "签收", "resolved": "办结", "escalated": "升级", "auto_resolved": "自动办结",
    "reopened": "重新打开", "deadline_recomputed": "重算届满日",
}
SYSTEM_USER = {"system": "系统"}

# the audit log's actions (auth.record calls across zhixiao.web)
AUDIT_ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "login_throttled": "登录受限（尝试过多）", "logout": "退出",
    "password_change": "修改密码", "view_cases": "查看案件", "export_cases": "导出案件清单",
    "export_table": "导出表格", "import_validate": "导入校验", "import": "导入数据",
    "generate_briefing": "生成会商报告", "export_briefing": "下载会商报告", "alert_acknowledge": "签收督办事项",
    "alert_resolve": "办结督办事项", "indicator_range": "设置合理区间", "calendar_overrides": "修改节假日覆盖",
    "escalation_rules": "修改督办升级规则", "user_create": "新建用户", "user_reset": "重置密码",
    "user_enable": "启用用户", "user_disable": "停用用户",
    "password_change_failed": "修改密码失败（当前密码错误）", "admin_password": "设置管理员密码",
    "run_daily": "运行每日任务", "target_set": "设定年度目标", "roster_import": "导入人员名册",
    "hotline_add": "登记12368工单", "hotline_respond": "回复12368工单", "hotline_update": "修改12368工单",
    "rating_add": "登记满意度评价", "followup_resolve": "办结差评督办", "suggestion_new": "起草司法建议",
    "suggestion_approve": "审批司法建议", "suggestion_send": "发送司法建议", "suggestion_reply": "登记司法建议回复",
    "suggestion_archive": "归档司法建议", "suggestion_update": "修改司法建议", "petition_add": "登记信访积案",
    "petition_update": "更新信访积案",
}


def alert_action(code: str | None) -> str:
    return ALERT_ACTIONS.get(code or "", code or "")


def actor(user: str | None) -> str:
    return SYSTEM_USER.get(user or "", user or "")


def audit_action(code: str | None) -> str:
    return AUDIT_ACTIONS.get(code or "", code or "")


# request parameters, for the Chinese 400 page when one is missing or invalid
PARAMS = {
    "indicator": "指标", "part": "分子/分母", "court": "法院", "division": "部门", "judge": "法官", "month": "月份",
    "start": "起始日", "end": "截止日", "as_of": "测算日", "rate": "目标结案率", "status": "状态", "level": "级别",
    "by": "查看方式", "alert_id": "督办事项编号", "kind": "台账", "token": "导入批次", "file": "文件",
    "note": "处理情况", "q": "筛选", "sort": "排序", "page": "页码", "size": "每页行数", "fmt": "格式",
    "username": "用户名", "password": "密码", "role": "角色", "user_id": "用户编号", "period": "期间",
}


def param(name: str) -> str:
    return PARAMS.get(name, name)


# 管理's 依据 columns (indicator 合理区间 and escalation rules): the catalogue's source notes are written for the
# people who maintain it — evidence marks, web addresses, internal document names, a few English notes. A person
# reads them in Chinese: the marks and addresses go, the documents get Chinese names; an SPC or CEPEJ document
# keeps its own name, and CourTools / CEPEJ stay as the names those documents go by.
BASIS_ABBREVIATIONS = frozenset({"CourTools", "CEPEJ"})
BASIS_PHRASES = (  # (pattern, Chinese), applied in order
    (r"DESIGN\.md glossary", "本系统指标词汇表"),
    (r"MEASURES_AND_STACK §", "国外指标参考资料 §"),
    (r"REFERENCE §", "领域参考资料 §"),
    (r"审限 from zhixiao\.deadlines", "审限按本系统审限规则计算"),
    (r"Model Time Standards(?: for State Trial Courts)? \((\d{4})\)", r"美国《州初审法院审理时间示范标准》（\1）"),
    (r", general civil tier (\d)", r"，一般民事第\1档"),
    (r", felony tier (\d)", r"，重罪第\1档"),
    (r"clearance = outgoing ÷ incoming", "结收比 = 结案数 ÷ 收案数"),
    (r"CEPEJ CR\b", "CEPEJ 结收比"),
    (r" \(time to disposition\)", "（审结时间）"),
    (r"NCSC CourTools Measure (\d+)", r"美国州法院中心 CourTools 第\1项"),
    (r": only active pending cases; suspended \(中止\) cases excluded", "：只计在审的未结案件，中止案件不计"),
    (r" \(age of active pending caseload, days from filing to as-of date\)",
     "（在审未结案件的案龄：立案日至统计日的天数）"),
    (r"Backlog = pending beyond the time standard \(NCSC, ", "积压案件 = 超过审理时间标准的未结案件（美国州法院中心，"),
    (r"CEPEJ DT = 365 × pending_end ÷ resolved \(CEPEJ\(2008\)11, ",
     "CEPEJ 处置时间 = 365 × 期末未结数 ÷ 结案数（欧洲司法效率委员会 CEPEJ(2008)11 号文件，"),
    (r"CEPEJ CTR = resolved ÷ pending at end \(CEPEJ\(2008\)11, ",
     "CEPEJ 案件周转率 = 结案数 ÷ 期末未结数（欧洲司法效率委员会 CEPEJ(2008)11 号文件，"),
    (r"(\d{4})Q1", r"\1年一季度"),
    (r"\s*\[(?:C3|C|M|I)\]", ""),  # evidence marks: confirmed / modelled / inferred (the catalogue's own grading)
    # web addresses (a domain, an optional id) and the one library name: the document they point to is named
    (r"(?:[a-z0-9-]+\.)+(?:cn|com|org|net)(?: id=\d+)?[，,]\s*", ""),  # with the comma after it, else before
    (r"[，,]?\s*(?:[a-z0-9-]+\.)+(?:cn|com|org|net)(?: id=\d+)?", ""),
    (r"360elib，", ""),
    (r"([（(])\s*[，,]?\s*", r"\1"),
    (r";\s*", "；"),
    (r"\s*\(\s*\)|（\s*）", ""),
    (r"\)\s*\(", "；"),
)


@cache
def _basis_patterns() -> tuple:
    import re

    return tuple((re.compile(p), r) for p, r in BASIS_PHRASES)


def basis(text: str | None) -> str:
    """A catalogue source note (依据) as a person reads it (see BASIS_PHRASES)."""
    out = text or ""
    for pattern, repl in _basis_patterns():
        out = pattern.sub(repl, out)
    return out.strip()
