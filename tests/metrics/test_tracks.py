"""收结存 per track (审判 / 执行 / 非诉保全) on the hand-made court of conftest.py."""

from __future__ import annotations

from tests.metrics.conftest import END, START
from zhixiao.metrics.evaluate import evaluate
from zhixiao.metrics.tracks import FLOW, flow_by_track


def test_tracks_by_hand_and_they_add_up(duck):
    tracks = flow_by_track(duck, START, END)
    got = {t: [res.get(i).value for i in FLOW] for t, res in tracks.items()}  # 新收 旧存 受理 结案 未结
    # default exclusions drop C11 诉前调书, C12/C13 民诉前调, C14 执保, C15 执恢 (test_golden.py).
    # 执行: new C19 C20 C22; carried over C21; closed C19 C20 C21; pending C22
    assert got["执行"] == [3, 1, 4, 3, 1]
    # 审判 = the rest: new 15 − 3, carried 7 − 1, closed 14 − 3, pending 8 − 1
    assert got["审判"] == [12, 6, 18, 11, 7]
    assert got["非诉保全"] == [0, 0, 0, 0, 0]  # no 财保 in this court
    whole = evaluate(duck, "court-classic", START, END, indicators=list(FLOW))
    assert [r.value for r in whole.rows] == [sum(v) for v in zip(*got.values(), strict=True)]


def test_flow_table_per_court_adds_up_by_hand(duck):
    from zhixiao.metrics.tracks import flow_rows

    rows = flow_rows(duck, START, END, by=("court",))
    got = {(r["court_code"], r["track"]): [r[i] for i in FLOW] for r in rows}
    # 冀0123: 执行 as above (C19–C22); 冀01 has no 执行 case, so its 执行 row is zeros rather than missing
    assert got[("冀0123", "执行")] == [3, 1, 4, 3, 1]
    assert got[("冀01", "执行")] == [0, 0, 0, 0, 0]
    assert got[("冀01", "非诉保全")] == [0, 0, 0, 0, 0]
    for court in ("冀0123", "冀01"):
        total = got[(court, "合计")]
        assert total == [sum(got[(court, t)][k] for t in ("审判", "执行", "非诉保全")) for k in range(5)]
    # the two courts' 合计 add up to the whole court set of test_tracks_by_hand: 15/7/22/14/8
    assert [a + b for a, b in zip(got[("冀0123", "合计")], got[("冀01", "合计")], strict=True)] == [15, 7, 22, 14, 8]
    # 结案率 = 结案 ÷ 受理: 冀0123 执行 3 / 4
    execution = next(r for r in rows if r["court_code"] == "冀0123" and r["track"] == "执行")
    assert execution["closure_rate"] == 0.75
    assert next(r for r in rows if r["court_code"] == "冀01" and r["track"] == "执行")["closure_rate"] is None
