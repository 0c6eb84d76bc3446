"""The 收结存 table by track (审判、执行、非诉保全): each track's 结案率 and 结收比 are the evaluator's own values by
the profile's definition, so a court whose 结案率 is not a plain ratio of two counts sees its own figure per
track, not "—" (nor a ratio of counts its definition does not use).

The store is conftest's hand-made one (正定 冀0123, 2026 1—2月 against 2025 1—2月):
  审判 2026: 新收 10–15 = 6, 旧存 6, 7, 8 = 3, 受理 9, 结案 6, 10, 11, 14 = 4 (判决, 调解, 判决, 判决)
  执行 2026: 新收 16, 17 = 2, 旧存 9 = 1, 受理 3, 结案 9 (终结本次执行程序), 16 (执行完毕) = 2
  审判 2025: 新收 1–4 = 4, 旧存 8 = 1, 受理 5, 结案 1, 3, 4 = 3 (case 2 closed 03-15)
  执行 2025: 新收 5 = 1, 旧存 0, 受理 1, 结案 0 (case 5 closed 04-01)
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.reports.conftest import build_store
from zhixiao.reports.briefing import collect

PERIOD = (date(2026, 1, 1), date(2026, 2, 28))
TRACK_TABLE = "收结存情况（审判、执行、非诉保全）"

# A court's own 结案率 口径 (an extension of court-classic in <data_dir>/indicators/): 终本 closures not counted
# as 结案 in the numerator — the 实际执结 way of counting — so the rate is no plain ratio of two 收结存 counts.
NO_ZHONGBEN = """
[profile]
id = "court-classic"

[[indicator]]
id = "closure_rate"
name = "结案率"
group = "效率"
unit = "rate"
direction = "higher"
range = [0.93, 1.0]
numerator = { set = "closed", where = [{ col = "closing_method", ne = "终结本次执行程序" }] }
denominator = { set = "received" }
source = "测试用：终本结案不计入分子"
"""


def _tracks(root) -> dict[str, dict]:
    from zhixiao.engine import connect

    b = collect(connect(root), "冀0123", *PERIOD)
    sec = next(s for s in b.sections if s.key == "caseload")
    t = next(t for t in sec.tables if t.title == TRACK_TABLE)
    return {r["label"]: r for r in t.rows}


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    root = tmp_path_factory.mktemp("tracks-plain")
    build_store(root)
    return _tracks(root)


@pytest.fixture(scope="module")
def own_definition(tmp_path_factory):
    root = tmp_path_factory.mktemp("tracks-own")
    build_store(root)
    (root / "indicators").mkdir()
    (root / "indicators" / "court.toml").write_text(NO_ZHONGBEN, encoding="utf-8")
    return _tracks(root)


def test_plain_profile_track_rates_by_hand(plain):
    assert set(plain) == {"审判", "执行"}  # no 财保 case: no 非诉保全 row
    s, e = plain["审判"], plain["执行"]
    # 结案率 = 结案 ÷ 受理: 审判 4/9 (2025: 3/5), 执行 2/3 (2025: 0/1); 同比 in 百分点
    assert s["closure_rate"] == pytest.approx(4 / 9)
    assert s["closure_rate_yoy"] == pytest.approx((4 / 9 - 3 / 5) * 100)  # −15.56
    assert e["closure_rate"] == pytest.approx(2 / 3)
    assert e["closure_rate_yoy"] == pytest.approx((2 / 3 - 0) * 100)  # +66.67
    # 结收比 = 结案 ÷ 新收: 审判 4/6, 执行 2/2
    assert s["clearance_ratio"] == pytest.approx(4 / 6)
    assert e["clearance_ratio"] == pytest.approx(1.0)


def test_a_profile_whose_closure_rate_is_not_a_plain_ratio_shows_its_own_value(own_definition):
    s, e = own_definition["审判"], own_definition["执行"]
    # 执行: 结案 9 is 终本, so only 16 counts: 1/3 (2025: 0/1), 同比 +33.33 个百分点 — not 2/3 from the counts
    assert e["closure_rate"] == pytest.approx(1 / 3)
    assert e["closure_rate_yoy"] == pytest.approx(1 / 3 * 100)
    # 审判 has no 终本 closure: 4/9 as before
    assert s["closure_rate"] == pytest.approx(4 / 9)
    # the counts and 结收比 (court-classic's, untouched) are unchanged
    assert (e["received"], e["closed"]) == (3, 2)
    assert e["clearance_ratio"] == pytest.approx(1.0)
