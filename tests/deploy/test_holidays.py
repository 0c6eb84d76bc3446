"""``zhixiao holidays``: the State Council arrangement parsed, checked and written as the calendar override."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from chinese_calendar import constants as cc
from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.config import load_settings
from zhixiao.domain import holiday_notice as hn
from zhixiao.domain.calendar import WorkCalendar, load_calendar, parse_overrides

# A 2027 arrangement written for the test (not the real notice). 2027-01-01 is a Friday.
# Weekday holidays: 01-01; 02-05, 02-08..02-12 (6); 04-05; 05-03..05-05 (3); 06-09 (Wed); 09-15 (Wed);
# 10-01, 10-04..10-07 (5) → 1 + 6 + 1 + 3 + 1 + 1 + 5 = 18; 调休上班 02-20 (Sat), 05-08 (Sat), 09-26 (Sun),
# 10-09 (Sat), 02-06? no: five weekend workdays 02-20, 05-08, 09-26, 10-09, 10-10 → 18 − 5 = 13 (the statute).
NOTICE_2027 = """
year = 2027
source = "测试用 2027 年安排"
[[holiday]]
name = "元旦"
dates = ["2027-01-01..2027-01-03"]
[[holiday]]
name = "春节"
dates = ["2027-02-05..2027-02-13"]
workdays = ["2027-02-20"]
[[holiday]]
name = "清明节"
dates = ["2027-04-03..2027-04-05"]
[[holiday]]
name = "劳动节"
dates = ["2027-05-01..2027-05-05"]
workdays = ["2027-05-08"]
[[holiday]]
name = "端午节"
dates = ["2027-06-09"]
[[holiday]]
name = "中秋节"
dates = ["2027-09-15"]
workdays = ["2027-09-26"]
[[holiday]]
name = "国庆节"
dates = ["2027-10-01..2027-10-07"]
workdays = ["2027-10-09", "2027-10-10"]
"""


def _zx(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zhixiao.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={k: v for k, v in os.environ.items() if k != "ZHIXIAO_CONFIG"})


def test_a_statutory_arrangement_checks_clean():
    n = hn.parse_toml(NOTICE_2027)
    assert len(n.holidays) == 3 + 9 + 3 + 5 + 1 + 1 + 7 and len(n.workdays) == 5
    assert hn.check(n) == ([], [])


def test_the_package_years_pass_the_checks():
    """Every arrangement chinesecalendar knows is a real notice: none is an error (special years warn)."""
    for year in sorted({d.year for d in cc.holidays}):
        n = hn.Notice(year, holidays={d: "假" for d in cc.holidays if d.year == year},
                      workdays={d: "班" for d in cc.workdays if d.year == year})
        errors, warnings = hn.check(n)
        assert errors == [], (year, errors)
        # Off the statute: 2015 (抗战胜利70周年纪念日), 2020 (延长春节假期), and years whose 元旦 break or its 调休
        # crossed into the neighbouring year (2006/2007, 2011/2012); every other year is the statute's count.
        assert bool(warnings) == (year in (2006, 2007, 2011, 2012, 2015, 2020)), (year, warnings)


@pytest.mark.parametrize(("change", "needle"), [
    (lambda n: n.holidays.update({date(2028, 1, 1): "元旦"}), "不在 2027 年"),
    (lambda n: n.workdays.update({date(2027, 1, 2): "元旦"}), "既是放假日"),
    (lambda n: n.workdays.update({date(2027, 3, 3): "误填"}), "星期三，本来就上班"),
])
def test_each_rule_names_the_date(change, needle):
    n = hn.parse_toml(NOTICE_2027)
    change(n)
    errors, _ = hn.check(n)
    assert len(errors) == 1 and needle in errors[0], errors


def test_only_weekends_and_count_mismatch():
    weekends = hn.Notice(2027, holidays={date(2027, 1, 2): "x", date(2027, 1, 3): "x"})
    assert any("全是周末" in e for e in hn.check(weekends)[0])
    short = hn.parse_toml(NOTICE_2027)
    del short.holidays[date(2027, 6, 9)]  # 端午 missing: 12 days off instead of 13
    errors, warnings = hn.check(short)
    assert errors == [] and len(warnings) == 1 and "为 12 天" in warnings[0] and "13 天" in warnings[0]


def test_csv_input_with_ranges_and_a_bad_kind():
    text = "日期,类别,名称\n2027-01-01..2027-01-03,休,元旦\n2027-02-20,班,春节\n"
    n = hn.parse_csv(text, None)
    assert n.year == 2027 and sorted(n.holidays) == [date(2027, 1, d) for d in (1, 2, 3)]
    assert n.workdays == {date(2027, 2, 20): "春节"}
    with pytest.raises(hn.NoticeError, match="第 2 行的类别“放”"):
        hn.parse_csv("日期,类别,名称\n2027-01-01,放,元旦\n", None)
    with pytest.raises(hn.NoticeError, match="第 1 项（元旦）.*2027-13-01"):
        hn.parse_toml('year = 2027\n[[holiday]]\nname = "元旦"\ndates = ["2027-13-01"]\n')


def test_merge_keeps_the_rest_of_the_file_and_replaces_the_year():
    existing = ('# 本院日历\n[[closure]]\ndate = 2026-03-03\nname = "停电"\n\n[year.2027]\nholidays = ["2027-01-05"]\n'
                'workdays = []\n\n[year.2028]\nholidays = ["2028-01-01"]\n')
    text = hn.merge_override(existing, hn.parse_toml(NOTICE_2027))
    assert text.startswith("# 本院日历\n[[closure]]")
    cal = WorkCalendar(parse_overrides(text))
    assert cal.closures[date(2026, 3, 3)] == "停电"
    assert date(2027, 1, 5) not in cal.closures  # the old 2027 table is gone
    assert date(2028, 1, 1) in cal.closures and {2027, 2028} <= cal.override_years
    assert text.count("[year.2027]") == 1


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 364), min_size=1, max_size=60), st.sets(st.integers(0, 52), max_size=8))
def test_written_block_reads_back_as_the_same_days(offsets, weeks):
    start = date(2027, 1, 1)
    holidays = {start + timedelta(days=o): ("春节" if o % 3 else "国庆节") for o in offsets}
    saturdays = {date(2027, 1, 2) + timedelta(weeks=w) for w in weeks}
    workdays = {d: "调休上班" for d in saturdays if d not in holidays and d.year == 2027}
    n = hn.Notice(2027, holidays=holidays, workdays=workdays)
    cal = WorkCalendar(parse_overrides(hn.override_block(n)))
    assert set(cal.closures) == set(holidays)
    assert set(cal.workdays) == set(workdays)


def test_set_command_writes_the_override_the_deadlines_read(tmp_path):
    f = tmp_path / "2027.toml"
    f.write_text(NOTICE_2027, "utf-8")
    d = tmp_path / "data"
    assert 2027 not in load_calendar(load_settings(data_dir=tmp_path / "none")).known_years
    res = _zx("holidays", "set", "--file", str(f), "--data-dir", str(d), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "核对无误" in res.stdout and "已写入" in res.stdout
    cal = load_calendar(load_settings(data_dir=d))
    assert 2027 in cal.known_years and not cal.is_provisional(date(2027, 5, 6))
    # 2027-05-01..05-05 rest, 05-06 (Thu) the first working day after, 05-08 (Sat) a 调休 working day
    assert cal.next_workday(date(2027, 5, 1)) == date(2027, 5, 6)
    assert cal.is_workday(date(2027, 5, 8))
    again = _zx("holidays", "set", "--file", str(f), "--data-dir", str(d), cwd=tmp_path)
    assert again.returncode == 0
    assert (d / "calendar_overrides.toml").read_text("utf-8").count("[year.2027]") == 1


def test_set_command_refuses_a_bad_file_and_writes_nothing(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("日期,类别,名称\n2027-01-01,休,元旦\n2027-01-01,班,元旦\n2027-03-03,班,误填\n", "utf-8")
    res = _zx("holidays", "set", "--file", str(f), "--data-dir", str(tmp_path / "d"), cwd=tmp_path)
    assert res.returncode == 1
    assert "3 处问题" in res.stderr and "2027-03-03" in res.stderr  # overlap; 01-01 and 03-03 are weekdays
    assert not (tmp_path / "d" / "calendar_overrides.toml").exists()
    missing = _zx("holidays", "check", "--file", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert missing.returncode == 1 and "找不到节假日安排文件" in missing.stderr
