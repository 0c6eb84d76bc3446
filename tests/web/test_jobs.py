"""Background jobs (issue 18 §1): a report is written off the request thread while pages keep answering, its
progress and files are shown to its owner only (admin: all), a failure is shown in Chinese, and the admin's
daily run goes the same way."""

from __future__ import annotations

import re
import threading

from fastapi.testclient import TestClient

from tests.web.conftest import AS_OF, COURT, csrf_of, login
from tests.web.helpers import isolated_app

FORM = {"court": COURT, "start": "2025-01-01", "end": "2025-10-31"}


def _client(app, role: str) -> TestClient:
    c = TestClient(app)
    assert login(c, role).status_code == 303
    return c


def _job_id(html: str) -> str:
    return re.search(r'id="job-([0-9a-f]{32})"', html).group(1)


def test_report_runs_in_background_while_pages_answer(web_env, tmp_path, monkeypatch):
    """The report's work is held on an event: the POST returns at once with a running job, an uncached page
    answers meanwhile (the old code ran the report in the request, under the engine lock), then the files
    are listed for download and the .docx is a real one."""
    import zhixiao.reports.render as render_mod

    app, _ = isolated_app(web_env, tmp_path)
    real = render_mod.write_briefing
    gate, entered = threading.Event(), threading.Event()

    def held(*args, **kw):
        entered.set()
        assert gate.wait(120)
        return real(*args, **kw)

    monkeypatch.setattr(render_mod, "write_briefing", held)
    c = _client(app, "president")
    r = c.post("/reports/generate", data={"csrf_token": csrf_of(c), **FORM})
    assert r.status_code == 200 and "报告正在后台生成" in r.text
    jid = _job_id(r.text)
    assert entered.wait(30)
    status = c.get(f"/api/jobs/{jid}").json()
    assert status["status"] == "running" and status["files"] == []
    # an uncached question (a period no page asked before) is answered while the report's job holds on
    assert c.get(f"/indicators?court={COURT}&start=2025-02-03&end=2025-09-17").status_code == 200
    assert 'hx-trigger="every 1s"' in c.get(f"/jobs/{jid}/status?main=1").text  # the page keeps polling
    gate.set()
    job = app.state.hub.jobs.get(jid, "president", False)
    assert app.state.hub.jobs.wait(job, 300) and job.status == "done", job.error
    frag = c.get(f"/jobs/{jid}/status?main=1").text
    assert 'id="report-files"' in frag and "hx-trigger" not in frag  # done: no more polling
    assert {"docx", "xlsx"} <= set(c.get(f"/api/jobs/{jid}").json()["files"])
    link = re.search(r'href="(/reports/download\?[^"]+fmt=docx)"', frag).group(1).replace("&amp;", "&")
    r = c.get(link)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert job.steps, "the job reported no progress"


def test_jobs_are_seen_by_their_owner_and_admin_only(web_env, tmp_path, monkeypatch):
    import zhixiao.reports.render as render_mod

    app, _ = isolated_app(web_env, tmp_path)
    monkeypatch.setattr(render_mod, "write_briefing", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("盘满")))
    owner, other, admin = _client(app, "president"), _client(app, "analyst"), _client(app, "admin")
    jid = _job_id(owner.post("/reports/generate", data={"csrf_token": csrf_of(owner), **FORM}).text)
    job = app.state.hub.jobs.get(jid, "president", False)
    assert app.state.hub.jobs.wait(job, 60)
    for url in (f"/jobs/{jid}", f"/jobs/{jid}/status", f"/api/jobs/{jid}", f"/jobs/{jid}/download/docx"):
        r = other.get(url)
        assert r.status_code == 404 and "没有这个后台任务" in r.text, url
    assert jid not in other.get("/jobs").text and jid in admin.get("/jobs").text
    assert admin.get(f"/api/jobs/{jid}").json()["status"] == "failed"
    assert owner.get("/jobs/not-a-job/status").status_code == 404


def test_a_failed_job_says_why_in_chinese(web_env, tmp_path, monkeypatch):
    import zhixiao.reports.render as render_mod
    from zhixiao.errors import UserError

    app, _ = isolated_app(web_env, tmp_path)
    c = _client(app, "president")
    for exc, shown in ((UserError("模板文件缺失，请联系管理员。"), "任务失败：模板文件缺失，请联系管理员。"),
                       (OSError("磁盘已满"), "任务失败：内部错误（OSError）：磁盘已满")):
        def boom(*a, _exc=exc, **k):
            raise _exc
        monkeypatch.setattr(render_mod, "write_briefing", boom)
        jid = _job_id(c.post("/reports/generate", data={"csrf_token": csrf_of(c), **FORM}).text)
        job = app.state.hub.jobs.get(jid, "president", False)
        assert app.state.hub.jobs.wait(job, 60) and job.status == "failed"
        frag = c.get(f"/jobs/{jid}/status").text
        assert shown in frag and "失败" in frag and "Traceback" not in frag


def test_daily_run_is_an_admin_background_job(web_env, tmp_path):
    from zhixiao.supervision.models import Alert

    app, _ = isolated_app(web_env, tmp_path)
    judge, admin = _client(app, "president"), _client(app, "admin")
    assert judge.post("/jobs/daily", headers={"X-CSRF-Token": csrf_of(judge)}).status_code == 403
    with app.state.Session() as s:
        before = s.query(Alert).count()
    r = admin.post(f"/jobs/daily?as_of={AS_OF.replace(day=30).isoformat()}", headers={"X-CSRF-Token": csrf_of(admin)})
    assert r.status_code == 200
    job = app.state.hub.jobs.get(_job_id(r.text), "admin", True)
    assert app.state.hub.jobs.wait(job, 300) and job.status == "done", job.error
    assert job.message.startswith("巡查完成（2025-11-30）") and "检查未结案件" in job.message
    with app.state.Session() as s:
        assert s.query(Alert).count() >= before  # the ledger was written (ten days on: nothing resolved away)
    assert "巡查完成" in admin.get(f"/jobs/{job.id}/status").text
