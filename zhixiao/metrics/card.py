"""The 口径 card of an indicator: what it counts, what it leaves out, its unit, range and versions — in words.

Built from the catalogue entry alone (one function, ``card``), so the CLI (`zhixiao indicators explain`), the
briefing's appendix and the dashboard show the same text; ``excluded_counts`` adds, for one court and period,
how many cases the definition left out and of which case types.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from zhixiao.domain import case_types
from zhixiao.domain.time_limits import FOREIGN_TAG, LIMITS
from zhixiao.metrics.catalogue import BASE_SETS, Indicator
from zhixiao.metrics.evaluate import prepared_cases
from zhixiao.metrics.filters import Compiler, Period

COLUMN_NAMES = {
    "stage": "审级", "type_code": "类型代字", "closing_method": "结案方式", "category": "案件类别",
    "procedure": "适用程序", "appealed": "是否上诉（抗诉）", "tags": "标签", "origin_case_id": "原审/执行依据案号",
    "appeal_result": "上诉/再审结果", "hearing_held": "是否开庭", "ruled_in_court": "是否当庭裁判",
    "dispute_id": "纠纷编号", "dispute_key": "纠纷（纠纷编号；无编号的按案件自身）", "filing_date": "立案日期",
    "closing_date": "结案日期", "appeal_date": "上诉日期", "transfer_date": "移送二审日期", "post": "岗位",
    "division": "承办部门", "line": "条线", "duration_days": "审理天数（结案日期 − 立案日期）",
    "age_days": "已审天数（截止日 − 立案日期）", "transfer_days": "移送天数（移送日期 − 上诉日期）",
    "suspended": "截止日处于中止", "enforcement_collected_amount": "执行到位金额",
    "enforcement_applied_amount": "申请执行标的金额", "claim_amount": "标的额",
    "deadline.no_limit": "无法定审限（审限引擎）", "deadline.closed_within_limit": "在审限内结案（审限引擎）",
    "deadline.extension_days": "延长审限天数（审限引擎）",
    # the 终本 conditions (store.schema.ZHONGBEN_CHECKS; 法发〔2016〕373号 第一条)
    "zb_notice": "终本核查：已发执行通知和报告财产令", "zb_restriction": "终本核查：已采取限制消费措施",
    "zb_investigation": "终本核查：已完成财产调查", "zb_three_months": "终本核查：立案已满三个月",
    "zb_whereabouts": "终本核查：下落不明的已查找",
}
# the case tags of the store (store.schema "tags"), as a 口径 card names them
TAG_NAMES = {
    "foreign_related": "涉外", "ftz": "自贸区", "detained": "被告人在押", "petition": "信访",
    "small_claim": "小额", "settlement": "执行和解", "agency_corrected": "行政机关自行纠正",
    "no_property": "无财产可供执行",
}
VALUE_NAMES = {
    True: "是", False: "否", "first": "一审", "second": "二审", "retrial_review": "再审审查", "retrial": "再审",
    "enforcement": "执行", "special": "特别程序", "reversed": "改判", "remanded": "发回重审", "upheld": "维持",
    "civil": "民事", "criminal": "刑事", "administrative": "行政", "compensation": "国家赔偿", "bankruptcy": "破产",
    "preservation": "非诉保全审查", "mediation": "诉前调解", "other": "其他", "enforcement_review": "执行审查",
}
OPS = {"eq": "＝", "ne": "≠", "lt": "＜", "le": "≤", "gt": "＞", "ge": "≥"}
UNIT_NAMES = {"rate": "比率（%）", "ratio": "比值", "days": "天", "count": "件", "yuan": "元"}
DIRECTION_NAMES = {"higher": "越高越好", "lower": "越低越好", "range": "落在合理区间为好"}
NO_LIMIT_COL = "deadline.no_limit"


@dataclass(frozen=True)
class Card:
    """One indicator's 口径, in words (Chinese, as users read it); ``to_dict`` keeps glossary keys."""

    id: str
    name: str
    profile: str
    group: str
    line: str
    unit: str
    direction: str
    formula: str
    numerator: str
    denominator: str | None
    exclusions: tuple[str, ...]  # the profile's named exclusions, each with its rule
    excluded: str | None  # what the definition itself leaves out of both parts
    no_limit_types: tuple[str, ...]  # case types without a statutory limit (when the definition turns on it)
    range: tuple[float | None, float | None] | None
    range_source: str | None
    range_period: str
    source: str
    note: str
    unpublished: str
    unavailable: str
    effective_from: date | None
    effective_to: date | None
    excluded_count: int | None = None  # for one court and period, when evaluated (``excluded_counts``)
    excluded_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def versions(self) -> str:
        if self.effective_from is None and self.effective_to is None:
            return "不限（各版本通用）"
        lo = self.effective_from.isoformat() if self.effective_from else "—"
        hi = self.effective_to.isoformat() if self.effective_to else "今"
        return f"{lo} 至 {hi}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["range"] = list(self.range) if self.range else None
        d["versions"] = self.versions
        for k in ("effective_from", "effective_to"):
            d[k] = d[k].isoformat() if d[k] else None
        return d


def describe_value(v: Any) -> str:
    """A value of a condition as a person reads it: 一审, 民事简易程序 (a procedure by its 审限 table name),
    信访 (a tag) — never the stored code."""
    if isinstance(v, bool) or v in VALUE_NAMES:
        return VALUE_NAMES.get(v, str(v))
    if isinstance(v, str) and v in LIMITS:
        return LIMITS[v].name
    if isinstance(v, str) and v in TAG_NAMES:
        return TAG_NAMES[v]
    return str(v)


def describe_cond(c: dict) -> str:
    """One condition of a spec in words."""
    if "any" in c:
        return "（" + " 或 ".join(describe_cond(x) for x in c["any"]) + "）"
    if "not" in c:
        inner = " 且 ".join(describe_cond(x) for x in c["not"])
        return "并非" + (inner if inner.startswith("（") and len(c["not"]) == 1 else f"（{inner}）")
    col = COLUMN_NAMES.get(c["col"], c["col"])
    op, v = next((k, v) for k, v in c.items() if k != "col")
    if op in OPS:
        return f"{col} {OPS[op]} {describe_value(v)}"
    if op in ("in", "not_in"):
        return f"{col}{'属于' if op == 'in' else '不属于'}｛{'、'.join(describe_value(x) for x in v)}｝"
    if op == "is_null":
        return f"{col}{'为空' if v else '不为空'}"
    if op == "contains":
        return f"{col}含“{describe_value(v)}”"
    if op == "older_than_months":
        return f"{col}早于截止日前 {v} 个月"
    return json.dumps(c, ensure_ascii=False, default=str)


def describe_spec(spec: dict | None) -> str | None:
    """What a numerator/denominator counts, in words."""
    if spec is None:
        return None
    if spec.get("table") == "people" or spec["set"] == "judges":
        what = "人数"
    elif "sum" in spec:
        what = f"{COLUMN_NAMES.get(spec['sum'], spec['sum'])}之和"
    elif "distinct" in spec:
        what = f"不同{COLUMN_NAMES.get(spec['distinct'], spec['distinct'])}的个数"
    else:
        what = "件数"
    text = f"{what}｜{BASE_SETS[spec['set']]}"
    conds = [describe_cond(c) for c in spec.get("where", [])]
    if conds:
        text += "；条件：" + " 且 ".join(conds)
    if spec.get("attribute") == "origin":
        text += "；按原审案件（原审案号）所在法院、部门、法官归属"
    return text


def _formula(ind: Indicator) -> str:
    if ind.unavailable:
        return "暂不计算"
    if ind.denominator is None:
        return "分子（计数）"
    scale = "" if ind.scale == 1 else f"{ind.scale:g} × "
    if ind.complement_of is not None:
        return (f"{scale}1 − x ÷ 分母 = {scale}分子 ÷ 分母；x = {describe_spec(ind.complement_of)}；"
                "分子 = 分母 − x（分母案件中不属于 x 的）")
    return f"{scale}分子 ÷ 分母"


def _reads_no_limit(ind: Indicator) -> bool:
    return f'"{NO_LIMIT_COL}"' in json.dumps(ind.specs(), ensure_ascii=False, default=str)


def no_limit_types() -> tuple[str, ...]:
    """Case types whose default procedure has no statutory limit in the 审限 table (LIMITS, the engine's own
    data), plus the foreign-related exemption — so the card follows the table as it changes."""
    out = [f"{t.code}（{t.name}）" for t in case_types.all_types()
           if t.default_procedure not in LIMITS or LIMITS[t.default_procedure].no_limit]
    exempt = [code for code, lim in LIMITS.items() if lim.foreign_exempt]
    if exempt:
        out.append(f"标签 {FOREIGN_TAG}（涉外、涉港澳台）的案件，适用程序属于 {'、'.join(exempt)} 时")
    out.append("适用程序为空或不在审限表中的案件")
    return tuple(out)


def card(ind: Indicator, *, excluded_count: int | None = None,
         excluded_by_type: dict[str, int] | None = None) -> Card:
    """The 口径 card of ``ind`` (optionally with the counts ``excluded_counts`` found)."""
    excluded = None
    if ind.excluded is not None:
        excluded = (ind.excluded_note + "。" if ind.excluded_note else "") + (describe_spec(ind.excluded) or "")
    return Card(
        id=ind.id, name=ind.name, profile=ind.profile, group=ind.group, line=ind.line, unit=ind.unit,
        direction=ind.direction, formula=_formula(ind), numerator=describe_spec(ind.numerator) or "—",
        denominator=describe_spec(ind.denominator),
        exclusions=tuple(f"{name}：" + " 且 ".join(describe_cond(c) for c in rule)
                         for name, rule in ind.exclusion_rules.items()),
        excluded=excluded, no_limit_types=no_limit_types() if _reads_no_limit(ind) else (),
        range=ind.range, range_source=ind.range_source, range_period=ind.range_period,
        source=ind.source, note=ind.note, unpublished=ind.unpublished, unavailable=ind.unavailable,
        effective_from=ind.effective_from, effective_to=ind.effective_to,
        excluded_count=excluded_count, excluded_by_type=dict(excluded_by_type or {}),
    )


def excluded_counts(engine, ind: Indicator, start: date, end: date, *, as_of: date | None = None,
                    filters: dict | None = None) -> dict[str, int]:
    """{type_code: cases} the definition's ``excluded`` spec leaves out for this period (and filters)."""
    if ind.excluded is None:
        return {}
    period = Period(start, end, as_of or end)
    t = prepared_cases(engine, [ind], period.as_of, filters)
    w = Compiler(t, period).where(ind.excluded, ind.line, ind.exclusion_rules)
    f = t.filter(w)
    rows = f.group_by("type_code").aggregate(n=f.count()).to_pyarrow().to_pylist()
    return {r["type_code"] or "（空）": int(r["n"]) for r in sorted(rows, key=lambda r: (-r["n"], str(r["type_code"])))}
