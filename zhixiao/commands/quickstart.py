"""``zhixiao quickstart``: the main job on the embedded demo data, end to end.

Build the demo city → print the headline figures of 正定 (冀0123) → run the daily 审限 job → write the
会商 packs a real meeting would use (report, workbook, slides and PDF; full year 2025 and 1—2月 2026, each
against a year earlier, for 正定 and for the city) → serve the dashboard. Each step reuses the public API of its module; nothing here computes a number.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from zhixiao.commands.common import DataDir, console, parse_date, settings

DEMO_COURT = "冀0123"
DEMO_CITY = "冀01"  # 石家庄市中级人民法院: the city briefing (--scope city)
BRIEFING_PERIODS = ((date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 2, 28)))


def quickstart(
    data_dir: DataDir = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="演示数据截止日（默认今天）/ demo as-of date")] = None,
    scale: Annotated[float, typer.Option("--scale", help="演示规模 / demo scale")] = 1.0,
    out: Annotated[Path, typer.Option("--out", help="报告输出目录 / where briefings go")] = Path("out"),
    rebuild: Annotated[bool, typer.Option("--rebuild", help="重建演示数据 / rebuild the demo store")] = False,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="最后启动看板 / serve the dashboard")] = True,
    port: Annotated[int, typer.Option("--port", help="看板端口 / dashboard port")] = 8000,
) -> None:
    """演示主流程：生成演示城市、打印主要指标、运行审限监管、写出会商报告、启动看板。

    Main job on the demo data: build the city, print headline figures, run supervision, write briefings, serve.
    """
    from zhixiao.demo.generate import build_city
    from zhixiao.engine import connect
    from zhixiao.store.cases import CaseStore

    s = settings(data_dir)
    as_of_d = parse_date(as_of, "截止日") if as_of else date.today()
    if rebuild or not CaseStore(s.data_dir).relative("cases"):
        console.rule("[bold]1. 生成演示城市 / building the demo city")
        build_city(s.data_dir, as_of_d, scale=scale, progress=True)
        _seed_hooks(s, as_of_d)
    else:
        console.print(f"使用已有演示数据：{s.data_dir}（加 --rebuild 重建）", markup=False)

    eng = connect(s.data_dir)
    console.rule("[bold]2. 主要指标 / headline figures（正定县人民法院，2025年全年，同比）")
    _headline(eng, date(2025, 1, 1), date(2025, 12, 31))

    console.rule("[bold]2b. 全市法院数据会商 / the city（石家庄市中院辖区，2025年全年，同比）")
    _city(eng, s.profile, date(2025, 1, 1), date(2025, 12, 31))

    _daily(s, as_of_d, eng)
    _briefings(s, as_of_d, out, eng)

    if serve:
        console.rule("[bold]5. 看板 / dashboard")
        import uvicorn

        from zhixiao.web.app import SERVER_OPTIONS, create_app

        console.print(f"打开 http://127.0.0.1:{port}/ （演示账号见上）；Ctrl+C 退出", markup=False)
        uvicorn.run(create_app(s, warm=True), host="127.0.0.1", port=port, log_level="warning", **SERVER_OPTIONS)


def _daily(s, as_of_d: date, eng) -> None:
    """The daily job (supervision, the services' overdue items, the data-quality check) as a court runs it."""
    from zhixiao.daily import run_daily_job

    console.rule("[bold]3. 审限监管日常任务 / daily time-limit job")
    job = run_daily_job(s, as_of_d, engine=eng)
    r = job.supervision
    made = "、".join(f"{name} {r.created.get(lv, 0)} 项" for lv, name in
                    (("remind", "提醒"), ("supervise", "督办"), ("interview", "约谈"), ("hold_accountable", "问责")))
    console.print(f"检查 {r.cases_checked:,} 件案件，{r.matched:,} 件触发督办规则；本次新增 {made}"
                  f"（同日重复运行不会重复生成）。", markup=False)
    if r.provisional_cases:
        console.print(f"[yellow]注意：{r.provisional_cases:,} 件未结案件的审限届满日落在节假日安排尚未公布的年度，"
                      "已按仅周末休息暂算并标注“暂定”。[/]")
    console.print(f"诉讼服务逾期事项 {job.service_items} 项纳入同一督办阶梯；数据质量体检：有问题案件 "
                  f"{sum(c.flagged for c in job.quality.courts):,} 件，断号 {sum(c.missing for c in job.quality.courts):,} 个"
                  "（明细：zhixiao quality）。", markup=False)


def _briefings(s, as_of_d: date, out: Path, eng) -> None:
    """The 会商 packs of 正定 and of the city for each demo period that has ended by the as-of date."""
    from zhixiao.reports.render import write_briefing

    console.rule("[bold]4. 会商报告 / briefings")
    for start, end in BRIEFING_PERIODS:
        if end > as_of_d:
            console.print(f"跳过 {start}—{end}：晚于截止日 {as_of_d}", markup=False)
            continue
        for code, scope in ((DEMO_COURT, "court"), (DEMO_CITY, "city")):
            paths = write_briefing(s, court_code=code, start=start, end=end, compare="yoy", scope=scope,
                                   out_dir=out / f"{code}_{start:%Y%m%d}-{end:%Y%m%d}", engine=eng)
            for p in paths:
                console.print(f"  已写出 {p}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("quickstart")(quickstart)


def _seed_hooks(s, as_of_d: date) -> None:
    """The demo command's optional seeders (services data, web accounts), when demo didn't run them."""
    from zhixiao.commands.demo import run_hooks  # owned by the demo module

    for module, result in run_hooks(s, as_of_d, 2026):
        console.print(f"[bold]{escape(str(module))}[/]: {escape(str(result))}")


CITY_INDICATORS = ["received", "closed", "pending", "closure_rate", "clearance_ratio", "on_time_rate", "avg_days",
                   "long_pending_12m", "enforcement_collection_rate"]


def _city(eng, profile: str, start: date, end: date) -> None:
    """冀01's basic courts side by side, the 全市基层法院平均 and the intermediate court apart (no ranking)."""
    from zhixiao.analysis.city import city_matrix
    from zhixiao.commands.city import show_matrix

    show_matrix(city_matrix(eng, DEMO_CITY, start, end, profile=profile, compare="yoy", indicators=CITY_INDICATORS))


def _headline(eng, start: date, end: date) -> None:
    from zhixiao.commands.common import Format, emit
    from zhixiao.metrics.evaluate import evaluate

    ids = ["new_cases", "carried_over", "received", "closed", "pending", "closure_rate", "clearance_ratio",
           "on_time_rate", "avg_days", "long_pending_12m"]
    res = evaluate(eng, "court-classic", start, end, compare="yoy", filters={"court_code": DEMO_COURT},
                   indicators=ids)
    rows = [{"指标": r.name, "数值": _fmt(r.value, r.unit), "同比": _fmt_yoy(r.yoy, r.yoy_unit)} for r in res.rows]
    emit(rows, Format.table)


def _fmt(v, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "rate":
        return f"{v * 100:.2f}%"
    if unit == "count":
        return f"{int(v):,}"
    return f"{v:.2f}"


def _fmt_yoy(v, unit: str | None) -> str:
    if v is None:
        return "—"
    if unit == "pp":
        return f"{v:+.2f}个百分点"
    return f"{v:+.2f}%"
