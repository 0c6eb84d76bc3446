"""The analysis queries give the same answers on Spark as on DuckDB."""

from __future__ import annotations

from datetime import date

import pytest

from tests.analysis._synth import case, make_cases, write
from zhixiao.analysis.forecast import forecast_year_end
from zhixiao.analysis.signals import detect_signals
from zhixiao.engine import connect


@pytest.mark.spark
def test_forecast_and_signals_match_duckdb(tmp_path):
    rows = make_cases("冀0102", range(2023, 2026), 240, 60, 4, date(2025, 12, 31))
    rows.append(case("冀0102", 2025, 90001, date(2025, 1, 5), date(2025, 5, 1), method="撤诉", parties="甲；乙"))
    rows.append(case("冀0102", 2025, 90002, date(2025, 5, 20), None, parties="乙；甲"))
    write(tmp_path, rows)
    duck, spark = connect(tmp_path), connect(tmp_path, "spark")
    as_of = date(2025, 6, 30)
    assert forecast_year_end(spark, "冀0102", as_of).rows() == forecast_year_end(duck, "冀0102", as_of).rows()
    kinds = ("withdraw_refile",)
    a = detect_signals(duck, "冀0102", date(2025, 1, 1), date(2025, 12, 31), kinds=kinds)
    b = detect_signals(spark, "冀0102", date(2025, 1, 1), date(2025, 12, 31), kinds=kinds)
    assert [s.to_dict() for s in a] == [s.to_dict() for s in b] and a[0].case_count == 1
