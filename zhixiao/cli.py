"""The ``zhixiao`` command: ``zhixiao <noun> <verb>``; exit 0 ok, 1 user error, 2 internal error.

Each command module under ``zhixiao.commands`` owns its commands and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from zhixiao.errors import UserError

app = typer.Typer(
    name="zhixiao",
    help="质效：审判执行质效分析、审限监管与司法数据会商。\n\nzhixiao: court trial-management and judicial data review.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)

# Order is the order in ``zhixiao --help``.
COMMAND_MODULES = (
    "quickstart", "demo", "imports", "info", "casenum", "deadline", "supervise", "daily", "indicators", "targets",
    "city", "quality", "signals", "report", "route", "hotline", "satisfaction", "suggestion", "ledger", "assess",
    "serve", "bench", "backup", "doctor", "db", "holidays",
)

for _name in COMMAND_MODULES:  # every one must exist: a missing command module is an error, not a gap
    importlib.import_module(f"zhixiao.commands.{_name}").register(app)

err = Console(stderr=True)


def main() -> None:
    try:
        app()
    except UserError as exc:
        err.print(f"[bold red]错误：[/]{exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("已中断 / interrupted")
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 — the contract says: internal error → exit 2
        err.print(f"[bold red]内部错误 / internal error：[/]{type(exc).__name__}: {exc}")
        if "--debug" in sys.argv or __import__("os").environ.get("ZHIXIAO_DEBUG"):
            raise
        sys.exit(2)


if __name__ == "__main__":
    main()
