"""``zhixiao quality``: the 数据质量体检 before a 数据会商 — findings with the cases behind them, a count and a
score per court, and the change since the last stored check of the same scope."""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer
from rich.markup import escape

from zhixiao.commands.common import (
    AsOfOpt,
    DataDir,
    Format,
    FormatOpt,
    UserOpt,
    acting_user,
    case_engine,
    console,
    emit,
    ops_session,
    parse_date,
    settings,
    to_json,
)
from zhixiao.errors import UserError
from zhixiao.quality import Report, record, run_checks, with_previous
from zhixiao.quality.checks import CHECKS

LIST_LIMIT = 20  # cases printed per check and court in the table (JSON and CSV list them all)
HEADERS = {"court_code": "法院代码", "court_name": "法院", "check": "体检项目代码", "name": "体检项目",
           "case_id": "案号（断号为缺号范围）", "detail": "说明"}


def _change(n: int | None) -> str:
    return "" if n is None else f"（{'+' if n > 0 else ''}{n}）" if n else "（持平）"


def _summary(rep: Report) -> None:
    """Checks down, courts across (a terminal holds eight courts better than ten checks)."""
    rows = [{"item": "体检案件数", **{c.court_code: f"{c.checked:,}" for c in rep.courts}},
            {"item": "得分", **{c.court_code: f"{c.score:.2f}" + ("" if c.previous_score is None else
                                                             f"（上次{c.previous_score:.2f}）") for c in rep.courts}}]
    for ch in CHECKS:
        rows.append({"item": ch.name, **{c.court_code: f"{c.counts.get(ch.id, 0)}{_change(c.change(ch.id))}"
                                         for c in rep.courts}})
    heads = {"item": "体检项目", **{c.court_code: c.court_name.removesuffix("人民法院").split("省")[-1] for c in rep.courts}}
    since = (f"，括号内为较上次体检（{rep.previous_at:%Y-%m-%d %H:%M}）的变化" if rep.previous_at
             else "（首次体检，无对比）")
    emit(rows, Format.table, list(heads), heads, title=f"数据质量体检  {rep.start} 至 {rep.as_of}{since}")
    console.print("得分 = 100 ×（1 −（有问题的案件数 + 断号数）÷（体检案件数 + 断号数））；断号按缺号个数计。")


def _details(rep: Report) -> None:
    names = {c.court_code: c.court_name for c in rep.courts}
    for ch in CHECKS:
        rows = rep.findings.get(ch.id) or []
        if not rows:
            continue
        console.print(f"\n[bold]{escape(ch.name)}[/]（{len(rows)} 条；{escape(ch.why)}）")
        per: dict[str, list[dict]] = {}
        for r in rows:
            per.setdefault(r["court_code"], []).append(r)
        for code, lst in per.items():
            console.print(f"  {names.get(code, code)}：", markup=False)
            for r in lst[:LIST_LIMIT]:
                console.print(f"    {r['case_id']}  {r['detail']}", markup=False)
            if len(lst) > LIST_LIMIT:
                console.print(f"    …… 另有 {len(lst) - LIST_LIMIT} 条，完整清单请用 --format csv 或 json", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("quality")
    def quality(
        data_dir: DataDir = None,
        court: Annotated[str | None, typer.Option(
            "--court", help="法院代字；中级法院则连同辖区基层法院（默认取 zhixiao.toml 的 court_code，否则全部法院）/ "
                            "court code; an intermediate court includes its basic courts (default: every court)")] = None,
        as_of: AsOfOpt = None,
        from_: Annotated[str | None, typer.Option(
            "--from", help="会商期间起始日（默认体检时点所在年1月1日）/ start of the period reviewed")] = None,
        check: Annotated[list[str] | None, typer.Option("--check", help="只做这些体检项目（可重复）/ only these checks")] = None,
        no_record: Annotated[bool, typer.Option(
            "--no-record", help="不记入体检记录（下次对比仍以上一次记录为准）/ do not store this run")] = False,
        user: UserOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """数据质量体检：缺结案方式/承办人、日期倒置、结案后事件、案号年度与断号、重复立案、名册外承办人、超审限后补扣或延长 / Data-quality check."""
        st = settings(data_dir)
        end = parse_date(as_of, "--as-of") if as_of else date.today()
        start = parse_date(from_, "--from") if from_ else date(end.year, 1, 1)
        if not st.data_dir.exists():
            raise UserError(f"数据目录 {st.data_dir} 不存在；请用 --data-dir 指定，或先用 `zhixiao import` 导入案件。")
        with console.status("正在体检 / checking …", spinner="dots"):
            rep = run_checks(case_engine(st), court or st.court_code, start, end, check or None)
        with ops_session(st) as s, s.begin():
            run_id = None if no_record else record(s, rep, acting_user(user))
            with_previous(s, rep, before=run_id)
        if fmt == Format.json:
            sys.stdout.write(to_json(rep.to_dict()) + "\n")
            return
        if fmt == Format.csv:
            names = {c.court_code: c.court_name for c in rep.courts}
            rows = [{"court_code": r["court_code"], "court_name": names.get(r["court_code"]), "check": ch.id,
                     "name": ch.name, "case_id": r["case_id"], "detail": r["detail"]}
                    for ch in CHECKS for r in rep.findings.get(ch.id) or []]
            emit(rows, fmt, list(HEADERS), HEADERS)
            return
        _summary(rep)
        _details(rep)
