"""全市's 指标表 and 收结存, 数据质量体检's 汇总 and 目标与测算's 年末测算 as shared tables (issue 18 §2): a header
sorts the courts on the figure, the filter keeps the matching courts, and the .xlsx holds exactly the rows shown
(the 全市基层法院平均 and the intermediate court 单列 kept under the basic courts; 体检案件数 and 得分 above the
checks)."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import openpyxl
from sqlalchemy import select

from tests.web.conftest import AS_OF, COURT
from zhixiao.analysis.peers import level_of
from zhixiao.domain.courts import court_name
from zhixiao.web.models import AuditLog
from zhixiao.web.routes.city import matrix

P = f"start=2025-01-01&end={AS_OF}"


def _sheet(resp) -> list[list]:
    assert resp.status_code == 200, resp.text[-800:]
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True)]


def _body(html: str, table_id: str) -> list[list[str]]:
    """The shown rows of one table: each cell's text (links and marks stripped)."""
    body = html[html.index(f'id="{table_id}"'):].split("<tbody>", 1)[1].split("</tbody>")[0]
    return [[re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def _city(web_env):
    hub = web_env.app.state.hub
    code = next(c for c in hub.roster()["courts"] if level_of(c) == "intermediate")
    return matrix(hub, code, __import__("datetime").date(2025, 1, 1), AS_OF, None)


def test_city_table_sorts_on_the_figure_and_exports_what_is_shown(web_env):
    c = web_env.clients["analyst"]
    m = _city(web_env)
    col = next(k for k in m.columns if k.unit == "rate" and sum(
        ln.cells.get(k.indicator) is not None and ln.cells[k.indicator].value is not None for ln in m.basic) > 3)
    value = {ln.court_name: ln.cells[col.indicator].value if col.indicator in ln.cells else None for ln in m.basic}
    known = sorted((v, n) for n, v in value.items() if v is not None)
    assert len({v for v, _ in known}) > 2, "the demo courts differ on this figure"
    q = f"/city?{P}&sort={col.indicator}&desc=1"
    html = c.get(q).text
    shown = _body(html, "city-table")
    names = [r[0] for r in shown]
    basic = names[:len(m.basic)]
    assert names[len(m.basic):] == ["全市基层法院平均", f"{m.intermediate.court_name}（单列）"]
    got = [value[n] for n in basic if value[n] is not None]
    assert got == sorted(got, reverse=True) and got[0] == known[-1][0]  # highest first, missing values last
    assert f'{col.name} ▼' in html
    sheet = _sheet(c.get(q + "&export=xlsx"))
    assert sheet[0][0] == "法院" and sheet[0][1:] == [k.name for k in m.columns]
    assert [r[0] for r in sheet[1:]] == names
    at = 1 + m.columns.index(col)
    assert [r[at] for r in sheet[1:]] == [r[at] for r in shown]  # the cell as shown: 95.20% and its ▲/▼
    top = next(ln for ln in m.basic if ln.court_name == basic[0])
    assert sheet[1][at].startswith(f"{top.cells[col.indicator].value * 100:.2f}%")
    asc = [r[0] for r in _body(c.get(f"/city?{P}&sort={col.indicator}").text, "city-table")][:len(m.basic)]
    assert [value[n] for n in asc if value[n] is not None] == sorted(got)


def test_city_table_filter_keeps_the_matching_courts_and_keeps_its_look(web_env):
    c = web_env.clients["analyst"]
    html = c.get(f"/city?{P}&q=正定").text
    assert [r[0] for r in _body(html, "city-table")] == [court_name(COURT), "全市基层法院平均",
                                                          "河北省石家庄市中级人民法院（单列）"]
    assert "筛选出 <b>1</b> 条" in html
    sheet = _sheet(c.get(f"/city?{P}&q=正定&export=xlsx"))
    assert [r[0] for r in sheet[1:]] == [court_name(COURT), "全市基层法院平均", "河北省石家庄市中级人民法院（单列）"]
    # a whole year judges against the ranges: out-of-range cells stay red and titled in the table
    year = c.get("/city?start=2024-01-01&end=2024-12-31&sort=closure_rate").text
    table = year[year.index('id="city-table"'):year.index('id="t-city-flows"')]
    assert re.search(r'<td class="num bad" title="(高于区间|低于区间)">', table)


def test_city_flows_sort_filter_and_export(web_env):
    c = web_env.clients["analyst"]
    q = f"/city?{P}&f_sort=合计_received&f_desc=1"
    html = c.get(q).text
    shown = _body(html, "city-flows")
    assert shown[-1][0] == "河北省石家庄市中级人民法院（单列）"
    received = [int(r[13]) for r in shown[:-1]]  # 合计受理: after 法院 and 3 × 4 track columns
    assert received == sorted(received, reverse=True) and len(received) > 2
    for r in shown:  # the tracks add up to 合计
        n = [int(x) for i, x in enumerate(r[1:]) if i % 4 != 3]
        assert n[9:12] == [n[k] + n[3 + k] + n[6 + k] for k in range(3)], r
    sheet = _sheet(c.get(q + "&export=f_xlsx"))
    with web_env.app.state.Session() as s:  # the whole city's figures leaving the system are audited
        last = s.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (last.username, last.action, last.detail) == ("analyst", "export_table", str(len(shown) - 1))
    assert last.target.startswith("全市收结存 ")
    assert sheet[0][:5] == ["法院", "审判受理", "审判结案", "审判未结", "审判结案率"] and sheet[0][13] == "合计受理"
    assert [[str(x) for x in r] for r in sheet[1:]] == shown
    one = _body(c.get(f"/city?{P}&f_q=正定").text, "city-flows")
    assert [r[0] for r in one] == [court_name(COURT), "河北省石家庄市中级人民法院（单列）"]
    assert one[0] == next(r for r in shown if r[0] == court_name(COURT))


def test_quality_summary_sorts_filters_and_exports(web_env):
    c = web_env.clients["analyst"]
    page = c.get(f"/quality?{P}").text
    plain = _body(page, "quality-summary")
    assert [r[0] for r in plain[:2]] == ["体检案件数", "得分"]
    thead = page[page.index('id="quality-summary"'):].split("</thead>")[0]
    first = unquote(list(dict.fromkeys(re.findall(r"s_sort=([^&\"]+)", thead)))[1])  # the first court's column (after 体检项目)
    assert first.startswith("冀")
    at = 1  # the first court's column
    q = f"/quality?{P}&s_sort={first}&s_desc=1"
    shown = _body(c.get(q).text, "quality-summary")
    assert shown[:2] == plain[:2]  # 体检案件数 and 得分 stay first
    counts = [int(re.match(r"\d+", r[at]).group()) for r in shown[2:]]
    assert counts == sorted(counts, reverse=True)
    assert sorted(map(tuple, shown[2:])) == sorted(map(tuple, plain[2:]))  # the same checks, reordered
    sheet = _sheet(c.get(q + "&export=s_xlsx"))
    assert sheet[0][0] == "体检项目"
    assert [[str(x) for x in r] for r in sheet[1:]] == shown
    gaps = _body(c.get(f"/quality?{P}&s_q=断号").text, "quality-summary")
    assert [r[0] for r in gaps] == ["体检案件数", "得分", *[r[0] for r in plain[2:] if "断号" in r[0]]]
    assert len(gaps) == 3


def test_forecast_table_sorts(web_env):
    c = web_env.clients["analyst"]
    base = f"/targets?court={COURT}&as_of={AS_OF}"
    plain = _body(c.get(base).text, "forecast")
    assert len(plain) > 2 and all(r[0] for r in plain)
    by_name = _body(c.get(base + "&p_sort=name&p_desc=1").text, "forecast")
    assert [r[0] for r in by_name] == sorted((r[0] for r in plain), reverse=True)
    sheet = _sheet(c.get(base + "&p_sort=name&p_desc=1&export=p_xlsx"))
    assert sheet[0] == ["项目", "点估计", "下限", "上限"]
    assert [[str(x) for x in r] for r in sheet[1:]] == by_name
