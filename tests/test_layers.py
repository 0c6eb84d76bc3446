"""The layers of ../shared/DESIGN.md hold (the import-linter contract in pyproject.toml, which .ci/run also runs),
and the check bites: a copy of the package with one wrong import, or a module placed in no layer, breaks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    """lint-imports with ``root``'s pyproject.toml, finding ``zhixiao`` in ``root`` before the installed one."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--no-cache", "--no-logo"], cwd=root, env=env, capture_output=True, text=True)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The package's Python files and the contract, outside the checkout."""
    shutil.copytree(ROOT / "zhixiao", tmp_path / "zhixiao", ignore=lambda d, names: [
        n for n in names if not (n.endswith(".py") or (Path(d) / n).is_dir()) or n == "__pycache__"])
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text("utf-8") + line + "\n", "utf-8")


def test_the_package_keeps_its_layers():
    res = _lint(ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 kept, 0 broken" in res.stdout


def test_the_copy_keeps_them_too(copy):
    """The copy is a faithful stand-in: unchanged, it passes (so the failures below come from the edit)."""
    res = _lint(copy)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize(("module", "wrong", "message"), [
    # side by side: supervision must not call the services (the daily job combines them)
    ("supervision/pending.py", "import zhixiao.services.alerts",
     "zhixiao.supervision is not allowed to import zhixiao.services"),
    # upward: the metrics must not reach into a presentation layer
    ("metrics/series.py", "from zhixiao.reports import model",
     "zhixiao.metrics is not allowed to import zhixiao.reports"),
    # domain imports nothing of ours above it, not even inside a function
    ("domain/calendar.py", "def _late():\n    from zhixiao.store import cases",
     "zhixiao.domain is not allowed to import zhixiao.store"),
])
def test_a_wrong_import_breaks_the_contract(copy, module, wrong, message):
    _append(copy / "zhixiao" / module, wrong)
    res = _lint(copy)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "0 kept, 1 broken" in res.stdout and message in res.stdout, res.stdout


def test_a_module_in_no_layer_breaks_the_contract(copy):
    """exhaustive = true: a new top-level module must be given its place in the picture."""
    (copy / "zhixiao" / "orphan.py").write_text("import zhixiao.engine\n", "utf-8")
    res = _lint(copy)
    assert res.returncode == 1, res.stdout + res.stderr
    assert "zhixiao.orphan" in res.stdout and "not listed as layers" in res.stdout, res.stdout
