"""A count over the same rows as a distinct count (件 of 案-件比) is made in the distinct count's query
(``_paired_counts``) — only where its conditions require the counted column, since that query sees no row
without a value. Either way the answer is the main scan's."""

from __future__ import annotations

import json
from datetime import date

import pytest

from zhixiao.metrics import evaluate as ev
from zhixiao.metrics.evaluate import evaluate

CUSTOM = '''
[profile]
id = "court-classic"

[[indicator]]
id = "x_cases_per_dispute_all"
name = "件案比（含无纠纷编号的案件）"
group = "效果"
unit = "ratio"
direction = "lower"
numerator = { set = "closed" }
denominator = { set = "closed", distinct = "dispute_id" }
source = "test"

[[indicator]]
id = "x_cases_per_dispute"
name = "件案比"
group = "效果"
unit = "ratio"
direction = "lower"
numerator = { set = "closed", where = [{ col = "dispute_id", is_null = false }] }
denominator = { set = "closed", where = [{ col = "dispute_id", is_null = false }], distinct = "dispute_id" }
source = "test"
'''
IDS = ["x_cases_per_dispute_all", "x_cases_per_dispute", "closed"]


@pytest.fixture()
def custom_dir(tmp_path):
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "custom.toml").write_text(CUSTOM, encoding="utf-8")
    return tmp_path


def _run(duck, custom_dir):
    return evaluate(duck, "court-classic", date(2025, 1, 1), date(2025, 12, 31), by=("court",), compare="yoy",
                    indicators=IDS, data_dir=custom_dir)


def test_only_a_count_that_requires_the_column_is_paired(duck, custom_dir, monkeypatch):
    seen = []
    real = ev._paired_counts
    monkeypatch.setattr(ev, "_paired_counts", lambda source: seen.append(real(source)) or seen[-1])
    paired = _run(duck, custom_dir)
    assert len(seen[0]) == 1  # x_cases_per_dispute's numerator; not the one that counts every closed case
    monkeypatch.setattr(ev, "_paired_counts", lambda source: {})
    unpaired = _run(duck, custom_dir)
    dump = lambda r: json.dumps(r.to_dict(), ensure_ascii=False, sort_keys=True, default=repr)  # noqa: E731
    assert dump(paired) == dump(unpaired)
    for court in ("冀0123", "冀01"):
        every = paired.get("x_cases_per_dispute_all", court_code=court)
        with_id = paired.get("x_cases_per_dispute", court_code=court)
        assert every.numerator == paired.get("closed", court_code=court).numerator  # cases without an id count
        assert with_id.numerator < every.numerator and with_id.denominator == every.denominator
