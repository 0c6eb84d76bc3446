"""Issue 14 / 18 §2: the services' refusals say what is wrong and what to do in words, never a command or a
flag — they serve the CLI and the web alike (a page has the form beside the record; the CLI adds its own
command where it prints a refusal). Before, they read "请用 zhixiao hotline update T1" or "（--owner）" and the
web stripped the command by a regular expression."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import zhixiao.services
from zhixiao import cli
from zhixiao.errors import UserError
from zhixiao.services import hotline as hl
from zhixiao.services import ledgers as L
from zhixiao.services import satisfaction as sat
from zhixiao.services import suggestions as sg
from zhixiao.services.common import DuplicateKey
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

COURT = "冀0123"
CLI_WORDS = re.compile(r"zhixiao|--")


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module (f-string parts included) but its docstrings."""
    tree = ast.parse(path.read_text("utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_no_service_module_writes_a_command_or_a_flag():
    found = [(p.name, line, text) for p in sorted(Path(zhixiao.services.__file__).parent.glob("*.py"))
             for line, text in _strings(p) if re.search(r"zhixiao\s|--[a-z]", text)]
    assert found == []


@pytest.fixture()
def session(tmp_path):
    CaseStore(tmp_path / "data")
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with Session() as s, s.begin():
        hl.add_ticket(s, court_code=COURT, ticket_no="T1", category="诉讼咨询", received_at=datetime(2026, 3, 2, 9),
                      cases={})
        hl.respond(s, "T1", datetime(2026, 3, 2, 10), "已答复")
        p = L.add_petition(s, court_code=COURT, petitioner="王某", received_on=date(2026, 1, 8), owner="刘副院长")
        r = sat.add_rating(s, court_code=COURT, item="立案", rated_on=date(2026, 3, 1), score=1, rating_no="R1")
        x = sg.new_suggestion(s, court_code=COURT, addressee="县自然资源局", issue="登记衔接不畅", drafted_by="张某",
                              drafted_on=date(2026, 3, 1))
        ids = {"petition": p.id, "followup": r.follow_up.id, "suggestion": x.number}
    with Session() as s, s.begin():
        yield s, ids


NUMBER = "冀0123法建〔2026〕1号"
REFUSALS = [  # (what is called, the sentence in full)
    (lambda s, i: hl.add_ticket(s, court_code=COURT, ticket_no="T1", category="诉讼咨询",
                                received_at=datetime(2026, 3, 3, 9), cases={}),
     "12368 工单登记簿中已有工单编号“T1”（冀0123，受理于 2026-03-02 09:00），未重复登记；如需修改，请修改已登记的工单 T1。"),
    (lambda s, i: hl.update_ticket(s, "T1", user="小王"),
     "工单 T1 没有给出要修改的内容：请至少写一项，如类别、来电人、案号或办理结果。"),
    (lambda s, i: hl.update_ticket(s, "T7", user="小王", caller_name="甲"), "工单“T7”不存在，请从工单列表中核对工单编号。"),
    (lambda s, i: hl.update_ticket(s, "T1", user=" ", caller_name="甲"), "请写明操作人：修改记录须留痕。"),
    (lambda s, i: hl.respond(s, "T1", datetime(2026, 3, 3, 9), "再答复"),
     "工单 T1 已于 2026-03-02 10:00 登记回复，未重复登记；如需更正回复，请修改该工单的回复时间和办理结果。"),
    (lambda s, i: L.add_petition(s, court_code=COURT, petitioner="李某", received_on=date(2026, 2, 1), owner=" "),
     "信访积案必须明确包案责任人。"),
    (lambda s, i: L.add_petition(s, court_code=COURT, petitioner="", received_on=date(2026, 2, 1), owner="陈庭长"),
     "信访积案必须写明信访人。"),
    (lambda s, i: L.add_petition(s, court_code=COURT, petitioner="王某", received_on=date(2026, 2, 1), owner="陈庭长"),
     "信访积案台账中已有王某（未关联案号）的积案（编号 {petition}）（冀0123，登记于 2026-01-08，在办），未重复登记；"
     "如需修改，请修改已登记的积案（编号 {petition}）。"),
    (lambda s, i: L.update_petition(s, 999, "息访", date(2026, 2, 1)), "信访积案 999 不存在，请从信访积案台账中核对编号。"),
    (lambda s, i: L.update_petition(s, i["petition"], "已化解"), "办结（已化解/息访）须写明化解日期。"),
    (lambda s, i: L.update_petition(s, i["petition"]),
     "信访积案 {petition} 没有给出要修改的内容：请至少写一项，如状态（办结须写明化解日期）、包案责任人或诉求。"),
    (lambda s, i: sat.add_rating(s, court_code=COURT, item="立案", rated_on=date(2026, 3, 2), score=5, rating_no="R1"),
     "满意度评价登记簿中已有评价编号“R1”（冀0123，评价于 2026-03-01），未重复登记；"
     "如需修改，请修改已登记的评价 R1（评分和评价日期是当事人的，不能修改）。"),
    (lambda s, i: sat.update_rating(s, COURT, "R1", user="小李", item="立案"),
     "评价“R1”没有要修改的内容：请至少写一项与现有记录不同的值，如窗口、工作人员。"),
    (lambda s, i: sat.resolve_followup(s, 999, "已回访", "小李", date(2026, 3, 5)),
     "差评督办 999 不存在，请从差评督办清单中核对编号。"),
    (lambda s, i: sat.resolve_followup(s, i["followup"], " ", "小李", date(2026, 3, 5)), "请写明整改或回访结果。"),
    (lambda s, i: sg.new_suggestion(s, court_code=COURT, addressee=" ", issue="问题", drafted_by="张某",
                                    drafted_on=date(2026, 3, 2)), "司法建议必须写明主送单位。"),
    (lambda s, i: sg.new_suggestion(s, court_code=COURT, addressee="县住建局", issue="", drafted_by="张某",
                                    drafted_on=date(2026, 3, 2)), "司法建议必须写明发现的问题。"),
    (lambda s, i: sg.get(s, "冀0123法建〔2026〕9号"), "司法建议“冀0123法建〔2026〕9号”不存在，请从司法建议登记簿中核对文号。"),
    (lambda s, i: sg.update_suggestion(s, i["suggestion"], user="张某"),
     f"{NUMBER} 没有给出要修改的内容：请至少写一项，如主送单位、发现的问题或建议内容。"),
    (lambda s, i: sg.record_reply(s, i["suggestion"], date(2026, 3, 9), True), f"{NUMBER} 尚未发送，不能登记回复；请先登记发送。"),
]


@pytest.mark.parametrize(("call", "sentence"), REFUSALS, ids=[f"refusal{n}" for n in range(len(REFUSALS))])
def test_each_refusal_is_a_neutral_sentence(session, call, sentence):
    s, ids = session
    with pytest.raises(UserError) as exc:
        call(s, ids)
    assert str(exc.value) == sentence.format(**ids)
    assert not CLI_WORDS.search(str(exc.value))


def test_the_cli_adds_its_own_command_to_a_duplicate(tmp_path):
    """Only the CLI names its command, after the service's sentence; the stored key is carried, not parsed."""
    d = ["--data-dir", str(tmp_path / "data"), "--court", COURT]
    CaseStore(tmp_path / "data")
    args = ["ledger", "petition-add", "--petitioner", "王某", "--owner", "刘副院长", "--on", "2026-01-08", *d]
    assert CliRunner().invoke(cli.app, args).exit_code == 0
    r = CliRunner().invoke(cli.app, args)
    assert r.exit_code == 1 and isinstance(r.exception, UserError) and not isinstance(r.exception, DuplicateKey)
    assert str(r.exception) == ("信访积案台账中已有王某（未关联案号）的积案（编号 1）（冀0123，登记于 2026-01-08，在办），未重复登记；"
                                "如需修改，请修改已登记的积案（编号 1）。（修改命令：zhixiao ledger petition-update 1）")
