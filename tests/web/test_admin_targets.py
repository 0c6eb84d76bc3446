"""Issue 18 §2: targets set and decomposed in the web, the judges roster imported in the web (and then
offered when an account is created), the daily job's last and next run on the 管理 page."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import COURT, OTHER_COURT, login
from tests.web.helpers import isolated_app
from zhixiao.web.schedule import parse_timer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def env(web_env, tmp_path_factory):
    app, d = isolated_app(web_env, tmp_path_factory.mktemp("admin"))
    clients = {}
    for role in ("admin", "analyst", "president", "division_head", "judge"):
        c = TestClient(app)
        assert login(c, role).status_code == 303
        clients[role] = c
    return {"app": app, "c": clients, "dir": d}


def post(client: TestClient, url: str, page: str, files=None, **data):
    tok = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)
    return client.post(url, data={"csrf_token": tok, **data}, files=files)


def test_targets_set_and_decomposed(web_env, env):
    c = env["c"]
    r = post(c["analyst"], "/targets/set", "/targets", court=COURT, year="2025", indicator="closure_rate", value="93%")
    assert r.status_code == 200 and "已设定 冀0123 2025 年目标：结案率 93%" in r.text
    assert 'id="target-progress"' in r.text and "结案率" in r.text
    for value, words in (("abc", "不是数字"), ("193%", "0 到 1 之间")):
        r = post(c["analyst"], "/targets/set", "/targets", court=COURT, year="2025", indicator="closure_rate",
                 value=value)
        assert r.status_code == 400 and words in r.text and "zhixiao" not in r.text
    # set by the court's leaders or 审管办 only, and for their own court
    assert post(c["division_head"], "/targets/set", "/targets", court=COURT, year="2025", indicator="closed",
                value="100").status_code == 403
    assert post(c["president"], "/targets/set", "/targets", court=OTHER_COURT, year="2025", indicator="closed",
                value="100").status_code == 403
    assert 'id="target-form"' not in c["division_head"].get("/targets").text

    page = c["president"].get("/targets", params={"by": "division"}).text
    rows = re.findall(r"<tr><td>结案率</td><td>([^<]+)</td><td[^>]*>(\d+)</td><td[^>]*>([\d.]+)</td>"
                      r"<td[^>]*>([\d.]+)</td><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td></tr>", page)
    divisions = web_env.app.state.hub.roster()["divisions"][COURT]
    assert {r[0] for r in rows} == set(divisions)
    for _name, carried, expected, workload, closings, due in rows:
        # workload = 旧存 + 预计新收; 全年需结 = ⌈93% × workload⌉ (rounding of the shown workload aside)
        assert abs(float(workload) - (int(carried) + float(expected))) <= 0.11
        assert abs(int(closings) - math.ceil(0.93 * float(workload))) <= 1
        assert int(due) <= int(closings)
    # a 庭长 sees his own division's judges only
    head = c["division_head"].get("/targets", params={"by": "judge"}).text
    judges = web_env.app.state.hub.roster()["judges"]
    shown = re.findall(r"<tr><td>结案率</td><td>([^<]+)</td>", head)
    names = {j[2] for j in judges.values() if j[0] == COURT and j[1] == web_env.division}
    assert shown and set(shown) <= names
    assert c["analyst"].get("/targets", params={"by": "nobody"}).status_code == 400


def test_roster_imported_in_the_browser_then_offered_for_accounts(env):
    c = env["c"]
    csv = ("法官编号,姓名,法院代字,部门,岗位\n"
           f"{COURT}-J901,新法官,{COURT},民事审判一庭,员额法官\n"
           f",无编号,{COURT},民事审判一庭,员额法官\n").encode()
    assert post(c["judge"], "/roster/import", "/services/hotline",
                files={"file": ("名册.csv", csv, "text/csv")}).status_code == 403
    r = post(c["analyst"], "/roster/import", "/roster", files={"file": ("名册.csv", csv, "text/csv")})
    assert r.status_code == 200 and "读取 2 行，导入 1 行，拒收 1 行" in r.text
    assert 'id="roster-rejects"' in r.text and f"{COURT}-J901" in c["analyst"].get("/roster", params={"q": "新法官"}).text
    assert not list((env["dir"] / "web_uploads").glob("*/*.csv"))  # the upload is not kept
    r = post(c["admin"], "/admin/users", "/admin", username="newjudge", display_name="新法官", role="judge",
             court_code=COURT, division="", judge_id=f"{COURT}-J901")
    assert r.status_code == 200 and "已创建用户 newjudge" in r.text
    r = post(c["analyst"], "/roster/import", "/roster", files={"file": ("名册.pdf", b"%PDF", "application/pdf")})
    assert r.status_code == 400 and "CSV 或 Excel" in r.text


def test_daily_job_shown_on_the_admin_page(env):
    from zhixiao.daily import SYSTEM
    from zhixiao.quality.models import QualityRun

    c, app = env["c"], env["app"]
    page = c["admin"].get("/admin").text
    assert 'id="daily-status"' in page and "尚未运行过" in page and 'action="/jobs/daily"' in page
    with app.state.Session() as s, s.begin():
        s.add(QualityRun(scope="*", start=date(2025, 1, 1), as_of=date(2025, 11, 20),
                         created_at=datetime(2025, 11, 21, 2, 7), created_by=SYSTEM))
        s.add(QualityRun(scope="*", start=date(2025, 1, 1), as_of=date(2025, 11, 22),
                         created_at=datetime(2025, 11, 23, 9, 0), created_by="analyst"))  # `zhixiao quality` by hand
    last = re.search(r'id="daily-last">([^<]+)<', c["admin"].get("/admin").text).group(1)
    assert last == "2025-11-21 02:07（巡查日 2025-11-20）"
    assert c["analyst"].get("/admin").status_code == 403


def test_the_shipped_timer_gives_the_next_run():
    t = parse_timer(REPO / "deploy" / "systemd" / "zhixiao-daily.timer")
    assert t is not None and t.at == time(2, 0) and t.delay == timedelta(minutes=10)
    assert t.next_run(datetime(2026, 3, 1, 1, 59)) == datetime(2026, 3, 1, 2, 0)
    assert t.next_run(datetime(2026, 3, 1, 2, 0)) == datetime(2026, 3, 2, 2, 0)
    assert t.next_run(datetime(2026, 12, 31, 23, 0)) == datetime(2027, 1, 1, 2, 0)


def test_audit_log_in_chinese_filtered_and_exported(env):
    """The changes above are in the audit log under Chinese action names; the log is a shared table."""
    import io

    import openpyxl

    c = env["c"]["admin"]
    page = c.get("/admin", params={"a_q": "导入人员名册"}).text
    assert "筛选出 <b>1</b> 条" in page and ">名册.csv<" in page and ">roster_import<" not in page
    r = c.get("/admin", params={"a_q": "设定年度目标", "export": "a_xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("时间", "用户", "操作", "对象", "说明", "地址")
    assert [(x[1], x[2], x[3], x[4]) for x in rows[1:]] == [("analyst", "设定年度目标", "冀0123 2025 closure_rate", "0.93")]
