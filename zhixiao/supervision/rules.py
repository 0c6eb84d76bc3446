"""The escalation ladder as data: load ``data/rules/supervision.toml`` (+ court edits) and evaluate it.

Case rules are compiled to one ibis filter each over the deadline table, so they run in the engine;
only the (few) matching cases come back to Python for the ledger.
"""

from __future__ import annotations

import copy
import operator
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ibis

from zhixiao.errors import UserError

LEVELS = ("remind", "supervise", "interview", "hold_accountable")
LEVEL_NAMES = {"remind": "提醒", "supervise": "督办", "interview": "约谈", "hold_accountable": "问责"}
ASSIGNEE_NAMES = {"judge": "承办法官", "division_head": "庭长", "leader": "院领导"}
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
       "!=": operator.ne}
KINDS = ("case", "judge_supervise_count", "after_interview")


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    name: str
    source: str = ""
    kind: str = "case"
    categories: tuple[str, ...] = ()
    when: tuple[dict, ...] = ()
    cycle: str = "deadline"
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ladder:
    rules: tuple[Rule, ...]
    levels: dict[str, dict]
    ledger: dict
    status: dict = field(default_factory=dict)  # near_share: share of the period that makes a case 临近

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)

    def level_rank(self, level: str) -> int:
        return LEVELS.index(level)


def _merge(base: dict, edit: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in (edit.get("level") or {}).items():
        out.setdefault("level", {}).setdefault(k, {}).update(v)
    out.setdefault("ledger", {}).update(edit.get("ledger") or {})
    out.setdefault("status", {}).update(edit.get("status") or {})
    by_id = {r["id"]: r for r in out.get("rule", [])}
    for r in edit.get("rule", []) or []:
        if r["id"] in by_id:
            by_id[r["id"]].update(r)
        else:
            out.setdefault("rule", []).append(dict(r))
            by_id[r["id"]] = out["rule"][-1]
    return out


def _validate(raw: dict, where: str) -> Ladder:
    rules = []
    for i, r in enumerate(raw.get("rule", []), 1):
        if r.get("disabled"):
            continue
        rid = r.get("id", f"#{i}")
        if r.get("level") not in LEVELS:
            raise UserError(f"{where} 第{i}条规则（{rid}）的 level“{r.get('level')}”无效，应为 {'、'.join(LEVELS)} 之一。")
        kind = r.get("kind", "case")
        if kind not in KINDS:
            raise UserError(f"{where} 规则 {rid} 的 kind“{kind}”无效，应为 {'、'.join(KINDS)} 之一。")
        for c in r.get("when", []):
            if c.get("op") not in OPS:
                raise UserError(f"{where} 规则 {rid} 的比较符“{c.get('op')}”无效，应为 {' '.join(OPS)} 之一。")
        known = {"id", "level", "name", "source", "kind", "categories", "when", "cycle", "disabled"}
        rules.append(Rule(
            id=rid, level=r["level"], name=r.get("name", rid), source=r.get("source", ""), kind=kind,
            categories=tuple(r.get("categories", ())), when=tuple(r.get("when", ())),
            cycle=r.get("cycle", "deadline"), params={k: v for k, v in r.items() if k not in known},
        ))
    levels = {lv: {"name": LEVEL_NAMES[lv], "assignee": "leader", "response_days": 7, **raw.get("level", {}).get(lv, {})}
              for lv in LEVELS}
    return Ladder(tuple(rules), levels, raw.get("ledger", {}), raw.get("status", {}))


def load_ladder(settings: Any = None) -> Ladder:
    """Defaults, then ``<data_dir>/supervision.toml``, then ``settings.rules['supervision']``."""
    raw = tomllib.loads(resources.files("zhixiao.data").joinpath("rules/supervision.toml").read_text("utf-8"))
    where = "data/rules/supervision.toml"
    if settings is not None:
        f = Path(settings.data_dir) / "supervision.toml"
        if f.is_file():
            try:
                raw = _merge(raw, tomllib.loads(f.read_text("utf-8")))
            except tomllib.TOMLDecodeError as exc:
                raise UserError(f"督办规则文件 {f} 不是有效的 TOML：{exc}，请修正后重试。") from None
            where = str(f)
        edit = (getattr(settings, "rules", {}) or {}).get("supervision")
        if edit:
            raw = _merge(raw, edit)
            where = "zhixiao.toml [rules.supervision]"
    return _validate(raw, where)


def case_filter(table: ibis.Table, rule: Rule) -> ibis.Value:
    """The rule's condition as one boolean ibis expression (pending cases only)."""
    cond = table.pending
    if rule.categories:
        cond = cond & table.category.isin(list(rule.categories))
    for c in rule.when:
        left = table[c["field"]]
        right = table[c["value_field"]] if "value_field" in c else c["value"]
        cond = cond & OPS[c["op"]](left, right)
    return cond.fill_null(False)
