"""一事一评 ratings, 差评督办 follow-ups (due, overdue ladder, resolution) and 满意率 figures."""

from datetime import date

import pytest

from zhixiao.errors import UserError
from zhixiao.services import satisfaction as sat
from zhixiao.services.alerts import overdue_items
from zhixiao.store.ops import session_factory

COURT = "冀0123"


def test_ratings_followups_and_stats(sql_url):
    Session = session_factory(sql_url)
    rows = [("立案", "1号窗口", "小王", date(2026, 8, 3), 5), ("立案", "1号窗口", "小王", date(2026, 8, 20), 4),
            ("立案", "2号窗口", "小李", date(2026, 9, 1), 3), ("立案", "2号窗口", "小李", date(2026, 9, 30), 2),
            ("诉讼咨询", "导诉台", "小赵", date(2026, 9, 10), 1), ("诉讼咨询", "导诉台", "小赵", date(2026, 9, 11), 5)]
    with Session() as s, s.begin():
        for item, window, staff, on, score in rows:
            sat.add_rating(s, court_code=COURT, item=item, window=window, staff_name=staff, rated_on=on, score=score)
    with Session() as s:
        st = sat.satisfaction_stats(s, COURT, date(2026, 8, 1), date(2026, 9, 30))
        # satisfied = score ≥ 4: 5, 4, 5 of 6 ratings
        assert (st["ratings"], st["satisfied"], st["satisfaction_rate"]) == (6, 3, 0.5)
        assert st["by_item"]["立案"]["satisfaction_rate"] == 0.5  # 5, 4 of 5, 4, 3, 2
        assert st["by_item"]["诉讼咨询"]["satisfaction_rate"] == 0.5
        assert st["by_staff"]["小王"]["satisfaction_rate"] == 1.0
        assert {k: v["satisfaction_rate"] for k, v in st["trend"].items()} == {"2026-08": 1.0, "2026-09": 0.25}
        assert (st["negative"], st["followups_resolved"]) == (2, 0)  # the 2 and the 1 open 差评督办
        fus = {f.rating.score: f for f in sat.open_followups(s)}
        # score 1 on Thu 9-10: 3 working days → 9-11, 9-14, 9-15; score 2 on 9-30 → 10-08, 10-09, 10-10 (调休)
        assert (fus[1].due_date, fus[2].due_date) == (date(2026, 9, 15), date(2026, 10, 10))
        levels = {i["ref"]: i["level"] for i in overdue_items(s, date(2026, 10, 9))}
        # 9-15 due → late 9-16 … 10-09: 9-16,17,18,21,22,23,24,25,27(调休),28,29,30,10-09 ≫ 5 → 约谈
        assert levels == {f"差评督办-{fus[1].id}": "interview", f"差评督办-{fus[2].id}": "remind"}
        levels = {i["ref"]: i["level"] for i in overdue_items(s, date(2026, 10, 12))}
        assert levels[f"差评督办-{fus[2].id}"] == "supervise"
        fid = fus[2].id
    with Session() as s, s.begin():
        with pytest.raises(UserError, match="早于差评日期"):
            sat.resolve_followup(s, fid, "已回访", "庭长", date(2026, 9, 1))
        sat.resolve_followup(s, fid, "已回访当事人，窗口补正材料清单", "立案庭庭长", date(2026, 10, 9))
        with pytest.raises(UserError, match="不能重复办结"):
            sat.resolve_followup(s, fid, "again", "x", date(2026, 10, 9))
    with Session() as s:
        st = sat.satisfaction_stats(s, COURT, date(2026, 8, 1), date(2026, 9, 30))
        assert (st["followups_resolved"], st["followups_resolved_on_time"]) == (1, 1)
        assert f"差评督办-{fid}" not in {i["ref"] for i in overdue_items(s, date(2026, 10, 12))}


@pytest.mark.parametrize("score", [0, 6, "七", 4.5])
def test_rating_out_of_range_rejected(tmp_path, score):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    with Session() as s, pytest.raises(UserError, match="请填 1–5 的整数"):
        sat.add_rating(s, court_code=COURT, item="立案", rated_on=date(2026, 9, 1), score=score)


def test_import_ratings_names_bad_row(tmp_path):
    Session = session_factory(f"sqlite:///{tmp_path / 'ops.sqlite'}")
    p = tmp_path / "r.csv"
    p.write_text("评价事项,窗口,工作人员,评价日期,评分\n立案,1号窗口,小王,2026-09-01,5\n立案,1号窗口,小王,2026-09-02,8\n",
                 "utf-8")
    with Session() as s, pytest.raises(UserError, match="第 3 行：评分 8 超出范围"):
        sat.import_ratings(s, p, COURT)
    p.write_text("评价事项,窗口,工作人员,评价日期,评分\n立案,1号窗口,小王,2026-09-01,5\n立案,1号窗口,小王,2026/9/2,1\n",
                 "utf-8")
    with Session() as s, s.begin():
        assert sat.import_ratings(s, p, COURT).imported == 2
        assert len(sat.open_followups(s)) == 1
