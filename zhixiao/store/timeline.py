"""Each case's 审限 timeline, summarised from its events and stored beside it (the ``tl_*`` columns).

The deadline engine needs, per case, the sums of its extensions, its last restart or conversion and the
union of its deducted intervals. Computing those at query time meant grouping the event table and joining it to every
case — most of the cost of a whole-store 审限 run. They only change when the case or its events change, so
the store writes them with the cases of a (court, year) partition whenever either changes (in the same
transaction): a case's events live in its partition, as the importer derives both keys from the 案号.

Nothing here depends on the as-of date. What does (an open interval runs to the as-of or closing date; is a
deduction running on the as-of date) is left to the query, which keeps the open starts and the closed spans.
Days are counted from 1970-01-01 (int32), as the engine's calendar join does.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.domain.time_limits import CONVERSION_CODES, SUSPENSION_KINDS

DEDUCTION_KINDS = ("deduction", *SUSPENSION_KINDS)
_DAY = pa.int32()
# a merged piece [a, b] of the closed deducted days and c = the days of the pieces before it: with the
# extended end E, the piece is late (超审限后补扣) if a > roll(E + c) — the test the query makes.
_PIECE = pa.struct([("a", _DAY), ("b", _DAY), ("c", _DAY)])
_SPAN = pa.struct([("s", _DAY), ("e", _DAY), ("susp", pa.bool_())])

TIMELINE = pa.schema(
    [
        ("tl_ext_months", pa.int32()),  # Σ months of approved extensions (null = none)
        ("tl_ext_days", pa.int32()),  # Σ days of approved extensions
        ("tl_n_ext", pa.int32()),  # number of extensions
        ("tl_restart", pa.date32()),  # last restart (刑事补充侦查 …): the clock counts from here
        # last conversion into a procedure counted from the conversion decision (刑事 简易/速裁 → 普通)
        ("tl_convert", pa.date32()),
        # U = union of the closed deducted intervals, cut to [L, ∞) with L the day after the start
        # (the latest of filing, restart and conversion): its size, bounds and its merged pieces (touching
        # intervals merge, as ``merge_intervals`` does), sorted, each with the days before it.
        ("tl_closed_days", pa.int32()),
        ("tl_u_lo", _DAY),
        ("tl_u_hi", _DAY),
        ("tl_pieces", pa.list_(_PIECE)),
        ("tl_late_key", _DAY),  # max(a − c) over the pieces: none can be late unless this exceeds E
        ("tl_open_d", _DAY),  # earliest start of a deduction with no end
        ("tl_open_s", _DAY),  # earliest start of a 中止 with no end and no later 恢复
        ("tl_spans", pa.list_(_SPAN)),  # the closed intervals as recorded: is one running on the as-of date?
        ("tl_has_deduction", pa.bool_()),
        ("tl_has_suspension", pa.bool_()),
        # consecutive hearings more than a month apart (法释〔2018〕9号 第2条; time_limits.hearing_gaps)
        ("tl_hearing_gaps", pa.int32()),
    ]
)
NAMES = tuple(TIMELINE.names)

_SUSP = ", ".join(f"'{k}'" for k in SUSPENSION_KINDS)
_DED = ", ".join(f"'{k}'" for k in DEDUCTION_KINDS)
_CONV = ", ".join(f"'{k}'" for k in CONVERSION_CODES)
_SQL = f"""
WITH ev AS (SELECT case_id, kind, start_date, end_date, days, months, detail FROM events),
summ AS (
    SELECT case_id,
           CAST(sum(coalesce(months, 0)) FILTER (WHERE kind = 'extension') AS INTEGER) AS tl_ext_months,
           CAST(sum(coalesce(days, 0)) FILTER (WHERE kind = 'extension') AS INTEGER) AS tl_ext_days,
           CAST(count(*) FILTER (WHERE kind = 'extension') AS INTEGER) AS tl_n_ext,
           max(start_date) FILTER (WHERE kind = 'restart') AS tl_restart,
           max(start_date) FILTER (WHERE kind = 'procedure_change' AND detail IN ({_CONV})) AS tl_convert
    FROM ev GROUP BY case_id),
start AS (
    SELECT c.case_id, greatest(c.filing_date, coalesce(s.tl_restart, c.filing_date),
                               coalesce(s.tl_convert, c.filing_date)) - DATE '1970-01-01' + 1 AS l
    FROM cases c JOIN summ s USING (case_id)),
-- a 中止 recorded without an end is closed by the first 恢复 (resumption) on or after its start
d AS (
    SELECT e.case_id, e.kind IN ({_SUSP}) AS susp, e.start_date - DATE '1970-01-01' AS s,
           coalesce(e.end_date, CASE WHEN e.kind IN ({_SUSP}) THEN
               (SELECT min(r.start_date) FROM ev r WHERE r.case_id = e.case_id AND r.kind = 'resumption'
                                                    AND r.start_date >= e.start_date) END) - DATE '1970-01-01' AS e
    FROM ev e WHERE e.kind IN ({_DED})),
clipped AS (  -- closed intervals cut to [L, ∞)
    SELECT d.case_id, greatest(d.s, st.l) AS s, d.e FROM d JOIN start st USING (case_id)
    WHERE d.e IS NOT NULL AND d.e >= greatest(d.s, st.l)),
runs AS (  -- sorted by start; an interval opens a new island unless it overlaps or touches the ones before
    SELECT case_id, s, e, max(e) OVER (PARTITION BY case_id ORDER BY s, e
                                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev FROM clipped),
islands AS (
    SELECT case_id, s, e, sum(CASE WHEN prev IS NULL OR s > prev + 1 THEN 1 ELSE 0 END)
               OVER (PARTITION BY case_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS g FROM runs),
merged AS (SELECT case_id, min(s) AS a, max(e) AS b FROM islands GROUP BY case_id, g),
pieces AS (
    SELECT case_id, a, b, coalesce(sum(b - a + 1) OVER (PARTITION BY case_id ORDER BY a
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS c FROM merged),
u AS (
    SELECT case_id, CAST(sum(b - a + 1) AS INTEGER) AS tl_closed_days,
           CAST(min(a) AS INTEGER) AS tl_u_lo, CAST(max(b) AS INTEGER) AS tl_u_hi,
           list({{'a': CAST(a AS INTEGER), 'b': CAST(b AS INTEGER), 'c': CAST(c AS INTEGER)}} ORDER BY a) AS tl_pieces,
           CAST(max(a - c) AS INTEGER) AS tl_late_key
    FROM pieces GROUP BY case_id),
k AS (
    SELECT case_id,
           CAST(min(s) FILTER (WHERE e IS NULL AND NOT susp) AS INTEGER) AS tl_open_d,
           CAST(min(s) FILTER (WHERE e IS NULL AND susp) AS INTEGER) AS tl_open_s,
           list({{'s': CAST(s AS INTEGER), 'e': CAST(e AS INTEGER), 'susp': susp}} ORDER BY s, e)
               FILTER (WHERE e IS NOT NULL) AS tl_spans,
           bool_or(NOT susp) AS tl_has_deduction, bool_or(susp) AS tl_has_suspension
    FROM d GROUP BY case_id),
h AS (SELECT DISTINCT case_id, start_date AS d FROM ev WHERE kind = 'hearing'),
hl AS (SELECT case_id, d, lag(d) OVER (PARTITION BY case_id ORDER BY d) AS p FROM h),
-- DuckDB's month addition keeps the day or clamps it to the month's end, as add_months does
hg AS (SELECT case_id, CAST(count(*) FILTER (WHERE p IS NOT NULL AND d > CAST(p + INTERVAL 1 MONTH AS DATE)) AS INTEGER)
              AS tl_hearing_gaps FROM hl GROUP BY case_id)
SELECT summ.case_id, tl_ext_months, tl_ext_days, tl_n_ext, tl_restart, tl_convert,
       coalesce(tl_closed_days, CASE WHEN k.case_id IS NOT NULL THEN 0 END) AS tl_closed_days, tl_u_lo, tl_u_hi,
       tl_pieces, tl_late_key, tl_open_d, tl_open_s, tl_spans, tl_has_deduction, tl_has_suspension, tl_hearing_gaps
FROM summ LEFT JOIN u USING (case_id) LEFT JOIN k USING (case_id) LEFT JOIN hg USING (case_id)
"""


def summarise(cases: pa.Table, events: pa.Table | None) -> pa.Table:
    """The ``tl_*`` columns for ``cases`` (same rows, same order) from ``events`` (any cases' events)."""
    n = cases.num_rows
    if events is None or events.num_rows == 0 or n == 0:
        return pa.Table.from_arrays([pa.nulls(n, f.type) for f in TIMELINE], schema=TIMELINE)
    import duckdb  # lazily: an import of cases alone (no events) never needs it

    ids = cases.column("case_id")
    if pa.types.is_dictionary(ids.type):  # the importer hands over dictionary-encoded text
        ids = ids.cast(pa.string())
    con = duckdb.connect()
    try:
        con.register("cases", pa.table({"case_id": ids, "filing_date": cases.column("filing_date")}))
        con.register("events", events.select(["case_id", "kind", "start_date", "end_date", "days", "months", "detail"]))
        summary = con.sql(_SQL).to_arrow_table()
    finally:
        con.close()
    at = pc.index_in(ids, value_set=summary.column("case_id"))
    return pa.Table.from_arrays([summary.column(f.name).cast(f.type).take(at) for f in TIMELINE], schema=TIMELINE)


def attach(cases: pa.Table, events: pa.Table | None) -> pa.Table:
    """``cases`` (canonical columns) with its ``tl_*`` columns computed from ``events``."""
    base = cases.drop_columns([c for c in NAMES if c in cases.column_names])
    tl = summarise(base, events)
    for f in TIMELINE:
        base = base.append_column(f, tl.column(f.name))
    return base
