"""The case store at a base URI on S3-compatible object storage: a real S3 server (moto's, on loopback) holds the
files and the manifest; the importer writes there, the store reads back, and the indicators equal those of
the same import into a local data directory. (HDFS needs a namenode and libhdfs, which this machine has not:
docs/SCALE.md says so.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date

import pyarrow.fs as pafs
import pytest
from moto.server import ThreadedMotoServer

from tests.deploy.conftest import ROOT
from zhixiao.config import load_settings
from zhixiao.demo.export import export_city_csv
from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.ingest.importer import import_files
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore
from zhixiao.store.location import locate

BUCKET = "court-store"
START, END = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 on 127.0.0.1 (an ephemeral port), with the test credentials pyarrow's S3 client reads from the
    environment, and one bucket."""
    keys = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update(keys)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"{host}:{port}"
    fs = pafs.S3FileSystem(endpoint_override=endpoint, scheme="http", region="us-east-1", allow_bucket_creation=True)
    fs.create_dir(BUCKET)
    yield endpoint
    server.stop()
    for k, v in old.items():
        os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


def _uri(endpoint: str, prefix: str) -> str:
    return f"s3://{BUCKET}/{prefix}?endpoint_override={endpoint}&scheme=http&region=us-east-1"


@pytest.fixture(scope="module")
def export_csv(tmp_path_factory):
    """A real export: every case of a small demo city (eight courts, 2024 to 2026), GBK, quoted, as courts send
    them."""
    demo = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, "-m", "zhixiao.cli", "demo", "--data-dir", str(demo), "--scale", "0.02",
                    "--as-of", "2026-03-31", "--no-hooks"], check=True, capture_output=True, cwd=ROOT)
    path = demo.parent / "export.csv"
    total = CaseStore(demo).read("cases", ["case_id"]).num_rows
    assert export_city_csv(demo, path, rows=total) == total > 3000
    return path


@pytest.fixture(scope="module")
def stores(export_csv, s3_server, tmp_path_factory):
    """The same export imported into a local data directory and into one whose store is on S3."""
    local, remote = tmp_path_factory.mktemp("local"), tmp_path_factory.mktemp("remote")
    uri = _uri(s3_server, "stores/jizhou")
    import_files([export_csv], load_settings(local))
    mp = pytest.MonkeyPatch()
    mp.setenv("ZHIXIAO_STORE_URI", uri)  # how an installation names it (or store_uri in zhixiao.toml)
    try:
        result = import_files([export_csv], load_settings(remote))
    finally:
        mp.undo()
    return local, remote, uri, result


def _rows(t):
    return sorted(t.to_pylist(), key=lambda r: r["case_id"])


def test_import_writes_to_the_bucket_and_reads_back(stores):
    local, remote, uri, result = stores
    assert result.changed and result.report.files[0].accepted > 0
    s3 = CaseStore(remote, uri=uri)
    loc = s3.location
    assert not loc.local and loc.scheme == "s3"
    # nothing of the store in the data directory: no manifest, no Parquet (the lock and ops.sqlite stay local)
    assert not (remote / "manifest.json").exists() and not list(remote.rglob("*.parquet"))
    manifest = json.loads(loc.read_text("manifest.json"))
    rels = [rel for t in manifest["tables"].values() for rel in t.values()]
    assert rels and all(r.startswith(("cases/", "case_events/", "people/")) for r in rels)  # relative to the base
    assert all(loc.exists(r) for r in rels)
    assert loc.fs.get_file_info(f"{BUCKET}/stores/jizhou/manifest.json").type == pafs.FileType.File
    assert manifest == json.loads((local / "manifest.json").read_text("utf-8")) | {
        "tables": manifest["tables"], "updated_at": manifest["updated_at"]}
    here = CaseStore(local, uri="")
    assert s3.partitions("cases") == here.partitions("cases")
    assert _rows(s3.read("cases")) == _rows(here.read("cases"))
    assert s3.read("cases").num_rows == result.report.files[0].accepted


def test_indicators_on_the_bucket_equal_the_local_store(stores):
    local, remote, uri, _ = stores
    mp = pytest.MonkeyPatch()
    mp.setenv("ZHIXIAO_STORE_URI", uri)
    try:
        eng = connect(remote)
        assert not eng.store.location.local
        got = evaluate(eng, "court-classic", START, END, by=("court",), compare="yoy", data_dir=str(remote)).to_dict()
    finally:
        mp.undo()
    want = evaluate(connect(local), "court-classic", START, END, by=("court",), compare="yoy",
                    data_dir=str(local)).to_dict()
    assert got == want
    assert len(want["rows"]) > 50 and any(r.get("value") not in (None, 0) for r in want["rows"])


def test_a_second_import_replaces_the_manifest_and_collects_old_files(stores, export_csv):
    """Re-importing with --force rewrites the partitions: a new manifest version, old files kept for the grace
    period (a reader may hold the old manifest) and removed by the collector after it."""
    _, remote, uri, _ = stores
    s3 = CaseStore(remote, uri=uri)
    before = s3.manifest()
    mp = pytest.MonkeyPatch()
    mp.setenv("ZHIXIAO_STORE_URI", uri)
    try:
        import_files([export_csv], load_settings(remote), force=True)
    finally:
        mp.undo()
    after = s3.manifest()
    assert after.version == before.version + 1
    old = {r for t in before.tables.values() for r in t.values()} - {r for t in after.tables.values() for r in t.values()}
    assert old and all(s3.location.exists(r) for r in old)
    assert s3.collect_garbage(older_than_s=3600) == 0
    assert s3.collect_garbage(older_than_s=-1) == len(old)
    assert not any(s3.location.exists(r) for r in old)
    assert _rows(s3.read("cases")) == _rows(CaseStore(stores[0], uri="").read("cases"))


def test_unsupported_scheme_and_local_only_callers_are_user_errors(stores, tmp_path):
    _, remote, uri, _ = stores
    with pytest.raises(UserError, match="ftp.*不受支持"):
        locate(tmp_path, "ftp://host/store")
    with pytest.raises(UserError, match="只能读取本地"):
        CaseStore(remote, uri=uri).files("cases")


def test_backup_of_a_bucket_store_restores_as_a_local_store(stores, tmp_path):
    """``zhixiao backup`` copies the bucket's current snapshot down; the restored data directory is a local
    store with the same cases."""
    from zhixiao.store.backup import backup, restore

    local, remote, uri, _ = stores
    mp = pytest.MonkeyPatch()
    mp.setenv("ZHIXIAO_STORE_URI", uri)
    try:
        made = backup(remote, load_settings(remote).ops_url, tmp_path / "bak")
        snapshot = CaseStore(remote).manifest()
    finally:
        mp.undo()
    assert made.manifest_version == snapshot.version
    assert made.files == sum(len(t) for t in snapshot.tables.values())
    back = restore(tmp_path / "bak", tmp_path / "restored")
    assert back.files == made.files
    again = CaseStore(tmp_path / "restored", uri="")
    assert again.location.local and again.manifest().tables == snapshot.tables
    assert _rows(again.read("cases")) == _rows(CaseStore(local, uri="").read("cases"))


@pytest.mark.spark
@pytest.mark.skipif(shutil.which("java") is None, reason="需要 Java 运行环境")
def test_spark_on_a_bucket_without_hadoop_aws_says_what_is_missing(stores, monkeypatch):
    """pyspark ships no S3 connector: asking Spark to read the bucket is a Chinese user error naming it."""
    _, remote, uri, _ = stores
    monkeypatch.setenv("ZHIXIAO_STORE_URI", uri)
    with pytest.raises(UserError, match="hadoop-aws"):
        connect(remote, "spark")
