"""``zhixiao holidays set`` recomputes the ledger's open items whose deadline rested on an unknown year.

Counting (REFERENCE §2.2): the limit runs from the day after 立案; months end on the corresponding day; a last
day that is a 法定休假日 (weekend or holiday) moves to the first working day after it (CPL 2023 art 85).
civil_simplified: 3 months (CPL 2023 art 164). The 2027 arrangement is the test notice of
tests/deploy/test_holidays.py (春节 2027-02-05..02-13, 调休上班 Saturday 2027-02-20).

  A  立案 2026-11-05 → 2027-02-05 (Fri). Unknown 2027: weekends only, 02-05 stands (provisional).
     With the notice 02-05..02-13 are holidays, 02-14 a Sunday → 2027-02-15 (Mon).
  B  立案 2026-11-20 → 2027-02-20 (Sat). Unknown 2027: rolls to 2027-02-22 (Mon, provisional).
     With the notice 02-20 is a 调休 working day → 2027-02-20: earlier than the provisional date.
  C  立案 2026-11-24 → 2027-02-24 (Wed), a working day either way: unchanged, no longer provisional.
  D  立案 2026-03-10, civil_ordinary 6 months → 2026-09-10 (Thu), a known year: overdue, never provisional.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

from sqlalchemy import select

from tests.deploy.test_holidays import NOTICE_2027
from tests.supervision.conftest import D
from zhixiao.store.ops import session_factory
from zhixiao.supervision.ledger import history, list_alerts, run_daily
from zhixiao.supervision.models import Alert

AS_OF = D(2027, 1, 25)
CASES = [
    {"case_id": "(2026)X民初101号", "procedure": "civil_simplified", "filing_date": D(2026, 11, 5)},
    {"case_id": "(2026)X民初102号", "procedure": "civil_simplified", "filing_date": D(2026, 11, 20)},
    {"case_id": "(2026)X民初103号", "procedure": "civil_simplified", "filing_date": D(2026, 11, 24)},
    {"case_id": "(2026)X民初4号", "procedure": "civil_ordinary", "filing_date": D(2026, 3, 10)},
]
BEFORE = {"(2026)X民初101号": D(2027, 2, 5), "(2026)X民初102号": D(2027, 2, 22), "(2026)X民初103号": D(2027, 2, 24),
          "(2026)X民初4号": D(2026, 9, 10)}
AFTER = {"(2026)X民初101号": D(2027, 2, 15), "(2026)X民初102号": D(2027, 2, 20), "(2026)X民初103号": D(2027, 2, 24),
         "(2026)X民初4号": D(2026, 9, 10)}


def _set_notice(tmp_path, st) -> subprocess.CompletedProcess:
    notice = tmp_path / "2027.toml"
    notice.write_text(NOTICE_2027, "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "ZHIXIAO_CONFIG"} | {"ZHIXIAO_SQL_URL": st.ops_url}
    return subprocess.run([sys.executable, "-m", "zhixiao.cli", "holidays", "set", "--file", str(notice),
                           "--data-dir", str(st.data_dir)], capture_output=True, text=True, cwd=tmp_path, env=env)


def test_holidays_set_recomputes_provisional_deadlines_and_notes_them(make_settings, tmp_path):
    st = make_settings(CASES)
    summary = run_daily(st, AS_OF)
    assert summary.provisional_cases == 3
    with session_factory(st.ops_url)() as s:
        before = list_alerts(s)
        assert {a.case_id for a in before} == set(BEFORE)  # every case is near or past its deadline
        assert all(a.deadline == BEFORE[a.case_id] for a in before)
        assert all(a.provisional == (a.case_id != "(2026)X民初4号") for a in before)
        keyed = {a.id: a.key for a in before}

    res = _set_notice(tmp_path, st)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout.replace("\n", "")
    n_prov = sum(a.provisional for a in before)
    n_moved = sum(a.provisional and a.case_id != "(2026)X民初103号" for a in before)
    assert f"{n_prov} 项待处理事项的暂定审限届满日已按新安排核定，其中 {n_moved} 项改变" in out
    assert "2027-02-05 → 2027-02-15" in out and "2027-02-22 → 2027-02-20" in out

    with session_factory(st.ops_url)() as s:
        after = list_alerts(s)
        assert len(after) == len(before)
        assert all(a.deadline == AFTER[a.case_id] and not a.provisional for a in after)
        for a in after:
            notes = [e.note for e in history(s, a.id) if e.action == "deadline_recomputed"]
            if a.case_id == "(2026)X民初4号":
                assert notes == [] and a.key == keyed[a.id]
                continue
            old, new = BEFORE[a.case_id].isoformat(), AFTER[a.case_id].isoformat()
            if old == new:
                assert notes == [f"节假日安排已录入：审限届满日 {old} 经核定不变，不再暂定"]
            else:
                assert notes == [f"节假日安排已录入，审限届满日重新计算：{old} → {new}"]
                assert a.detail.startswith(f"审限届满日 {new}") and "暂定" not in a.detail
            # an item keyed by its deadline follows the new date
            assert a.key == keyed[a.id].replace(old, new) if keyed[a.id].endswith(old) else a.key == keyed[a.id]

    # the next daily run finds the recomputed items instead of opening them again
    st = replace(st, calendar_overrides=st.data_dir / "calendar_overrides.toml")  # as load_settings now finds it
    again = run_daily(st, AS_OF)
    assert again.provisional_cases == 0
    with session_factory(st.ops_url)() as s:
        rows = s.execute(select(Alert.rule_id, Alert.case_id)).all()
        assert len(rows) == len(set(rows)) == len(keyed) + again.created_total, (again, rows)
    # B and C: same rules, keys on their new dates, nothing new. A: 21 days left now (was 11), past no 督办 rule
    # (the extension request is due 15 days before), so its two 提醒 rules, hidden before by the higher level, open.
    assert again.created == {"remind": 2}
    assert sorted(r for r in rows if r[1] == "(2026)X民初101号") == [
        ("remind_30d_civil_enforcement", "(2026)X民初101号"), ("remind_two_thirds", "(2026)X民初101号"),
        ("supervise_no_extension_request", "(2026)X民初101号")]

    # a second set of the same notice changes nothing
    res2 = _set_notice(tmp_path, st)
    assert res2.returncode == 0 and "0 项待处理事项" in res2.stdout
