"""12368 tickets: import (CSV/XLSX, Chinese headers), working-day due dates, figures, the overdue ladder."""

from datetime import date, datetime

import pyarrow as pa
import pytest
from openpyxl import Workbook

from zhixiao.errors import UserError
from zhixiao.services import hotline as hl
from zhixiao.services.alerts import overdue_items
from zhixiao.services.common import case_index, load_rules, work_calendar
from zhixiao.services.models import HotlineTicket
from zhixiao.services.satisfaction import satisfaction_stats
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

COURT = "冀0123"
HEAD = "工单编号,渠道,类别,来电人,来电号码,案号,受理时间,承办部门,回复时间,是否联系上,满意度\n"


@pytest.fixture()
def cases(tmp_path):
    store = CaseStore(tmp_path / "data")
    with store.transaction() as tx:
        tx.write("cases", pa.table({
            "case_id": ["(2026)冀0123民初7号", "(2026)冀0123执15号"], "court_code": [COURT] * 2, "year": [2026] * 2,
            "judge_id": ["J1", "J2"], "judge_name": ["张某", "李某"], "division": ["民一庭", "执行局"],
            "filing_date": [date(2026, 3, 1)] * 2}))
    return case_index(tmp_path / "data")


def test_due_dates_in_working_days_over_national_day():
    rules, cal = load_rules("hotline"), work_calendar()
    # 3 working days after 9-29: 9-30, 10-08, 10-09 (10-01..10-07 holiday)
    assert hl.due_date(datetime(2026, 9, 29, 10), "联系法官", rules, cal) == date(2026, 10, 9)
    # 5 working days after 9-30: 10-08, 10-09, 10-10 (Saturday 调休 workday), 10-12, 10-13
    assert hl.due_date(datetime(2026, 9, 30, 16), "投诉举报", rules, cal) == date(2026, 10, 13)
    assert hl.due_date(date(2026, 9, 28), "诉讼咨询", rules, cal) == date(2026, 9, 29)


def _csv(tmp_path, body, name="t.csv", enc="utf-8"):
    p = tmp_path / name
    p.write_bytes((HEAD + body).encode(enc))
    return p


def test_import_link_stats_and_ladder(sql_url, tmp_path, cases):
    Session = session_factory(sql_url)
    body = (
        "T1,电话,联系法官,王五,13800000001,（2026）冀0123民初7号,2026-09-29 10:00,,2026-10-09 15:00,是,5\n"
        "T2,电话,联系法官,王五,13800000001,(2026)冀0123民初7号,2026-09-29 16:00,,2026-10-12 09:00,否,2\n"
        "T3,电话,联系法官,王五,13800000001,(2026)冀0123民初7号,2026-09-30 09:00,,,,\n"
        "T4,网络,投诉举报,赵六,13900000002,(2026)冀0123执15号,2026-09-30 11:00,,,,\n"
        "T5,电话,诉讼咨询,孙七,13700000003,,2026-09-28 09:00,立案庭,2026-09-28 09:05,,4\n"
    )
    with Session() as s, s.begin():
        r = hl.import_tickets(s, _csv(tmp_path, body, enc="gb18030"), COURT, cases=cases)
        assert (r.imported, r.rejected, r.linked) == (5, [], 4)
    with Session() as s:
        t1 = s.query(HotlineTicket).filter_by(ticket_no="T1").one()
        # linked to the case: the case's judge and division answer it
        assert (t1.case_id, t1.assignee, t1.division, t1.due_date) == ("(2026)冀0123民初7号", "张某", "民一庭",
                                                                       date(2026, 10, 9))
        st = hl.hotline_stats(s, COURT, date(2026, 9, 1), date(2026, 9, 30), as_of=date(2026, 10, 14))
        assert st["tickets"] == 5
        assert st["by_category"] == {"联系法官": 3, "投诉举报": 1, "诉讼咨询": 1}
        assert st["by_division"] == {"民一庭": 3, "执行局": 1, "立案庭": 1}
        # on time: T1 (10-09 ≤ 10-09), T5; late: T2 (10-12 > 10-09); open and past due: T3 (10-10), T4 (10-13)
        assert (st["on_time"], st["on_time_rate"], st["overdue_open"]) == (2, 2 / 5, 2)
        # 联系法官 answered: T1 contacted, T2 not → 50 %
        assert st["contact_judge_success_rate"] == 0.5
        assert st["repeat_callers"] == [{"caller_phone": "13800000001", "case_id": "(2026)冀0123民初7号", "calls": 3}]
        assert st["complaint_hotspots"] == [{"division": "执行局", "complaints": 1}]
        assert st["satisfaction_rate"] == 2 / 3  # 5, 4 satisfied; 2 not
        # ladder: T3 received 9-30 → due 10-10 (调休 Saturday), T4 due 10-13
        lv = {i["ref"]: i["level"] for i in overdue_items(s, date(2026, 10, 9))}
        assert lv == {"T3": "remind"}  # T4: 10-12, 10-13 still two working days away
        lv = {i["ref"]: i["level"] for i in overdue_items(s, date(2026, 10, 12)) if i["kind"] == "hotline_ticket"}
        assert lv == {"T3": "supervise", "T4": "remind"}
        # T2's caller gave 2 points on 10-12: a 12368 rating with a 差评督办 due 3 working days later (10-15)
        fu = [i for i in overdue_items(s, date(2026, 10, 16)) if i["kind"] == "negative_rating"]
        assert [(i["level"], i["due"], i["assignee"]) for i in fu] == [("supervise", date(2026, 10, 15), "张某")]
        assert satisfaction_stats(s, COURT, date(2026, 9, 1), date(2026, 10, 31))["by_item"]["12368"]["ratings"] == 3
        item = [i for i in overdue_items(s, date(2026, 10, 16)) if i["ref"] == "T3"][0]
        # late on 10-12, 13, 14, 15, 16 = 5 working days ≥ 5 → 约谈
        assert item["level"] == "interview" and "逾期 5 个工作日" in item["reason"] and item["assignee"] == "张某"
        assert [i["level"] for i in overdue_items(s, date(2026, 10, 15)) if i["ref"] == "T3"] == ["supervise"]
    with Session() as s, s.begin():
        hl.respond(s, "T3", datetime(2026, 10, 16, 10), "已联系", contacted=True, satisfaction=4)
    with Session() as s:
        assert "T3" not in {i["ref"] for i in overdue_items(s, date(2026, 10, 16))}


def test_xlsx_import_and_reimport_refuses_stored_numbers(sql_url, tmp_path, cases):
    """Re-importing a ticket number already stored leaves the stored ticket as it is and names the row
    (issue 13 §6: a register refuses a duplicate key; it used to overwrite the ticket)."""
    Session = session_factory(sql_url)
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD.strip().split(","))
    ws.append(["X1", "电话", "案件查询", "甲", 13812345678, "(2026)冀0123执15号", datetime(2026, 3, 2, 9), None,
               None, None, None])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    with Session() as s, s.begin():
        assert hl.import_tickets(s, p, COURT, cases=cases).imported == 1
    with Session() as s, s.begin():
        r = hl.import_tickets(s, p, COURT, cases=cases)
        assert (r.imported, r.rejected) == (0, [
            "第 2 行：12368 工单登记簿中已有工单编号“X1”（冀0123，受理于 2026-03-02 09:00），未重复登记；"
            "如需修改，请修改已登记的工单 X1。"])
        t = s.query(HotlineTicket).one()
        # 3-2 is a Monday; 案件查询 is due 1 working day later
        assert (t.caller_phone, t.assignee, t.due_date) == ("13812345678", "李某", date(2026, 3, 3))


@pytest.mark.parametrize(("row", "message"), [
    ("B1,电话,联系法官,王五,1,(2026)冀0123民初999号,2026-09-29 10:00,,,,",
     "第 2 行：案号“(2026)冀0123民初999号”在案件库中不存在，请核对案号，或先导入该案件。"),
    ("B1,电话,联系法官,王五,1,2026冀民初,2026-09-29 10:00,,,,", "第 2 行：案号“2026冀民初”无法识别"),
    ("B1,电话,联系法官,王五,1,,2026-09-29 10:00,,,,9", "第 2 行：满意度 9 超出范围，请填 1–5 的整数。"),
    ("B1,电话,算命,王五,1,,2026-09-29 10:00,,,,", "第 2 行：类别“算命”不在规则中"),
    ("B1,电话,联系法官,王五,1,,二〇二六年,,,,", "第 2 行：“受理时间”值“二〇二六年”不是有效时间"),
    ("B1,电话,联系法官,王五,1,,2026-09-29 10:00,,2026-09-28 10:00,,", "回复时间 2026-09-28 10:00:00 早于受理时间"),
])
def test_bad_rows_rejected_with_chinese_message_and_nothing_written(tmp_path, cases, row, message):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    good = "G1,电话,诉讼咨询,甲,1,,2026-09-28 09:00,,,,\n"
    with Session() as s, s.begin(), pytest.raises(UserError) as exc:
        hl.import_tickets(s, _csv(tmp_path, good + row + "\n"), COURT, cases=cases)
    assert message.replace("第 2 行", "第 3 行") in str(exc.value)
    assert "未导入任何数据" in str(exc.value)
    with Session() as s:
        assert s.query(HotlineTicket).count() == 0


def test_missing_header_named(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("编号,渠道\nA,电话\n", "utf-8")
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with Session() as s, pytest.raises(UserError, match="缺少列：类别、受理时间"):
        hl.import_tickets(s, p, COURT)


def test_add_ticket_single_entry(tmp_path, cases):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with Session() as s, s.begin():
        t = hl.add_ticket(s, court_code=COURT, ticket_no="W1", category="联系法官", received_at="2026-09-29 10:00",
                          cases=cases, case_number="(2026)冀0123执15号", satisfaction=1)
        assert (t.assignee, t.due_date) == ("李某", date(2026, 10, 9))
        with pytest.raises(UserError, match="工单 W2：案号“\\(2026\\)冀0123执99号”在案件库中不存在"):
            hl.add_ticket(s, court_code=COURT, ticket_no="W2", category="联系法官", received_at="2026-09-29 10:00",
                          cases=cases, case_number="(2026)冀0123执99号")
    with Session() as s:
        from zhixiao.services.satisfaction import open_followups

        assert [(f.rating.item, f.rating.score, f.owner) for f in open_followups(s)] == [("12368", 1, "李某")]
