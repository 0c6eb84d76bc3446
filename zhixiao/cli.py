"""The ``zhixiao`` command: ``zhixiao <noun> <verb>``; exit 0 ok, 1 user error, 2 internal error.

Each command module under ``zhixiao.commands`` owns its commands and exposes ``register(app)``.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import NoReturn

import typer
import typer.main
from rich.text import Text
from typer._click.core import Command, Context  # typer vendors click (pinned in requirements.lock)

from zhixiao.commands.common import PIPE_WIDTH, make_console, os_error_message, usage, usage_message
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
HELP_OPTION = "显示本帮助并退出 / Show this message and exit."
COMPLETION_HELP = {"install_completion": "为当前 shell 安装命令补全 / Install completion for the current shell.",
                   "show_completion": "显示当前 shell 的命令补全脚本，以便复制或自行安装 / "
                                      "Show completion for the current shell, to copy it or customize the installation."}


def command(piped: bool | None = None) -> Command:
    """The command tree as the user meets it: the framework's own options (help, completion) explained in Chinese
    and English like every other; help that goes to a pipe or a file (``piped``; default: stdout is not a
    terminal and COLUMNS is unset) is plain text at full width, since rich cuts its panels to 80 columns there."""
    root = typer.main.get_command(app)
    plain = (not sys.stdout.isatty() and not os.environ.get("COLUMNS")) if piped is None else piped
    if plain:
        root.context_settings.update(terminal_width=PIPE_WIDTH, max_content_width=PIPE_WIDTH)
    _explain(root, root.context_settings["help_option_names"], plain)
    return root


def _explain(cmd: Command, help_names: list[str], plain: bool) -> None:
    # click builds a command's help option once and keeps it: the text set here is the one --help lists
    if (opt := cmd.get_help_option(Context(cmd, help_option_names=help_names))) is not None:
        opt.help = HELP_OPTION
    for p in cmd.params:
        p.help = COMPLETION_HELP.get(p.name or "", p.help)
        if plain and p.help:  # click's plain formatter prints markup as written: "\\[columns]" → "[columns]"
            p.help = Text.from_markup(p.help).plain
    if plain:
        cmd.rich_markup_mode = None
        cmd.help = Text.from_markup(cmd.help).plain if cmd.help else cmd.help
    for sub in getattr(cmd, "commands", {}).values():
        _explain(sub, help_names, plain)


def main() -> None:
    """Run the command; every failure ends in one Chinese sentence on stderr and exit 1, or exit 2 if ours.

    The app runs with ``standalone_mode=False`` so that click's English usage errors (exit 2, the code the
    contract keeps for internal errors) come here and are said in Chinese."""
    args = sys.argv[1:]
    try:
        code = command().main(args=args, prog_name="zhixiao", standalone_mode=False)
    except usage.NoArgsIsHelpError as exc:  # a group named without its sub-command did nothing: its help, exit 1
        if exc.format_message():  # plain help comes as the message; rich help was printed while it was built
            _print(exc.format_message())
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


def _print(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `zhixiao | head`: the reader has what it wanted; later flushes go nowhere
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


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
