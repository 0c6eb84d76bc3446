"""The offline bundle installs with no network and runs the main job (demo → indicators → 审限 → briefings)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT, WHEEL_CACHE

pytestmark = pytest.mark.deploy

NO_NETWORK = {
    # Any attempt to reach a registry goes to a closed port; the install script must not need one.
    "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
    "PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "zhixiao-offline"
    res = subprocess.run(["bash", "scripts/build_bundle.sh", str(out)], cwd=ROOT, capture_output=True, text=True,
                         env=_env(PYTHON=sys.executable, WHEEL_CACHE=str(WHEEL_CACHE)), timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def test_bundle_holds_the_locked_runtime_and_the_package_assets(bundle):
    wheels = {p.name.split("-")[0].lower().replace("_", "-"): p for p in (bundle / "wheels").glob("*.whl")}
    lock = {line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
            for line in (ROOT / "requirements.lock").read_text().split() if "==" in line}
    for name in ("pyspark", "duckdb", "pyarrow", "ibis-framework", "chinesecalendar", "sqlalchemy", "fastapi"):
        assert name in wheels, name
        assert wheels[name].name.split("-")[1] == lock[name], name
    assert "pytest" not in wheels and "playwright" not in wheels  # test tools stay out of a court's server
    with zipfile.ZipFile(wheels["zhixiao"]) as z:
        names = set(z.namelist())
    assert {"zhixiao/web/static/vendor/echarts.min.js", "zhixiao/web/static/vendor/htmx.min.js"} <= names
    assert any(n.startswith("zhixiao/store/migrations/versions/") for n in names)
    for f in ("install.sh", "requirements.txt", "SHA256SUMS", "BUNDLE.txt", "Containerfile",
              "fontconfig/65-zhixiao-gongwen.conf", "systemd/zhixiao-web.service", "systemd/zhixiao-daily.timer"):
        assert (bundle / f).is_file(), f
    listed = {line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines()}
    assert f"./wheels/{wheels['pyspark'].name}" in listed
    assert subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=bundle).returncode == 0


def test_install_without_network_then_main_job(bundle, tmp_path):
    venv = tmp_path / "venv"
    res = subprocess.run([str(bundle / "install.sh"), "--venv", str(venv), "--no-fonts"], capture_output=True,
                         text=True, env=_env(**NO_NETWORK), timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "已安装" in res.stdout
    # The installed package is the bundle's wheel, not this checkout (no editable install, no path leak).
    where = subprocess.run([str(venv / "bin/python"), "-c", "import zhixiao; print(zhixiao.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, env=_env(), check=True).stdout
    assert where.startswith(str(venv)), where

    work = tmp_path / "work"
    work.mkdir()
    qs = subprocess.run([str(venv / "bin/zhixiao"), "quickstart", "--no-serve", "--scale", "0.02",
                         "--as-of", "2026-03-31", "--data-dir", "d", "--out", "out"],
                        cwd=work, capture_output=True, text=True, env=_env(**NO_NETWORK), timeout=600)
    assert qs.returncode == 0, qs.stdout[-3000:] + qs.stderr[-3000:]
    assert "结案率" in qs.stdout
    # the main job's pack: 正定 and the 冀01 city, 2025 and 2026年1—2月 (docx, xlsx and slides each)
    for ext in ("docx", "xlsx", "pptx"):
        assert len(list((work / "out").rglob(f"*.{ext}"))) == 4, ext


def test_install_script_refuses_a_tampered_bundle(bundle, tmp_path):
    copy = tmp_path / "b"
    copy.mkdir()
    for item in bundle.iterdir():  # the wheels by link: only the small files are copied
        (copy / item.name).symlink_to(item) if item.name == "wheels" else \
            subprocess.run(["cp", "-r", str(item), str(copy / item.name)], check=True)
    (copy / "requirements.txt").write_text("zhixiao==0.0.0\n")
    res = subprocess.run([str(copy / "install.sh"), "--venv", str(tmp_path / "v")], capture_output=True,
                         text=True, env=_env(**NO_NETWORK), timeout=120)
    assert res.returncode == 1
    assert "校验失败" in res.stderr
    assert not (tmp_path / "v").exists()
