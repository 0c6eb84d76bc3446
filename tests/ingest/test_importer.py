"""import_files: one atomic transaction, latest snapshot wins, re-import is a no-op, records in the ops DB."""

import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.ingest._ingest_helpers import good_row, write_csv, write_xlsx
from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.ingest.importer import import_files, recent_imports
from zhixiao.ingest.rejects import read_rejects
from zhixiao.store.cases import CaseStore


def _settings(tmp_path, sql_url=None) -> Settings:
    return Settings(data_dir=tmp_path / "store", sql_url=sql_url)


def _cases(s: Settings) -> dict[str, dict]:
    return {r["case_id"]: r for r in CaseStore(s.data_dir).read("cases").to_pylist()}


def test_import_records_and_idempotence(tmp_path, sql_url):
    s = _settings(tmp_path, sql_url)
    p = write_csv(tmp_path / "a.csv", [good_row(1), good_row(2), good_row(3, filing="2025-02-30")])
    res = import_files([p], s, user="张书记员", snapshot_date=date(2025, 6, 30))
    assert (res.report.accepted, res.report.rejected, res.manifest_version, res.changed) == (2, 1, 1, True)
    assert res.partitions == [("冀0123", 2025)]
    assert [r["行号"] for r in read_rejects(res.rejects_paths[0])] == ["4"]
    manifest = (s.data_dir / "manifest.json").read_bytes()

    again = import_files([p], s, user="张书记员", snapshot_date=date(2025, 6, 30))
    assert again.changed is False and again.report.files[0].status == "unchanged"
    assert (s.data_dir / "manifest.json").read_bytes() == manifest

    recs = recent_imports(s)
    assert [(r["status"], r["user"], r["rows_read"], r["accepted"], r["rejected"], r["manifest_version"])
            for r in recs] == [("unchanged", "张书记员", 0, 0, 0, 1), ("ok", "张书记员", 3, 2, 1, 1)]
    assert recs[1]["encoding"] == "utf-8" and recs[1]["rejects_path"].endswith(".csv")


def test_failed_file_is_recorded_and_nothing_written(tmp_path, sql_url):
    s = _settings(tmp_path, sql_url)
    good = write_csv(tmp_path / "good.csv", [good_row(1)])
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="文件为空"):
        import_files([good, empty], s, snapshot_date=date(2025, 6, 30))
    assert CaseStore(s.data_dir).manifest().version == 0
    assert [r["status"] for r in recent_imports(s)] == ["failed"]


def test_newer_snapshot_replaces_older_and_older_does_not(tmp_path):
    s = _settings(tmp_path)
    old = write_csv(tmp_path / "old.csv", [good_row(1), good_row(2)])
    import_files([old], s, snapshot_date=date(2025, 3, 31))
    new = write_csv(tmp_path / "new.csv", [good_row(1, closing="2025-05-01"), good_row(3)])
    import_files([new], s, snapshot_date=date(2025, 6, 30))
    rows = _cases(s)
    assert sorted(rows) == ["(2025)冀0123民初1号", "(2025)冀0123民初2号", "(2025)冀0123民初3号"]
    assert rows["(2025)冀0123民初1号"]["closing_date"] == date(2025, 5, 1)
    assert rows["(2025)冀0123民初1号"]["snapshot_date"] == date(2025, 6, 30)
    assert rows["(2025)冀0123民初2号"]["snapshot_date"] == date(2025, 3, 31)

    stale = write_csv(tmp_path / "stale.csv", [good_row(1)])  # an older export must not undo the closing
    import_files([stale], s, snapshot_date=date(2025, 1, 31))
    assert _cases(s)["(2025)冀0123民初1号"]["closing_date"] == date(2025, 5, 1)

    tie = write_csv(tmp_path / "tie.csv", [good_row(1, closing="2025-05-02")])  # same snapshot: new import wins
    import_files([tie], s, snapshot_date=date(2025, 6, 30))
    assert _cases(s)["(2025)冀0123民初1号"]["closing_date"] == date(2025, 5, 2)


def test_several_files_one_transaction_and_partitions(tmp_path):
    s = _settings(tmp_path)
    # a 2024 number is filed in 2024 (案号 year = 收案年度, issue 13 §6: a mismatch is rejected)
    a = write_csv(tmp_path / "a.csv", [good_row(1), good_row(1, court="冀0124", year=2024, filing="2024-05-06")])
    b = write_xlsx(tmp_path / "b.xlsx", [good_row(2), good_row(1, closing="2025-04-01")])
    res = import_files([a, b], s, snapshot_date=date(2025, 6, 30))
    assert res.manifest_version == 1  # one transaction for both files
    assert sorted(res.partitions) == [("冀0123", 2025), ("冀0124", 2024)]
    rows = _cases(s)
    assert len(rows) == 3
    assert rows["(2025)冀0123民初1号"]["closing_date"] == date(2025, 4, 1)  # later file of the same import wins


def test_gbk_file_end_to_end(tmp_path):
    s = _settings(tmp_path)
    p = write_csv(tmp_path / "gbk.csv", [good_row(1)], encoding="gbk")
    res = import_files([p], s, snapshot_date=date(2025, 6, 30))
    assert res.report.files[0].encoding == "gb18030"
    assert _cases(s)["(2025)冀0123民初1号"]["judge_name"] == "张三"


def test_case_events_and_people_import(tmp_path):
    s = _settings(tmp_path)
    ev = write_csv(tmp_path / "ev.csv", [["(2025)冀0123民初1号", "延长审限", "2025-03-01", "3", "院长"]],
                   header=["案号", "事项类型", "开始日期", "月数", "审批人"])
    import_files([ev], s, table="case_events", snapshot_date=date(2025, 6, 30))
    pe = write_csv(tmp_path / "pe.csv", [["J1", "张三", "冀0123", "员额法官"]], header=["工号", "姓名", "法院代字", "岗位"])
    import_files([pe], s, table="people", snapshot_date=date(2025, 6, 30))
    st = CaseStore(s.data_dir)
    assert st.read("case_events").select(["case_id", "kind", "months"]).to_pylist() == [
        {"case_id": "(2025)冀0123民初1号", "kind": "extension", "months": 3}]
    assert st.partitions("people") == [("冀0123", 2025)]


def test_killed_import_leaves_store_unchanged(tmp_path):
    s = _settings(tmp_path)
    import_files([write_csv(tmp_path / "a.csv", [good_row(1)])], s, snapshot_date=date(2025, 6, 30))
    before = (s.data_dir / "manifest.json").read_bytes()
    rows_before = CaseStore(s.data_dir).read("cases").to_pylist()
    b = write_csv(tmp_path / "b.csv", [good_row(1, closing="2025-05-01"), good_row(2)])
    marker = tmp_path / "in-tx"
    # The child pauses inside the store transaction, after staging, just before the manifest swap: the pause
    # is injected here (a patched Transaction.commit), not by a hook in the importer.
    script = (
        "import sys, time, pathlib\n"
        "from zhixiao.store import cases\n"
        "marker = pathlib.Path(sys.argv[1])\n"
        "def pause(self):\n"
        "    marker.write_text('in transaction')\n"
        "    time.sleep(60)\n"
        "cases.Transaction.commit = pause\n"
        "from zhixiao.cli import main\n"
        "sys.argv = ['zhixiao', *sys.argv[2:]]\n"
        "main()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(marker), "import", str(b), "--data-dir", str(s.data_dir),
                             "--snapshot-date", "2025-06-30"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.time() < deadline
        time.sleep(0.05)
    # The new partition file is already on disk; only the manifest swap is missing.
    assert len(list((s.data_dir / "cases").rglob("*.parquet"))) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (s.data_dir / "manifest.json").read_bytes() == before
    assert CaseStore(s.data_dir).read("cases").to_pylist() == rows_before
    # and the store still takes the same import afterwards (the lock died with the process)
    res = import_files([b], s, snapshot_date=date(2025, 6, 30))
    assert res.manifest_version == 2 and len(_cases(s)) == 2


def test_rejects_path_option_and_xlsx_copy(tmp_path):
    s = _settings(tmp_path)
    p = write_csv(tmp_path / "a.csv", [good_row(1, amount="-1")])
    out = tmp_path / "out" / "rej.csv"
    res = import_files([p], s, snapshot_date=date(2025, 6, 30), rejects_path=out)
    assert res.rejects_paths == [out, out.with_suffix(".xlsx")]
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert read_rejects(out) == [{"文件": "a.csv", "行号": "2", "列": "标的额", "值": "-1", "原因": "金额为负数"}]
    from openpyxl import load_workbook

    ws = load_workbook(out.with_suffix(".xlsx")).active
    assert [c.value for c in ws[2]] == ["a.csv", 2, "标的额", "-1", "金额为负数"]


FIXTURE = Path(__file__).parent.parent / "data" / "import" / "pinyin_export_gbk.csv"


def test_pinyin_gbk_fixture(tmp_path):
    """A GBK export with pinyin-initial headers (ah, laaymc, larq …), CRLF line ends, and four bad rows."""
    s = _settings(tmp_path)
    res = import_files([FIXTURE], s, snapshot_date=date(2024, 12, 31))
    f = res.report.files[0]
    assert (f.encoding, f.rows_read, f.accepted, f.rejected) == ("gb18030", 7, 4, 3)
    assert sorted((r.row, r.column, r.reason) for r in f.rejects) == [
        (6, "larq", "日期不存在（2024年6月31日）"),
        (7, "bde", "金额为负数"),
        (7, "jarq", "结案日期早于立案日期"),
        (8, "ah", "重复行：与第 2 行内容完全相同，已保留第 2 行"),
    ]
    rows = _cases(s)
    assert rows["(2024)冀0123民初101号"]["claim_amount"] == Decimal("12000.00")
    assert rows["(2024)冀0123民初102号"]["claim_amount"] == Decimal("35000.00")
    assert rows["(2024)冀0123民初102号"]["procedure"] == "civil_ordinary"
    assert rows["(2024)冀0123执55号"]["procedure"] == "enforcement"
    assert rows["(2024)冀0123执55号"]["closing_date"] == date(2024, 9, 1)
    assert rows["(2024)冀0123刑初7号"]["procedure"] == "criminal_speedy"


def test_wrong_encoding_fails_before_any_write(tmp_path):
    s = _settings(tmp_path)
    # ASCII header (52 bytes + CRLF) then "(2024)": the first GBK byte (冀) sits at offset 54 + 6 = 60.
    with pytest.raises(UserError, match=r"第 2 行（字节偏移 60）无法按 utf-8 解码"):
        import_files([FIXTURE], s, encoding="utf-8")
    assert CaseStore(s.data_dir).manifest().version == 0
