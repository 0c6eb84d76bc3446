"""The indicator suite on a real Spark standalone cluster (master + two workers on loopback) gives DuckDB's
results on the demo city."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date

import pytest

from tests.deploy._cluster_eval import results
from tests.deploy.conftest import ROOT
from tests.deploy.spark_cluster import standalone_cluster
from zhixiao.engine import connect

pytestmark = [pytest.mark.spark, pytest.mark.skipif(shutil.which("java") is None, reason="需要 Java 运行环境")]
START, END = date(2025, 1, 1), date(2025, 12, 31)


def test_cluster_results_equal_duckdb(tmp_path):
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "zhixiao.cli", "demo", "--data-dir", str(data), "--scale", "0.02",
                    "--as-of", "2026-03-31", "--no-hooks"], check=True, capture_output=True, cwd=ROOT)
    expected = json.loads(json.dumps(results(connect(data), str(data), START, END), default=str))
    with standalone_cluster(tmp_path / "spark") as cluster:
        child = subprocess.run([sys.executable, "-m", "tests.deploy._cluster_eval", str(data), START.isoformat(),
                                END.isoformat()], capture_output=True, text=True, cwd=ROOT,
                               env={**os.environ, **cluster.env}, timeout=900)
        assert child.returncode == 0, child.stderr[-4000:]
        got = json.loads(child.stdout.strip().splitlines()[-1])
        # each worker ran an executor of this application (its work dir holds app-*/N/)
        ran = [sorted(p.name for p in w.iterdir()) for w in cluster.work_dirs]
    assert got["master"] == cluster.url
    assert all(r and r[0].startswith("app-") for r in ran), ran
    assert set(got["results"]) == set(expected) and len(expected) >= 3
    for profile, res in expected.items():
        assert got["results"][profile] == res, profile
    assert sum(len(r["rows"]) for r in expected.values()) > 100
