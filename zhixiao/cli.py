"""The ``zhixiao`` command: ``zhixiao <noun> <verb>``; exit 0 ok, 1 user error, 2 internal error.

Each command module under ``zhixiao.commands`` owns its commands and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import typer
from rich.text import Text

from zhixiao.commands.common import make_console, os_error_message, usage, usage_message
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

err = make_console(stderr=True)


def main() -> None:
    """Run the command; every failure ends in one Chinese sentence on stderr and exit 1, or exit 2 if ours.

    The app runs with ``standalone_mode=False`` so that click's English usage errors (exit 2, the code the
    contract keeps for internal errors) come here and are said in Chinese."""
    args = sys.argv[1:]
    try:
        code = app(args=args, standalone_mode=False)
    except usage.NoArgsIsHelpError:  # the help is printed; a group named without its sub-command did nothing
        sys.exit(0 if not args else 1)
    except usage.UsageError as exc:
        _fail(usage_message(exc, args))
    except UserError as exc:
        _fail(str(exc))
    except (KeyboardInterrupt, typer.Abort):
        err.print("已中断 / interrupted")
        sys.exit(1)
    except OSError as exc:
        if (message := os_error_message(exc)) is None:
            _internal(exc)
        _fail(message)
    except Exception as exc:  # noqa: BLE001 — the contract says: internal error → exit 2
        _internal(exc)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str) -> NoReturn:
    err.print(Text.assemble(("错误：", "bold red"), message))
    sys.exit(1)


def _internal(exc: BaseException) -> NoReturn:
    err.print(Text.assemble(("内部错误 / internal error：", "bold red"), f"{type(exc).__name__}: {exc}"))
    if "--debug" in sys.argv or os.environ.get("ZHIXIAO_DEBUG"):
        raise exc
    sys.exit(2)


if __name__ == "__main__":
    main()
