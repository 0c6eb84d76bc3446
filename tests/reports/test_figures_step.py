"""The briefing in two steps (issue 14 §3): the figures step fetches every number; the narrative step
(``reports.sections``) builds the sections from those typed figures and never runs a query."""

from __future__ import annotations

import ast
from dataclasses import asdict
from pathlib import Path

import ibis.expr.types.core as ibis_core
import pytest

from zhixiao.reports import briefing
from zhixiao.reports.figures.collect import context, gather

SECTIONS = Path(briefing.__file__).parent / "sections"


def test_narrative_runs_no_query(engine, period, monkeypatch):
    """Once the figures are gathered, building every section with query execution disabled gives the same
    briefing as ``collect`` (so no section fetches a number of its own)."""
    ctx = context(engine, "冀0123", *period, "court", "yoy", "court-classic")
    f = gather(engine, ctx)

    def refuse(*_a, **_k):
        raise AssertionError("the narrative step ran a query")

    for name in ("execute", "to_pyarrow"):  # how this code runs its queries
        monkeypatch.setattr(ibis_core.Expr, name, refuse)
    b = briefing.narrate(f)
    monkeypatch.undo()
    ref = briefing.collect(engine, "冀0123", *period)
    got, want = asdict(b), asdict(ref)
    for d in (got, want):
        d.pop("timings"), d.pop("issued")
    assert got == want
    # the sections of a 1—2月 briefing of 正定 (conftest): 收结存 … 下一步, then three appendices
    assert [s.key for s in b.sections] == ["caseload", "quality", "enforcement", "deadlines", "weak", "targets",
                                           "proposals"]
    assert [s.key for s in b.appendices] == ["long_pending_list", "data_quality", "cards"]
    assert b.figures["new_cases"]["value"] == 8 and b.figures["closed"]["value"] == 6  # by hand (conftest)


@pytest.mark.parametrize("path", sorted(SECTIONS.glob("*.py")), ids=lambda p: p.name)
def test_sections_import_no_query_module(path):
    """A section module reads figures: it imports no engine, evaluator, 审限 table, store or service."""
    banned = ("zhixiao.engine", "zhixiao.metrics.evaluate", "zhixiao.metrics.series", "zhixiao.deadlines",
              "zhixiao.store", "zhixiao.services")
    banned_names = {"evaluate", "run_checks", "city_matrix", "four_pending", "deadline_table", "monthly", "connect"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert not node.module.startswith(banned), (path.name, node.module)
            assert not {a.name for a in node.names} & banned_names, (path.name, node.module)
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith(banned) for a in node.names), path.name


def test_no_module_of_the_briefing_is_over_400_lines():
    root = Path(briefing.__file__).parent
    for path in [root / "briefing.py", *sorted((root / "figures").glob("*.py")), *sorted(SECTIONS.glob("*.py"))]:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path.name
