"""The process-wide defaults ``zhixiao/__init__`` sets before numpy and pyarrow load (see its comment)."""

import os
import subprocess
import sys

PROBE = "import zhixiao, pyarrow as pa, os; print(pa.default_memory_pool().backend_name, os.environ['OPENBLAS_NUM_THREADS'])"


def _probe(env: dict[str, str]) -> list[str]:
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout.split()


def test_defaults_apply_in_a_fresh_process() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS")}
    assert _probe(env) == ["jemalloc", "1"]


def test_a_users_setting_wins() -> None:
    env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "2"}
    assert _probe(env) == ["system", "2"]
