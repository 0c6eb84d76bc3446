"""The 收结存 tables by track (``metrics.tracks.flow_rows``: the web 总览 and 全市对比, ``zhixiao city``,
``zhixiao indicators flows``) show each track's and 合计's 结案率 as the evaluator gives it under the profile and
the court's own indicator files — not 结案 ÷ 受理 recomputed from the counts.

The store is tests/reports/conftest.py's hand-made one (2026-01-01 … 2026-02-28):
  正定 冀0123 审判: 受理 9 (旧存 6 7 8, 新收 10–15), 结案 6 10 11 14 = 4 (判决 调解 判决 判决)
  正定 冀0123 执行: 受理 3 (旧存 9, 新收 16 17), 结案 9 (终结本次执行程序) and 16 (执行完毕) = 2
  正定 合计: 受理 12, 结案 6; 长安 冀0102 审判: 受理 2 (18 19), 结案 18 = 1; no 非诉保全 case anywhere.
The court's extension is test_caseload_tracks.py's: 结案率 leaves 终本 closures out of the numerator.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.reports.conftest import build_store
from tests.reports.test_caseload_tracks import NO_ZHONGBEN
from tests.web.conftest import PASSWORD, login
from zhixiao.cli import app as cli
from zhixiao.config import Settings
from zhixiao.engine import connect
from zhixiao.metrics.tracks import flow_rows

START, END = date(2026, 1, 1), date(2026, 2, 28)
P = "start=2026-01-01&end=2026-02-28"


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    root = tmp_path_factory.mktemp("flows-plain")
    build_store(root)
    return root


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    root = tmp_path_factory.mktemp("flows-own")
    build_store(root)
    (root / "indicators").mkdir()
    (root / "indicators" / "court.toml").write_text(NO_ZHONGBEN, encoding="utf-8")
    return root


def _rates(rows) -> dict[tuple, float | None]:
    return {(r["court_code"], r["track"]): r["closure_rate"] for r in rows}


def test_plain_profile_rates_are_the_counts_ratio(plain):
    got = _rates(flow_rows(connect(plain), START, END, by=("court",)))
    assert got[("冀0123", "审判")] == pytest.approx(4 / 9)
    assert got[("冀0123", "执行")] == pytest.approx(2 / 3)
    assert got[("冀0123", "合计")] == pytest.approx(6 / 12)
    assert got[("冀0102", "审判")] == pytest.approx(1 / 2) and got[("冀0102", "合计")] == pytest.approx(1 / 2)
    assert got[("冀0123", "非诉保全")] is None and got[("冀0102", "执行")] is None  # nothing received


@pytest.mark.parametrize("profile", ["court-classic", "spc-2024"])
def test_the_courts_own_closure_rate_per_track_and_in_total(own, profile):
    # spc-2024 defines no 收结存 ids: they and 结案率 come from court-classic with the court's extension
    rows = flow_rows(connect(own), START, END, profile=profile, by=("court",))
    got = _rates(rows)
    # 执行: of 结案 9 (终本) and 16 only 16 counts: 1/3, not 2/3 from the counts
    assert got[("冀0123", "执行")] == pytest.approx(1 / 3)
    # 合计: 结案 6 less the 终本 case 9 = 5, over 受理 12 — not 6/12
    assert got[("冀0123", "合计")] == pytest.approx(5 / 12)
    assert got[("冀0123", "审判")] == pytest.approx(4 / 9)  # no 终本 closure in 审判
    execution = next(r for r in rows if (r["court_code"], r["track"]) == ("冀0123", "执行"))
    assert [execution[k] for k in ("carried_over", "new_cases", "received", "closed", "pending")] == [1, 2, 3, 2, 1]


# A 结案率 whose numerator counts distinct courts: a count that does not add up over the tracks (one court
# closing cases in two tracks is one court), so 合计 must be evaluated over all the cases, not summed.
BY_COURT = """
[profile]
id = "court-classic"

[[override]]
id = "closure_rate"
numerator = { set = "closed", distinct = "court_code" }
"""


def test_a_rate_that_does_not_add_up_over_the_tracks_is_evaluated_for_the_total(tmp_path):
    build_store(tmp_path)
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "court.toml").write_text(BY_COURT, encoding="utf-8")
    got = _rates(flow_rows(connect(tmp_path), START, END, by=("court",)))
    # 正定: 审判 1 court ÷ 受理 9, 执行 1 ÷ 3; 合计 1 court ÷ 12 — summing the tracks would give 2 ÷ 12
    assert got[("冀0123", "审判")] == pytest.approx(1 / 9)
    assert got[("冀0123", "执行")] == pytest.approx(1 / 3)
    assert got[("冀0123", "合计")] == pytest.approx(1 / 12)
    assert got[("冀0102", "合计")] == pytest.approx(1 / 2)  # 长安: one court closed, 受理 2


def test_city_json_and_indicators_flows_carry_the_courts_rate(own):
    r = CliRunner().invoke(cli, ["city", "--data-dir", str(own), "--court", "冀01", "--from", "2026-01-01",
                                 "--to", "2026-02-28", "--indicator", "closed", "--format", "json"])
    assert r.exit_code == 0, r.output
    got = _rates(json.loads(r.output)["flows"])
    assert got[("冀0123", "执行")] == pytest.approx(1 / 3) and got[("冀0123", "合计")] == pytest.approx(5 / 12)
    r = CliRunner().invoke(cli, ["indicators", "flows", "--data-dir", str(own), "--court", "冀0123", "--from",
                                 "2026-01-01", "--to", "2026-02-28", "--format", "json"])
    assert r.exit_code == 0, r.output
    got = {x["track"]: x["closure_rate"] for x in map(json.loads, r.output.splitlines())}
    assert got["执行"] == pytest.approx(1 / 3) and got["合计"] == pytest.approx(5 / 12)


def _table(html: str, table_id: str) -> list[list[str]]:
    body = html[html.index(f'id="{table_id}"'):]
    body = body[:body.index("</table>")]
    return [[re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
            for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)]


def test_web_overview_and_city_show_the_courts_rate(own):
    from zhixiao.web import auth
    from zhixiao.web.app import create_app

    app = create_app(Settings(data_dir=own))
    with app.state.Session() as s, s.begin():
        auth.create_user(s, "analyst", PASSWORD, "analyst", "analyst")
    c = TestClient(app, base_url="http://testserver")
    assert login(c, "analyst").status_code == 303
    r = c.get(f"/?court=冀0123&{P}")
    assert r.status_code == 200
    rows = {row[0]: row[-1] for row in _table(r.text, "flow-table") if row}
    # 类别 … 结案率: 执行 1/3, 合计 5/12 (the 合计 row sits under the tracks)
    assert rows["执行"] == "33.33%" and rows["审判"] == "44.44%"
    assert "41.67%" in r.text[r.text.index('id="flow-table"'):]
    r = c.get(f"/city?court=冀01&{P}")
    assert r.status_code == 200
    zd = next(row for row in _table(r.text, "city-flows") if row and row[0].startswith("正定"))
    # columns: 法院, then per 审判/执行/非诉保全/合计: 受理 结案 未结 结案率
    assert zd[8] == "33.33%" and zd[16] == "41.67%"
