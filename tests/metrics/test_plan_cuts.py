"""The two passes that reason about dates. Date coarsening (``plan.cuts``) keeps the truth of every condition it
accepts: each date column replaced by the cut at or below it, every base set and every comparison is true of
the same rows as before. Row pruning (``plan.rows``) drops no row any base set counts.

Checked on DuckDB over every combination of dates on, just before and just after every date some comparison
turns on (the periods' ends, the literals, the 12-month age cut), or null."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import ibis
import pyarrow as pa
import pytest

from zhixiao.metrics.filters import Compiler, Period
from zhixiao.metrics.plan import cuts, rows

PERIODS = {"cur": Period(date(2025, 1, 1), date(2025, 12, 31), date(2025, 10, 1)),
           "prev": Period(date(2024, 1, 1), date(2024, 12, 31), date(2024, 10, 1))}
LITERALS = [date(2025, 3, 3), date(2025, 8, 29)]
ANCHORS = sorted({d for p in PERIODS.values() for d in (p.start, p.end, p.as_of)} | set(LITERALS)
                 | {date(2024, 10, 1), date(2023, 10, 1)})  # as-of − 12 months
DATES = ("filing_date", "closing_date", "appeal_date", "transfer_date")
CONDITIONS = [{"col": "closing_date", op: v} for op in ("lt", "le", "gt", "ge", "eq", "ne") for v in LITERALS] + [
    {"col": "filing_date", "in": LITERALS}, {"col": "filing_date", "not_in": LITERALS},
    {"col": "appeal_date", "is_null": True}, {"col": "filing_date", "older_than_months": 12},
    {"any": [{"col": "transfer_date", "le": LITERALS[0]}, {"col": "closing_date", "is_null": True}]},
]


# every combination of the four dates, each on, the day before or the day after an anchor, or null
GRID = [None] + sorted({date.fromordinal(a.toordinal() + k) for a in ANCHORS for k in (-1, 0, 1)})


@pytest.fixture(scope="module")
def grid() -> ibis.Table:
    cols = {c: [] for c in DATES}
    for f, c, a, tr in itertools.product(GRID, repeat=4):
        for name, v in zip(DATES, (f, c, a, tr), strict=True):
            cols[name].append(v)
    table = pa.table(cols, schema=ARROW)
    return ibis.memtable(table.append_column("rid", pa.array(range(table.num_rows), pa.int64())))


def truths(t: ibis.Table, spec: dict) -> dict[str, int]:
    """How many rows each period's condition holds for, and two checksums of which rows."""
    out = {}
    for tag, p in PERIODS.items():
        w = Compiler(t, p).where(spec).fill_null(False)
        out[f"{tag}_n"] = w.cast("int64").sum()
        out[f"{tag}_ids"] = ibis.ifelse(w, t.rid, 0).sum()
        out[f"{tag}_squares"] = ibis.ifelse(w, t.rid * t.rid, 0).sum()
    return t.aggregate(**out).to_pyarrow().to_pylist()[0]


@pytest.mark.parametrize("base", sorted(cuts.BASE_CUTS))
def test_coarsened_dates_keep_every_truth(grid, base):
    for cond in CONDITIONS:
        spec = {"set": base, "where": [cond]}
        shape = cuts.shape(SCHEMA, {"k": (spec, SimpleNamespace(line="all", exclusion_rules={}))}, PERIODS)
        assert shape is not None and not shape.flagged  # all of these are read off coarsened dates
        coarse = grid.mutate(**{c: cuts.coarsened(grid[c], shape.dates.get(c, set())) for c in shape.coarse})
        assert truths(coarse, spec) == truths(grid, spec), (base, cond)


def test_cuts_worked_by_hand():
    """x < d and x >= d turn at d; x <= d and x > d at the day after; = at d and the day after."""
    d = date(2025, 3, 3)
    assert cuts.date_cuts("lt", d, PERIODS) == cuts.date_cuts("ge", d, PERIODS) == {d}
    assert cuts.date_cuts("le", d, PERIODS) == cuts.date_cuts("gt", d, PERIODS) == {date(2025, 3, 4)}
    assert cuts.date_cuts("eq", d, PERIODS) == {d, date(2025, 3, 4)}
    assert cuts.date_cuts("older_than_months", 12, PERIODS) == {date(2024, 10, 1), date(2023, 10, 1)}
    assert cuts.date_cuts("contains", "x", PERIODS) is None
    closed = cuts.Shape()
    cuts._base_cuts(closed, "closed", PERIODS)  # BETWEEN start AND end: turns at start and the day after end
    assert closed.dates == {"closing_date": {date(2025, 1, 1), date(2026, 1, 1), date(2024, 1, 1), date(2025, 1, 1)}}


ARROW = pa.schema([(c, pa.date32()) for c in DATES])
SCHEMA = ibis.schema({c: "date" for c in DATES})


@pytest.mark.parametrize("base", sorted(set(cuts.BASE_CUTS) - {"cases"}))
def test_row_pruning_keeps_every_row_a_base_set_counts(grid, base):
    """``plan.rows``: every row of every date-based base set of every period passes the pruning filter."""
    t = grid
    keep = rows.relevant(t, PERIODS)
    lost = {tag: (Compiler(t, p).base(base).fill_null(False) & ~keep.fill_null(False)).cast("int64").sum()
            for tag, p in PERIODS.items()}
    kept = {tag: Compiler(t, p).base(base).fill_null(False).cast("int64").sum() for tag, p in PERIODS.items()}
    out = t.aggregate(**{f"lost_{k}": v for k, v in lost.items()}, **{f"kept_{k}": v for k, v in kept.items()})
    res = out.to_pyarrow().to_pylist()[0]
    assert all(res[f"lost_{tag}"] == 0 for tag in PERIODS), res
    assert all(res[f"kept_{tag}"] > 0 for tag in PERIODS)  # the grid reaches every base set
