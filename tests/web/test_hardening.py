"""Issue 18 §3: one test per hardening item, each written against a probe that succeeded on the old code —
the concurrent login race, lockouts used against others, the spoofed X-Forwarded-For, closing one's own
supervision item, the .xlsx bomb, the anonymous oversized upload, the ``?message=`` text, error pages without
security headers or as JSON, 500s on bad parameters, and the scope leaks of chart APIs and the targets page.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import COURT, OTHER_COURT, PASSWORD, csrf_of, login
from tests.web.helpers import isolated_app
from tests.web.server import serving
from zhixiao.config import Settings
from zhixiao.web import app as web_app
from zhixiao.web import auth, uploads
from zhixiao.web.models import AuditLog

P = "start=2025-01-01&end=2025-11-20"
SECURITY = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
            "permissions-policy")


def _user(env, name: str, role: str = "analyst", **kw) -> None:
    with env.app.state.Session() as s, s.begin():
        auth.create_user(s, name, PASSWORD, role, name, **kw)


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


# ── login throttling ───────────────────────────────────────────────────────────────────────────────────
def test_40_concurrent_wrong_passwords_check_at_most_the_limit(web_env, monkeypatch):
    """Old code: read the failure count, then verify — 40 simultaneous tries got 19 password checks for a
    limit of 5. Now each check is reserved by one conditional UPDATE first."""
    _user(web_env, "racer")
    checks = []
    lock = threading.Lock()
    real = auth.verify_password

    def counting(stored: str, password: str) -> bool:
        with lock:
            checks.append(password)
        return real(stored, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    statuses: list[int] = []
    with serving(web_env.app) as base:
        gate = threading.Barrier(40)

        def attempt(i: int) -> None:
            with httpx.Client(base_url=base, timeout=120) as c:
                tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
                gate.wait()
                r = c.post("/login", data={"username": "racer", "password": f"wrong-password-{i}",
                                           "csrf_token": tok, "next": "/"})
                with lock:
                    statuses.append(r.status_code)

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(statuses) == 40 and set(statuses) <= {401, 429}
    assert 1 <= len(checks) <= auth.MAX_FAILURES, len(checks)
    assert statuses.count(401) == len(checks)  # every check was a refusal; the rest were throttled
    # the 40 came from 127.0.0.1; the owner at another desk is not locked out by them
    owner = TestClient(web_env.app, client=("10.40.0.1", 50000))
    assert login(owner, "racer").status_code == 303


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def test_growing_delays_per_account_and_address(web_env, monkeypatch):
    """Waits after the n-th failure: 0, 0, 2, 4 s; after the 5th the pair waits out the 15-minute window.
    Old code: the 4th try right after the 3rd was checked (401), and only the account counted."""
    _user(web_env, "slowpoke")
    t0 = auth.now()  # real time: a login deletes every session that has expired by the clock's reading
    clock = Clock(t0)
    monkeypatch.setattr(auth, "now", clock)
    c = TestClient(web_env.app, client=("10.50.0.1", 50000))

    def attempt(password: str = "bad-password-x"):
        return login(c, "slowpoke", password)

    for _ in range(3):
        assert attempt().status_code == 401
    r = attempt()  # 3 failures → wait 2 s
    assert r.status_code == 429 and "2 秒后再试" in r.text
    clock.t += timedelta(seconds=2)
    assert attempt().status_code == 401  # 4th check
    r = attempt()  # 4 failures → wait 4 s
    assert r.status_code == 429 and "4 秒后再试" in r.text
    clock.t += timedelta(seconds=4)
    assert attempt().status_code == 401  # 5th check: the limit
    clock.t += timedelta(seconds=60)
    r = attempt(PASSWORD)  # even the right password: window t0 + 15 min − (t0 + 66 s) = 13 min 54 s → 14 分钟
    assert r.status_code == 429 and "14 分钟后再试" in r.text
    elsewhere = TestClient(web_env.app, client=("10.50.0.2", 50000))
    assert login(elsewhere, "slowpoke").status_code == 303  # the owner at another address is not locked out
    clock.t = t0 + auth.WINDOW + timedelta(seconds=1)
    assert attempt(PASSWORD).status_code == 303  # the window has passed


def test_failures_from_one_address_do_not_lock_out_everyone_behind_it(web_env):
    """A court NAT: someone fails 20 times with 20 names. Old code: every account behind that address was
    locked out for 15 minutes. Now only accounts that never logged in from it are refused (spraying)."""
    _user(web_env, "nat_colleague")
    _user(web_env, "nat_newcomer")
    nat = TestClient(web_env.app, client=("10.60.0.1", 50000))
    assert login(nat, "nat_colleague").status_code == 303  # has logged in from this address before
    spray = TestClient(web_env.app, client=("10.60.0.1", 50001))
    for i in range(auth.MAX_FAILURES_PER_IP):
        assert login(spray, f"nobody{i}", "x-password-x").status_code == 401
    assert login(spray, "nat_newcomer", PASSWORD).status_code == 429  # the 21st name from there: refused
    assert login(TestClient(web_env.app, client=("10.60.0.1", 50002)), "nat_colleague").status_code == 303


# ── X-Forwarded-For ────────────────────────────────────────────────────────────────────────────────────
def _post_login(c: httpx.Client, username: str, password: str, forwarded: str) -> httpx.Response:
    tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    return c.post("/login", data={"username": username, "password": password, "csrf_token": tok, "next": "/"},
                  headers={"X-Forwarded-For": forwarded})


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(web_env):
    """Old code under uvicorn (proxy headers from 127.0.0.1 believed): every try came from a new forged
    address, escaping the per-address counter, and the forged address went into the audit log."""
    _user(web_env, "spoofed")
    with serving(web_env.app) as base, httpx.Client(base_url=base) as c:
        codes = [_post_login(c, "spoofed", "wrong-password", f"203.0.113.{i}").status_code for i in range(6)]
    assert codes[:3] == [401, 401, 401] and 429 in codes  # one address: the growing delay applies
    with web_env.app.state.Session() as s:
        ips = {a.ip for a in s.scalars(select(AuditLog).where(AuditLog.username == "spoofed"))}
    assert ips == {"127.0.0.1"}

    # with the proxy named in zhixiao.toml, the nearest untrusted hop is the client; what it was sent is not
    trusting = web_app.create_app(Settings(data_dir=web_env.data_dir, trusted_proxies=("127.0.0.0/8",)))
    c = TestClient(trusting, client=("127.0.0.1", 50000), base_url="http://testserver")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": "spoofed", "password": "wrong-password", "csrf_token": tok},
               headers={"X-Forwarded-For": "1.1.1.1, 198.51.100.7", "X-Forwarded-Proto": "https"})
    assert r.status_code == 401
    assert r.headers["strict-transport-security"] == web_app.HSTS  # TLS ended at the trusted proxy
    with web_env.app.state.Session() as s:
        last = s.scalars(select(AuditLog).where(AuditLog.username == "spoofed").order_by(AuditLog.id.desc())).first()
    assert last.ip == "198.51.100.7"
    untrusted = TestClient(trusting, client=("10.70.0.1", 50000))
    assert "strict-transport-security" not in untrusted.get("/login", headers={"X-Forwarded-Proto": "https"}).headers


# ── separation of duties ───────────────────────────────────────────────────────────────────────────────
def _status(env, aid: int) -> str:
    from zhixiao.supervision.models import Alert

    with env.app.state.Session() as s:
        return s.get(Alert, aid).status


def _copy_alert(env, tag: str, **changes) -> int:
    """An open copy of the logged-in judge's alert (other tests close the original) with ``changes``."""
    from zhixiao.supervision.models import Alert

    with env.app.state.Session() as s, s.begin():
        src = s.get(Alert, env.alert_own)
        a = Alert(**{col.name: getattr(src, col.name) for col in Alert.__table__.columns if col.name != "id"})
        a.key, a.status = f"test-{tag}|{src.key}", "open"
        for k, v in changes.items():
            setattr(a, k, v)
        s.add(a)
        s.flush()
        return a.id


def test_no_one_closes_an_item_about_their_own_cases(web_env):
    """Old code: the judge 签收 and 办结 his own item (200) while the case was still overdue."""
    c = web_env.clients["judge"]
    aid = _copy_alert(web_env, "own", level="interview")  # 约谈, as in the issue
    for action in ("acknowledge", "resolve"):
        r = c.post(f"/supervision/alerts/{aid}/{action}", data={"csrf_token": csrf_of(c), "note": "已处理"})
        assert r.status_code == 403 and "本人承办案件" in r.text, r.text[-1500:]
    assert _status(web_env, aid) == "open"
    row = c.get("/supervision").text.split(f'id="alert-{aid}"')[1].split("</tr>")[0]
    assert "button" not in row  # no 签收/办结 offered either


def test_accountability_items_only_by_the_roles_the_rules_name(web_env):
    """问责 is for 院长/审委会 (supervision.toml [level.hold_accountable] assignee = leader → roles.toml grants
    alert.act.hold_accountable to 院领导 only). Old code: any 庭长 could close it."""
    aid = _copy_alert(web_env, "accountable", level="hold_accountable", judge_id=web_env.peer)
    for role in ("division_head", "analyst", "admin"):
        c = web_env.clients[role]
        r = c.post(f"/supervision/alerts/{aid}/acknowledge", data={"csrf_token": csrf_of(c)})
        assert r.status_code == 403 and "问责事项只能由院领导签收或办结" in r.text, role
    assert _status(web_env, aid) == "open"
    c = web_env.clients["president"]
    r = c.post(f"/supervision/alerts/{aid}/resolve", data={"csrf_token": csrf_of(c), "note": "审委会决定通报"})
    assert r.status_code == 200 and "已办结" in r.text
    r = c.post(f"/supervision/alerts/{web_env.alert_other_division}/resolve", data={"csrf_token": csrf_of(c)})
    assert r.status_code == 400 and "处理情况" in r.text and "--note" not in r.text  # no CLI flag in the web


# ── uploads ────────────────────────────────────────────────────────────────────────────────────────────
def _bomb(path: Path, inflated_mb: int = 150) -> Path:
    """A valid-looking .xlsx whose one sheet inflates to ``inflated_mb`` MB of identical rows."""
    row = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    block = row * (2**20 // len(row))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                          'package/2006/content-types"/>')
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(b"<worksheet><sheetData>")
            for _ in range(inflated_mb):
                fh.write(block)
            fh.write(b"</sheetData></worksheet>")
    return path


def _batches(env) -> set[str]:
    d = Path(env.data_dir) / "web_uploads"
    return {p.name for p in d.iterdir()} if d.is_dir() else set()


def test_xlsx_bomb_is_refused_quickly_and_leaves_no_folder(web_env, tmp_path):
    """Old code handed the 150 MB of XML to the importer and kept the upload folder whatever happened."""
    bomb = _bomb(tmp_path / "导出.xlsx")
    assert bomb.stat().st_size < 512 * 1024  # ≈ 450 KB on disk: inflates more than 300-fold
    c = web_env.clients["analyst"]
    before = _batches(web_env)
    t0 = time.monotonic()
    r = c.post("/imports/validate", data={"csrf_token": csrf_of(c)},
               files={"file": ("导出.xlsx", bomb.read_bytes(), "application/octet-stream")})
    assert r.status_code == 400 and "解压后超过" in r.text and "导出.xlsx" in r.text
    assert time.monotonic() - t0 < 20
    assert _batches(web_env) == before


def test_xlsx_cell_limit_counts_every_cell(tmp_path, monkeypatch):
    """A 10 × 10 sheet written by openpyxl holds exactly 100 <c> elements."""
    from openpyxl import Workbook

    from zhixiao.errors import UserError

    wb = Workbook()
    for r in range(1, 11):
        wb.active.append([r * 10 + k for k in range(10)])
    path = tmp_path / "a.xlsx"
    wb.save(path)
    monkeypatch.setattr(uploads, "MAX_CELLS", 100)
    uploads.check_xlsx(path, "a.xlsx")
    monkeypatch.setattr(uploads, "MAX_CELLS", 99)
    with pytest.raises(UserError, match="单元格超过 99 个"):
        uploads.check_xlsx(path, "a.xlsx")


def test_stale_upload_batches_are_swept(web_env):
    root = Path(web_env.data_dir) / "web_uploads"
    old, fresh = root / ("old" * 6), root / ("fresh" * 4)
    for d in (old, fresh):
        d.mkdir(parents=True, exist_ok=True)
        (d / "x.csv").write_text("案号\n", encoding="utf-8")
    try:
        past = time.time() - uploads.BATCH_TTL - 60
        os.utime(old, (past, past))
        assert web_env.clients["analyst"].get("/imports").status_code == 200
        assert not old.exists() and fresh.exists()
    finally:  # the store is shared by the session: a left batch would show on /admin/targets' upload list
        for d in (old, fresh):
            shutil.rmtree(d, ignore_errors=True)


def _raw(port: int, head: str, body: bytes = b"") -> bytes:
    """Send a request head (and the start of a body, never the rest) and return the whole answer: the server
    must answer and close without waiting for the body (a socket timeout here fails the test)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(head.encode("latin1") + body)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def test_oversized_and_anonymous_posts_are_refused_before_the_body(web_env, monkeypatch):
    """Old code: an anonymous 210 MB POST was read in full before the login redirect (here the server would
    wait for bytes that never come, and the socket times out)."""
    cookie = web_env.clients["analyst"].cookies.get(auth.COOKIE)
    with serving(web_env.app) as base:
        port = _port(base)
        head = ("POST /imports/validate HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
                f"Content-Length: {210 * 2**20}\r\n{{extra}}\r\n")
        t0 = time.monotonic()
        anon = _raw(port, head.format(extra=""), b"--zz\r\n")
        assert anon.startswith(b"HTTP/1.1 303") and b"location: /login?next=" in anon.lower()
        big = _raw(port, head.format(extra=f"Cookie: {auth.COOKIE}={cookie}\r\n"), b"--zz\r\n")
        assert big.startswith(b"HTTP/1.1 413") and "内容过大".encode() in big
        assert b"permissions-policy" in big.lower()
        assert time.monotonic() - t0 < 10
        # no Content-Length (chunked): counted while it streams in
        monkeypatch.setattr(web_app, "BODY_LIMITS", (("/imports/validate", 64 * 1024),))
        c = web_env.clients["analyst"]

        def chunks():
            yield b"--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
            for _ in range(100):
                yield b"x" * 1024

        with httpx.Client(base_url=base, timeout=30) as h:
            r = h.post("/imports/validate", content=chunks(),
                       headers={"Cookie": f"{auth.COOKIE}={cookie}", "X-CSRF-Token": csrf_of(c),
                                "Content-Type": "multipart/form-data; boundary=zz"})
        assert r.status_code == 413 and "内容过大" in r.text


# ── login page, errors, headers ────────────────────────────────────────────────────────────────────────
def test_login_page_shows_only_fixed_messages(web_env):
    c = TestClient(web_env.app)
    text = "系统升级，请拨打 400-000-0000 重置密码"
    r = c.get("/login", params={"message": text})
    assert r.status_code == 200 and "系统升级" not in r.text and 'id="login-message"' not in r.text
    r = c.get("/login?message=expired")
    assert "会话已过期，请重新登录" in r.text


def test_expired_session_returns_to_the_page_with_the_message(web_env):
    c = TestClient(web_env.app, cookies={auth.COOKIE: "ended-session-token"})
    r = c.get("/supervision?status=open", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/supervision%3Fstatus%3Dopen&message=expired"
    r = c.get("/api/chart/courts", follow_redirects=False)
    assert r.status_code == 401 and r.json() == {"error": "会话已过期，请重新登录。"}
    r = c.post("/supervision/alerts/1/acknowledge", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["hx-redirect"].endswith("&message=expired")


@pytest.mark.parametrize(("method", "url", "status", "words"), [
    ("GET", "/no-such-page", 404, "页面不存在"),
    ("GET", "/logout", 405, "不支持"),
    ("GET", f"/targets?court={COURT}&rate=abc", 400, "“目标结案率”"),
    ("GET", f"/cases?indicator=closed&month=2026-13&{P}", 400, "月份“2026-13”无效"),
    ("GET", "/?start=9999-01-01&end=9999-12-31", 400, "超出可查询范围"),
    ("GET", f"/targets?court={COURT}&as_of=9999-01-01", 400, "超出可查询范围"),
    ("GET", f"/supervision/alerts/{10**19}/history", 400, "“督办事项编号”"),
    ("POST", f"/admin/users/{10**19}/reset", 400, "“用户编号”"),
])
def test_errors_are_chinese_pages_with_security_headers(web_env, method, url, status, words):
    """Old code: 404/405/422 answered {"detail": …} in English, a 20-digit id was a 500 (integer overflow)."""
    c = web_env.clients["admin"]
    r = c.get(url) if method == "GET" else c.post(url, data={"csrf_token": csrf_of(c)})
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html") and words in r.text and '"detail"' not in r.text
    assert all(h in r.headers for h in SECURITY), set(SECURITY) - set(r.headers)
    assert "strict-transport-security" not in r.headers  # plain HTTP


def test_internal_error_page_and_hsts_over_https(web_env, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    monkeypatch.setattr(web_env.app.state.hub, "as_of", broken)
    c = TestClient(web_env.app, raise_server_exceptions=False, base_url="https://testserver",
                   cookies={auth.COOKIE: web_env.clients["analyst"].cookies.get(auth.COOKIE)})
    r = c.get(f"/targets?court={COURT}")
    assert r.status_code == 500 and "系统内部错误" in r.text and "boom" not in r.text
    assert all(h in r.headers for h in SECURITY)
    assert TestClient(web_env.app, base_url="https://testserver").get("/login").headers[
        "strict-transport-security"] == "max-age=31536000"


# ── scope ──────────────────────────────────────────────────────────────────────────────────────────────
def test_judge_gets_only_own_figures_from_the_court_chart(web_env):
    """Old code: /api/chart/courts gave a judge the whole court's 结案率."""
    hub = web_env.app.state.hub
    s, e = date(2025, 1, 1), date(2025, 11, 20)
    own = {r["indicator"]: r["value"] for r in hub.indicators(s, e, {"court_code": COURT, "judge_id": web_env.judge})}
    court = {r["indicator"]: r["value"] for r in hub.indicators(s, e, {"court_code": COURT})}
    assert own["closure_rate"] != court["closure_rate"]
    opt = web_env.clients["judge"].get(f"/api/chart/courts?{P}").json()
    assert len(opt["xAxis"]["data"]) == 1
    bars = {x["name"]: [p["value"] for p in x["data"]] for x in opt["series"]}  # points are items (web/charts)
    assert bars["结案率"] == [round(own["closure_rate"] * 100, 2)]
    assert bars["法定审限内结案率"] == [round(own["on_time_rate"] * 100, 2)]


def test_division_head_gets_only_the_division_on_the_targets_page_and_chart(web_env):
    """Old code: the forecast chart and the 年末测算 table were the whole court's."""
    hub = web_env.app.state.hub
    as_of = hub.as_of()
    div = {"court_code": COURT, "division": web_env.division}
    c = web_env.clients["division_head"]
    opt = c.get(f"/api/chart/forecast?court={COURT}").json()
    series = {x["name"]: x["data"] for x in opt["series"]}
    expected = {int(r["month"][5:]): r["new_cases"] for r in hub.trend(date(as_of.year, 1, 1), as_of, div)}
    assert series["新收（实际）"] == [expected.get(m) for m in range(1, 13)]
    assert all(v is None for v in series["新收（预测）"] + series["结案（预测）"])
    page = c.get(f"/targets?court={COURT}").text
    assert 'id="forecast"' not in page and 'id="target-progress"' not in page
    def divisions(html: str) -> list[str]:
        return re.findall(r"（冀\d+-[^）]+）</td><td>([^<]*)</td>", html.split('id="closings-needed"')[1])

    full = web_env.clients["president"].get(f"/targets?court={COURT}").text
    assert 'id="forecast"' in full
    assert set(divisions(page)) == {web_env.division} and len(set(divisions(full))) > 1


def test_president_never_sees_another_courts_judge_names(web_env):
    """Old code: /indicators?judge=<another court's judge> printed that judge's name in the heading."""
    judges = web_env.app.state.hub.roster()["judges"]
    jid, (_, _, name) = next((j, v) for j, v in sorted(judges.items()) if v[0] == OTHER_COURT and v[2])
    for url in (f"/indicators?judge={jid}&{P}", f"/cases?indicator=closed&judge={jid}&{P}",
                f"/api/chart/trend?judge={jid}&{P}"):
        r = web_env.clients["president"].get(url)
        assert r.status_code == 403 and name not in r.text, url


def test_court_names_come_from_the_registry(web_env, tmp_path):
    """Every imported row of 冀0123 says 冒名法院: the tables still say 正定县人民法院 (法〔2015〕137号)."""
    import pyarrow as pa

    from zhixiao.store.cases import CaseStore

    app, d = isolated_app(web_env, tmp_path)
    store = CaseStore(d)
    with store.transaction() as tx:
        for part in store.partitions("cases"):
            t = tx.current("cases", part)
            if t is None or COURT not in set(t["court_code"].to_pylist()):
                continue
            names = ["冒名法院" if c == COURT else n for c, n in zip(t["court_code"].to_pylist(),
                                                                 t["court_name"].to_pylist(), strict=True)]
            i = t.schema.get_field_index("court_name")
            tx.replace_partition("cases", part, t.set_column(i, "court_name", pa.array(names, pa.string())))
    c = TestClient(app)
    assert login(c, "analyst").status_code == 303
    page = c.get(f"/?{P}").text
    assert "正定县人民法院" in page and "冒名法院" not in page
    assert "冒名法院" not in c.get(f"/indicators?{P}").text
    cases = c.get(f"/cases?indicator=closed&court={COURT}&{P}").text
    assert "正定县人民法院" in cases and "冒名法院" not in cases
