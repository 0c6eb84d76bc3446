"""Paired counts: a count over exactly a distinct count's rows (件 and 案 of 案-件比) made in that query.

The distinct count's query reads the counted column anyway; counting the cases there spares the main scan a
long text column it would read only to test it for null. Only where the count's own conditions require the
column to be present, since that query sees no row without a value.
"""

from __future__ import annotations

from zhixiao.metrics.filters import spec_key


def paired_counts(source: dict) -> dict[str, str]:
    """Spec key of each such count → the column of its distinct count."""
    rows = {spec_key({k: v for k, v in spec.items() if k != "distinct"}, ind.line, ind.exclusions): spec["distinct"]
            for spec, ind in source.values() if "distinct" in spec}
    return {key: rows[key] for key, (spec, _ind) in source.items()
            if "distinct" not in spec and "sum" not in spec and key in rows
            and {"col": rows[key], "is_null": False} in spec.get("where", [])}
