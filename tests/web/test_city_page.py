"""The 全市 page and the 数据质量体检 page (issue 16 §1, §3): who sees what, the heat map's option and links,
and in a real browser: the heat map drawn, a click on a court's cell opens that court's drill-down."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import COURT, OTHER_COURT, PASSWORD
from tests.web.server import serving
from tests.web.test_browser import ARGS, CHROMIUM, INK, SHOTS

P = "start=2025-01-01&end=2025-11-20"


def test_city_page_for_the_city_roles(web_env):
    for role in ("admin", "analyst"):
        r = web_env.clients[role].get(f"/city?{P}")
        assert r.status_code == 200, role
        assert 'id="chart-city"' in r.text and "全市基层法院平均" in r.text
        assert "正定县人民法院" in r.text and "新华区人民法院" in r.text  # every basic court
        assert "石家庄市中级人民法院（单列）" in r.text
    for role in ("division_head", "judge"):
        assert web_env.clients[role].get(f"/city?{P}").status_code == 403, role


def test_a_basic_courts_president_sees_his_court_and_the_average_only(web_env):
    c = web_env.clients["president"]
    r = c.get(f"/city?{P}")
    assert r.status_code == 200
    table = r.text[r.text.index('id="city-table"'):]
    assert "正定县人民法院" in table and "全市基层法院平均" in table
    assert "新华区" not in table and "（单列）" not in table  # no other court's figures
    assert c.get(f"/city?court={OTHER_COURT}&{P}").status_code == 403
    opt = c.get(f"/api/chart/city?{P}").json()
    assert opt["yAxis"]["data"] == ["正定县人民法院", "全市基层法院平均"]


def test_heat_map_option_links_every_court_cell_to_its_drill_down(web_env):
    opt = web_env.clients["analyst"].get(f"/api/chart/city?{P}").json()
    rows, cols = opt["yAxis"]["data"], opt["xAxis"]["data"]
    data, links = opt["series"][0]["data"], opt["zxLinks"]["全市"]
    assert len(data) == len(links) == len(rows) * len(cols)
    assert rows[-2:] == ["全市基层法院平均", "河北省石家庄市中级人民法院（单列）"]
    for item, link in zip(data, links, strict=True):
        label = rows[item["value"][1]]
        if label == "全市基层法院平均":
            assert link == ""  # not a court: nothing to drill into
        else:
            q = parse_qs(urlparse(link).query)
            assert urlparse(link).path == "/indicators" and q["start"] == ["2025-01-01"], link
    # 2025-01-01 to 11-20 is not a calendar year: every annual range is only a reference (category 2), never red
    assert {d["value"][2] for d in data} <= {2, 3, 4}
    full = web_env.clients["analyst"].get("/api/chart/city?start=2024-01-01&end=2024-12-31").json()
    assert 1 in {d["value"][2] for d in full["series"][0]["data"]}  # a year: out-of-range cells are red


def test_benchmark_orders_the_basic_courts(web_env):
    r = web_env.clients["analyst"].get(f"/city?{P}&benchmark=avg_days")
    assert r.status_code == 200 and 'id="benchmark-note"' in r.text
    plain = web_env.clients["analyst"].get(f"/city?{P}")
    assert 'id="benchmark-note"' not in plain.text  # no order unless asked


def test_quality_page_scopes(web_env):
    for role in ("admin", "analyst"):
        r = web_env.clients[role].get(f"/quality?{P}")
        assert r.status_code == 200 and 'id="quality-summary"' in r.text, role
    r = web_env.clients["president"].get(f"/quality?{P}")
    assert r.status_code == 200
    thead = r.text[r.text.index('id="quality-summary"'):].split("</thead>")[0]
    heads = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)]
    assert heads == ["体检项目", "正定县人民法院"]
    assert web_env.clients["president"].get(f"/quality?court={OTHER_COURT}&{P}").status_code == 403
    for role in ("division_head", "judge"):
        assert web_env.clients[role].get(f"/quality?{P}").status_code == 403, role


@pytest.mark.browser
def test_city_heat_map_in_a_real_browser(web_env):
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} 不存在：请先 apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with serving(web_env.app) as base, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = b.new_context(viewport={"width": 1500, "height": 1000}, locale="zh-CN").new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.set_default_timeout(60_000)
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/city?{P}")
        page.wait_for_selector("#chart-city[data-ready='1']")
        assert page.evaluate(INK, "#chart-city") > 20000  # a drawn heat map, not an empty canvas
        page.screenshot(path=str(SHOTS / "city-heatmap.png"), full_page=True)
        # the cell of 正定县 (冀0123) × the first indicator, located through ECharts' own coordinates
        row = page.evaluate("""() => {
            const c = echarts.getInstanceByDom(document.getElementById('chart-city'));
            return c.getOption().yAxis[0].data.indexOf('正定县人民法院'); }""")
        assert row >= 0
        x, y = page.evaluate("""(row) => {
            const c = echarts.getInstanceByDom(document.getElementById('chart-city'));
            return c.convertToPixel({seriesIndex: 0}, [0, row]); }""", row)
        box = page.locator("#chart-city").bounding_box()
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_url(re.compile(r".*/indicators\?.*"))
        q = parse_qs(urlparse(page.url).query)
        assert q["court"] == [COURT] and q["start"] == ["2025-01-01"]
        page.wait_for_selector("h1")
        assert "正定县" in page.inner_text("h1")
        b.close()
    assert problems == []
