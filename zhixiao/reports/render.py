"""One call from a store to the files a court circulates: 会商报告 .docx, .xlsx workbook and .pdf."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zhixiao.errors import UserError
from zhixiao.reports import narrative as nv
from zhixiao.reports.briefing import collect
from zhixiao.reports.docx_builder import write_docx
from zhixiao.reports.model import Briefing
from zhixiao.reports.pdf import INSTALL_HINT, docx_to_pdf, soffice, warm_office
from zhixiao.reports.slides import write_pptx
from zhixiao.reports.xlsx_builder import write_xlsx

STEPS = ("汇总数据", "生成 Word 报告", "生成 Excel 工作簿", "生成会商幻灯片", "转换 PDF")


@dataclass
class BriefingFiles:
    briefing: Briefing
    docx: Path
    xlsx: Path
    pdf: Path | None
    pdf_message: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    pptx: Path | None = None

    def __iter__(self):
        """The files written, so callers can ``for p in write_briefing(...)``."""
        return iter([p for p in (self.docx, self.xlsx, self.pptx, self.pdf) if p is not None])


def base_name(b: Briefing) -> str:
    scope = "全市" if b.scope == "city" else ""
    name = f"{b.court_name}{scope}_{nv.period_label(b.start, b.end)}_数据会商报告"
    if b.profile != "court-classic":  # several profiles side by side in one folder
        name += f"_{b.profile}"
    return re.sub(r"[\\/:*?\"<>|\s]", "", name)


def check_scope(court_code: str, scope: str) -> None:
    """City scope only for an intermediate court: 案号 court codes of 中院 are province + 2 digits (冀01)."""
    if scope == "city" and not re.fullmatch(r"[^\d]+\d{2}", court_code):
        raise UserError(f"--scope city 只适用于中级人民法院（如 冀01），“{court_code}”不是中级法院代码；"
                        f"基层法院请去掉 --scope 或使用 --scope court。")


def write_briefing(settings, court_code: str, start: date, end: date, out_dir: Path, *, scope: str = "court",
                   compare: str | None = "yoy", profile: str | None = None, pdf: bool = True, engine=None,
                   step: Callable[[str], None] | None = None, slides: bool = True) -> BriefingFiles:
    """Collect once, then render .docx, .xlsx and (LibreOffice permitting) .pdf into ``out_dir``.

    ``settings`` is a ``zhixiao.config.Settings`` (data_dir, profile); pass ``engine`` to reuse an open one.
    """
    check_scope(court_code, scope)
    office = warm_office() if pdf and soffice() is not None else nullcontext()
    with office as lo_profile:  # LibreOffice starts while the numbers are collected
        return _write(settings, court_code, start, end, out_dir, scope=scope, compare=compare, profile=profile,
                      pdf=pdf, engine=engine, step=step, lo_profile=lo_profile, slides=slides)


def _write(settings, court_code, start, end, out_dir, *, scope, compare, profile, pdf, engine, step,
           lo_profile, slides) -> BriefingFiles:
    if engine is None:
        from zhixiao.engine import connect

        engine = connect(settings.data_dir)
    profile = profile or getattr(settings, "profile", None) or "court-classic"
    out_dir = Path(out_dir)
    step = step or (lambda _s: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    step(STEPS[0])
    b = collect(engine, court_code, start, end, scope=scope, compare=compare, profile=profile, settings=settings)
    timings["collect"] = time.perf_counter() - t0
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = base_name(b)
    step(STEPS[1])
    t = time.perf_counter()
    docx = write_docx(b, out_dir / f"{stem}.docx")
    timings["docx"] = time.perf_counter() - t
    # LibreOffice converts the .docx in its own process while this one writes the .xlsx and the .pptx
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zx-pdf") as pool:
        pdf_job = pool.submit(_pdf, docx, lo_profile) if pdf and soffice() is not None else None
        xlsx, pptx = _workbook_and_slides(b, out_dir, stem, slides, step, timings)
        step(STEPS[4])
        pdf_path, message = None, None
        if pdf:
            t = time.perf_counter()
            pdf_path, message, timings["pdf"] = _pdf_result(pdf_job)
            timings["pdf_wait"] = time.perf_counter() - t  # the part of the conversion not overlapped
    timings["total"] = time.perf_counter() - t0
    return BriefingFiles(b, docx, xlsx, pdf_path, message, timings, pptx)


def _pdf(docx: Path, lo_profile: str | None) -> tuple[Path, float]:
    t = time.perf_counter()
    return docx_to_pdf(docx, profile=lo_profile), time.perf_counter() - t


def _pdf_result(job: Future | None) -> tuple[Path | None, str | None, float]:
    """The converted PDF and the conversion's seconds (a conversion error is raised here, in the caller's
    thread); without LibreOffice the install hint."""
    if job is None:
        return None, INSTALL_HINT, 0.0
    path, seconds = job.result()
    return path, None, seconds


def _workbook_and_slides(b: Briefing, out_dir: Path, stem: str, slides: bool, step, timings: dict):
    step(STEPS[2])
    t = time.perf_counter()
    xlsx = write_xlsx(b, out_dir / f"{stem}.xlsx")
    timings["xlsx"] = time.perf_counter() - t
    step(STEPS[3])
    pptx = None
    if slides:
        t = time.perf_counter()
        pptx = write_pptx(b, out_dir / f"{stem.replace('数据会商报告', '会商幻灯片')}.pptx")
        timings["pptx"] = time.perf_counter() - t
    return xlsx, pptx


# The periods a real 会商会 of the demo city's 正定 court would use (issue 5, item 5).
DEMO_COURT = "冀0123"
DEMO_PERIODS = ((date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 2, 28)))


def write_demo_briefings(settings, out_dir: Path, court_code: str = DEMO_COURT, pdf: bool = True,
                         engine=None) -> list[BriefingFiles]:
    """正定's full-year 2025 and January–February 2026 briefings, each against the same period a year earlier."""
    return [write_briefing(settings, court_code, s, e, out_dir, compare="yoy", pdf=pdf, engine=engine)
            for s, e in DEMO_PERIODS]
