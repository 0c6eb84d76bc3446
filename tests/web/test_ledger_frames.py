"""审限台账 and the 审限监控 cards read the city's ledgers as frames cut to the user's scope (``DataHub.ledger_frame``,
``ledger_counts``): the same rows, in the same order, and the same counts as filtering the kept lists row by row."""

from __future__ import annotations

from tests.web.conftest import COURT
from zhixiao.web.data import filter_rows


def test_frames_and_counts_equal_the_lists_cut_by_scope(web_env):
    hub = web_env.app.state.hub
    led = hub.ledgers()
    court = COURT
    scopes = [{}, {"court_code": court}, {"court_code": court, "division": web_env.division},
              {"court_code": court, "judge_id": "no-such-judge"}]
    seen = 0
    for f in scopes:
        for kind in ("due", "long", "four", "provisional"):
            want = [r["case_id"] for r in filter_rows(led[kind], f)]
            df = hub.ledger_frame(kind, f)
            assert (list(df["case_id"]) if not df.empty else []) == want, (kind, f)
            seen += len(want)
        c = hub.ledger_counts(f)
        due = filter_rows(led["due"], f)
        assert c["overdue"] == sum(r["status"] == "超审限" for r in due)
        assert c["near"] == sum(r["status"] == "临近" for r in due)
        assert c["tiers"] == {t: sum(r["tier"] == t for r in filter_rows(led["long"], f)) for t in led["tiers"]}
        assert (c["four"], c["provisional"]) == (len(filter_rows(led["four"], f)),
                                                  len(filter_rows(led["provisional"], f)))
    assert seen > 0 and hub.ledger_counts({})["overdue"] > 0  # the demo data has overdue cases to compare
    names = hub.ledger_frame("due", {"court_code": court})["court_name"]
    assert set(names) == {hub.roster()["courts"][court]}  # 法院 by the registry's name


def test_ledger_page_lists_the_scope_rows(web_env):
    hub = web_env.app.state.hub
    cl = web_env.clients["analyst"]
    r = cl.get("/supervision/ledger/due?size=200")
    assert r.status_code == 200
    first = [x["case_id"] for x in hub.ledgers()["due"][:3]]
    assert first and all(cid in r.text for cid in first)
