"""Issue 18 §2: the litigation services as pages — 12368 tickets, 满意度/差评督办, 司法建议, 信访积案, 分案建议,
人员考核 — through the same service functions as the CLI (changes land in svc_change), with role checks: a judge
sees and answers only his own tickets, a 庭长 his division's, a court's roles only their court."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.web.conftest import COURT, OTHER_COURT, login
from tests.web.helpers import isolated_app
from zhixiao.services.models import HotlineTicket, Petition, ServiceChange, Suggestion
from zhixiao.store.cases import CaseStore


@pytest.fixture(scope="module")
def svc(web_env, tmp_path_factory):
    """A writable copy of the web store with one logged-in client per role, and a case of each judge."""
    app, d = isolated_app(web_env, tmp_path_factory.mktemp("svc"))
    clients = {}
    for role in ("admin", "analyst", "president", "division_head", "judge"):
        c = TestClient(app)
        assert login(c, role).status_code == 303
        clients[role] = c
    cases = CaseStore(d).read("cases", columns=["case_id", "court_code", "judge_id", "judge_name", "division"]).to_pandas()

    def case_of(judge: str) -> dict:
        return cases[(cases.judge_id == judge) & (cases.court_code == COURT)].sort_values("case_id").iloc[0].to_dict()

    return {"app": app, "c": clients, "own": case_of(web_env.judge), "peer": case_of(web_env.peer),
            "stranger": case_of(web_env.stranger)}


def token(client: TestClient, page: str = "/services/hotline") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text).group(1)


def post(client: TestClient, url: str, **data):
    return client.post(url, data={"csrf_token": token(client), **data})


def _changes(app, register: str, key: str) -> list[ServiceChange]:
    with app.state.Session() as s:
        return list(s.scalars(select(ServiceChange).where(ServiceChange.register == register,
                                                          ServiceChange.record_key == key)))


def test_tickets_entered_answered_and_corrected_within_scope(web_env, svc):
    c, app = svc["c"], svc["app"]
    for no, case in (("T-OWN", svc["own"]), ("T-PEER", svc["peer"]), ("T-STRANGER", svc["stranger"])):
        r = post(c["analyst"], "/services/hotline", court=COURT, ticket_no=no, category="联系法官",
                 received_at="2025-11-17 09:00", case_number=case["case_id"], caller_name="张某")
        assert r.status_code == 200 and f"工单 {no} 已登记，承办：{case['judge_name']}" in r.text, r.text[-600:]
    with app.state.Session() as s:
        t = s.scalar(select(HotlineTicket).where(HotlineTicket.ticket_no == "T-OWN"))
        assert (t.assignee_id, t.division) == (web_env.judge, svc["own"]["division"])
    # the same number again is refused, without advice to use a command line
    r = post(c["analyst"], "/services/hotline", court=COURT, ticket_no="T-OWN", category="联系法官")
    assert r.status_code == 400 and "已有工单编号“T-OWN”" in r.text and "zhixiao" not in r.text

    judge_list = c["judge"].get("/services/hotline").text
    assert "T-OWN" in judge_list and "T-PEER" not in judge_list and "T-STRANGER" not in judge_list
    head_list = c["division_head"].get("/services/hotline").text
    assert "T-OWN" in head_list and "T-PEER" in head_list and "T-STRANGER" not in head_list

    # a judge answers his own ticket, not another's; nobody without hotline.edit enters a ticket
    r = post(c["judge"], "/services/hotline/respond", ticket_no="T-STRANGER", result="已答复")
    assert r.status_code == 403
    r = post(c["judge"], "/services/hotline", court=COURT, ticket_no="T-J", category="诉讼咨询")
    assert r.status_code == 403
    r = post(c["judge"], "/services/hotline/respond", ticket_no="T-OWN", result="已电话联系当事人",
             responded_at="2025-11-18 10:00", contacted="是")
    assert r.status_code == 200 and "工单 T-OWN 已回复（按时" in r.text
    (ch,) = _changes(app, "hotline_ticket", "T-OWN")
    assert (ch.user, ch.action) == ("judge", "respond")
    assert json.loads(ch.changes)["result"] == [None, "已电话联系当事人"]

    r = post(c["analyst"], "/services/hotline/update", ticket_no="T-OWN", category="案件查询", note="类别登记错")
    assert r.status_code == 200 and "已修改 2 项" in r.text  # 类别, and the due date it decides
    hist = c["analyst"].get("/services/history", params={"register": "hotline_ticket", "key": "T-OWN"})
    assert "类别：联系法官 → 案件查询" in hist.text and "类别登记错" in hist.text and "登记回复" in hist.text
    assert c["judge"].get("/services/history", params={"register": "hotline_ticket", "key": "T-STRANGER"}).status_code == 403

    # a court's president enters tickets for his court only; a form without its CSRF token is refused
    r = post(c["president"], "/services/hotline", court=OTHER_COURT, ticket_no="T-OTHER", category="诉讼咨询")
    assert r.status_code == 403
    r = c["analyst"].post("/services/hotline", data={"court": COURT, "ticket_no": "T-X", "category": "诉讼咨询"})
    assert r.status_code == 403 and "CSRF" in r.text


def test_ticket_list_filtered_paged_and_exported(svc):
    """The ticket list is a shared table: the filter narrows it, the .xlsx holds exactly the rows shown, with the
    court's registry name; a 庭长 exports his division's tickets only."""
    c = svc["c"]
    r = c["analyst"].get("/services/hotline", params={"answered": "true", "q": "T-PEER", "export": "xlsx"})
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("法院", "工单编号", "类别") and len(rows) == 2
    assert rows[1][:3] == ("正定县人民法院", "T-PEER", "联系法官")  # 冀0123 in the 代字表
    r = c["division_head"].get("/services/hotline", params={"answered": "true", "export": "xlsx"})
    numbers = {row[1] for row in list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))[1:]}
    assert numbers == {"T-OWN", "T-PEER"}
    page = c["analyst"].get("/services/hotline", params={"answered": "true", "size": "20"}).text
    assert "共 <b>3</b> 条" in page


def test_negative_rating_opens_a_followup_the_division_head_resolves(web_env, svc):
    c = svc["c"]
    r = post(c["analyst"], "/services/satisfaction", court=COURT, item="立案", score="1", rated_on="2025-11-10",
             rating_no="R-1", staff_id=web_env.peer, staff_name="乙", comment="等候太久")
    assert r.status_code == 200 and "差评已转督办" in r.text
    fid = int(re.search(r'data-followup="(\d+)"', c["division_head"].get("/services/satisfaction").text).group(1))
    assert f'data-followup="{fid}"' not in c["judge"].get("/services/satisfaction").text  # about the peer, not him
    r = post(c["judge"], "/services/satisfaction/resolve", followup_id=str(fid), resolution="已回访")
    assert r.status_code == 403  # judges hold no followup.resolve
    r = post(c["division_head"], "/services/satisfaction/resolve", followup_id=str(fid), resolution="已回访道歉",
             resolved_on="2025-11-12")
    assert r.status_code == 200 and f"差评督办 {fid} 已办结" in r.text
    r = post(c["division_head"], "/services/satisfaction/resolve", followup_id=str(fid), resolution="再办一次")
    assert r.status_code == 400 and "不能重复办结" in r.text


def test_suggestion_register_follows_its_signatures(svc):
    c, app = svc["c"], svc["app"]
    r = post(c["analyst"], "/services/suggestions", court=COURT, addressee="某区住建局", issue="商品房预售资金监管不到位",
             proposal="加强监管", drafted_on="2025-10-09")
    assert r.status_code == 200, r.text[-500:]
    number = re.search(r"已起草司法建议 (\S+)，", r.text).group(1)
    # the analyst drafts but neither reviews nor signs; 核稿 by the 庭长, 签发 by the president
    assert post(c["analyst"], "/services/suggestions/approve", number=number).status_code == 403
    r = post(c["division_head"], "/services/suggestions/approve", number=number, on="2025-10-10")
    assert r.status_code == 403  # a 庭长 sees suggestions about his division's cases only; this one has none
    r = post(c["president"], "/services/suggestions/approve", number=number, on="2025-10-10", opinion="同意")
    assert r.status_code == 200 and f"{number} 已核稿（部门负责人：president）" in r.text
    r = post(c["president"], "/services/suggestions/approve", number=number, role="院长", on="2025-10-11")
    assert r.status_code == 200 and "已签发" in r.text
    r = post(c["analyst"], "/services/suggestions/update", number=number, issue="改正文")
    assert r.status_code == 400 and "正文不能再改" in r.text
    for step, extra, words in (("send", {"on": "2025-10-12"}, "答复期限 2025-12-12"),
                               ("reply", {"on": "2025-11-20", "adopted": "是", "summary": "已整改"}, "已登记回复（采纳）"),
                               ("archive", {"on": "2025-11-21"}, "已归档")):
        r = post(c["analyst"], "/services/suggestions/step", number=number, step=step, **extra)
        assert r.status_code == 200 and words in r.text, (step, r.text[-400:])
    r = post(c["analyst"], "/services/suggestions/update", number=number, reply_summary="已整改并建章立制", note="补充")
    assert r.status_code == 200
    with app.state.Session() as s:
        x = s.scalar(select(Suggestion).where(Suggestion.number == number))
        assert (x.status, x.adopted, x.reply_summary) == ("archived", True, "已整改并建章立制")
    (ch,) = _changes(app, "suggestion", number)
    assert ch.user == "analyst" and json.loads(ch.changes) == {"reply_summary": ["已整改", "已整改并建章立制"]}


def test_suggestion_numbers_sort_by_sequence(svc):
    c = svc["c"]["analyst"]
    for i in range(10):
        assert post(c, "/services/suggestions", court=OTHER_COURT, addressee=f"单位{i}", issue="问题",
                    drafted_on="2025-06-01").status_code == 200
    page = c.get("/services/suggestions", params={"q": OTHER_COURT}).text
    numbers = re.findall(r'data-number="([^"]+)"', page)
    assert [int(re.search(r"(\d+)号$", n).group(1)) for n in numbers] == list(range(1, 11))


def test_petitions_entered_once_and_updated_with_history(svc):
    c, app = svc["c"], svc["app"]
    r = post(c["analyst"], "/services/petitions", court=OTHER_COURT, petitioner="王某", owner="李院长",
             received_on="2025-03-01", summary="要求再审")
    assert r.status_code == 200
    with app.state.Session() as s:
        pid = s.scalar(select(Petition.id).where(Petition.petitioner == "王某"))
    r = post(c["analyst"], "/services/petitions", court=OTHER_COURT, petitioner="王某", owner="李院长")
    assert r.status_code == 400 and "未重复登记" in r.text and "zhixiao" not in r.text
    # the president of 冀0123 does not touch 冀0105's backlog
    r = post(c["president"], "/services/petitions/update", petition_id=str(pid), status="已化解", on="2025-11-01")
    assert r.status_code == 403
    r = post(c["analyst"], "/services/petitions/update", petition_id=str(pid), status="已化解", on="2025-11-01",
             note="息诉罢访")
    assert r.status_code == 200
    hist = c["analyst"].get("/services/history", params={"register": "petition", "key": str(pid)}).text
    assert "状态：在办 → 已化解" in hist and "化解日期：（空） → 2025-11-01" in hist
    assert c["president"].get("/services/history", params={"register": "petition", "key": str(pid)}).status_code == 403


def test_routing_and_assessment_pages(web_env, svc):
    c = svc["c"]
    r = c["analyst"].get("/services/routing", params={"case": svc["own"]["case_id"]})
    assert r.status_code == 200 and 'id="routing-decision"' in r.text and "在办" in r.text
    assert c["judge"].get("/services/routing").status_code == 403
    r = c["president"].get("/services/assess", params={"quarter": "2025Q3"})
    assert r.status_code == 200 and 'id="assessment"' in r.text and "得满分" in r.text
    assert c["president"].get("/services/assess", params={"quarter": "2025Q3", "court": OTHER_COURT}).status_code == 200
    r = c["analyst"].get("/services/assess", params={"quarter": "2025-3"})
    assert r.status_code == 400 and "2026Q3" in r.text
    assert c["division_head"].get("/services/assess").status_code == 403


def test_ledgers_page_scoped(web_env, svc):
    c = svc["c"]
    city = c["analyst"].get("/services/ledgers")
    assert city.status_code == 200 and 'id="petitions"' in city.text and 'id="petition-form"' in city.text
    ms = c["analyst"].get("/services/ledgers", params={"part": "minsheng"})
    assert ms.status_code == 200 and 'id="minsheng"' in ms.text and "受理" in ms.text
    hard = c["analyst"].get("/services/ledgers", params={"part": "enforcement"})
    assert hard.status_code == 200 and 'id="hard"' in hard.text and "终本候选" in hard.text
    mine = c["judge"].get("/services/ledgers")
    assert mine.status_code == 200 and 'id="petition-form"' not in mine.text
    for part in ("minsheng", "enforcement"):  # a judge's ledgers list his own cases only
        page = c["judge"].get("/services/ledgers", params={"part": part}).text
        assert web_env.stranger not in page and web_env.peer not in page
    assert c["analyst"].get("/services/ledgers", params={"part": "x"}).status_code == 400


PAGES = {"/services/hotline": "services.view", "/services/satisfaction": "services.view",
         "/services/suggestions": "services.view", "/services/ledgers": "services.view",
         "/services/ledgers?part=minsheng": "services.view", "/services/ledgers?part=enforcement": "services.view",
         "/services/routing": "routing.view", "/services/assess": "assess.view", "/roster": "roster.import",
         "/targets": "targets.view"}


def test_every_page_opens_for_the_roles_that_hold_its_permission(svc):
    from zhixiao.web.roles import roles

    for role, client in svc["c"].items():
        for path, perm in PAGES.items():
            r = client.get(path)
            assert r.status_code == (200 if perm in roles()[role].permissions else 403), (role, path, r.text[-300:])
            assert "Traceback" not in r.text and "{{" not in r.text


def test_service_sentences_reach_the_page_as_they_are(svc):
    """The services' refusals name no command (tests/services/test_neutral_messages.py), so a page shows them
    word for word: no rewriting of a sentence on its way to the browser."""
    c = svc["c"]["analyst"]
    first = post(c, "/services/hotline", court=COURT, ticket_no="T-MSG", category="诉讼咨询", received_at="2025-11-20 09:30")
    assert first.status_code == 200, first.text[-600:]
    r = post(c, "/services/hotline", court=COURT, ticket_no="T-MSG", category="诉讼咨询")
    assert r.status_code == 400
    assert ("12368 工单登记簿中已有工单编号“T-MSG”（冀0123，受理于 2025-11-20 09:30），未重复登记；"
            "如需修改，请修改已登记的工单 T-MSG。") in r.text
    r = post(c, "/services/petitions", court=COURT, petitioner="赵某", owner=" ")
    assert r.status_code == 400 and "信访积案必须明确包案责任人。" in r.text
    r = post(c, "/services/suggestions", court=COURT, addressee="", issue="登记衔接不畅")
    assert r.status_code == 400 and "司法建议必须写明主送单位。" in r.text
    r = post(c, "/services/hotline/update", ticket_no="T-MSG")
    assert r.status_code == 400 and "工单 T-MSG 没有给出要修改的内容：请至少写一项，如类别、来电人、案号或办理结果。" in r.text
    assert "本页相应表单" not in r.text and "zhixiao" not in r.text


def test_web_audit_log_names_each_change(svc):
    with svc["app"].state.Session() as s:
        from zhixiao.web.models import AuditLog

        actions = {a for (a,) in s.execute(select(AuditLog.action))}
    assert {"hotline_add", "hotline_respond", "hotline_update", "suggestion_new", "petition_add"} <= actions
