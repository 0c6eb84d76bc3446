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


def test_every_option_and_argument_has_bilingual_help():
    root = typer.main.get_command(app)
    missing = [f"{' '.join(path)} {'/'.join(p.opts) or p.name}" for path, cmd in _commands(root) for p in cmd.params
               if p.name != "help" and not (CJK.search(p.help or "") and ENGLISH.search(p.help or ""))]
    assert missing == [], f"缺少中英文帮助的选项：{missing}"


def test_help_text_is_not_read_as_markup():
    """The help is rendered as rich markup: an unescaped "[columns]" vanished from `zhixiao import --help`."""
    root = typer.main.get_command(app)
    runner = CliRunner()
    checked = 0
    for path, cmd in _commands(root):
        texts = [cmd.help or "", *(p.help or "" for p in cmd.params)]
        tokens = [t.lstrip("\\") for text in texts for t in re.findall(r"\\?\[[a-z_]+\]", text)]
        if tokens:
            out = runner.invoke(app, [*path, "--help"]).output
            assert all(t in out for t in tokens), (path, tokens)
            checked += len(tokens)
    assert checked >= 1  # import --mapping's "[columns]"
