"""Big CSV files are validated in two processes (``split``): the report — accepted rows, rejects with their
row numbers, counts, ragged rows, errors — is exactly the one-process report, whatever the file holds."""

from __future__ import annotations

import tempfile
import threading
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest._ingest_helpers import HEADER, good_row
from zhixiao.ingest import importer, split
from zhixiao.ingest.split import find_cut

SNAP = date(2025, 6, 30)


@pytest.fixture(autouse=True, params=["spawn", "fork"])
def worker_kind(request, monkeypatch):
    """Every test twice: the worker as a fresh interpreter (servers, tests) and forked (``zhixiao import``)."""
    monkeypatch.setitem(split._FORK, "ok", request.param == "fork")
    return request.param


def _write(path: Path, rows: list[list[str]], enc: str = "gbk", header: list[str] = HEADER) -> Path:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(enc))
    return path


def _report(path: Path, monkeypatch, split_on: bool, on_bytes=None):
    monkeypatch.setattr(split, "MIN_BYTES", 0 if split_on else 1 << 60)
    rep = importer.validate_file(path, snapshot_date=SNAP, on_bytes=on_bytes)
    rejects = sorted((r.row, r.column, r.value, r.reason) for r in rep.rejects)
    data = sorted(rep.data.to_pylist(), key=lambda r: r["case_id"])
    return (rep.rows_read, rep.accepted, rep.rejected, rep.blank_rows), rejects, data


def _same(path: Path, monkeypatch, expect_split: bool = True):
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    kind = "fork" if split._FORK["ok"] else "spawn"  # the cut for the kind of worker this run starts
    assert (find_cut(path, "gb18030", kind) is not None) is expect_split
    one = _report(path, monkeypatch, False)
    two = _report(path, monkeypatch, True)
    assert two == one
    return two


def _rows(n: int) -> list[list[str]]:
    return [good_row(i) for i in range(1, n + 1)]


def test_rejects_in_the_second_half_keep_their_row_numbers(tmp_path, monkeypatch):
    rows = _rows(400)
    rows[350][1] = "2025-13-45"  # bad date, file row 352
    rows[390][0] = "不是案号"  # bad 案号, file row 392
    rows[10][7] = "-5"  # negative amount in the first half, file row 12
    rows[380] = list(rows[20])  # duplicate of row 22 across the halves: identical → the later one rejected
    p = _write(tmp_path / "a.csv", rows)
    counts, rejects, _ = _same(p, monkeypatch)
    assert [r[0] for r in rejects] == [12, 352, 382, 392]
    assert counts == (400, 396, 4, 0)


def test_ascii_ragged_row_in_the_second_half(tmp_path, monkeypatch):
    rows = _rows(300)
    p = tmp_path / "a.csv"
    _write(p, rows)
    lines = p.read_bytes().split(b"\r\n")
    lines[280] = b"1,2,3,4,5,6,7,8,9,10,11"  # row 281, too many fields, ASCII
    p.write_bytes(b"\r\n".join(lines))
    _counts, rejects, _ = _same(p, monkeypatch)
    assert (281, "（整行）") in [(r[0], r[1]) for r in rejects]


def test_chinese_ragged_row_in_the_second_half_reads_the_whole_file_the_usual_way(tmp_path, monkeypatch):
    rows = _rows(300)
    rows[250] = rows[250][:3]  # too few fields, with Chinese text: the direct path hands over
    p = _write(tmp_path / "a.csv", rows)
    seen: list[int] = []
    _counts, rejects, _ = _report(p, monkeypatch, True, on_bytes=seen.append)
    assert (252, "（整行）") in [(r[0], r[1]) for r in rejects]
    assert sum(seen) == p.stat().st_size  # the progress bar does not count the second reading twice
    assert _report(p, monkeypatch, False)[1] == rejects


def test_quoted_multi_line_field_before_the_cut_means_no_split(tmp_path, monkeypatch):
    rows = _rows(200)
    rows[5][5] = '"买卖合同\r\n纠纷"'  # a record over two lines in the first half
    p = _write(tmp_path / "a.csv", rows)
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    assert find_cut(p, "gb18030") is None
    _counts, _rejects, data = _report(p, monkeypatch, True)
    assert "买卖合同\r\n纠纷" in {r["cause"] for r in data}


def test_quotes_only_after_the_cut_are_fine(tmp_path, monkeypatch):
    rows = _rows(200)
    rows[190][5] = '"买卖合同,\r\n纠纷"'
    _same(_write(tmp_path / "a.csv", rows), monkeypatch)


def test_small_files_are_not_split(tmp_path):
    p = _write(tmp_path / "a.csv", _rows(50))
    assert split.MIN_BYTES > p.stat().st_size and find_cut(p, "gb18030") is None


def test_gb18030_four_byte_characters_and_lone_cr_line_ends(tmp_path, monkeypatch):
    rows = _rows(200)
    for i in (20, 150, 199):
        rows[i][3] = "𠀀ḿ€张"  # 承办人 with four-byte GB18030 characters (not GBK)
    p = tmp_path / "a.csv"
    p.write_bytes((",".join(HEADER) + "\r\n" + "\r".join(",".join(r) for r in rows[:100]) + "\r\n"
                   + "\r\n".join(",".join(r) for r in rows[100:]) + "\r\n").encode("gb18030"))
    _counts, _rejects, data = _same(p, monkeypatch)
    assert sum(r["judge_name"] == "𠀀ḿ€张" for r in data) == 3


def test_utf8_with_bom(tmp_path, monkeypatch):
    p = tmp_path / "a.csv"
    p.write_bytes(b"\xef\xbb\xbf" + _write(tmp_path / "b.csv", _rows(200), "utf-8").read_bytes())
    _same(p, monkeypatch)


def test_undecodable_byte_in_the_second_half_names_line_and_offset(tmp_path, monkeypatch):
    p = _write(tmp_path / "a.csv", _rows(200))
    data = p.read_bytes()
    at = data.index("(2025)冀0123民初190号".encode("gbk"))
    p.write_bytes(data[:at] + b"\xff" + data[at + 1:])
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    with pytest.raises(importer.UserError, match=f"第 191 行（字节偏移 {at}）无法按 gb18030 解码"):
        importer.validate_file(p, snapshot_date=SNAP)


def test_cancel_stops_both_halves(tmp_path, monkeypatch):
    p = _write(tmp_path / "a.csv", _rows(300))
    monkeypatch.setattr(split, "MIN_BYTES", 0)
    stop = threading.Event()
    stop.set()
    with pytest.raises(importer._Cancelled):
        importer.validate_file(p, snapshot_date=SNAP, cancel=stop)


CELLS = st.sampled_from(["", "王某", "2025-02-30", "abc", "-1", "是", "2025-01-03", "（2025）冀0123民初7号", "𠀀",
                         "=1+1", " 张三 "])


@given(st.lists(st.tuples(st.integers(1, 60), CELLS, CELLS, st.booleans()), min_size=2, max_size=120),
       st.sampled_from(["gb18030", "utf-8"]))
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_split_report_equals_one_process_report(tmp_path_factory, monkeypatch, worker_kind, spec, enc):
    """Random files with duplicates (same and conflicting), bad cells, formulas and blank rows anywhere."""
    rows = []
    for seq, a, b, blank in spec:
        r = good_row(seq)
        r[3], r[5] = a, b
        rows.append([""] * len(HEADER) if blank else r)
    p = _write(tmp_path_factory.mktemp("s") / "f.csv", rows, enc)
    data = p.read_bytes()
    nl = data.find(b"\n", int(len(data) * split.SHARE_HERE[worker_kind]))  # the cut: first line start after that
    _same(p, monkeypatch, expect_split=0 <= nl < len(data) - 1)  # (in a tiny file it may fall in the last line)


def test_a_worker_that_dies_means_one_process(tmp_path, monkeypatch, worker_kind):
    p = _write(tmp_path / "a.csv", _rows(300))
    monkeypatch.setattr(split, "WORKER", [split.sys.executable, "-c", "import sys; sys.stdin.read(); sys.exit(9)"])
    monkeypatch.setattr(split, "_serve", lambda job, out: (job.read(), split.os._exit(9)))  # the forked child
    seen: list[int] = []
    got = _report(p, monkeypatch, True, on_bytes=seen.append)
    assert got == _report(p, monkeypatch, False)
    assert sum(seen) == p.stat().st_size


def test_worker_of_a_killed_import_removes_its_file_and_exits(tmp_path):
    """The parent is gone before the result is sent: the worker cleans up instead of leaving its file."""
    import pickle

    from zhixiao.ingest.aliases import resolve_headers

    p = _write(tmp_path / "a.csv", _rows(3000))
    cut = split.Cut(p.read_bytes().index(b"\n", 1000) + 1, 2, p.stat().st_size)
    ipc = tmp_path / "half.arrow"
    job = (str(p), "gb18030", HEADER, resolve_headers(HEADER, "cases"), SNAP, cut, str(ipc))
    w = split.start_worker()
    w.stdout.close()  # nobody reads: the first progress message fails
    w.stdin.write(pickle.dumps(job))
    w.stdin.close()
    assert w.wait(timeout=60) == 0
    assert not ipc.exists()


def test_a_worker_error_means_one_process(tmp_path, monkeypatch):
    """Whatever goes wrong in the worker (here: it cannot write its file), the one-process path decides."""
    p = _write(tmp_path / "a.csv", _rows(300))
    monkeypatch.setattr(split.tempfile, "mkstemp", lambda **kw: (split.os.open(str(tmp_path / "x"), split.os.O_CREAT),
                                                                 str(tmp_path / "no-such-dir" / "x.arrow")))
    got = _report(p, monkeypatch, True)
    monkeypatch.undo()
    assert got == _report(p, monkeypatch, False)


# --- the integer duplicate check (casenum.id_keys) -------------------------------------------------------

CASE_TEXT = st.builds(
    lambda year, bracket, court, typ, zeros, seq, suffix: f"{bracket[0]}{year}{bracket[1]}{court}{typ}{zeros}{seq}号{suffix}",
    st.sampled_from([2023, 2024, 2025]), st.sampled_from(["()", "（）", "〔〕"]),
    st.sampled_from(["冀0123", "冀0125", "冀01"]), st.sampled_from(["民初", "执", "刑初", "民终"]),
    st.sampled_from(["", "0", "00"]), st.integers(1, 30), st.sampled_from(["", "", "", "之一", "2号", "-3号"]))


@given(st.lists(CASE_TEXT, min_size=1, max_size=80))
@settings(max_examples=150, deadline=None)
def test_equal_case_ids_have_equal_keys_or_none(texts):
    """The one property the duplicate check relies on: equal 案号 ⇒ equal key (or no key, -1)."""
    from zhixiao.ingest.casenum import parse_column

    parsed = parse_column(pa.array(texts, pa.string()))
    ids, keys = parsed.columns["case_id"].to_pylist(), parsed.keys
    first: dict[str, int] = {}
    for cid, k in zip(ids, keys.tolist(), strict=True):
        if cid is None or k < 0:
            continue
        assert first.setdefault(cid, k) == k


@given(st.lists(CASE_TEXT, min_size=2, max_size=60))
@settings(max_examples=60, deadline=None)
def test_dedupe_with_keys_equals_dedupe_on_strings(texts):
    from zhixiao.ingest.validate import KEY, dedupe

    rows = [good_row(1) for _ in texts]
    for r, t in zip(rows, texts, strict=True):
        r[0] = t
    p = Path(tempfile.mkdtemp()) / "d.csv"
    _write(p, rows)
    rep_tables = []
    import zhixiao.ingest.importer as imp

    real = imp.dedupe

    def spy(t, *a):
        rep_tables.append(t)
        return real(t, *a)

    imp.dedupe = spy
    try:
        importer.validate_file(p, snapshot_date=SNAP)
    finally:
        imp.dedupe = real
    t = rep_tables[0]
    with_keys = dedupe(t, "cases", "d.csv", "案号")
    without = dedupe(t.drop_columns([KEY]), "cases", "d.csv", "案号")
    assert with_keys[0].num_rows == without[0].num_rows
    assert sorted((r.row, r.reason) for r in with_keys[1]) == sorted((r.row, r.reason) for r in without[1])


@given(data=st.lists(st.sampled_from([b"a", b"\r", b"\n", b"\r\n"]), max_size=40).map(b"".join),
       window=st.integers(1, 9))
@settings(max_examples=300, deadline=None)
def test_rows_are_counted_in_windows_whatever_the_edges_cut(data, window):
    """LF, CR LF and a lone CR each end one row, also where a window's edge falls between CR and LF."""
    data = data + b"ab\r\ncd"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(split, "COUNT_WINDOW", window)
        for end in range(len(data) + 1):
            head = data[:end]
            assert split.count_rows(data, end) == head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")


@pytest.mark.parametrize("cmd", [["/nonexistent/python"], [split.sys.executable, "-c", "pass"]])
def test_a_worker_that_cannot_start_or_read_its_job_means_one_process(tmp_path, monkeypatch, cmd):
    p = _write(tmp_path / "a.csv", _rows(300))
    monkeypatch.setattr(split, "WORKER", cmd)
    monkeypatch.setattr(split.tempfile, "tempdir", str(tmp_path))
    got = _report(p, monkeypatch, True)
    assert not list(tmp_path.glob("zhixiao-import-*.arrow"))  # no temp file left behind
    monkeypatch.undo()
    assert got == _report(p, monkeypatch, False)
