"""The command line as a user meets it: argument mistakes and unusable paths are one Chinese sentence and exit 1
(never click's English and exit 2, the code kept for internal errors); text from files and users is printed as
text, never read as console markup; CSV keeps the table's values; piped tables are not cut to 80 columns."""

from __future__ import annotations

import csv
import errno
import io
import json
import sys

import pytest

from zhixiao import cli
from zhixiao.commands import common
from zhixiao.commands.common import Format, emit
from zhixiao.errors import UserError


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``zhixiao ARGS`` through ``cli.main`` (the console script), as a user runs it."""
    monkeypatch.setattr(sys, "argv", ["zhixiao", *args])
    with pytest.raises(SystemExit) as ex:
        cli.main()
    out, err = capsys.readouterr()
    return ex.value.code, out, err


@pytest.mark.parametrize(("args", "said"), [
    (["info", "--format", "xml"], "选项 --format（输出格式）的值“xml”无效：可选值：table、json、csv。"),
    (["info", "--format=xml"], "选项 --format（输出格式）的值“xml”无效"),
    (["info", "--nope"], "zhixiao info 没有选项 --nope。"),
    (["supervis"], "zhixiao 没有子命令“supervis”。是否想用 supervise、serve？"),
    (["casenum", "court"], "缺少参数 CODES（法院代字，如 冀0123）"),
    (["demo", "--scale", "x"], "选项 --scale（规模倍数，1.0 约每年 10 万件）的值“x”无效：应为数字"),
    (["supervise", "ack", "abc"], "参数 ALERT_ID（编号）的值无效：应为整数。"),
    (["indicators", "--from"], "选项 --from 后面缺少取值：请写成 --from 值。"),
    (["info", "extra"], "zhixiao info 不接受多余的参数：extra。"),
])
def test_argument_mistakes_are_chinese_and_exit_1(monkeypatch, capsys, args, said):
    code, _, err = run(monkeypatch, capsys, *args)
    assert code == 1, err
    text = " ".join(err.split())
    assert text.startswith("错误：") and said in text, text
    assert "--help" in text  # the fix: where to read the usage
    assert "Error" not in text and "Usage" not in text and "Traceback" not in text


def test_a_group_without_its_subcommand_shows_help_and_fails(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "supervise")
    assert code == 1 and "Usage: zhixiao supervise" in out  # did nothing: a script must not take it for success
    code, out, _ = run(monkeypatch, capsys)
    assert code == 0 and "Usage: zhixiao [OPTIONS] COMMAND" in out  # bare `zhixiao`: the help is what was asked for


def test_a_reader_that_stops_early_is_not_an_error(tmp_path):
    """`zhixiao … | head`: the pipe closes under output larger than its buffer; no traceback, click's exit 1."""
    import subprocess

    f = tmp_path / "cases.txt"
    f.write_text("".join(f"(2025)冀0123民初{i}号\n" for i in range(1, 20001)), "utf-8")  # ~4 MB of JSON lines
    p = subprocess.run(f"{sys.executable} -c 'from zhixiao.cli import main; main()' casenum parse --file {f} "
                       "--format json | head -c 1; exit ${PIPESTATUS[0]}", shell=True, capture_output=True, text=True,
                       executable="/bin/bash", timeout=300)
    assert (p.returncode, p.stdout) == (1, "{") and "内部错误" not in p.stderr and "Traceback" not in p.stderr, p.stderr


def test_help_exits_0(monkeypatch, capsys):
    code, out, _ = run(monkeypatch, capsys, "info", "--help")
    assert code == 0 and "数据目录概况" in out


def test_a_data_directory_that_is_a_file(monkeypatch, capsys, tmp_path):
    f = tmp_path / "d"
    f.write_text("x")
    code, _, err = run(monkeypatch, capsys, "info", "--data-dir", str(f))
    assert code == 1 and f"数据目录 {f} 是一个文件，不是目录" in " ".join(err.split())


def test_a_directory_given_as_a_file(monkeypatch, capsys, tmp_path):
    code, _, err = run(monkeypatch, capsys, "casenum", "parse", "--file", str(tmp_path))
    assert code == 1 and "是目录，这里需要一个文件" in err and "Is a directory" not in err


def test_a_path_error_no_command_caught(monkeypatch, capsys, tmp_path):
    """An OSError about a path the user gave, raised anywhere in a command, reaches the user as a sentence naming
    the path and exit 1 (old code: 内部错误 … exit 2)."""
    out = tmp_path / "f" / "out"

    def write(*_a, **_k):
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", str(out))

    monkeypatch.setattr(common, "load_settings", write)
    code, _, err = run(monkeypatch, capsys, "info")
    assert code == 1, err
    assert f"{out} 的路径中有一段是文件而不是目录" in " ".join(err.split()) and "Traceback" not in err


def test_os_errors_of_the_users_paths_and_of_ours():
    assert common.os_error_message(PermissionError(errno.EACCES, "Permission denied", "/srv/导出.csv")) == \
        "/srv/导出.csv 没有访问权限：请检查它的权限，或换一个有权限的路径或账户。"
    # a file of the package itself missing is a broken installation: an internal error, not the user's
    ours = common.PACKAGE_DIR / "data" / "missing.toml"
    assert common.os_error_message(FileNotFoundError(errno.ENOENT, "No such file", str(ours))) is None
    assert common.os_error_message(OSError(errno.EIO, "I/O error", "/srv/x")) is None  # not a path the user can fix


def test_internal_error_exits_2(monkeypatch, capsys):
    def boom(*_a, **_k):
        raise RuntimeError("[bold]坏了")

    monkeypatch.setattr(common, "load_settings", boom)
    code, _, err = run(monkeypatch, capsys, "info")
    assert code == 2 and "内部错误 / internal error：RuntimeError: [bold]坏了" in err


# ---- markup: "[/x]" closes no tag and "[bold]" styles nothing when it comes from a file or a user ----------

def test_user_error_text_is_not_markup(monkeypatch, capsys, tmp_path):
    """Old code: err.print(f"[bold red]错误：[/]{exc}") read "[/x]" as a closing tag → MarkupError traceback."""
    missing = tmp_path / "data[/x]"
    code, _, err = run(monkeypatch, capsys, "info", "--data-dir", str(missing))
    assert code == 1 and f"数据目录 {missing} 不存在" in " ".join(err.split())


def test_casenum_file_name_and_input_with_brackets(monkeypatch, capsys, tmp_path):
    f = tmp_path / "data[/x].csv"  # the directory "data[" and the file "x].csv": the path reads "data[/x].csv"
    f.parent.mkdir()
    f.write_text("[bold]x\n（2025）冀0123民初1号\n", "utf-8")
    code, out, err = run(monkeypatch, capsys, "casenum", "parse", "--file", str(f))
    assert code == 0, err
    assert "[bold]x" in out  # an invalid input shown as typed


def test_table_cells_headers_and_title_are_text(capsys):
    emit([{"备注[/x]": "[bold]x", "judge_name": "[red]张三[/red]"}], Format.table,
         headers={"judge_name": "承办法官"}, title="data[/x].csv")
    out = capsys.readouterr().out
    for text in ("备注[/x]", "[bold]x", "[red]张三[/red]", "data[/x].csv"):
        assert text in out, text


def test_import_with_bracketed_header_and_file_name(monkeypatch, capsys, tmp_path):
    """The issue's case: a header 备注[/x] in a file named data[/x].csv gave a traceback after the data was stored."""
    f = tmp_path / "data[/x].csv"
    f.parent.mkdir()
    f.write_text("案号,立案日期,备注[/x]\n(2025)冀0123民初1号,2025-01-02,[bold]x\n", "utf-8")
    code, out, err = run(monkeypatch, capsys, "import", str(f), "--data-dir", str(tmp_path / "d"),
                         "--snapshot-date", "2025-06-30", "--user", "tester")
    assert code == 0, err
    text = " ".join(out.split())
    assert "x].csv 中未识别的列已忽略：备注[/x]" in text  # the summary names the file by its name, "x].csv"


def test_changed_fields_print_as_text(capsys):
    common.emit_changes({"note": ("[bold]旧", "[/x]新")}, {"note": "备注"})
    assert "备注：[bold]旧 → [/x]新" in capsys.readouterr().out


# ---- output formats ----------------------------------------------------------------------------------------

def test_csv_keeps_precision_and_shows_booleans_like_the_table(capsys):
    rows = [{"rate": 0.99996, "amount": 1234567.5, "count": 4.0, "in_range": True, "improved": False, "none": None}]
    emit(rows, Format.csv)
    got = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    # old _cell: f"{0.99996:.4g}" = "1" (a rate rounded away) and f"{1234567.5:,.2f}" = "1,234,567.5" (text, not a number)
    assert got == {"rate": "0.99996", "amount": "1234567.5", "count": "4", "in_range": "是", "improved": "否",
                   "none": ""}
    emit(rows, Format.table)
    table = capsys.readouterr().out
    assert "是" in table and "否" in table and "True" not in table


def test_ranges_are_two_columns():
    assert common.split_range({"name": "结案率", "range": (0.93, None)}) == \
        {"name": "结案率", "range_low": 0.93, "range_high": None}
    assert common.split_range({"range": None}) == {"range_low": None, "range_high": None}


def test_json_lists_are_json_lines(capsys):
    emit([{"a": 1}, {"a": "二"}], Format.json)
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x) for x in lines] == [{"a": 1}, {"a": "二"}]


def test_piped_tables_are_not_cut_to_80_columns(capsys):
    long = "很长的指标名称" * 8 + "END"  # 59 characters, 115 columns wide
    emit([{"name": long, "value": "93.45%"}], Format.table)
    out = capsys.readouterr().out
    assert long in out and "…" not in out
    assert max(len(line) for line in out.splitlines()) > 80


# ---- Chinese names where the tables show them ----------------------------------------------------------------

def test_level_and_status_accept_the_names_the_table_shows():
    from zhixiao.supervision.models import STATUS_NAMES
    from zhixiao.supervision.rules import LEVEL_NAMES

    assert common.code_for("约谈", LEVEL_NAMES, "--level") == "interview"
    assert common.code_for("interview", LEVEL_NAMES, "--level") == "interview"
    assert common.code_for("已签收", STATUS_NAMES, "--status") == "acknowledged"
    with pytest.raises(UserError, match="--level 的值“面谈”无效：可选 提醒（remind）、督办（supervise）"):
        common.code_for("面谈", LEVEL_NAMES, "--level")


def test_supervise_list_by_chinese_level(monkeypatch, capsys, tmp_path):
    code, out, err = run(monkeypatch, capsys, "supervise", "list", "--level", "约谈", "--status", "待处理",
                         "--data-dir", str(tmp_path), "--format", "json")
    assert code == 0, err
    assert out == ""  # an empty ledger: no alerts, no error


def test_a_result_of_several_lists_is_one_json_document_and_one_csv_table(monkeypatch, capsys, tmp_path):
    """Old code: `ledger hard-enforcement` wrote its four lists one after another — JSON lines that did not say
    which list a case is on, and four CSV tables with four header rows in one file."""
    from zhixiao.commands import ledger
    from zhixiao.services import ledgers

    case = {"case_id": "(2025)冀0123执1号", "judge_name": "张三", "filing_date": "2025-01-02", "reason": "无财产"}
    lists = {"zhongben_candidates": [], "zhongben_to_verify": [], "no_property": [case], "long_running": [case]}
    monkeypatch.setattr(ledgers, "enforcement_hard", lambda *_a, **_k: lists)
    monkeypatch.setattr(ledger, "case_engine", lambda _st: None)
    base = ["ledger", "hard-enforcement", "--data-dir", str(tmp_path), "--court", "冀0123", "--as-of", "2025-06-30"]
    code, out, err = run(monkeypatch, capsys, *base, "--format", "json")
    assert code == 0, err
    assert out.count("\n") == 1 and json.loads(out) == lists
    code, out, err = run(monkeypatch, capsys, *base, "--format", "csv")
    assert code == 0, err
    assert list(csv.reader(io.StringIO(out))) == [
        ["清单", "案号", "承办人", "立案", "入账理由"],
        ["无财产可供执行", "(2025)冀0123执1号", "张三", "2025-01-02", "无财产"],
        ["长期未结", "(2025)冀0123执1号", "张三", "2025-01-02", "无财产"],
    ]


# ---- zhixiao import: every file a user may hand it ends in a sentence and the right exit code ----------------

def _xls(path):
    import xlwt  # the test extra writes legacy .xls (BIFF8)

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("案件")
    ws.write(0, 0, "正定县人民法院案件明细")  # a title row above the header
    for r, row in enumerate([["案号", "立案日期"], ["(2025)冀0123民初1号", "2025-01-02"]], start=1):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.save(str(path))


@pytest.mark.parametrize(("make", "code", "said"), [
    (lambda p: p.write_bytes(b""), 1, "文件为空（无数据行）"),
    (lambda p: p.write_text("案号,立案日期\n", "utf-8"), 0, "文件无数据行，数据未作更改。"),
    (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), 1, "不是有效的 .xlsx 工作簿"),
    (lambda p: p.mkdir(), 1, "是目录，这里需要一个文件"),
    (lambda p: p.write_text("案号,案号\n(2025)冀0123民初1号,x\n", "utf-8"), 1, "重复的列名“案号”（第 1 列和第 2 列）"),
    (lambda p: p.write_bytes("案号\t立案日期\n(2025)冀0123民初1号\t2025-01-02\n".encode("utf-16")), 0, "已导入"),
    (_xls, 0, "已导入"),
])
def test_import_exit_codes(monkeypatch, capsys, tmp_path, make, code, said):
    f = tmp_path / "导出[bold].csv"  # markup-like: printed as text
    make(f)
    got, out, err = run(monkeypatch, capsys, "import", str(f), "--data-dir", str(tmp_path / "d"),
                        "--snapshot-date", "2025-06-30")
    assert got == code, out + err
    assert said in " ".join((out + err).split()) and "Traceback" not in err


def test_import_of_an_unreadable_file(monkeypatch, capsys, tmp_path):
    """Permissions cannot deny root here: the open fails the way the system says it, and the user reads why."""
    from zhixiao.ingest import importer

    f = tmp_path / "导出.csv"
    f.write_text("案号\n(2025)冀0123民初1号\n", "utf-8")

    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(importer, "sha256_of", denied)
    code, _, err = run(monkeypatch, capsys, "import", str(f), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and f"{f} 没有访问权限" in " ".join(err.split())


def test_import_with_an_unknown_encoding(monkeypatch, capsys, tmp_path):
    code, _, err = run(monkeypatch, capsys, "import", str(tmp_path / "x.csv"), "--encoding", "big5")
    assert code == 1 and "不支持的编码“big5”" in err
