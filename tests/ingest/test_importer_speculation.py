"""import_files validates the first file in the background while the ops DB is set up: the outcome,
the progress total and the records are the same as a sequential import."""

from datetime import date

import pytest

from tests.ingest._ingest_helpers import good_row, write_csv
from zhixiao.config import Settings
from zhixiao.errors import UserError
from zhixiao.ingest import importer
from zhixiao.ingest.importer import import_files, recent_imports

SNAP = date(2025, 6, 30)


def _settings(tmp_path, sql_url=None) -> Settings:
    return Settings(data_dir=tmp_path / "store", sql_url=sql_url)


def test_progress_adds_up_to_the_file_sizes_on_import_and_on_unchanged_reimport(tmp_path, sql_url):
    s = _settings(tmp_path, sql_url)
    a = write_csv(tmp_path / "a.csv", [good_row(i) for i in range(1, 50)])
    b = write_csv(tmp_path / "b.csv", [good_row(i) for i in range(50, 90)])
    total = a.stat().st_size + b.stat().st_size
    for expect_changed in (True, False):
        seen: list[int] = []
        res = import_files([a, b], s, user="u", snapshot_date=SNAP, on_bytes=seen.append)
        assert res.changed is expect_changed
        assert sum(seen) == total
    assert [r["status"] for r in recent_imports(s)] == ["unchanged", "unchanged", "ok", "ok"]


def test_unchanged_first_file_is_skipped_whatever_the_background_validation_found(tmp_path, sql_url):
    s = _settings(tmp_path, sql_url)
    a = write_csv(tmp_path / "a.csv", [good_row(i) for i in range(1, 20)])
    import_files([a], s, user="u", snapshot_date=SNAP)
    again = import_files([a], s, user="u", snapshot_date=SNAP)
    assert again.report.files[0].status == "unchanged" and again.report.accepted == 0


def test_cancelled_validation_stops_at_the_next_chunk(tmp_path):
    import threading

    a = write_csv(tmp_path / "a.csv", [good_row(i) for i in range(1, 20)])
    stop = threading.Event()
    stop.set()
    with pytest.raises(importer._Cancelled):
        importer.validate_file(a, snapshot_date=SNAP, cancel=stop)


def test_bad_first_file_is_recorded_as_failed(tmp_path, sql_url):
    s = _settings(tmp_path, sql_url)
    p = tmp_path / "bad.csv"
    p.write_bytes("案号,立案日期\r\n".encode() + b"\xff\xfe\xfa\r\n" * 3)
    with pytest.raises(UserError):
        import_files([p], s, user="u", snapshot_date=SNAP, encoding="utf-8")
    assert [(r["status"], r["file_name"]) for r in recent_imports(s)] == [("failed", "bad.csv")]


def test_missing_second_file_still_fails_before_any_write(tmp_path, sql_url):
    s = _settings(tmp_path, sql_url)
    a = write_csv(tmp_path / "a.csv", [good_row(1)])
    with pytest.raises(UserError, match="找不到文件"):
        import_files([a, tmp_path / "nope.csv"], s, user="u", snapshot_date=SNAP)
    assert not (s.data_dir / "manifest.json").exists()
    assert recent_imports(s) == []
