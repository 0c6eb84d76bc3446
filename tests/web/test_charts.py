"""Charts of the dashboard (issue 18 §2 "Charts") and 收结存 by track on its pages (issue 16 §2).

Pure rules by hand (partial months, fitted axes, the 短板 order), then the options the server sends for the demo
city of conftest.py (data as of 2025-11-20, so November is a partial month) and the pages' track tables."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

from tests.web.conftest import COURT
from zhixiao.web import charts, weakness

P = "start=2025-01-01&end=2025-11-20"


def test_partial_months_by_hand():
    # ends on the 20th: November is partial; a whole year is not
    assert charts.partial_months(date(2025, 1, 1), date(2025, 11, 20)) == {"2025-11": "截至20日"}
    assert charts.partial_months(date(2025, 1, 1), date(2025, 12, 31)) == {}
    # the period runs to 12-31 but the data stop on 11-15: November partial, December has no data at all
    assert charts.partial_months(date(2025, 1, 1), date(2025, 12, 31), date(2025, 11, 15)) == {
        "2025-11": "截至15日", "2025-12": "尚无数据"}
    # starts on the 10th; February ends on the 28th in 2025, so a period to 02-28 is whole there
    assert charts.partial_months(date(2025, 1, 10), date(2025, 2, 28)) == {"2025-01": "自10日起"}


def test_first_partial_month_shades_forward():
    opt = charts.trend("t", ["2025-01", "2025-02"], [("新收", [3, 4], False)], {}, {"2025-01": "自10日起"})
    assert opt["xAxis"]["data"] == ["2025-01（自10日起）", "2025-02"]
    assert opt["series"][0]["markArea"]["data"] == [[{"xAxis": "2025-01（自10日起）", "name": "不完整月份"},
                                                     {"xAxis": "2025-02"}]]
    assert opt["series"][0]["data"] == [{"value": 3, "symbol": "emptyDiamond", "symbolSize": 13, "itemStyle": {
        "borderColor": charts.PARTIAL, "borderType": "dashed", "borderWidth": 2}}, {"value": 4}]


def test_fitted_axis_by_hand():
    # 80.1 … 84.3: spread 4.2, margin max(4.2 / 4, 1) = 1.05 → floor(79.05) = 79, ceil(85.35) = 86
    a = charts.fitted_axis([80.1, 84.3, None], name="%", percent=True)
    assert (a["min"], a["max"], a["name"]) == (79, 86, "%（纵轴自 79 起）")
    # 95 … 99.8: margin 1.2 → 93.8 → 93; 101 → capped at 100 for a percentage
    assert (charts.fitted_axis([95, 99.8], percent=True)["min"], charts.fitted_axis([95, 99.8], percent=True)["max"]) \
        == (93, 100)
    # counts 3 … 120: margin 29.25 → below 0, so 0; 149.25 → 150; the name says nothing about the start
    c = charts.fitted_axis([3, 120], name="件")
    assert (c["min"], c["max"], c["name"]) == (0, 150, "件")


def test_short_court_names():
    assert charts.short_court("河北省石家庄市长安区人民法院") == "长安区"
    assert charts.short_court("河北省石家庄市中级人民法院（单列）") == "石家庄市中级（单列）"
    assert charts.short_court("正定县人民法院") == "正定县"
    assert charts.short_court("冀0199") == "冀0199"  # a code without a registry name stays as it is


def test_weak_order_by_hand():
    def w(name, value, *reasons):
        return {"name": name, "value": value, "reasons": [{"kind": k, "text": k, "reference": ref} for k, ref in reasons]}

    items = [w("同比趋劣", 0.9, ("worsening", 0.95)),  # 1
             w("偏离小", 0.92, ("out_of_range", 0.93)),  # 3, gap 0.01/0.93
             w("偏离大且劣于全市", 0.80, ("out_of_range", 0.93), ("worse_than_city", 0.9)),  # 3 + 2
             w("偏离大", 0.80, ("out_of_range", 0.93))]  # 3, gap 0.13/0.93
    got = weakness.ordered(items)
    assert [x["w"]["name"] for x in got] == ["偏离大且劣于全市", "偏离大", "偏离小", "同比趋劣"]
    assert [x["weight"][0] for x in got] == [5, 3, 3, 1]
    assert got[0]["tags"] == [("偏离区间", "out_of_range"), ("劣于全市平均", "worse_than_city")]
    # Weak objects (the city page) are read the same way
    obj = SimpleNamespace(name="x", value=1.0, reasons=[SimpleNamespace(kind="worsening", text="t", reference=None)])
    assert weakness.ordered([obj])[0]["weight"] == (1, 0.0)


def test_trend_marks_the_partial_month(web_env):
    opt = web_env.clients["analyst"].get(f"/api/chart/trend?court={COURT}&{P}").json()
    assert opt["zxPartial"] == ["2025-11"]
    labels = opt["xAxis"]["data"]
    assert labels[-1] == "2025-11（截至20日）" and labels[0] == "2025-01" and len(labels) == 11
    assert "2025-11 截至20日，非完整月份" in opt["title"]["subtext"]
    area = opt["series"][0]["markArea"]["data"]
    # the stretch from October into partial November is shaded
    assert area == [[{"xAxis": "2025-10", "name": "不完整月份"}, {"xAxis": "2025-11（截至20日）"}]]
    for s in opt["series"]:
        assert s["data"][-1]["symbol"] == "emptyDiamond"  # a grey dashed diamond: partial, not a collapse
        assert "symbol" not in s["data"][-2]
    # every point of 新收 opens the cases of its month
    assert opt["zxLinks"]["新收"][-1].endswith("month=2025-11") and "indicator=new_cases" in opt["zxLinks"]["新收"][-1]


def test_courts_chart_axis_fits_and_out_of_range_bars_stand_out(web_env):
    opt = web_env.clients["analyst"].get(f"/api/chart/courts?{P}").json()
    values = [p["value"] for s in opt["series"] for p in s["data"] if p["value"] is not None]
    axis = opt["yAxis"]
    assert axis["min"] <= min(values) and axis["max"] >= max(values)
    assert axis["max"] - axis["min"] <= (max(values) - min(values)) * 1.5 + 2 + 1  # the spread, not 0–100
    if axis["min"] > 0:
        assert f"纵轴自 {axis['min']} 起" in axis["name"]
    rows = web_env.app.state.hub.indicators(date(2025, 1, 1), date(2025, 11, 20), None, by=("court",))
    bad = {(r["group"]["court_code"], r["indicator"]) for r in rows if r["in_range"] is False}
    closure = opt["series"][0]
    codes = [re.search(r"court=([^&]+)", link).group(1) for link in opt["zxLinks"]["结案率"]]
    from urllib.parse import unquote

    for code, p in zip(map(unquote, codes), closure["data"], strict=True):
        assert (p.get("itemStyle", {}).get("borderColor") == charts.BAD) == ((code, "closure_rate") in bad)
    assert all("indicator=closure_rate" in link for link in opt["zxLinks"]["结案率"])


def test_tracks_on_the_overview_add_up_and_open_their_cases(web_env):
    c = web_env.clients["analyst"]
    html = c.get(f"/?court={COURT}&{P}").text
    table = html[html.index('id="flow-table"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr[^>]*><td>(审判|执行|非诉保全|合计)</td>(.*?)</tr>", table, re.S)
    figures = {t: [int(x) for x in re.findall(r'class="fig"[^>]*>(\d+)</a>', body)] for t, body in rows}
    assert list(figures) == ["审判", "执行", "非诉保全", "合计"]
    assert figures["合计"] == [sum(figures[t][k] for t in ("审判", "执行", "非诉保全")) for k in range(5)]
    assert figures["执行"][4] > 0  # the demo court has 执行 cases pending
    # 旧存 + 新收 = 受理 = 结案 + 未结 for every track
    for t, (carried, new, received, closed, pending) in figures.items():
        assert carried + new == received == closed + pending, t
    # the chart's 结案 bars are the table's, and each opens the cases of its track
    opt = c.get(f"/api/chart/tracks?court={COURT}&{P}").json()
    assert opt["xAxis"]["data"] == ["审判", "执行", "非诉保全"]
    closed = next(s for s in opt["series"] if s["name"] == "结案")
    assert [p["value"] for p in closed["data"]] == [figures[t][3] for t in ("审判", "执行", "非诉保全")]
    link = opt["zxLinks"]["结案"][1]
    assert "track=" in link and "indicator=closed" in link
    cases = c.get(link).text
    assert f'data-matched="{figures["执行"][3]}"' in cases and "结案（执行）" in cases
    assert c.get(f"/cases?indicator=closed&track=民事&court={COURT}&{P}").status_code == 400


def test_city_page_shows_tracks_per_court(web_env):
    html = web_env.clients["analyst"].get(f"/city?{P}").text
    assert 'id="chart-city-tracks"' in html and 'id="city-flows"' in html
    opt = web_env.clients["analyst"].get(f"/api/chart/city/tracks?{P}").json()
    assert [s["name"] for s in opt["series"]] == ["审判", "执行", "非诉保全"] and opt["series"][0]["stack"] == "total"
    assert opt["xAxis"]["data"][-1] == "石家庄市中级（单列）"  # short axis labels (charts.short_court)
    assert all("indicator=received" in u and "track=" in u for links in opt["zxLinks"].values() for u in links)
    # the table: 正定's row holds 受理/结案/未结 of 审判, 执行, 非诉保全 and 合计; the tracks add up, and the
    # chart's stacked 受理 are the table's
    table = html[html.index('id="city-flows"'):]
    row = re.search(r"<tr><td>正定县人民法院</td>(.*?)</tr>", table[:table.index("</table>")], re.S).group(1)
    n = [int(x) for x in re.findall(r'class="fig"[^>]*>(\d+)</a>', row)]
    assert len(n) == 12  # 4 × (受理, 结案, 未结)
    assert n[9:12] == [n[k] + n[3 + k] + n[6 + k] for k in range(3)]
    at = opt["xAxis"]["data"].index("正定县")
    assert [s["data"][at]["value"] for s in opt["series"]] == [n[0], n[3], n[6]]
    # the president of one basic court: his court only
    own = web_env.clients["president"].get(f"/api/chart/city/tracks?{P}").json()
    assert own["xAxis"]["data"] == ["正定县"]


def test_drill_down_charts_per_division_and_judge(web_env, ):
    c = web_env.clients["analyst"]
    html = c.get(f"/indicators?court={COURT}&{P}").text
    assert 'id="chart-units-rates"' in html and 'id="chart-units-counts"' in html
    opt = c.get(f"/api/chart/units?court={COURT}&kind=rates&{P}").json()
    divisions = web_env.app.state.hub.roster()["divisions"][COURT]
    assert set(opt["xAxis"]["data"]) <= set(divisions) and len(opt["xAxis"]["data"]) >= 2
    assert all("division=" in u and "indicator=closure_rate" in u for u in opt["zxLinks"]["结案率"])
    # one division → its judges; the 庭长 gets his own division's judges whatever he asks for
    judges = c.get(f"/api/chart/units?court={COURT}&division={web_env.division}&kind=counts&{P}").json()
    assert all("judge=" in u for u in judges["zxLinks"]["结案"])
    own = web_env.clients["division_head"].get(f"/api/chart/units?kind=counts&{P}").json()
    assert own["xAxis"]["data"] == judges["xAxis"]["data"]
    assert c.get(f"/api/chart/units?court={COURT}&kind=pie&{P}").status_code == 400


def test_weak_list_is_ordered_and_compact(web_env):
    html = web_env.clients["president"].get(f"/overview/weak?{P}", headers={"HX-Request": "true"}).text
    weights = [int(x) for x in re.findall(r'<li data-weight="(\d+)"', html)]
    assert weights == sorted(weights, reverse=True)
    if weights:
        assert 'class="tag"' in html and "偏离区间" in html or "劣于" in html or "同比趋劣" in html
