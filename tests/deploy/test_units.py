"""The systemd units pass ``systemd-analyze verify``; the container definition installs from the bundle."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT

UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/zhixiao/venv/bin/zhixiao"


def _units_here(tmp_path: Path) -> list[Path]:
    """The units with the install path pointed at this checkout's entry point: verify checks that every
    ExecStart= program exists and is executable, and /opt/zhixiao is not installed on a CI machine."""
    exe = Path(sys.executable).with_name("zhixiao")
    assert exe.is_file(), exe
    out = []
    for unit in sorted(UNITS.iterdir()):
        target = tmp_path / unit.name
        target.write_text(unit.read_text("utf-8").replace(INSTALLED, str(exe)), "utf-8")
        out.append(target)
    return out


def _verify(paths: list[Path]) -> subprocess.CompletedProcess:
    # Runs without systemd as PID 1 (a container): verify only loads and checks the unit files.
    return subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, paths)], capture_output=True,
                          text=True, cwd=paths[0].parent)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="需要 systemd-analyze（.ci/run 会 apt-get install systemd）")
def test_units_verify_clean(tmp_path):
    units = _units_here(tmp_path)
    assert {u.name for u in units} == {"zhixiao-web.service", "zhixiao-daily.service", "zhixiao-daily.timer"}
    res = _verify(units)
    # verify exits 0 on unknown keys and merely warns: a clean unit prints nothing at all
    assert res.returncode == 0 and res.stderr == "" and res.stdout == "", res.stderr + res.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="需要 systemd-analyze（.ci/run 会 apt-get install systemd）")
def test_verify_catches_a_broken_unit(tmp_path):
    """The check above can fail: a service with nothing to start is refused. (The daily unit runs one program,
    ``zhixiao daily``, since issue 14 §2 made the daily job one module; a second ExecStart is no longer there
    to break.)"""
    (daily,) = [u for u in _units_here(tmp_path) if u.name == "zhixiao-daily.service"]
    text = daily.read_text("utf-8")
    assert text.count("ExecStart=") == 1
    daily.write_text("".join(line for line in text.splitlines(keepends=True) if not line.startswith("ExecStart=")),
                     "utf-8")
    res = _verify([daily])
    assert res.returncode != 0 and "no ExecStart" in res.stderr, res.stderr


def test_units_run_commands_that_exist():
    """Every zhixiao command a unit or the container runs is a real command (its --help exits 0)."""
    exe = Path(sys.executable).with_name("zhixiao")
    lines = [line for f in [*UNITS.iterdir(), ROOT / "deploy" / "Containerfile"] for line in f.read_text("utf-8").splitlines()
             if line.startswith(("Exec", "CMD"))]
    commands = set()
    for line in lines:
        for part in line.split("zhixiao ")[1:]:
            words = [w.strip('",]&') for w in part.split()]
            cmd = words[:next(i for i, w in enumerate([*words, "-"]) if not w.isalpha())]  # up to the first option
            commands.add(tuple(cmd))
    # the daily job (审限 sweep, services' overdue items, data-quality check) is one command: zhixiao daily
    assert {("serve",), ("db", "upgrade"), ("daily",)} <= commands
    for cmd in commands:
        assert subprocess.run([str(exe), *cmd, "--help"], capture_output=True).returncode == 0, cmd


def test_container_is_debian_nonroot_with_a_data_volume_and_installs_from_the_bundle():
    text = (ROOT / "deploy" / "Containerfile").read_text("utf-8")
    assert text.count("FROM debian:12") == 1
    assert "USER zhixiao" in text and 'VOLUME ["/srv/zhixiao"]' in text
    assert "install.sh --venv /opt/zhixiao/venv" in text
    assert "pip install" not in text  # nothing but the bundle's own install script touches pip
