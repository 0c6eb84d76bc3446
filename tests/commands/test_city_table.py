"""The city matrix's coloured cells are styled text, not markup: a piped table shows 83.85%▼, never [red]83.85%▼[/]."""

from __future__ import annotations

from rich.text import Text

from zhixiao.analysis import ranges
from zhixiao.commands import common
from zhixiao.commands.city import cell_text


def test_cell_is_styled_text_and_prints_without_markup(capsys, monkeypatch):
    cell = cell_text(0.8385, "rate", "", ranges.BELOW, False)
    assert isinstance(cell, Text) and cell.plain == "83.85%▼" and str(cell.style)  # coloured by its status
    monkeypatch.setattr(common, "console", common.make_console())
    common.emit([{"name": "结案率", "c": cell}], common.Format.table, ["name", "c"], {"name": "指标", "c": "长安区"})
    out = capsys.readouterr().out
    assert "83.85%▼" in out and "[red]" not in out and "[/]" not in out
