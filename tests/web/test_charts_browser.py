"""Charts in headless Chromium (issue 18 §2): the partial last month is drawn as partial, and a click on a point
or a bar — trend, 收结存 by track, a drill-down chart — opens the case list behind it. Data as of 2025-11-20
(tests/web/conftest.py), so November is partial."""

from __future__ import annotations

import pytest

from tests.web.conftest import COURT, PASSWORD
from tests.web.helpers import watched_page
from tests.web.server import serving
from tests.web.test_browser import ARGS, CHROMIUM, INK, SHOTS

pytestmark = pytest.mark.browser
P = "start=2025-01-01&end=2025-11-20"

# where ECharts drew one data item, in page coordinates: a bar's rectangle centre, a line point's position
ITEM_AT = """([sel, series, index]) => {
  const el = document.querySelector(sel);
  const chart = echarts.getInstanceByDom(el);
  const s = chart.getModel().getSeries().find((x) => x.name === series);
  const box = el.getBoundingClientRect();
  if (s.subType === "line") {
    const xy = chart.convertToPixel({seriesIndex: s.seriesIndex}, [index, s.getData().get("y", index)]);
    return {x: box.x + xy[0], y: box.y + xy[1]};
  }
  const lay = s.getData().getItemLayout(index);
  return {x: box.x + lay.x + lay.width / 2, y: box.y + lay.y + lay.height / 2};
}"""
OPTION = """(sel) => { const o = echarts.getInstanceByDom(document.querySelector(sel)).getOption();
  return {labels: o.xAxis[0].data, partial: o.zxPartial, area: o.series[0].markArea && o.series[0].markArea.data,
          subtext: o.title[0].subtext, last: o.series[0].data[o.series[0].data.length - 1]}; }"""


@pytest.fixture(scope="module")
def browser():
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} 不存在：请先 apt-get install -y chromium（CI 的 scripts/setup.sh 会安装）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _click_item(page, sel: str, series: str, index: int) -> None:
    page.wait_for_selector(f"{sel}[data-ready='1']")
    at = page.evaluate(ITEM_AT, [sel, series, index])
    page.mouse.click(at["x"], at["y"])


def test_partial_month_and_click_through(web_env, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with serving(web_env.app) as base:
        ctx, page = watched_page(browser, problems, console=False, viewport={"width": 1400, "height": 1100})
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("#headline")

        # 总览 of one court: November is drawn and said to be partial
        page.goto(f"{base}/?court={COURT}&{P}")
        page.wait_for_selector("#chart-trend[data-ready='1']")
        assert page.evaluate(INK, "#chart-trend") > 2000
        opt = page.evaluate(OPTION, "#chart-trend")
        assert opt["partial"] == ["2025-11"] and opt["labels"][-1] == "2025-11（截至20日）"
        assert opt["area"][0][0]["name"] == "不完整月份" and "非完整月份" in opt["subtext"]
        assert opt["last"]["symbol"] == "emptyDiamond"
        assert "2025-11（截至20日）" in page.inner_text("#partial-note")
        page.wait_for_selector("#chart-tracks[data-ready='1']")
        page.screenshot(path=str(SHOTS / "20-charts-overview.png"), full_page=True)

        # a click on November's 新收 point opens that month's new cases
        _click_item(page, "#chart-trend", "新收", 10)
        page.wait_for_url("**/cases?**month=2025-11**")
        assert "indicator=new_cases" in page.url
        page.wait_for_selector("#case-table")

        # a click on the 执行 bar of 结案 opens the closed 执行 cases, as many as the 收结存 table says
        page.goto(f"{base}/?court={COURT}&{P}")
        row = page.locator("#flow-table tr", has_text="执行").first
        closed = int(row.locator("td >> nth=4").inner_text())
        _click_item(page, "#chart-tracks", "结案", 1)
        page.wait_for_url("**/cases?**track=**")
        assert "indicator=closed" in page.url
        page.wait_for_selector("#case-table")
        assert int(page.get_attribute(".tcount", "data-matched")) == closed
        assert "结案（执行）" in page.inner_text("h1")

        # the drill-down: a click on the first division's 结案 bar opens that division's closed cases
        page.goto(f"{base}/indicators?court={COURT}&{P}")
        _click_item(page, "#chart-units-counts", "结案", 0)
        page.wait_for_url("**/cases?**division=**")
        assert "indicator=closed" in page.url
        page.wait_for_selector("#case-table")
        page.screenshot(path=str(SHOTS / "21-charts-click-through.png"), full_page=True)

        # an out-of-range cell's link is red like its cell, not link blue
        page.goto(f"{base}/indicators?court={COURT}&{P}")
        bad = page.locator("#drill-table td.bad a")
        if bad.count():
            assert bad.first.evaluate("a => getComputedStyle(a).color") == "rgb(192, 57, 43)"
        ctx.close()
    assert not problems, problems
