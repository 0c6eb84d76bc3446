"""``zhixiao bench <scenario>``: speed and memory against baselines measured in the same run.

Each module in ``zhixiao.bench`` exposes ``register(bench_app)``.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import zhixiao.bench as bench_pkg

bench_app = typer.Typer(help="性能基准：与同次运行中测得的基线对比 / benchmarks, printed as ratios to in-run baselines",
                        no_args_is_help=True)

for _m in pkgutil.iter_modules(bench_pkg.__path__):
    if not _m.name.startswith("_"):
        _mod = importlib.import_module(f"zhixiao.bench.{_m.name}")
        if hasattr(_mod, "register"):
            _mod.register(bench_app)


def register(app: typer.Typer) -> None:
    app.add_typer(bench_app, name="bench")
