"""Every service register refuses a key it already holds, and a stored record changes only through its
update verb, which records who changed what (issue 13 §6 "no silent data loss").

Before this, ``hotline add`` and ``hotline import`` overwrote a stored ticket (case, phone, response and
score lost; the ticket moved court), ``hotline respond`` overwrote a response, the same 信访人 and case
could be entered twice, and a 司法建议 number held twice failed with a database traceback.
"""

import json
import sys
from datetime import date, datetime

import pyarrow as pa
import pytest
from sqlalchemy import update

from zhixiao import cli
from zhixiao.errors import UserError
from zhixiao.services import hotline as hl
from zhixiao.services import ledgers as L
from zhixiao.services import satisfaction as sat
from zhixiao.services import suggestions as sg
from zhixiao.services.audit import history, history_rows
from zhixiao.services.common import case_index
from zhixiao.services.models import HotlineTicket, Petition, Rating, SuggestionCounter
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

COURT = "冀0123"
OTHER = "冀0102"
HEAD = "工单编号,类别,来电人,来电号码,案号,受理时间,回复时间,满意度\n"


@pytest.fixture()
def cases(tmp_path):
    with CaseStore(tmp_path / "data").transaction() as tx:
        tx.write("cases", pa.table({
            "case_id": ["(2026)冀0123民初7号", "(2026)冀0123执15号"], "court_code": [COURT] * 2, "year": [2026] * 2,
            "judge_id": ["J1", "J2"], "judge_name": ["张某", "李某"], "division": ["民一庭", "执行局"],
            "filing_date": [date(2026, 3, 1)] * 2}))
    return case_index(tmp_path / "data")


def _ticket(s, cases, **kw):
    args = {"court_code": COURT, "ticket_no": "T1", "category": "联系法官", "received_at": "2026-09-29 10:00",
            "cases": cases, "case_number": "(2026)冀0123民初7号", "caller_phone": "13800000001"} | kw
    return hl.add_ticket(s, **args)


# ---- 12368 tickets ---------------------------------------------------------------------------------

def test_add_refuses_a_stored_ticket_number_and_keeps_the_ticket(sql_url, cases):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        _ticket(s, cases, satisfaction=5)
    with Session() as s, s.begin(), pytest.raises(UserError) as exc:
        _ticket(s, cases, court_code=OTHER, category="诉讼咨询", case_number="(2026)冀0123执15号", caller_phone="139")
    assert str(exc.value) == ("12368 工单登记簿中已有工单编号“T1”（冀0123，受理于 2026-09-29 10:00），未重复登记；"
                              "如需修改，请修改已登记的工单 T1。")
    with Session() as s:
        t = s.query(HotlineTicket).one()
        # the old code moved it to 冀0102 as a 诉讼咨询 about 执15, phone 139, and kept a stale score
        assert (t.court_code, t.category, t.case_id, t.caller_phone, t.assignee, t.satisfaction) == (
            COURT, "联系法官", "(2026)冀0123民初7号", "13800000001", "张某", 5)
        assert s.query(Rating).count() == 1  # the caller's one rating, numbered after the ticket
        assert s.query(Rating).one().rating_no == "12368-T1"


def test_cli_add_twice_exits_1_with_the_sentence(tmp_path, monkeypatch, capsys):
    d = str(tmp_path / "data")
    CaseStore(d)  # an empty store: no case check needed without --case

    def main(*args):
        monkeypatch.setattr(sys, "argv", ["zhixiao", *args])
        with pytest.raises(SystemExit) as ex:
            cli.main()
        return ex.value.code

    base = ("hotline", "add", "T9", "--category", "诉讼咨询", "--at", "2026-03-02 09:00", "--data-dir", d, "--court", COURT)
    assert main(*base, "--phone", "1") in (0, None)
    capsys.readouterr()
    assert main(*base, "--phone", "2") == 1
    err = capsys.readouterr().err.replace("\n", "")
    assert "已有工单编号“T9”（冀0123，受理于 2026-03-02 09:00）" in err and "zhixiao hotline update T9" in err


def test_import_rejects_stored_and_repeated_numbers_row_by_row(sql_url, tmp_path, cases):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        _ticket(s, cases)
    p = tmp_path / "t.csv"
    p.write_text(HEAD
                 + "T1,诉讼咨询,甲,139,,2026-10-08 09:00,,\n"          # row 2: stored → not applied
                 + "T2,诉讼咨询,乙,137,,2026-10-08 10:00,,\n"          # row 3 and row 5: identical → once
                 + "T3,诉讼咨询,丙,136,,2026-10-08 11:00,,\n"          # rows 4 and 6 differ → neither
                 + "T2,诉讼咨询,乙,137,,2026-10-08 10:00,,\n"
                 + "T3,投诉举报,丙,136,,2026-10-08 11:00,,\n"
                 + "T4,案件查询,丁,135,(2026)冀0123执15号,2026-10-08 12:00,,\n", "utf-8")
    with Session() as s, s.begin():
        r = hl.import_tickets(s, p, COURT, cases=cases)
    assert (r.imported, r.linked) == (2, 1)  # T2 and T4; T4 is linked to 执15
    assert r.rejected == [
        "第 2 行：12368 工单登记簿中已有工单编号“T1”（冀0123，受理于 2026-09-29 10:00），未重复登记；"
        "如需修改，请修改已登记的工单 T1。",
        "第 4 行：工单编号“T3”在文件第 4、6 行出现且内容不同，无法判断以哪一行为准，均未导入；请删去多余的行后重新导入这件工单。",
        "第 5 行：与第 3 行是同一工单“T2”且内容相同，只导入一次。",
        "第 6 行：工单编号“T3”在文件第 4、6 行出现且内容不同，无法判断以哪一行为准，均未导入；请删去多余的行后重新导入这件工单。",
    ]
    with Session() as s:
        got = {t.ticket_no: (t.category, t.caller_phone) for t in s.query(HotlineTicket)}
        assert got == {"T1": ("联系法官", "13800000001"), "T2": ("诉讼咨询", "137"), "T4": ("案件查询", "135")}


def test_import_with_an_invalid_row_writes_nothing(tmp_path, cases):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    p = tmp_path / "t.csv"
    p.write_text(HEAD + "N1,诉讼咨询,甲,1,,2026-10-08 09:00,,\nN1,诉讼咨询,甲,1,,2026-10-08 09:00,,\n"
                 "N2,算命,乙,2,,2026-10-08 09:00,,\n", "utf-8")
    with Session() as s, s.begin(), pytest.raises(UserError, match="第 4 行：类别“算命”不在规则中"):
        hl.import_tickets(s, p, COURT, cases=cases)
    with Session() as s:
        assert s.query(HotlineTicket).count() == 0


def test_a_second_response_is_refused(sql_url, cases):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        _ticket(s, cases)
        hl.respond(s, "T1", datetime(2026, 9, 30, 9), "已联系", contacted=True, satisfaction=4, user="小王")
    with Session() as s, s.begin(), pytest.raises(UserError, match="已于 2026-09-30 09:00 登记回复，未重复登记"):
        hl.respond(s, "T1", datetime(2026, 10, 9, 9), "未联系上", contacted=False, satisfaction=1)
    with Session() as s:
        t = s.query(HotlineTicket).one()
        assert (t.result, t.contacted, t.satisfaction) == ("已联系", True, 4)
        assert [(r.score, r.rating_no) for r in s.query(Rating)] == [(4, "12368-T1")]
        [h] = history(s, "hotline_ticket", "T1")
        assert (h.user, h.action) == ("小王", "respond")
        assert json.loads(h.changes) == {"responded_at": [None, "2026-09-30 09:00:00"], "result": [None, "已联系"],
                                         "contacted": [None, True], "satisfaction": [None, 4]}


def test_update_changes_named_fields_relinks_and_is_recorded(sql_url, cases):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        _ticket(s, cases)
    with Session() as s, s.begin():
        t, changed = hl.update_ticket(s, "T1", user="小王", cases=cases, note="来电人更正案号",
                                      case_number="（2026）冀0123执15号", category="投诉举报")
        # 投诉举报: 5 working days after Tue 9-29 → 9-30, 10-08, 10-09, 10-10 (调休 Saturday), 10-12
        assert (t.case_id, t.assignee, t.assignee_id, t.division, t.due_date, t.court_code) == (
            "(2026)冀0123执15号", "李某", "J2", "执行局", date(2026, 10, 12), COURT)
        assert set(changed) == {"category", "case_id", "assignee", "assignee_id", "division", "due_date"}
        with pytest.raises(UserError, match="内容与所给的值相同，未作修改"):
            hl.update_ticket(s, "T1", user="小王", category="投诉举报")
        with pytest.raises(UserError, match="工单“T7”不存在"):
            hl.update_ticket(s, "T7", user="小王", category="投诉举报")
        with pytest.raises(UserError, match="请写明操作人：修改记录须留痕。"):
            hl.update_ticket(s, "T1", user=" ", caller_name="甲")
    with Session() as s:
        [row] = history_rows(s, "hotline_ticket", "T1", hl.LABELS)
        assert (row["user"], row["action"], row["note"]) == ("小王", "修改", "来电人更正案号")
        assert "类别：联系法官 → 投诉举报" in row["changes"]
        assert "案号：(2026)冀0123民初7号 → (2026)冀0123执15号" in row["changes"]
        assert "办理期限：2026-10-09 → 2026-10-12" in row["changes"]


# ---- ratings -----------------------------------------------------------------------------------------

def test_rating_numbers_are_held_once(sql_url, tmp_path):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        sat.add_rating(s, court_code=COURT, item="立案", rated_on=date(2026, 9, 1), score=2, rating_no="R1",
                       staff_name="小王")
        sat.add_rating(s, court_code=OTHER, item="立案", rated_on=date(2026, 9, 1), score=5, rating_no="R1")
        with pytest.raises(UserError, match="满意度评价登记簿中已有评价编号“R1”（冀0123，评价于 2026-09-01）"):
            sat.add_rating(s, court_code=COURT, item="立案", rated_on=date(2026, 9, 2), score=5, rating_no="R1")
    p = tmp_path / "r.csv"
    p.write_text("评价编号,评价事项,评价日期,评分\nR1,立案,2026-09-03,5\nR2,立案,2026-09-03,4\nR2,立案,2026-09-03,4\n"
                 ",立案,2026-09-03,5\n", "utf-8")
    with Session() as s, s.begin():
        r = sat.import_ratings(s, p, COURT)
        assert r.imported == 2  # R2 once and the row without a number
        assert [x.split("：")[0] for x in r.rejected] == ["第 2 行", "第 4 行"]
        assert "评价编号“R2”与第 3 行相同" in r.rejected[1]
    with Session() as s, s.begin():
        assert s.query(Rating).filter_by(court_code=COURT).count() == 3
        rating, changed = sat.update_rating(s, COURT, "R1", user="小李", staff_name="小张", window="2号窗口")
        assert changed == {"staff_name": ("小王", "小张"), "window": (None, "2号窗口")}
        assert rating.follow_up.owner == "小张"  # the open 差评督办 follows the staff member rated
        with pytest.raises(TypeError):
            sat.update_rating(s, COURT, "R1", user="小李", score=5)


# ---- 司法建议 ----------------------------------------------------------------------------------------

def test_suggestion_number_held_twice_is_a_sentence_not_a_traceback(sql_url):
    Session = session_factory(sql_url)
    kw = {"court_code": COURT, "addressee": "县自然资源局", "issue": "登记衔接不畅", "drafted_by": "张某"}
    with Session() as s, s.begin():
        sg.new_suggestion(s, drafted_on=date(2026, 9, 1), **kw)
    with Session() as s, s.begin():  # as after restoring an older backup of the counter
        s.execute(update(SuggestionCounter).values(last_seq=0))
    with Session() as s, s.begin(), pytest.raises(UserError) as exc:
        sg.new_suggestion(s, drafted_on=date(2026, 9, 5), **kw)
    assert str(exc.value).startswith("司法建议登记簿中已有文号“冀0123法建〔2026〕1号”（冀0123，起草于 2026-09-01，")
    assert str(exc.value).endswith("如需修改，请修改已登记的司法建议 冀0123法建〔2026〕1号。")


def test_suggestion_update_in_draft_only_and_recorded(sql_url):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        x = sg.new_suggestion(s, court_code=COURT, addressee="县自然资源局", issue="登记衔接不畅", drafted_by="张某",
                              drafted_on=date(2026, 9, 1))
        num = x.number
    with Session() as s, s.begin():
        _x, changed = sg.update_suggestion(s, num, user="张某", issue="不动产登记与审判衔接不畅")
        assert changed == {"issue": ("登记衔接不畅", "不动产登记与审判衔接不畅")}
        sg.approve(s, num, actor="赵庭长", role="部门负责人", on=date(2026, 9, 2))
        with pytest.raises(UserError, match="当前状态为“已核稿”，发现的问题只能在“起草”时修改"):
            sg.update_suggestion(s, num, user="张某", issue="改过")
    with Session() as s:
        assert [(h.user, h.action) for h in history(s, "suggestion", num)] == [("张某", "update")]


# ---- 信访积案 -----------------------------------------------------------------------------------------

def test_petition_entered_once_per_petitioner_and_case(sql_url):
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        a = L.add_petition(s, court_code=COURT, petitioner="王某", received_on=date(2025, 1, 8), owner="刘副院长",
                           case_id="(2024)冀0123民初88号")
        L.add_petition(s, court_code=COURT, petitioner="王某", received_on=date(2025, 2, 8), owner="刘副院长",
                       case_id="(2024)冀0123民初89号")  # another case: another entry
        L.add_petition(s, court_code=COURT, petitioner="李某", received_on=date(2026, 1, 8), owner="陈庭长")
        L.update_petition(s, a.id, "息访", date(2026, 2, 1), user="刘副院长", note="已签息访协议")
        pid = a.id
    with Session() as s, s.begin(), pytest.raises(UserError) as exc:
        L.add_petition(s, court_code=COURT, petitioner="王某", received_on=date(2026, 3, 1), owner="陈庭长",
                       case_id="(2024)冀0123民初88号")
    assert str(exc.value) == (f"信访积案台账中已有王某就 (2024)冀0123民初88号 的积案（编号 {pid}）（冀0123，登记于 2025-01-08，息访），"
                              f"未重复登记；如需修改，请修改已登记的积案（编号 {pid}）。")
    with Session() as s, s.begin(), pytest.raises(UserError, match="李某（未关联案号）的积案"):
        L.add_petition(s, court_code=COURT, petitioner="李某", received_on=date(2026, 3, 1), owner="陈庭长")
    with Session() as s:
        assert s.query(Petition).count() == 3
        [row] = history_rows(s, "petition", str(pid), L.PETITION_LABELS)
        assert (row["user"], row["note"]) == ("刘副院长", "已签息访协议")
        assert row["changes"] == "状态：在办 → 息访；化解日期：（空） → 2026-02-01"


# ---- through the CLI ---------------------------------------------------------------------------------

def test_cli_import_update_history(tmp_path, cases):
    from typer.testing import CliRunner

    d = ["--data-dir", str(tmp_path / "data")]

    def run(*args):
        r = CliRunner().invoke(cli.app, [str(a) for a in args])
        return r, r.output.replace("\n", "")

    p = tmp_path / "t.csv"
    p.write_text(HEAD + "T1,联系法官,甲,138,(2026)冀0123民初7号,2026-09-29 10:00,,\n", "utf-8")
    r, out = run("hotline", "import", p, *d, "--court", COURT)
    assert r.exit_code == 0 and "已导入 1 件工单，其中 1 件关联到案件。" in out, r.output
    p.write_text(HEAD + "T1,诉讼咨询,乙,139,,2026-09-30 10:00,,\nT2,诉讼咨询,丙,137,,2026-09-30 11:00,,\n", "utf-8")
    r, out = run("hotline", "import", p, *d, "--court", COURT)
    assert r.exit_code == 0, r.output
    assert "已导入 1 件工单" in out and "另有 1 行未导入（工单已登记或在文件中重复）" in out
    assert "第 2 行：12368 工单登记簿中已有工单编号“T1”" in out
    r, out = run("hotline", "update", "T1", *d, "--phone", "13800000009", "--user", "小王", "--note", "来电人更正")
    assert r.exit_code == 0, r.output
    assert "工单 T1 已修改 1 项（已留存修改记录）：" in out and "来电号码：138 → 13800000009" in out
    r, _ = run("hotline", "history", "T1", *d, "--format", "json")
    [row] = [json.loads(x) for x in r.output.splitlines()]
    assert (row["user"], row["action"], row["changes"], row["note"]) == (
        "小王", "修改", "来电号码：138 → 13800000009", "来电人更正")
    r, _ = run("hotline", "list", *d, "--court", COURT, "--format", "json")
    assert [json.loads(x)["ticket_no"] for x in r.output.splitlines()] == ["T2", "T1"]  # T2 due 10-08, T1 10-09


def test_an_import_that_fails_while_writing_leaves_nothing(sql_url, tmp_path, cases):
    """The caller's rating of N2 would be numbered 12368-N2, a number already entered by hand: the whole
    import stops with that sentence and N1, already added in the same transaction, is not kept."""
    Session = session_factory(sql_url)
    with Session() as s, s.begin():
        sat.add_rating(s, court_code=COURT, item="12368", rated_on=date(2026, 10, 8), score=5, rating_no="12368-N2")
    p = tmp_path / "t.csv"
    p.write_text(HEAD + "N1,诉讼咨询,甲,1,,2026-10-08 09:00,2026-10-08 10:00,5\n"
                 "N2,诉讼咨询,乙,2,,2026-10-08 09:00,2026-10-08 10:00,4\n", "utf-8")
    with pytest.raises(UserError, match="已有评价编号“12368-N2”"), Session() as s, s.begin():
        hl.import_tickets(s, p, COURT, cases=cases)
    with Session() as s:
        assert (s.query(HotlineTicket).count(), s.query(Rating).count()) == (0, 1)
