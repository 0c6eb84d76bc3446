"""督办通知 per judge and per division: Chinese text and .xlsx (xlsxwriter) from the active alerts."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import xlsxwriter

from zhixiao.supervision.models import Alert
from zhixiao.supervision.rules import LEVEL_NAMES, LEVELS

HEADERS = [("id", "编号"), ("case_id", "案号"), ("level_name", "级别"), ("rule_name", "事由"),
           ("judge_name", "承办法官"), ("division", "部门"), ("deadline", "审限届满日"), ("provisional", "届满日暂定"),
           ("triggered_on", "生成日期"), ("due", "反馈期限"), ("status_name", "状态"), ("detail", "说明")]
PROVISIONAL_NOTE = "注：标“暂定”的审限届满日所在年度的节假日安排尚未录入，暂按仅周末休息计算，录入后将自动更正。"


def _safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\s]+", "_", name or "未分配")[:60]


def _row(a: Alert) -> dict:
    from zhixiao.supervision.ledger import alert_row

    r = alert_row(a)
    r["provisional"] = "暂定" if a.provisional else ""
    return r


def notice_text(scope: str, name: str, alerts: list[Alert], as_of: date, issuer: str = "审判管理办公室") -> str:
    """One notice: alerts grouped by level, most severe first."""
    lines = [f"审限督办通知（{scope}：{name}）", "", f"截至 {as_of.isoformat()}，以下 {len(alerts)} 项审限事项需要处理："]
    by_level: dict[str, list[Alert]] = defaultdict(list)
    for a in alerts:
        by_level[a.level].append(a)
    numerals = "一二三四五六七八九十"
    k = 0
    for level in reversed(LEVELS):
        items = by_level.get(level)
        if not items:
            continue
        lines.append(f"{numerals[k]}、{LEVEL_NAMES[level]}（{len(items)}项）")
        k += 1
        for i, a in enumerate(sorted(items, key=lambda x: (x.deadline or date.max, x.subject)), 1):
            dl = ""
            if a.deadline:
                dl = f"，审限届满日 {a.deadline.isoformat()}" + ("（暂定）" if a.provisional else "")
            who = f"，承办法官 {a.judge_name}" if scope != "法官" and a.judge_name else ""
            lines.append(f"  {i}. {a.case_id or a.subject}：{a.rule_name}{dl}{who}。{a.detail or ''}"
                         f" 请于 {a.due.isoformat()} 前反馈（编号 {a.id}）。")
    if any(a.provisional for a in alerts):
        lines += ["", PROVISIONAL_NOTE]
    lines += ["", issuer, as_of.isoformat(), ""]
    return "\n".join(lines)


def _xlsx(path: Path, title: str, alerts: list[Alert]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("督办事项")
    bold = wb.add_format({"bold": True, "font_name": "宋体"})
    cell = wb.add_format({"font_name": "宋体"})
    ws.write(0, 0, title, bold)
    for j, (_, head) in enumerate(HEADERS):
        ws.write(1, j, head, bold)
    for i, a in enumerate(alerts, 2):
        r = _row(a)
        for j, (key, _) in enumerate(HEADERS):
            v = r.get(key)
            ws.write(i, j, v.isoformat() if isinstance(v, date) else ("" if v is None else v), cell)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 24)
    ws.set_column(2, len(HEADERS) - 1, 14)
    ws.set_column(len(HEADERS) - 1, len(HEADERS) - 1, 50)
    ws.freeze_panes(2, 0)
    wb.close()


def write_notices(alerts: list[Alert], out_dir: Path | str, as_of: date) -> list[Path]:
    """Write 法官/<name>.txt|.xlsx and 部门/<division>.txt|.xlsx for the given (active) alerts."""
    out = Path(out_dir)
    written: list[Path] = []
    groups = {"法官": defaultdict(list), "部门": defaultdict(list)}
    for a in alerts:
        if a.judge_name or a.judge_id:
            groups["法官"][a.judge_name or a.judge_id].append(a)
        groups["部门"][a.division or "未分配部门"].append(a)
    for scope, by in groups.items():
        (out / scope).mkdir(parents=True, exist_ok=True)
        for name, items in sorted(by.items()):
            base = out / scope / _safe(name)
            txt = base.with_suffix(".txt")
            txt.write_text(notice_text(scope, name, items, as_of), "utf-8")
            xl = base.with_suffix(".xlsx")
            _xlsx(xl, f"审限督办通知（{scope}：{name}，截至 {as_of.isoformat()}）", items)
            written += [txt, xl]
    return written
