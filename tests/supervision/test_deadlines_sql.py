"""The 审限 computation's SQL names repeated values once: the calendar's roll string (one character per day of
the joined span, several thousand) and the start date are columns of their own step, read by name where the
late-piece rule and the deductions need them, not literals and expressions repeated at every use."""

from __future__ import annotations

import re
from datetime import date

import ibis
import pytest

from tests.supervision.conftest import write_store
from zhixiao.deadlines import with_deadlines
from zhixiao.engine import connect

AS_OF = date(2025, 6, 30)
CASES = [{"case_id": "a", "procedure": "civil_ordinary", "filing_date": date(2025, 3, 10)},
         {"case_id": "b", "procedure": "civil_ordinary", "filing_date": date(2025, 1, 6),
          "closing_date": date(2025, 5, 8)}]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    d = tmp_path_factory.mktemp("sql")
    write_store(d, CASES)
    return connect(d)


def _sql(engine, only=None, roll_forward=True) -> str:
    t = with_deadlines(engine, engine.cases, AS_OF, prefix="dl_", only=only, roll_forward=roll_forward)
    return str(ibis.to_sql(t, dialect="duckdb"))


@pytest.mark.parametrize("only", [None, ["closed_within_limit"]])
def test_calendar_string_once(engine, only):
    sql = _sql(engine, only)
    # the store's years 2024–2026 and the reach of open deductions: thousands of days, one character each
    long_literals = re.findall(r"'([0-~]{1000,})'", sql)
    assert len(long_literals) == 1, [len(s) for s in long_literals]
    assert set(long_literals[0]) <= {chr(48 + g) for g in range(79)}


def test_no_calendar_string_without_roll_forward(engine):
    assert not re.findall(r"'([0-~]{1000,})'", _sql(engine, roll_forward=False))


@pytest.mark.parametrize("only", [None, ["closed_within_limit"]])
def test_start_date_written_once(engine, only):
    # the start: the latest of the filing, a restart (重新计算审限) and a conversion (简易转普通). ibis merges the
    # start's own step into the next (the two are one SELECT), so the expression is written in the columns of
    # that step that derive from it (start, first counted day, earliest open start, the limit's month dates),
    # never in the later layers: 140 times in the indicators' SQL before, inlined at every use
    sql = _sql(engine, only)
    assert 1 <= len(re.findall(r'GREATEST\(\s*"t\d+"\."filing_date"', sql)) <= 8


def test_values_unchanged_by_layers(engine):
    """The two cases' 审限 as worked by hand (民事普通程序 六个月, CPL 2023 art 152; no event): filed 2025-03-10,
    deadline 2025-09-10 (a Wednesday); filed 2025-01-06 and closed 2025-05-08, within its 2025-07-06 limit,
    which is a Sunday and rolls to Monday 2025-07-07."""
    t = with_deadlines(engine, engine.cases, AS_OF, prefix="dl_")
    rows = {r["case_id"]: r for r in t.to_pyarrow().to_pylist()}
    assert rows["a"]["dl_deadline"] == date(2025, 9, 10)
    assert rows["a"]["dl_closed_within_limit"] is None and rows["a"]["dl_status"] == "正常"
    assert rows["b"]["dl_deadline"] == date(2025, 7, 7)
    assert rows["b"]["dl_closed_within_limit"] is True
