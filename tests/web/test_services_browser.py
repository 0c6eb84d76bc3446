"""Issue 18 §2 in headless Chromium: every litigation-service form, targets, the roster upload and the
password change, filled and submitted as their users would (each role in its own browser context).
Screenshots: test-artifacts/web/services-*.png."""

from __future__ import annotations

import pytest

from tests.web.conftest import COURT, PASSWORD
from tests.web.helpers import isolated_app
from tests.web.server import serving
from tests.web.test_browser import SHOTS, browser  # noqa: F401 — the module's Chromium fixture
from zhixiao.store.cases import CaseStore

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(web_env, tmp_path_factory):
    app, d = isolated_app(web_env, tmp_path_factory.mktemp("svcb"))
    cases = CaseStore(d).read("cases", columns=["case_id", "court_code", "judge_id"]).to_pandas()
    own = cases[(cases.judge_id == web_env.judge) & (cases.court_code == COURT)].sort_values("case_id")
    with serving(app) as base:
        yield {"base": base, "case": own.case_id.iloc[0], "app": app, "dir": d}


def _open(browser, site, username: str, password: str = PASSWORD):  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(f"{site['base']}/services/hotline")  # → the login page, and back here afterwards
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return ctx, page, problems


def _message(page) -> str:
    page.wait_for_selector("#service-message")
    return page.inner_text("#service-message")


def test_hotline_and_satisfaction_forms(browser, site, web_env):  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = site["base"]
    ctx, page, problems = _open(browser, site, "analyst")
    page.goto(f"{base}/services/hotline")
    page.select_option("#ticket-form select[name=court]", COURT)
    page.fill("#ticket-form input[name=ticket_no]", "B-1")
    page.select_option("#ticket-form select[name=category]", "联系法官")
    page.fill("#ticket-form input[name=received_at]", "2025-11-17 09:30")
    page.fill("#ticket-form input[name=case_number]", site["case"])
    page.fill("#ticket-form input[name=caller_name]", "张某")
    page.click("#ticket-form button[type=submit]")
    assert "工单 B-1 已登记" in _message(page)
    assert page.locator('#tickets tr[data-ticket="B-1"]').count() == 1
    page.screenshot(path=str(SHOTS / "services-01-hotline.png"), full_page=True)

    page.goto(f"{base}/services/satisfaction")
    page.select_option("#rating-form select[name=court]", COURT)
    page.fill("#rating-form input[name=item]", "立案")
    page.select_option("#rating-form select[name=score]", "1")
    page.fill("#rating-form input[name=rated_on]", "2025-11-18")
    page.fill("#rating-form input[name=staff_name]", "窗口甲")
    page.click("#rating-form button[type=submit]")
    assert "差评已转督办" in _message(page)
    row = page.locator("#followups tbody tr").filter(has_text="窗口甲").first
    row.locator("input[name=resolution]").fill("已回访并道歉")
    row.locator("button[type=submit]").click()
    assert "已办结" in _message(page)
    page.screenshot(path=str(SHOTS / "services-02-satisfaction.png"), full_page=True)
    ctx.close()

    # the judge answers the ticket about his case from his own list
    ctx, page, more = _open(browser, site, "judge")
    page.goto(f"{base}/services/hotline")
    row = page.locator('#tickets tr[data-ticket="B-1"]')
    row.locator("details:has(form.respond-form) summary").click()
    row.locator("input[name=result]").fill("已回电说明审理进度")
    row.locator("select[name=contacted]").select_option("是")
    row.locator("form.respond-form button[type=submit]").click()
    assert "工单 B-1 已回复" in _message(page)
    page.goto(f"{base}/services/history?register=hotline_ticket&key=B-1")
    assert "已回电说明审理进度" in page.inner_text("#history")
    ctx.close()
    assert not problems + more, problems + more


def test_suggestion_and_petition_forms(browser, site):  # noqa: F811
    base = site["base"]
    ctx, page, problems = _open(browser, site, "analyst")
    page.goto(f"{base}/services/suggestions")
    page.select_option("#suggestion-form select[name=court]", COURT)
    page.fill("#suggestion-form input[name=addressee]", "某县市场监管局")
    page.fill("#suggestion-form input[name=issue]", "格式合同条款不公平")
    page.fill("#suggestion-form input[name=drafted_on]", "2025-10-09")
    page.click("#suggestion-form button[type=submit]")
    msg = _message(page)
    assert "已起草司法建议" in msg
    number = msg.split("已起草司法建议 ")[1].split("，")[0]

    lead, lpage, more = _open(browser, site, "president")
    lpage.goto(f"{base}/services/suggestions")
    for expected in ("已核稿", "已签发"):
        row = lpage.locator(f'#suggestions tr[data-number="{number}"]')
        row.locator("form.approve-form input[name=on]").fill("2025-10-10")
        row.locator("form.approve-form button[type=submit]").click()
        assert expected in _message(lpage)
    lead.close()

    page.goto(f"{base}/services/suggestions")
    for form, fill, expected in (("send-form", {"on": "2025-10-11"}, "已发送"),
                                 ("reply-form", {"on": "2025-11-20", "summary": "已整改"}, "已登记回复"),
                                 ("archive-form", {"on": "2025-11-21"}, "已归档")):
        row = page.locator(f'#suggestions tr[data-number="{number}"]')
        for name, value in fill.items():
            row.locator(f"form.{form} input[name={name}]").fill(value)
        row.locator(f"form.{form} button[type=submit]").click()
        assert expected in _message(page)
    assert "已归档" in page.inner_text(f'#suggestions tr[data-number="{number}"]')
    page.screenshot(path=str(SHOTS / "services-03-suggestions.png"), full_page=True)

    page.goto(f"{base}/services/ledgers")
    page.select_option("#petition-form select[name=court]", COURT)
    page.fill("#petition-form input[name=petitioner]", "赵某")
    page.fill("#petition-form input[name=owner]", "王副院长")
    page.fill("#petition-form input[name=received_on]", "2025-02-03")
    page.click("#petition-form button[type=submit]")
    assert "已登记信访积案" in _message(page)
    row = page.locator("#petitions tbody tr").filter(has_text="赵某")
    row.locator("summary").click()
    row.locator("select[name=status]").select_option("已化解")
    row.locator("input[name=on]").fill("2025-11-01")
    row.locator("button[type=submit]").click()
    assert "已更新" in _message(page)
    assert "已化解" in page.locator("#petitions tbody tr").filter(has_text="赵某").inner_text()
    page.screenshot(path=str(SHOTS / "services-04-ledgers.png"), full_page=True)
    ctx.close()
    assert not problems + more, problems + more


def test_routing_assessment_targets_and_roster(browser, site, tmp_path):  # noqa: F811
    base = site["base"]
    ctx, page, problems = _open(browser, site, "analyst")
    page.goto(f"{base}/services/routing")
    page.fill("#routing-form input[name=case]", site["case"])
    page.click("#routing-form button[type=submit]")
    page.wait_for_selector("#routing-decision")
    assert "在办" in page.inner_text("#routing-decision")

    page.goto(f"{base}/services/assess")
    page.fill("#assess-form input[name=quarter]", "2025Q3")
    page.click("#assess-form button[type=submit]")
    page.wait_for_selector("#assessment tbody tr")
    page.screenshot(path=str(SHOTS / "services-05-assess.png"), full_page=True)

    page.goto(f"{base}/targets?court={COURT}")
    page.fill("#target-form input[name=year]", "2025")
    page.fill("#target-form input[name=value]", "92%")
    page.click("#target-form button[type=submit]")
    page.wait_for_selector("#targets-message")
    assert "结案率 92%" in page.inner_text("#targets-message")
    page.select_option("#decompose-form select[name=by]", "judge")
    page.click("#decompose-form button[type=submit]")
    page.wait_for_selector("#decomposition tbody tr")
    page.screenshot(path=str(SHOTS / "services-06-targets.png"), full_page=True)

    roster = tmp_path / "名册.csv"
    roster.write_text(f"法官编号,姓名,法院代字,部门,岗位\n{COURT}-J902,浏览器法官,{COURT},民事审判一庭,员额法官\n", "utf-8")
    page.goto(f"{base}/roster")
    page.set_input_files("#roster-form input[name=file]", str(roster))
    page.click("#roster-form button[type=submit]")
    page.wait_for_selector("#roster-result")
    assert "导入 1 行" in page.inner_text("#roster-result")
    ctx.close()
    assert not problems, problems


def test_password_change_in_the_browser(browser, site):  # noqa: F811
    from zhixiao.web import auth

    with site["app"].state.Session() as s, s.begin():
        auth.create_user(s, "pw_browser", PASSWORD, "judge", "丙", court_code=COURT, division="民事审判一庭",
                         judge_id=f"{COURT}-PW")
    ctx, page, problems = _open(browser, site, "pw_browser")
    page.click("#account-link")
    page.fill("#password-form input[name=current]", PASSWORD)
    page.fill("#password-form input[name=new]", "browser-new-password")
    page.fill("#password-form input[name=repeat]", "browser-new-password")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#account-message")
    assert "密码已修改" in page.inner_text("#account-message")
    ctx.close()
    ctx, page, more = _open(browser, site, "pw_browser", "browser-new-password")  # the new one works
    assert "/login" not in page.url
    ctx.close()
    assert not problems + more, problems + more


def test_admin_runs_the_daily_job_from_the_admin_page(browser, site):  # noqa: F811
    """管理 shows the daily job never ran; the button starts it as a background job (htmx polls its status)
    and, once done, the page shows it as the last run."""
    ctx, page, problems = _open(browser, site, "admin")
    page.goto(f"{site['base']}/admin")
    assert page.inner_text("#daily-last") == "尚未运行过"
    page.click("#daily-form button[type=submit]")
    page.wait_for_selector("#daily-job [data-status='done']", timeout=300_000)
    assert "巡查完成" in page.inner_text("#daily-job")
    page.goto(f"{site['base']}/admin")
    assert "巡查日 2025-11-20" in page.inner_text("#daily-last")
    page.screenshot(path=str(SHOTS / "services-07-admin-daily.png"), full_page=True)
    ctx.close()
    assert not problems, problems
