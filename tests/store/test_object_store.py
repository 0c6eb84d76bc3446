"""The case store at a base URI on S3-compatible object storage: a real S3 server (moto's, on loopback) holds the
files and the manifest; the importer writes there, the store reads back, and the indicators equal those of
the same import into a local data directory. (HDFS needs a namenode and libhdfs, which this machine has not:
docs/SCALE.md says so.)"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from datetime import date

import pyarrow.fs as pafs
import pytest
from moto.server import ThreadedMotoServer
from typer.testing import CliRunner

from tests.deploy.conftest import ROOT
from zhixiao import ops_doctor as od
from zhixiao.cli import app
from zhixiao.config import load_settings
from zhixiao.demo.export import export_city_csv
from zhixiao.engine import connect
from zhixiao.errors import UserError
from zhixiao.ingest.importer import import_files
from zhixiao.metrics.evaluate import evaluate
from zhixiao.store.cases import CaseStore, Manifest
from zhixiao.store.location import locate

BUCKET = "court-store"
runner = CliRunner()
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on return: nothing listens there


def test_info_reads_the_bucket_store(stores):
    """``zhixiao info`` on a data directory whose store is in the bucket: the same tables and courts as the local
    import, and the location shown without its query string."""
    local, remote, uri, result = stores
    r = runner.invoke(app, ["info", "--data-dir", str(remote), "--format", "json"], env={"ZHIXIAO_STORE_URI": uri})
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    want = json.loads(runner.invoke(app, ["info", "--data-dir", str(local), "--format", "json"]).output)
    assert got["store"] == f"s3://{BUCKET}/stores/jizhou" and want["store"] == str(local.absolute())
    assert got["tables"]["cases"] == result.report.files[0].accepted == want["tables"]["cases"]
    assert got["tables"] == want["tables"] and got["courts"] == want["courts"] and len(got["courts"]) == 8
    assert got["manifest_version"] == CaseStore(remote, uri=uri).manifest().version
    r = runner.invoke(app, ["info", "--data-dir", str(remote)], env={"ZHIXIAO_STORE_URI": uri})
    assert r.exit_code == 0 and f"案件数据位置：s3://{BUCKET}/stores/jizhou" in r.output and "正定" in r.output


def test_doctor_checks_the_bucket_store(stores, s3_server, tmp_path):
    """Reachable with every listed file: ok; an empty prefix: ok, nothing imported yet; a missing bucket, a
    manifest naming a file that is not there, or one that is not JSON: an error saying what to do."""
    _, remote, uri, _ = stores
    (f,) = od.check_store(remote, uri)
    listed = sum(len(t) for t in CaseStore(remote, uri=uri).manifest().tables.values())
    assert f.status == od.OK and f"列出的 {listed} 个文件齐全" in f.message and "endpoint_override" not in f.message
    (f,) = od.check_store(tmp_path, _uri(s3_server, "stores/empty"))
    assert f.status == od.OK and "尚无案件数据" in f.message
    (f,) = od.check_store(tmp_path, _uri(s3_server, "x").replace(BUCKET, "no-such-bucket"))
    assert f.status == od.ERROR and "存储桶 no-such-bucket 不存在" in f.message
    broken = locate(tmp_path, _uri(s3_server, "stores/broken"))
    broken.write_atomic("manifest.json", Manifest(version=3, tables={"cases": {"冀0123/2025": "cases/gone.parquet"}}).dump())
    (f,) = od.check_store(tmp_path, _uri(s3_server, "stores/broken"))
    assert f.status == od.ERROR and "1 个文件不存在（如 cases/gone.parquet）" in f.message and "zhixiao restore" in f.message
    broken.write_atomic("manifest.json", "{不是 JSON")
    (f,) = od.check_store(tmp_path, _uri(s3_server, "stores/broken"))
    assert f.status == od.ERROR and "已损坏" in f.message


def test_doctor_command_on_the_bucket_and_on_an_unreachable_endpoint(stores):
    """The command: the bucket store is one finding among the others (and the data directory's own check says the
    files are elsewhere); an endpoint nobody listens on is an error naming what to check, and exit code 1."""
    _, remote, uri, _ = stores
    r = runner.invoke(app, ["doctor", "--data-dir", str(remote), "--format", "json"], env={"ZHIXIAO_STORE_URI": uri})
    found = {f["check"]: f for f in map(json.loads, r.output.splitlines())}  # one JSON object a line
    assert found["案件数据位置"]["status"] == "ok"
    assert found["文件权限"]["status"] == "ok" and "对象存储" in found["文件权限"]["message"]
    dead = _uri(f"127.0.0.1:{_free_port()}", "stores/jizhou")
    r = runner.invoke(app, ["doctor", "--data-dir", str(remote)], env={"ZHIXIAO_STORE_URI": dead})
    out = r.output.replace("\n", "")  # the console wraps long findings
    assert r.exit_code == 1
    assert "【需修复】案件数据位置：无法连接案件数据位置 s3://court-store/stores/jizhou" in out
    assert "endpoint_override" in out and "AWS_ACCESS_KEY_ID" in out
    r = runner.invoke(app, ["info", "--data-dir", str(remote)], env={"ZHIXIAO_STORE_URI": dead})
    assert isinstance(r.exception, UserError) and "zhixiao doctor" in str(r.exception)


@pytest.mark.spark
@pytest.mark.skipif(shutil.which("java") is None, reason="需要 Java 运行环境")
def test_spark_on_a_bucket_without_hadoop_aws_says_what_is_missing(stores, monkeypatch):
    """pyspark ships no S3 connector: asking Spark to read the bucket is a Chinese user error naming it."""
    _, remote, uri, _ = stores
    monkeypatch.setenv("ZHIXIAO_STORE_URI", uri)
    with pytest.raises(UserError, match="hadoop-aws"):
        connect(remote, "spark")
