"""Every route × every role → allowed (expected status) or denied (403), enforced on the server.

Includes a judge asking for another judge's cases by URL and a 庭长 asking for another division.
"""

from __future__ import annotations

import pytest

from tests.web.conftest import COURT, OTHER_COURT, ROLES

ALL = set(ROLES)
CITY = {"admin", "analyst"}
COURT_WIDE = CITY | {"president"}
DIVISION_UP = COURT_WIDE | {"division_head"}
P = "start=2025-01-01&end=2025-11-20"


def routes(env) -> list[tuple]:
    """(method, url, roles allowed, status when allowed[, form fields])."""
    j, peer, stranger = env.judge, env.peer, env.stranger
    div, odiv = env.division, env.other_division
    return [
        ("GET", f"/?{P}", ALL, 200),
        ("GET", f"/?court={COURT}&{P}", ALL, 200),
        ("GET", f"/?court={OTHER_COURT}&{P}", CITY, 200),
        ("GET", f"/overview/weak?court={COURT}&{P}", COURT_WIDE, 200),
        ("GET", f"/api/chart/trend?{P}", ALL, 200),
        ("GET", f"/api/chart/trend?court={OTHER_COURT}&{P}", CITY, 200),
        ("GET", f"/api/chart/trend?court={COURT}&division={odiv}&{P}", COURT_WIDE, 200),
        ("GET", f"/api/chart/courts?{P}", ALL, 200),
        ("GET", f"/indicators?{P}", ALL, 200),
        ("GET", f"/indicators?court={COURT}&division={div}&{P}", ALL, 200),
        ("GET", f"/indicators?court={COURT}&division={odiv}&{P}", COURT_WIDE, 200),
        ("GET", f"/indicators?court={OTHER_COURT}&{P}", CITY, 200),
        ("GET", f"/cases?indicator=closed&court={COURT}&judge={j}&{P}", ALL, 200),
        ("GET", f"/cases?indicator=closed&court={COURT}&judge={peer}&{P}", DIVISION_UP, 200),
        ("GET", f"/cases?indicator=closed&court={COURT}&judge={stranger}&{P}", COURT_WIDE, 200),
        ("GET", f"/cases?indicator=closed&court={COURT}&division={odiv}&{P}", COURT_WIDE, 200),
        ("GET", f"/cases?indicator=closed&court={OTHER_COURT}&{P}", CITY, 200),
        ("GET", f"/cases.csv?indicator=closed&court={COURT}&judge={peer}&{P}", DIVISION_UP, 200),
        ("GET", f"/cases.csv?indicator=closed&court={COURT}&division={odiv}&{P}", COURT_WIDE, 200),
        ("GET", "/supervision", ALL, 200),
        ("GET", "/supervision/ledger/long", ALL, 200),
        ("GET", "/supervision/ledger/four", ALL, 200),
        ("GET", "/supervision/ledger/due", ALL, 200),
        ("GET", f"/supervision/alerts/{env.alert_own}/history", ALL, 200),
        ("GET", f"/supervision/alerts/{env.alert_other_division}/history", COURT_WIDE, 200),
        ("GET", f"/targets?court={COURT}", DIVISION_UP, 200),
        ("GET", f"/targets?court={OTHER_COURT}", CITY, 200),
        ("GET", f"/api/chart/forecast?court={COURT}", DIVISION_UP, 200),
        ("GET", f"/reports?court={COURT}", COURT_WIDE, 200),
        ("GET", f"/reports?court={OTHER_COURT}", CITY, 200),
        ("GET", f"/reports/download?court={COURT}&start=2025-01-01&end=2025-11-20&fmt=docx", COURT_WIDE, 404),
        ("GET", "/imports", CITY, 200),
        ("GET", "/admin", {"admin"}, 200),
        ("POST", "/imports/validate", CITY, 400),  # no file chosen: refused with a message
        ("POST", "/imports/confirm", CITY, 400),  # no batch
        ("POST", "/reports/generate", COURT_WIDE, 400, {"court": COURT, "start": "本月"}),
        ("POST", "/admin/users", {"admin"}, 400),  # no role
        ("POST", "/admin/users/9999/reset", {"admin"}, 400),
        ("POST", "/admin/users/9999/toggle", {"admin"}, 400),
        ("POST", "/admin/calendar", {"admin"}, 200),
        ("POST", "/admin/rules", {"admin"}, 200),
        ("POST", "/admin/ranges", {"admin"}, 400),  # an empty form: refused with a message
        ("POST", "/admin/users/1/toggle", {"admin"}, 400),  # admin may not disable themself (id 1)
        ("POST", f"/supervision/alerts/{env.alert_other_division}/resolve", set(), 0),  # see test below
    ]


@pytest.mark.parametrize("role", ROLES)
def test_matrix(web_env, role):
    from tests.web.conftest import csrf_of

    c = web_env.clients[role]
    token = csrf_of(c)
    wrong = []
    for method, url, allowed, ok_status, *form in routes(web_env):
        if not allowed and method == "POST":
            continue
        if method == "GET":
            r = c.get(url, follow_redirects=False)
        else:
            data = {"csrf_token": token, "text": "", **(form[0] if form else {})}
            r = c.post(url, data=data, follow_redirects=False)
        expected = ok_status if role in allowed else 403
        if r.status_code != expected:
            wrong.append((method, url, r.status_code, expected))
    assert not wrong, f"{role}: {wrong}"


def test_alert_actions_outside_scope_are_refused(web_env):
    """A 庭长 or judge cannot 签收/办结 another division's alert by posting its id; it stays open."""
    from tests.web.conftest import csrf_of
    from zhixiao.supervision.models import Alert

    for role in ("division_head", "judge"):
        c = web_env.clients[role]
        for action in ("acknowledge", "resolve"):
            r = c.post(f"/supervision/alerts/{web_env.alert_other_division}/{action}",
                       data={"csrf_token": csrf_of(c), "note": "越权"})
            assert r.status_code == 403
    with web_env.app.state.Session() as s:
        assert s.get(Alert, web_env.alert_other_division).status == "open"


def test_anonymous_is_sent_to_login(web_env):
    from fastapi.testclient import TestClient

    anon = TestClient(web_env.app)
    for method, url, *_ in routes(web_env):
        r = anon.get(url, follow_redirects=False) if method == "GET" else anon.post(url, follow_redirects=False)
        if url.startswith("/api/"):
            assert r.status_code == 401, url
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), url


def test_judge_sees_exactly_own_cases(web_env):
    """The judge's 结案 list (no judge in the URL) = the store's cases of that judge closed in the period,
    less the court-classic exclusions (诉前调确, 诉前调书, 执保, 执恢, 民诉前调), counted here by hand."""
    import re
    from datetime import date

    from zhixiao.store.cases import CaseStore

    df = CaseStore(web_env.data_dir).read("cases").to_pandas()
    df = df[df.closing_date.notna() & (df.judge_id == web_env.judge)]
    closed = df.closing_date.map(lambda d: date(2025, 1, 1) <= d <= date(2025, 11, 20))
    excluded = df.type_code.isin(["诉前调确", "诉前调书", "执保", "执恢", "民诉前调"])
    expected = set(df[closed & ~excluded].case_id)
    r = web_env.clients["judge"].get(f"/cases?indicator=closed&{P}")
    assert r.status_code == 200
    shown = set(re.findall(r"<tr><td>(\([^<]+)</td>", r.text))
    assert int(re.search(r'id="case-total">(\d+)<', r.text).group(1)) == len(expected)
    assert shown == expected and expected
