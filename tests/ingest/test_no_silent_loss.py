"""No silent data loss (issue 13 §6): a narrower file updates only its own fields, an older export is
counted as not applied, an unwritable rejects list leaves everything unwritten, implausible values are
rejected per row, and an unknown court code is never shown under another court's name."""

from datetime import date
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from tests.ingest._ingest_helpers import HEADER, good_row, write_csv
from zhixiao.cli import app
from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.ingest.importer import import_files, recent_imports, validate
from zhixiao.store.cases import CaseStore

SNAP = date(2025, 6, 30)


def _settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "store")


def _cases(s: Settings) -> dict[str, dict]:
    return {r["case_id"]: r for r in CaseStore(s.data_dir).read("cases").to_pylist()}


def test_a_narrower_file_keeps_the_fields_it_does_not_carry(tmp_path):
    s = _settings(tmp_path)
    full = write_csv(tmp_path / "full.csv", [good_row(1, procedure="普通程序", amount="5000"), good_row(2)])
    import_files([full], s, snapshot_date=date(2025, 3, 31))
    narrow = write_csv(tmp_path / "narrow.csv", [["(2025)冀0123民初1号", "2025-01-02", "涉外"],
                                                 ["(2025)冀0123民初3号", "2025-01-03", ""]],
                       header=["案号", "立案日期", "标签"])
    import_files([narrow], s, snapshot_date=SNAP)
    rows = _cases(s)
    one = rows["(2025)冀0123民初1号"]
    # carried by the narrow file: tags, filing date, snapshot; kept from the full file: everything else
    assert one["tags"] == ["涉外"] and one["snapshot_date"] == SNAP
    assert (one["judge_name"], one["division"], one["cause"], one["claim_amount"], one["procedure"],
            one["hearing_held"]) == ("张三", "民一庭", "买卖合同纠纷", Decimal("5000.00"), "civil_ordinary", True)
    assert rows["(2025)冀0123民初2号"]["snapshot_date"] == date(2025, 3, 31)  # untouched
    three = rows["(2025)冀0123民初3号"]  # a new case from the narrow file: the type's default procedure
    assert three["judge_name"] is None and three["procedure"] == "civil_ordinary"


def test_a_blank_cell_in_a_carried_column_is_a_value(tmp_path):
    """A carried 结案日期 left blank means “pending now” (e.g. a closing undone), not “keep the stored one”."""
    s = _settings(tmp_path)
    import_files([write_csv(tmp_path / "a.csv", [good_row(1, closing="2025-03-01")])], s, snapshot_date=date(2025, 4, 1))
    import_files([write_csv(tmp_path / "b.csv", [good_row(1, closing="")])], s, snapshot_date=SNAP)
    assert _cases(s)["(2025)冀0123民初1号"]["closing_date"] is None


def test_older_export_is_reported_as_not_applied(tmp_path):
    s = _settings(tmp_path)
    import_files([write_csv(tmp_path / "new.csv", [good_row(i, closing="2025-05-01") for i in (1, 2, 3)])], s,
                 snapshot_date=SNAP)
    before = (s.data_dir / "manifest.json").read_bytes()
    old = write_csv(tmp_path / "old.csv", [good_row(1), good_row(2), good_row(3), good_row(4)])
    res = import_files([old], s, snapshot_date=date(2025, 3, 31))
    f = res.report.files[0]
    # rows 1–3 are stored with 2025-06-30 > 2025-03-31: not applied; row 4 is new: applied
    assert (f.accepted, f.stale, f.applied) == (4, 3, 1)
    assert _cases(s)["(2025)冀0123民初1号"]["closing_date"] == date(2025, 5, 1)
    assert recent_imports(s)[0]["rejected"] == 0
    again = write_csv(tmp_path / "old2.csv", [good_row(1), good_row(2), good_row(3)])
    res = import_files([again], s, snapshot_date=date(2025, 3, 31))
    assert (res.report.files[0].stale, res.changed) == (3, False)
    assert len(_cases(s)) == 4 and (s.data_dir / "manifest.json").read_bytes() != before  # only row 4's import


def test_cli_says_how_many_rows_were_older(tmp_path):
    d = tmp_path / "d"
    new = write_csv(tmp_path / "new.csv", [good_row(i) for i in (1, 2, 3)])
    old = write_csv(tmp_path / "old.csv", [good_row(i) for i in (1, 2, 3)], encoding="gbk")
    r = CliRunner().invoke(app, ["import", str(new), "--data-dir", str(d), "--snapshot-date", "2025-06-30"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["import", str(old), "--data-dir", str(d), "--snapshot-date", "2025-01-31"])
    assert r.exit_code == 0, r.output
    out = r.output.replace("\n", "")
    assert "3 行早于已存数据（导出日期较旧），未应用" in out
    assert "入库 3" not in out and "数据未作更改" in out


def test_unwritable_rejects_list_writes_nothing(tmp_path):
    s = _settings(tmp_path)
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    p = write_csv(tmp_path / "a.csv", [good_row(1), good_row(2, amount="-1")])
    with pytest.raises(UserError, match="拒收清单"):
        import_files([p], s, snapshot_date=SNAP, rejects_path=blocker / "rej.csv")
    assert CaseStore(s.data_dir).manifest().version == 0
    assert [r["status"] for r in recent_imports(s)] == []
    assert not list(s.data_dir.rglob("*.parquet"))  # staged files are removed too


def test_failing_manifest_swap_leaves_no_record_and_no_rejects(tmp_path, monkeypatch):
    """The store's commit fails after the rejects list and the record were prepared: neither remains."""
    from zhixiao.store import cases

    s = _settings(tmp_path)
    p = write_csv(tmp_path / "a.csv", [good_row(1), good_row(2, amount="-1")])
    out = tmp_path / "rej" / "rej.csv"

    def broken(self):
        raise OSError("disk full")

    monkeypatch.setattr(cases.Transaction, "commit", broken)
    with pytest.raises(OSError, match="disk full"):
        import_files([p], s, snapshot_date=SNAP, rejects_path=out)
    assert CaseStore(s.data_dir).manifest().version == 0
    assert recent_imports(s) == [] and not out.exists() and not out.with_suffix(".xlsx").exists()


def _reasons(tmp_path, rows, header=HEADER, snap=SNAP):
    p = write_csv(tmp_path / "in.csv", rows, header=header)
    f = validate([p], snapshot_date=snap).files[0]
    assert f.accepted + f.rejected == f.rows_read
    return f, {(r.row, r.column, r.reason) for r in f.rejects}


def test_implausible_values_are_rejected_per_row(tmp_path):
    rows = [good_row(1),
            good_row(2, year=2026, filing="2025-01-02"),  # 案号 year after the as-of year (2025)
            good_row(3, year=2024),  # filed 2025-01-02 under a 2024 number
            good_row(4, closing="1900-01-01"),  # Excel's zero date
            good_row(5, filing="1900-01-01", year=1900)]
    f, rejects = _reasons(tmp_path, rows)
    assert rejects == {
        (3, "案号", "案号年度 2026 晚于数据日期 2025-06-30 所在年度，请检查案号或用 --snapshot-date 指定导出日期"),
        (3, "立案日期", "立案日期 2025-01-02 的年度与案号年度 2026 不符（案号年度即收案年度）"),
        (4, "立案日期", "立案日期 2025-01-02 的年度与案号年度 2024 不符（案号年度即收案年度）"),
        (5, "结案日期", "日期 1900-01-01 不合理（早于 1949 年，多为空日期的占位值），请核对后重新导出"),
        (6, "案号", "案号无法识别：案号“(1900)冀0123民初5号”的年度“1900”不合理，应为 1949–2100 之间的收案年度"),
        (6, "立案日期", "日期 1900-01-01 不合理（早于 1949 年，多为空日期的占位值），请核对后重新导出"),
    }
    assert f.accepted == 1


def test_unknown_court_code_is_stored_as_unknown_never_under_another_name(tmp_path):
    header = ["案号", "法院名称", "立案日期"]
    rows = [["(2025)冀0199民初1号", "正定县人民法院", "2025-01-02"],  # 冀0199: not in the registry
            ["(2025)冀0123民初1号", "行唐县人民法院", "2025-01-02"]]  # known code, wrong name in the file
    f, rejects = _reasons(tmp_path, rows, header=header)
    assert rejects == set()
    names = {r["court_code"]: r["court_name"] for r in f.data.to_pylist()}
    assert names == {"冀0199": "未知法院（冀0199）", "冀0123": "正定县人民法院"}
