"""``zhixiao report briefing``: the 数据会商 briefing (.docx, .xlsx, .pptx, .pdf) for one court or the whole city;
``zhixiao report slides``: the 会商会 slide deck alone."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from zhixiao.commands.common import DataDir, console, parse_date, settings
from zhixiao.errors import UserError

report_app = typer.Typer(help="会商报告与质效通报 / briefings and reports", no_args_is_help=True)


class Scope(StrEnum):
    court = "court"
    city = "city"


class Compare(StrEnum):
    yoy = "yoy"
    none = "none"


# the options both commands take (one pack, two entry points)
FromOpt = Annotated[str, typer.Option("--from", help="统计起始日 YYYY-MM-DD / period start")]
ToOpt = Annotated[str, typer.Option("--to", help="统计截止日 YYYY-MM-DD / period end")]
CourtOpt = Annotated[str | None, typer.Option(
    "--court", help="法院代码，如 冀0123（默认取 zhixiao.toml 的 court_code）/ court code")]
OutOpt = Annotated[Path, typer.Option("--out", help="输出目录 / output directory")]
CompareOpt = Annotated[Compare, typer.Option("--compare", help="对比：yoy 同比（默认）或 none / comparison")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="指标体系（默认取配置）/ indicator profile")]
ScopeOpt = Annotated[Scope, typer.Option("--scope", help="court 本院；city 全市（中级法院）/ scope")]


@report_app.command("briefing")
def briefing(
    from_: FromOpt,
    to: ToOpt,
    court: CourtOpt = None,
    out: OutOpt = Path("out"),
    compare: CompareOpt = Compare.yoy,
    profile: ProfileOpt = None,
    scope: ScopeOpt = Scope.court,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="是否用 LibreOffice 生成 PDF / make the PDF")] = True,
    slides: Annotated[bool, typer.Option("--slides/--no-slides", help="是否生成会商幻灯片 .pptx / make the slides")] = True,
    data_dir: DataDir = None,
) -> None:
    """生成数据会商报告（Word、Excel、幻灯片、PDF）。

    Write the 数据会商 briefing of a court (or, with --scope city, of the whole city) as .docx, .xlsx, .pptx and .pdf.
    """
    _run(from_, to, court, out, compare, profile, scope, pdf=pdf, slides=slides, data_dir=data_dir)


@report_app.command("slides")
def slides_only(
    from_: FromOpt,
    to: ToOpt,
    court: CourtOpt = None,
    out: OutOpt = Path("out"),
    compare: CompareOpt = Compare.yoy,
    profile: ProfileOpt = None,
    scope: ScopeOpt = Scope.court,
    data_dir: DataDir = None,
) -> None:
    """生成会商会幻灯片（16:9 .pptx，图表可编辑）。

    Write the meeting's 16:9 slide deck (.pptx with native, editable charts); the Word and Excel files come along.
    """
    _run(from_, to, court, out, compare, profile, scope, pdf=False, slides=True, data_dir=data_dir)


def _run(from_: str, to: str, court: str | None, out: Path, compare: Compare, profile: str | None, scope: Scope, *,
         pdf: bool, slides: bool, data_dir) -> None:
    from zhixiao.engine import connect
    from zhixiao.reports.render import STEPS, check_scope, write_briefing

    s = settings(data_dir)
    court = court or s.court_code
    if not court:
        raise UserError("请用 --court 指定法院代码（如 --court 冀0123），或在 zhixiao.toml 中设置 court_code。")
    start, end = parse_date(from_, "--from 统计起始日"), parse_date(to, "--to 统计截止日")
    check_scope(court, scope.value)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("打开数据 / opening the store", total=len(STEPS) + 1)

        def step(name: str) -> None:
            progress.update(task, description=name, advance=1)

        files = write_briefing(s, court, start, end, out, scope=scope.value,
                               compare=None if compare == Compare.none else "yoy", profile=profile, pdf=pdf,
                               engine=connect(s.data_dir), step=step, slides=slides)
        progress.update(task, completed=len(STEPS) + 1)
    b = files.briefing
    console.print(f"[bold]{escape(b.title)}[/]")
    for text in b.sections[0].paragraphs[:1]:
        console.print(text, markup=False)
    console.print(f"Word 报告：{files.docx}", markup=False)
    console.print(f"Excel 工作簿：{files.xlsx}", markup=False)
    if files.pptx:
        console.print(f"会商幻灯片：{files.pptx}", markup=False)
    if files.pdf:
        console.print(f"PDF：{files.pdf}", markup=False)
    elif files.pdf_message:
        console.print(f"[yellow]PDF 未生成：{escape(str(files.pdf_message))}[/]")
    console.print(f"用时 {files.timings['total']:.1f} 秒", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
