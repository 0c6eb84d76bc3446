"""Property tests for the date arithmetic and parsers the service rules rely on."""

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from zhixiao.services.common import add_months, load_rules, parse_quarter, work_calendar, workdays_after
from zhixiao.services.hotline import due_date
from zhixiao.services.importers import parse_datetime
from zhixiao.services.rules import explain

CAL = work_calendar()
RULES = load_rules("hotline")
days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 11, 30))


@given(days, st.integers(min_value=0, max_value=36))
def test_add_months_corresponding_day_or_month_end(d, n):
    r = add_months(d, n)
    assert (r.year - d.year) * 12 + r.month - d.month == n
    assert r.day == d.day or (r.day < d.day and (r + timedelta(days=1)).month != r.month)


@settings(max_examples=60, deadline=None)
@given(days, st.sampled_from(sorted(RULES["hotline"]["limits"])), st.integers(min_value=0, max_value=23))
def test_due_date_is_the_nth_working_day_after_receipt(d, category, hour):
    due = due_date(datetime.combine(d, datetime.min.time()) + timedelta(hours=hour), category, RULES, CAL)
    n = RULES["hotline"]["limits"][category]
    assert CAL.is_workday(due)
    assert workdays_after(CAL, d, due) == n  # the received day never counts


@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=1, max_value=4))
def test_quarter_bounds(year, q):
    start, end = parse_quarter(f"{year}Q{q}")
    assert start == date(year, 3 * q - 2, 1)
    assert (end + timedelta(days=1)) == (date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda x: x.replace(second=0, microsecond=0)), st.sampled_from(["%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"]))
def test_parse_datetime_roundtrip(x, fmt):
    assert parse_datetime(x.strftime(fmt)) == x


@given(st.text(alphabet="合同纠纷借款劳动技术专利", min_size=1, max_size=12))
def test_cause_rule_matches_iff_pattern_in_cause(cause):
    got = explain({"cause_matches": ["专利"]}, {"cause": cause})
    assert (got is not None) == ("专利" in cause)
    assert got is None or got == f"案由为{cause}"
