"""The columns DuckDB's parquet scans read, from a JSON profile (``PRAGMA enable_profiling='json'``)."""

from __future__ import annotations

import json
from pathlib import Path


def _scans(node: dict) -> list[dict]:
    own = [node] if node.get("name") == "READ_PARQUET" else []
    return own + [s for c in node.get("children", []) for s in _scans(c)]


def parquet_scans(profile: Path) -> list[list[str]]:
    """One list of projected columns per READ_PARQUET operator of the profiled query."""
    return [s["extra_info"]["Projections"] for op in json.loads(profile.read_text())["operator"] for s in _scans(op)]
