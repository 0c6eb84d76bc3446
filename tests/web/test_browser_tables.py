"""Tables and periods in headless Chromium (the OS package): sort by a header, page, filter, download the
.xlsx and read it back (equal to what is shown), pick a period preset and find it on the next page."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import pytest

from tests.web.conftest import PASSWORD
from tests.web.helpers import watched_page
from tests.web.server import serving
from tests.web.test_browser import SHOTS, browser  # noqa: F401 — the module's Chromium fixture

pytestmark = pytest.mark.browser


def _text(v) -> str:
    """A cell read back as the page shows it (a date cell comes back as a datetime at midnight)."""
    if isinstance(v, datetime):
        return v.date().isoformat()
    return "" if v is None else str(v)


def _column(page, n: int) -> list[str]:
    return page.locator(f"#ledger tbody tr td:nth-child({n})").all_inner_texts()


def _login(page, base: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.fill("input[name=username]", "analyst")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_sort_page_filter_and_export_what_is_shown(web_env, browser):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    led = sorted(web_env.app.state.hub.ledgers()["long"], key=lambda r: r["case_id"])
    assert len(led) > 10
    problems: list[str] = []
    with serving(web_env.app) as base:
        ctx, page = watched_page(browser, problems, accept_downloads=True)
        _login(page, base, "/supervision/ledger/long")
        page.wait_for_selector("#ledger")

        # 5 rows a page (htmx asks at once), then sort by 案号 ascending, then descending
        page.select_option("select.tsize", "20")
        page.wait_for_url("**size=20**")
        page.click("#ledger th a.tsort:text-is('案号')")
        page.wait_for_selector("#ledger th[aria-sort=ascending]")
        assert _column(page, 1) == [r["case_id"] for r in led][:20]
        page.click("#ledger th a.tsort:has-text('案号')")
        page.wait_for_selector("#ledger th[aria-sort=descending]")
        down = [r["case_id"] for r in reversed(led)]
        assert _column(page, 1) == down[:20]
        assert "desc=1" in page.url and "sort=case_id" in page.url  # the address says what is shown

        # page 2 (if the ledger has one) is the next 20, nothing skipped
        if len(led) > 20:
            page.click(".pager a.tnext")
            page.wait_for_url("**page=2**")
            page.wait_for_selector(".tpage:has-text('第 2 /')")
            assert _column(page, 1) == down[20:40]

        # filter by one court's name: only its cases, all of them
        court = led[0]["court_code"]
        name = web_env.app.state.hub.roster()["courts"][court]
        page.fill("input.tfilter", name)
        page.press("input.tfilter", "Enter")
        page.wait_for_url(re.compile(r".*[?&]q=.*"))
        mine = [r["case_id"] for r in reversed(led) if r["court_code"] == court]
        page.wait_for_selector(f".tcount:has-text('筛选出 {len(mine)} 条')")
        assert set(_column(page, 2)) == {name}
        assert _column(page, 1) == mine[:20]
        page.screenshot(path=str(SHOTS / "09-table-sorted-filtered.png"), full_page=True)

        # the Excel export: the same filter and order, every page, Chinese headers
        with page.expect_download() as dl:
            page.click("a.texport")
        assert dl.value.suggested_filename.endswith(".xlsx") and "长期未结台账" in dl.value.suggested_filename
        ws = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        assert rows[0][:4] == ["案号", "法院", "部门", "承办法官"]
        assert [r[0] for r in rows[1:]] == mine
        shown = page.locator("#ledger tbody tr").evaluate_all(
            "trs => trs.map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))")
        assert [[_text(v) for v in r] for r in rows[1:len(shown) + 1]] == shown
        ctx.close()
    assert not problems, problems


def test_period_preset_persists_across_pages(web_env, browser):  # noqa: F811
    problems: list[str] = []
    with serving(web_env.app) as base:
        ctx, page = watched_page(browser, problems, console=False)
        _login(page, base, "/indicators")
        page.wait_for_selector("select.period-preset")
        page.select_option("select.period-preset", "quarter")  # asks at once (app.js), htmx swaps #main
        page.wait_for_selector("input[name=start][value='2025-10-01']")  # the swapped-in page (CSP: no eval)
        page.click("header nav a[href='/quality']")
        page.wait_for_url("**/quality")
        page.wait_for_selector("#quality-summary")
        assert page.input_value("input[name=start]") == "2025-10-01"
        assert page.input_value("select.period-preset") == "quarter"
        # typing a date turns the preset into 自定义, and that is remembered too
        page.fill("input[name=start]", "2025-02-01")
        page.dispatch_event("input[name=start]", "change")
        assert page.input_value("select.period-preset") == "custom"
        page.click("form.period button[type=submit]")
        page.wait_for_url("**start=2025-02-01**")
        page.click("header nav a[href='/indicators']")
        page.wait_for_url("**/indicators")
        page.wait_for_selector("select.period-preset")
        assert page.input_value("input[name=start]") == "2025-02-01"
        assert page.input_value("select.period-preset") == "custom"
        ctx.close()
    assert not problems, problems
