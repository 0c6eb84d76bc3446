"""The evaluator's planner passes: each changes how some aggregates are computed, never what they are.

The plain compile path (``plain``) is the reference a reader checks the catalogue against: one ``GROUP BY``
over the prepared cases with a filtered reduction per aggregate. Each pass, one module each, rewrites part
of that plan for speed; ``evaluate(..., passes=…)`` turns passes off one by one, and the tests compare every
pass with the plain path cell for cell. The evaluator composes them in ``evaluate._Plan.queries``.

- ``columns``: compute only the 审限 columns the catalogue reads; scan distinct counts without the joins.
- ``rows``: drop, before the main scan, cases no base set of any period can count.
- ``origin``: join to the 原审 case only the cases some 原审-attributed aggregate counts.
- ``preaggregate``: group by what the conditions read, dates coarsened to their cut points (``cuts``),
  then evaluate the conditions over that small table.
- ``atoms``: each distinct condition part once per row as a boolean column; aggregates only AND them.
- ``distinct``: distinct counts in their own query per counted column, conditions pushed into its WHERE.
- ``hash``: on DuckDB, distinct counts over a 64-bit hash of the value (needs ``distinct``).
- ``paired``: a count over exactly a distinct count's rows made in that query (needs ``distinct``).
"""

from __future__ import annotations

from collections.abc import Iterable

PASSES = ("columns", "rows", "origin", "preaggregate", "atoms", "distinct", "hash", "paired")
ALL = frozenset(PASSES)
PLAIN: frozenset[str] = frozenset()
NEEDS = {"hash": "distinct", "paired": "distinct"}  # a pass that only refines another


def passes(names: Iterable[str]) -> frozenset[str]:
    """A checked set of pass names (a misspelt pass must not silently leave a test comparing plain with plain)."""
    out = frozenset(names)
    unknown = out - ALL
    if unknown:
        raise ValueError(f"unknown planner passes: {sorted(unknown)}")
    return out
