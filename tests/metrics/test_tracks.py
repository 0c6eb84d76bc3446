"""收结存 per track (审判 / 执行 / 非诉保全) on the hand-made court of conftest.py."""

from __future__ import annotations

from tests.metrics.conftest import END, START
from zhixiao.metrics.evaluate import evaluate
from zhixiao.metrics.tracks import FLOW, flow_by_track


def test_tracks_by_hand_and_they_add_up(duck):
    tracks = flow_by_track(duck, START, END)
    got = {t: [r.value for r in res.rows] for t, res in tracks.items()}  # FLOW order: 新收 旧存 受理 结案 未结
    # default exclusions drop C11 诉前调书, C12/C13 民诉前调, C14 执保, C15 执恢 (test_golden.py).
    # 执行: new C19 C20 C22; carried over C21; closed C19 C20 C21; pending C22
    assert got["执行"] == [3, 1, 4, 3, 1]
    # 审判 = the rest: new 15 − 3, carried 7 − 1, closed 14 − 3, pending 8 − 1
    assert got["审判"] == [12, 6, 18, 11, 7]
    assert got["非诉保全"] == [0, 0, 0, 0, 0]  # no 财保 in this court
    whole = evaluate(duck, "court-classic", START, END, indicators=list(FLOW))
    assert [r.value for r in whole.rows] == [sum(v) for v in zip(*got.values(), strict=True)]
