"""``zhixiao demo``: build the synthetic demo city into a data directory, then let the other modules seed theirs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from zhixiao.commands.common import DataDir, Format, FormatOpt, console, emit, parse_date, settings, to_json


def run_hooks(cfg, as_of: date, seed: int) -> list[tuple[str, object]]:
    """The other modules' demo data, after the case tables: the services' registers, the web accounts, then the
    daily job once (the ladder, with the services' overdue items, and the data-quality check) and a few of its
    alerts worked by hand. Returns (what, result) pairs to print."""
    # imported here, as every command does: the ops DB, the web stack and the engine load only when used
    from zhixiao.daily import run_daily_job
    from zhixiao.demo import targets as demo_targets
    from zhixiao.services import demo as services_demo
    from zhixiao.supervision import demo as supervision_demo
    from zhixiao.web import demo_users

    out: list[tuple[str, object]] = [("zhixiao.services.demo", services_demo.seed(cfg, as_of, seed)),
                                     ("zhixiao.web.demo_users", demo_users.seed(cfg, as_of, seed)),
                                     ("zhixiao.demo.targets", demo_targets.seed(cfg, as_of, seed))]
    job = run_daily_job(cfg, as_of)
    out.append(("zhixiao.daily", f"新增督办事项 {job.supervision.created_total} 项（其中诉讼服务逾期 "
                                 f"{job.service_items} 项），数据质量体检已记录"))
    out.append(("zhixiao.supervision.demo", f"已签收/办结演示督办事项 {supervision_demo.work_alerts(cfg, seed)} 项"))
    return out


def register(app: typer.Typer) -> None:
    @app.command("demo", help="生成演示城市数据（石家庄市中院及基层法院，2024 年起至 --as-of）/ build the demo city")
    def demo(
        data_dir: DataDir = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="数据截止日（默认今天）/ as-of date, YYYY-MM-DD")] = None,
        seed: Annotated[int, typer.Option("--seed", help="随机种子（同种子同结果）/ random seed")] = 2026,
        scale: Annotated[float, typer.Option("--scale", help="规模倍数，1.0 约每年 10 万件 / volume multiplier")] = 1.0,
        export_csv: Annotated[Path | None, typer.Option(
            "--export-csv", help="另将一个法院的案件导出为 GBK 编码 CSV（供导入测试）/ also write a court export")] = None,
        export_court: Annotated[str | None, typer.Option(
            "--export-court", help="导出哪个法院（默认配置中的法院，否则 冀0123）/ court to export")] = None,
        no_hooks: Annotated[bool, typer.Option(
            "--no-hooks", help="不调用其他模块的演示数据填充 / skip the other modules' demo seeding")] = False,
        fmt: FormatOpt = Format.table,
    ) -> None:
        from zhixiao.demo.generate import build_city

        cfg = settings(data_dir)
        day = parse_date(as_of, "--as-of") if as_of else date.today()
        summary = build_city(cfg.data_dir, day, seed=seed, scale=scale, progress=fmt == Format.table)
        years = sorted({y for c in summary.courts for y in c["new_cases"]})
        rows = []
        for c in summary.courts:
            r = {"court_code": c["court_code"], "court_name": c["court_name"]}
            r.update({f"new_cases_{y}": c["new_cases"].get(y, 0) for y in years})
            r["pending"] = c["pending"]
            rows.append(r)
        total = {"court_code": "合计", "court_name": ""}
        for k in rows[0] if rows else []:
            if k not in ("court_code", "court_name"):
                total[k] = sum(r[k] for r in rows)
        rows.append(total)
        headers = {"court_code": "法院代字", "court_name": "法院", "pending": f"未结（截至 {day}）"}
        headers.update({f"new_cases_{y}": f"{y}年新收" for y in years})
        exported = None
        if export_csv:
            from zhixiao.demo.export import export_court_csv

            court = export_court or cfg.court_code or "冀0123"
            exported = (str(export_csv), export_court_csv(cfg.data_dir, export_csv, court))
        hooks = [] if no_hooks else run_hooks(cfg, day, seed)
        if fmt == Format.json:
            console.file.write(to_json({
                "data_dir": cfg.data_dir, "as_of": day, "seed": seed, "scale": scale, "rows": summary.rows,
                "courts": summary.courts, "outlier_judge": summary.outlier_judge, "seconds": round(summary.seconds, 2),
                "export_csv": exported, "hooks": {n: r for n, r in hooks},
            }) + "\n")
            return
        emit(rows, fmt, headers=headers, title=f"演示城市：{cfg.data_dir}（种子 {seed}，规模 {scale:g}）")
        if fmt != Format.table:
            return
        console.print(f"写入：案件 {summary.rows.get('cases', 0):,} 条，审限事项 {summary.rows.get('case_events', 0):,} 条，"
                      f"人员 {summary.rows.get('people', 0):,} 人；用时 {summary.seconds:.1f} 秒。", markup=False)
        if exported:
            console.print(f"已导出 {exported[1]:,} 件案件到 {exported[0]}（GBK 编码）。", markup=False)
        for name, result in hooks:
            console.print(f"[bold]{escape(name)}[/]：{escape(str(result))}")
