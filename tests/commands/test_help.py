"""Every command and sub-command explains itself in Chinese and in English (`--help`)."""

import pkgutil
import re

import typer.main
from typer.testing import CliRunner

from zhixiao import commands
from zhixiao.cli import COMMAND_MODULES, app

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b")


def _commands(group, path=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*path, name), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))


def test_every_command_has_bilingual_help():
    root = typer.main.get_command(app)
    missing = []
    for path, cmd in _commands(root):
        text = " ".join(filter(None, [cmd.help, cmd.short_help]))
        if not (CJK.search(text) and ENGLISH.search(text)):
            missing.append(" ".join(path))
    assert missing == [], f"缺少中英文帮助的命令：{missing}"


def test_help_runs_for_every_command():
    root = typer.main.get_command(app)
    runner = CliRunner()
    for path, _ in _commands(root):
        res = runner.invoke(app, [*path, "--help"])
        assert res.exit_code == 0, (path, res.output)


def test_every_command_module_is_registered():
    """cli imports each module of COMMAND_MODULES strictly; this keeps the list and the folder the same."""
    assert sorted(COMMAND_MODULES) == sorted(m.name for m in pkgutil.iter_modules(commands.__path__) if m.name != "common")
