"""Demo seeding: linked to real cases, gapless 司法建议 numbers, deterministic, idempotent, ladder non-empty."""

from dataclasses import replace
from datetime import date, timedelta

import pyarrow as pa
import pytest
from sqlalchemy import select

from zhixiao.config import Settings
from zhixiao.services.alerts import overdue_items
from zhixiao.services.demo import seed
from zhixiao.services.models import HotlineTicket, Suggestion
from zhixiao.store.cases import CaseStore
from zhixiao.store.ops import session_factory

AS_OF = date(2026, 9, 30)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("svc_demo")
    cases, people = [], []
    for court in ("冀0102", "冀0123"):
        for i in range(1, 121):
            cases.append({"case_id": f"(2026)冀{court[1:]}民初{i}号", "court_code": court, "year": 2026,
                          "filing_date": date(2025, 6, 1) + timedelta(days=3 * i), "judge_id": f"{court}-J{i % 4}",
                          "judge_name": f"法官{i % 4}", "division": "民一庭", "tags": ["petition"] if i % 30 == 0 else []})
        people += [{"judge_id": f"{court}-C{k}", "name": f"书记员{k}", "court_code": court, "year": 2026,
                    "division": "立案庭", "post": "书记员"} for k in range(3)]
    with CaseStore(root).transaction() as tx:
        tx.write("cases", pa.Table.from_pylist(cases))
        tx.write("people", pa.Table.from_pylist(people))
    return root


def _tickets(url):
    with session_factory(url)() as s:
        return [(t.ticket_no, t.case_id, t.due_date, t.responded_at) for t in
                s.scalars(select(HotlineTicket).order_by(HotlineTicket.ticket_no))]


def test_seed(data_dir, tmp_path):
    st = Settings(data_dir=data_dir, sql_url=f"sqlite:///{tmp_path / 'a.sqlite'}")
    msg = seed(st, AS_OF, 7)
    assert msg.startswith("诉讼服务演示数据：12368 工单")
    assert seed(st, AS_OF, 7) == "诉讼服务演示数据已存在，未重复生成。"
    known = {f"(2026)冀{c[1:]}民初{i}号" for c in ("冀0102", "冀0123") for i in range(1, 121)}
    rows = _tickets(st.ops_url)
    assert len(rows) >= 40 and all(cid is None or cid in known for _, cid, _, _ in rows)
    assert all(r is None or r.date() <= AS_OF for *_, r in rows)
    with session_factory(st.ops_url)() as s:
        for court in ("冀0102", "冀0123"):
            seqs = sorted(s.scalars(select(Suggestion.seq).where(Suggestion.court_code == court,
                                                                 Suggestion.year == 2026)))
            assert seqs == list(range(1, len(seqs) + 1))
        # each court has at least one ticket received 10–21 days ago and still unanswered (limits ≤ 5 workdays)
        late = [i for i in overdue_items(s, AS_OF) if i["kind"] == "hotline_ticket" and i["level"] != "remind"]
        assert {i["court_code"] for i in late} == {"冀0102", "冀0123"}
    other = replace(st, sql_url=f"sqlite:///{tmp_path / 'b.sqlite'}")
    seed(other, AS_OF, 7)
    assert _tickets(other.ops_url) == rows  # same seed → same data
