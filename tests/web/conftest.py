"""One small demo city (scale 0.02) for all web tests, with the 审限 ledger run, a planted <script> 案由,
five accounts with known passwords and one logged-in TestClient per role (the app's cache is shared)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from fastapi.testclient import TestClient

from zhixiao.config import Settings
from zhixiao.store.cases import CaseStore

AS_OF = date(2025, 11, 20)
COURT = "冀0123"
OTHER_COURT = "冀0105"
PASSWORD = "correct-horse-battery"
XSS = "<script>alert('xss')</script>买卖合同纠纷"
ROLES = ("admin", "analyst", "president", "division_head", "judge")


@dataclass
class WebEnv:
    settings: Settings
    data_dir: Path
    division: str  # the 庭长's division
    other_division: str
    judge: str  # the logged-in judge
    peer: str  # another judge of the same division
    stranger: str  # a judge of another division
    xss_case: str
    alert_other_division: int
    alert_own: int  # an open alert of the logged-in judge
    app: object = None
    clients: dict = field(default_factory=dict)


def login(client: TestClient, username: str, password: str = PASSWORD):
    r = client.get("/login")
    tok = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": tok, "next": "/"},
                       follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    r = client.get("/supervision")
    return re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)


def _plant_xss(data_dir: Path, judge: str) -> str:
    """Give one of ``judge``'s 2025 closed cases a 案由 that is a script tag (the escaping test)."""
    store = CaseStore(data_dir)
    with store.transaction() as tx:
        t = tx.current("cases", (COURT, 2025))
        mask = pc.and_(pc.equal(t["judge_id"], judge), pc.is_valid(t["closing_date"]))
        idx = pc.indices_nonzero(mask)[0].as_py()
        causes = t["cause"].to_pylist()
        causes[idx] = XSS
        t = t.set_column(t.schema.get_field_index("cause"), "cause", pa.array(causes, pa.string()))
        tx.replace_partition("cases", (COURT, 2025), t)
        return t["case_id"][idx].as_py()


@pytest.fixture(scope="session")
def web_env(tmp_path_factory) -> WebEnv:
    from sqlalchemy import select

    from zhixiao.demo.generate import build_city
    from zhixiao.supervision.ledger import run_daily
    from zhixiao.supervision.models import Alert
    from zhixiao.web import auth
    from zhixiao.web.app import create_app

    d = tmp_path_factory.mktemp("web")
    build_city(d, AS_OF, seed=11, scale=0.02, progress=False)
    settings = Settings(data_dir=d)
    cases = CaseStore(d).read("cases").to_pandas()
    c = cases[(cases.court_code == COURT) & cases.judge_id.notna() & cases.division.notna()]
    per = c.groupby(["division", "judge_id"]).size().reset_index(name="n")
    per = per.sort_values(["n", "judge_id"], ascending=[False, True])
    home = per.drop_duplicates("judge_id")  # a judge's main division
    divs = home.groupby("division").size()
    division = sorted(divs[divs >= 2].index)[0]
    judges = sorted(home[home.division == division].judge_id)
    other_division = sorted(x for x in home.division.unique() if x != division)[0]
    stranger = sorted(home[home.division == other_division].judge_id)[0]
    judge, peer = judges[0], judges[1]
    xss_case = _plant_xss(d, judge)
    run_daily(settings, AS_OF)
    app = create_app(settings)
    with app.state.Session() as s:
        alerts = list(s.scalars(select(Alert).where(Alert.court_code == COURT, Alert.status == "open")))
    assert len(alerts) >= 2, "the demo city should raise 审限 alerts at 冀0123"
    other = next((a.id for a in alerts if a.division == other_division and a.judge_id == stranger), None)
    own = next((a.id for a in alerts if a.judge_id == judge and a.division == division), None)
    with app.state.Session() as s, s.begin():  # at this small scale a role may have no alert: assign one
        for aid, (div, jid) in ((other, (other_division, stranger)), (own, (division, judge))):
            if aid is None:
                a = next(x for x in alerts if x.id not in (other, own))
                a = s.get(Alert, a.id)
                a.division, a.judge_id = div, jid
                other, own = (a.id, own) if jid == stranger else (other, a.id)
    env = WebEnv(settings, d, division, other_division, judge, peer, stranger, xss_case, other, own, app)
    specs = {"admin": {}, "analyst": {}, "president": {"court_code": COURT},
             "division_head": {"court_code": COURT, "division": division},
             "judge": {"court_code": COURT, "division": division, "judge_id": judge}}
    with app.state.Session() as s, s.begin():
        for role, kw in specs.items():
            auth.create_user(s, role, PASSWORD, role, role, **kw)
    for role in ROLES:
        cl = TestClient(app, base_url="http://testserver")
        assert login(cl, role).status_code == 303
        env.clients[role] = cl
    return env
