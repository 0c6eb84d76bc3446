"""``zhixiao bench web --large-dir/--store DIR``: an existing store is used as it is, never regenerated, and an
empty directory without a scale is a Chinese error, not a demo of scale 0."""

from __future__ import annotations

import json
from datetime import date

import pytest
import typer

from zhixiao.bench import web


def test_an_existing_store_is_used_as_it_is(tmp_path, monkeypatch):
    d = tmp_path / "big"
    d.mkdir()
    manifest = {"version": 7, "format": 4, "tables": {"cases": {"冀0123/2026": "cases/x.parquet"}}}
    (d / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    built = []
    monkeypatch.setattr("zhixiao.demo.generate.build_city", lambda *a, **k: built.append(a))
    web._demo(d, 30, date(2026, 11, 30))
    assert built == [] and json.loads((d / "manifest.json").read_text("utf-8"))["version"] == 7


def test_an_empty_directory_needs_a_scale(tmp_path, monkeypatch):
    built = []
    monkeypatch.setattr("zhixiao.demo.generate.build_city", lambda *a, **k: built.append((a, k)))
    with pytest.raises(typer.BadParameter, match="没有案件数据"):
        web._demo(tmp_path / "empty", 0, date(2026, 11, 30))
    web._demo(tmp_path / "empty", 2, date(2026, 11, 30))
    assert len(built) == 1 and built[0][1]["scale"] == 2
