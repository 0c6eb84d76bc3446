"""Fixtures of the deployment tests: the repository root and a wheel cache that lives for the machine's run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Dependency wheels are keyed by the lock's hash inside this folder, so a second test run (or the container
# build) reuses them; a changed requirements.lock or pyproject.toml builds afresh.
WHEEL_CACHE = Path(os.environ.get("ZHIXIAO_WHEEL_CACHE", "/tmp/zhixiao-wheel-cache"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "deploy: builds or installs the offline bundle (slow; CI runs it)")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
