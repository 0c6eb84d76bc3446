"""Real-browser flows in headless Chromium from the OS package (never a downloaded browser).

Log in → 总览 charts drawn (canvas pixels) → drill down to a case list → 签收 an alert → upload a file with
bad rows and see the rejects → generate and download the briefing. Screenshots: test-artifacts/web/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD
from tests.web.helpers import upload_csv, watched_page
from tests.web.server import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = pytest.mark.browser

INK = """(sel) => {
  const c = document.querySelector(sel + ' canvas');
  if (!c) return -1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} 不存在：请先 apt-get install -y chromium（CI 的 scripts/setup.sh 会安装）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def test_dashboard_in_a_real_browser(web_env, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = web_env.app  # shares the warm cache; nothing here changes the case store
    problems: list[str] = []
    with serving(app) as base:
        ctx, page = watched_page(browser, problems, accept_downloads=True)

        # log in (redirected to /login first)
        page.goto(f"{base}/?court=冀0123")
        assert "/login" in page.url
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#headline")

        # 总览: both charts actually drawn
        page.wait_for_selector("#chart-trend[data-ready='1']")
        assert page.evaluate(INK, "#chart-trend") > 2000
        page.screenshot(path=str(SHOTS / "01-overview-court.png"), full_page=True)
        page.goto(f"{base}/")
        page.wait_for_selector("#chart-courts[data-ready='1']")
        page.wait_for_selector("#chart-trend[data-ready='1']")
        assert page.evaluate(INK, "#chart-courts") > 2000
        assert page.evaluate(INK, "#chart-trend") > 2000
        page.screenshot(path=str(SHOTS / "02-overview-city.png"), full_page=True)

        # htmx period picker swaps #main and redraws the chart
        page.select_option("select[name=court]", "冀0123")
        page.click(".picker button[type=submit]")
        page.wait_for_selector("#weak-list")
        page.wait_for_selector("#chart-trend[data-ready='1']")
        assert page.evaluate(INK, "#chart-trend") > 2000

        # 指标: court → division → judge → case list
        page.goto(f"{base}/indicators?court=冀0123")
        page.click("#drill-table a.drill >> nth=0")
        page.wait_for_url("**division=**")
        page.click("#drill-table a.drill >> nth=0")
        page.wait_for_url("**judge=**")
        page.click("#drill-table a.fig >> nth=1")  # 结案
        page.wait_for_selector("#case-table")
        assert page.locator("#case-table tbody tr").count() >= 1
        page.screenshot(path=str(SHOTS / "03-case-list.png"), full_page=True)

        # 目标与测算: forecast chart drawn
        page.goto(f"{base}/targets?court=冀0123")
        page.wait_for_selector("#chart-forecast[data-ready='1']")
        assert page.evaluate(INK, "#chart-forecast") > 2000
        page.screenshot(path=str(SHOTS / "07-targets.png"), full_page=True)

        # 审限监控: 签收 an open alert no other test uses (htmx swaps the row)
        page.goto(f"{base}/supervision?status=open")
        reserved = {f"alert-{web_env.alert_own}", f"alert-{web_env.alert_other_division}"}
        # rows with a 签收 button (问责 items are for 院领导 only: issue 18 §3)
        ids = [i for i in page.locator("#alerts tbody tr:has(button.ack)").evaluate_all("rows => rows.map(r => r.id)")
               if i not in reserved]
        row_id, raced = ids[0], ids[1]
        page.locator(f"#{row_id} button.ack").click()
        page.wait_for_selector(f"#{row_id} td.st:has-text('已签收')")
        # someone else signs the next one first (e.g. via `zhixiao supervise ack`): the page says so
        from zhixiao.supervision.ledger import acknowledge

        with web_env.app.state.Session() as s:
            acknowledge(s, int(raced.split("-")[1]), "另一位庭长")
        page.locator(f"#{raced} button.ack").click()
        page.wait_for_selector("#flash")
        assert "不能改为" in page.inner_text("#flash")
        problems[:] = [p for p in problems if "400" not in p]  # the refused request itself is expected
        page.screenshot(path=str(SHOTS / "04-alert-acknowledged.png"), full_page=True)

        # 数据导入: bad rows are listed with reasons
        page.goto(f"{base}/imports")
        page.set_input_files("input[name=file]", str(upload_csv(tmp_path / "导出.csv")))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#rejects")
        assert page.inner_text("#rejected-count") == "2"
        assert "不是案号" in page.inner_text("#rejects")
        page.screenshot(path=str(SHOTS / "05-import-rejects.png"), full_page=True)

        # 会商报告: generate, then download the .docx
        page.goto(f"{base}/reports?court=冀0123&start=2025-01-01&end=2025-10-31")
        page.click("#report-form button[type=submit]")
        page.wait_for_selector("#report-job .job-state")  # a background job: its status shows at once
        page.wait_for_selector("#report-files", timeout=300_000)  # the page polls it until the files are there
        with page.expect_download() as dl:
            page.click("#report-files a[href*='fmt=docx']")
        out = tmp_path / dl.value.suggested_filename
        dl.value.save_as(out)
        assert out.suffix == ".docx" and out.read_bytes()[:2] == b"PK"
        page.screenshot(path=str(SHOTS / "06-briefing.png"), full_page=True)
        ctx.close()
    assert not problems, problems  # no CSP violations or script errors


def test_expired_session_returns_to_the_page_and_keeps_the_typed_note(web_env, browser):
    """Issue 18 §2: a 庭长 types a 办结 note, the session ends on the server, the click sends him to the login
    page saying 会话已过期，请重新登录; after logging in he is back on the list with the note still typed."""
    from sqlalchemy import delete

    from zhixiao.supervision.models import Alert
    from zhixiao.web import auth
    from zhixiao.web.models import WebSession

    with web_env.app.state.Session() as s, s.begin():
        uid = auth.create_user(s, "note_head", PASSWORD, "division_head", "乙", court_code="冀0123",
                               division=web_env.division).id
    note = "已电话督促承办法官，本周内结案"
    with serving(web_env.app) as base:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = ctx.new_page()
        page.set_default_timeout(60_000)

        def log_in() -> None:
            page.fill("input[name=username]", "note_head")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")

        page.goto(f"{base}/supervision?status=open")
        log_in()
        page.wait_for_selector("#alerts")
        row = page.locator("#alerts tbody tr:has(button.resolve)").first.get_attribute("id")
        page.locator(f"#{row} input[name=note]").press_sequentially(note)
        with web_env.app.state.Session() as s, s.begin():  # 8 hours later, or an administrator's reset
            s.execute(delete(WebSession).where(WebSession.user_id == uid))
        page.click(f"#{row} button.resolve")
        page.wait_for_url("**/login?**")
        assert "会话已过期，请重新登录" in page.inner_text("#login-message")
        log_in()
        page.wait_for_url("**/supervision?status=open")
        assert page.input_value(f"#{row} input[name=note]") == note
        page.screenshot(path=str(SHOTS / "08-expired-session-note.png"), full_page=True)
        ctx.close()
    with web_env.app.state.Session() as s:
        assert s.get(Alert, int(row.split("-")[1])).status == "open"  # nothing was done without a session
