"""``zhixiao indicators flows``: 收结存 per track in the CLI, the same figures as metrics.tracks (hand court of
conftest.py; test_tracks.py works the numbers out)."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from zhixiao.cli import app


def _run(court_dir, *args):
    r = CliRunner().invoke(app, ["indicators", "flows", "--data-dir", str(court_dir), "--from", "2025-01-01",
                                 "--to", "2025-12-31", *args])
    assert r.exit_code == 0, r.output
    return r.output


def test_flows_json_by_court(court_dir):
    rows = [json.loads(line) for line in _run(court_dir, "--by", "court", "--format", "json").splitlines()]
    got = {(r["court_code"], r["track"]): (r["carried_over"], r["new_cases"], r["received"], r["closed"], r["pending"])
           for r in rows}
    # 冀0123 执行 C19–C22: 旧存 C21, 新收 C19 C20 C22, 结案 C19 C20 C21, 未结 C22
    assert got[("冀0123", "执行")] == (1, 3, 4, 3, 1)
    assert got[("冀01", "执行")] == (0, 0, 0, 0, 0)
    for court in ("冀0123", "冀01"):
        assert got[(court, "合计")] == tuple(sum(got[(court, t)][k] for t in ("审判", "执行", "非诉保全"))
                                           for k in range(5))
    assert len(rows) == 8  # two courts × (审判, 执行, 非诉保全, 合计)


def test_flows_csv_and_table_for_one_court(court_dir):
    out = list(csv.DictReader(io.StringIO(_run(court_dir, "--court", "冀0123", "--format", "csv"))))
    assert [r["类别"] for r in out] == ["审判", "执行", "非诉保全", "合计"]
    execution = out[1]
    assert (execution["旧存"], execution["新收"], execution["受理"], execution["结案"], execution["未结"]) == (
        "1", "3", "4", "3", "1")
    assert float(execution["结案率"]) == 0.75
    table = _run(court_dir, "--court", "冀0123")
    assert "非诉保全" in table and "75.00%" in table and "合计" in table


def test_city_prints_the_tracks_per_court(court_dir):
    r = CliRunner().invoke(app, ["city", "--data-dir", str(court_dir), "--court", "冀01", "--from", "2025-01-01",
                                 "--to", "2025-12-31", "--indicator", "closed"])
    assert r.exit_code == 0, r.output
    flows = r.output[r.output.index("收结存（审判、执行、非诉保全）"):]
    # one row per court × track: 正定 (basic, first) then 冀01 apart; 正定 执行 1/3/4/3/1 at 75.00%
    lines = [ln for ln in flows.splitlines() if "执行" in ln and "│" in ln]
    assert len(lines) == 2
    cells = [c.strip() for c in lines[0].split("│") if c.strip()]
    assert cells[-7:] == ["执行", "1", "3", "4", "3", "1", "75.00%"]
    assert "单列" in flows and "非诉保全" in flows
