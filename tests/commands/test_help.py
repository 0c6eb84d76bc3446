"""Every command and sub-command explains itself in Chinese and in English (`--help`)."""

import os
import pkgutil
import re
import subprocess
import sys

import pytest
import typer.main
from typer.testing import CliRunner

from zhixiao import commands
from zhixiao.cli import COMMAND_MODULES, COMPLETION_HELP, HELP_OPTION, app, command

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


def _help(root, path: tuple[str, ...], capsys) -> str:
    assert root.main(args=[*path, "--help"], prog_name="zhixiao", standalone_mode=False) == 0, path
    return capsys.readouterr().out


@pytest.mark.parametrize("piped", [True, False])
def test_the_help_option_is_explained_in_chinese_and_english_everywhere(capsys, piped):
    """click's own "--help" line said only "Show this message and exit." (and typer's completion options were
    English): every command and group, in the terminal's rich panels and in piped plain text."""
    root = command(piped=piped)
    paths = [(), *(path for path, _ in _commands(root))]
    for path in paths:
        out = _help(root, path, capsys)
        assert "显示本帮助并退出" in out, path
        assert "Show this message and exit." not in out.replace(HELP_OPTION, ""), path
    assert len(paths) > len(COMMAND_MODULES) and ("supervise", "list") in paths  # the whole tree, sub-commands too


def test_piped_help_is_plain_text_and_not_cut(capsys):
    """Piped, rich cut every panel to 80 columns ("文件编码 auto|utf-8|gbk|gb18030 …"): each help text of each
    command and option is printed whole on one line, without box drawing, markup escapes resolved."""
    root = command(piped=True)
    for path, cmd in _commands(root):
        out = _help(root, path, capsys)
        lines = [" ".join(line.split()) for line in out.splitlines()]
        texts = [p.help for p in cmd.params if p.help] + [HELP_OPTION]
        assert all(any(" ".join(t.split()) in line for line in lines) for t in texts), path
        assert "╭" not in out and "\\[" not in out, path
    assert "[columns]" in _help(root, ("import",), capsys)
    assert all(f"{opt} {text}" in " ".join(_help(root, (), capsys).split()) for opt, text in (
        ("--install-completion", COMPLETION_HELP["install_completion"]), ("--show-completion", COMPLETION_HELP["show_completion"])))


def test_help_through_the_console_script_in_a_pipe():
    """The real entry point, its output a pipe: plain text, long lines kept, the help option bilingual."""
    res = subprocess.run([sys.executable, "-c", "from zhixiao.cli import main; main()", "import", "--help"],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": ""}, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert any("--rejects" in line and "拒收清单路径 .csv/.xlsx（默认数据目录 rejects/ 下）/ rejects report path" in line
               for line in lines)
    assert any(line.strip() == f"-h, --help                 {HELP_OPTION}" for line in lines)
