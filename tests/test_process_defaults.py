"""Process set-up: the default ``zhixiao/__init__`` sets before numpy loads, and the import process's own
(``split.import_process``): jemalloc there only, never process-wide (see its docstring)."""

import os
import subprocess
import sys

PROBE = ("import zhixiao, pyarrow as pa, os, sys\n"
         "before = pa.default_memory_pool().backend_name\n"
         "from zhixiao.ingest.split import import_process\n"
         "import_process()\n"
         "print(before, pa.default_memory_pool().backend_name, os.environ['OPENBLAS_NUM_THREADS'],\n"
         "      'pandas' in sys.modules)")


def _probe(env: dict[str, str]) -> list[str]:
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True).stdout.split()


def test_defaults_in_a_fresh_process() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "OPENBLAS_NUM_THREADS")}
    before, after, blas, pandas = _probe(env)
    assert before != "jemalloc" and after == "jemalloc"  # only the import process switches
    assert blas == "1" and pandas == "False"


def test_a_users_setting_wins() -> None:
    env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "2"}
    assert _probe(env)[:3] == ["system", "system", "2"]
