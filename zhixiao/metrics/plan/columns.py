"""Column pruning: read no 审限 or 中止 column a query does not need.

The 审限 columns are computed per case from its timeline, the limits table and the court calendar; building
only those the catalogue names compiles a fraction of that SQL. The distinct counts (案-件比) read no such
column in the shipped catalogues, so they scan the cases without them: DuckDB cannot drop the joined limit
and calendar tables from a plan that does not use them.
"""

from __future__ import annotations

import json
import re

import ibis

from zhixiao.metrics.filters import needs_deadlines, needs_suspension


def deadline_columns(specs: list[dict]) -> set[str]:
    """The 审限 columns (``deadline.<name>``) the specs read."""
    return set(re.findall(r"deadline\.(\w+)", json.dumps(specs, ensure_ascii=False, default=str)))


def without_joins(t: ibis.Table, base: ibis.Table | None, specs: list[dict]) -> ibis.Table:
    """``base`` (the same cases without 审限/中止 columns) when no spec reads those columns, else ``t``."""
    if base is None or any(needs_deadlines(s) or needs_suspension(s) for s in specs):
        return t
    return base
