"""Per-snapshot aggregates (issue 18 §1): precomputed once per store version and kept beside the snapshot, read
back by the next process without touching the engine, equal to what `zhixiao indicators` prints, and rebuilt
for the new version after an import."""

from __future__ import annotations

import json
import shutil
from datetime import date

from typer.testing import CliRunner

from tests.web.conftest import AS_OF
from zhixiao.config import Settings
from zhixiao.store.cases import CaseStore
from zhixiao.web.data import HEADLINE, DataHub


def _copy(web_env, tmp_path):
    d = tmp_path / "data"
    shutil.copytree(web_env.data_dir, d)
    return d


def test_precomputed_pages_equal_the_evaluator_and_are_read_back(web_env, tmp_path):
    from zhixiao.cli import app as cli

    d = _copy(web_env, tmp_path)
    version = CaseStore(d).manifest().version
    first = DataHub(Settings(data_dir=d))
    first.precompute(version)
    stored = d / "aggregates" / str(version)
    assert (stored / "answers.pickle").is_file() and list(stored.glob("deadlines_*.parquet"))
    assert first.misses > 0 and first.loaded == 0

    # a new process (a restart): every default page is read back, no engine question is asked
    again = DataHub(Settings(data_dir=d))
    again.precompute(version)
    assert again.loaded == len(first_keys := [k for k in first._cache if k[0] == version and k[2] in first.persist]) and again.misses == 0, (
        again.loaded, len(first_keys))
    start = date(AS_OF.year, 1, 1)
    courts = list(again.roster()["courts"])
    assert len(courts) >= 2
    for court in courts:
        page = {r["indicator"]: r for r in again.indicators(start, AS_OF, {"court_code": court})}
        args = ["indicators", "--data-dir", str(d), "--court", court, "--from", start.isoformat(),
                "--to", AS_OF.isoformat(), "--format", "json"]
        for iid in HEADLINE:
            args += ["--indicator", iid]
        res = CliRunner().invoke(cli, args)
        assert res.exit_code == 0, res.output
        cli_rows = {r["indicator"]: r for r in json.loads(res.output)["rows"]}
        assert set(cli_rows) == set(HEADLINE) == set(page)
        for iid in HEADLINE:
            assert page[iid]["value"] == cli_rows[iid]["value"], (court, iid)
            assert page[iid]["numerator"] == cli_rows[iid]["numerator"], (court, iid)
    assert again.misses == 0  # all of the above came from the stored aggregates


def test_ledgers_from_the_stored_table_equal_a_fresh_computation(web_env, tmp_path):
    from zhixiao.deadlines import deadline_table, table_options
    from zhixiao.engine import connect
    from zhixiao.supervision.pending import four_pending, long_pending
    from zhixiao.supervision.rules import load_ladder
    from zhixiao.web.data import records

    d = _copy(web_env, tmp_path)
    settings = Settings(data_dir=d)
    led = DataHub(settings).ledgers()
    e = connect(d)
    t = deadline_table(e, led["as_of"], **table_options(settings, load_ladder(settings)))
    overdue = int(t.filter(t.pending & (t.status == "超审限")).count().execute())
    assert overdue > 0 and sum(1 for r in led["due"] if r["status"] == "超审限") == overdue
    key = ["case_id", "tier"]
    fresh_long = sorted(tuple(r[k] for k in key) for r in records(long_pending(t, led["tiers"]).execute()))
    assert sorted(tuple(r[k] for k in key) for r in led["long"]) == fresh_long and fresh_long
    assert sorted(r["case_id"] for r in led["four"]) == sorted(r["case_id"] for r in records(four_pending(t).execute()))


def test_an_import_gets_its_own_aggregates_and_old_ones_go(web_env, tmp_path):
    from zhixiao.demo.export import export_court_csv
    from zhixiao.ingest.importer import import_files

    d = _copy(web_env, tmp_path)
    hub = DataHub(Settings(data_dir=d))
    v0 = hub.version()
    hub.precompute(v0)
    export = tmp_path / "export.csv"
    export_court_csv(d, export, "冀0123")
    for _ in range(2):  # two imports: v0 + 2; the one before the newest is kept for readers mid-request
        import_files([export], Settings(data_dir=d), user="测试", force=True)
    v2 = hub.version()
    assert v2 == v0 + 2
    hub.precompute(v2)
    assert (d / "aggregates" / str(v2) / "answers.pickle").is_file()
    assert not (d / "aggregates" / str(v0)).exists()
