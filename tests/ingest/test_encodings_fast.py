"""The GBK fast path of the GB18030 stream gives exactly the GB18030 codec's answer, at any block split,
whether transcoded in this process or by the child process."""

from __future__ import annotations

import random

import pytest

from zhixiao.ingest.encodings import DecodeFailure, Utf8Stream


@pytest.fixture(params=[False, True], ids=["in-process", "child"])
def child(request):
    return request.param


def _stream_all(path, block, child=False):
    s = Utf8Stream(path, "gb18030", block=block, child=child)
    try:
        return s.read()
    finally:
        s.close()


@pytest.mark.parametrize("text", [
    "案号,当事人\r\n(2024)冀0123民初1号,王某某；某某有限公司\r\n" * 3,
    "A𠀀B,€ḿ\r\n中文𠀀\r\n1,2\r\n",  # four-byte GB18030 characters and GBK/GB18030 corner code points
    "ascii only\r\n",
])
@pytest.mark.parametrize("block", [1, 2, 3, 4, 5, 7, 64])
def test_gb18030_stream_matches_codec_at_every_block_size(tmp_path, text, block, child):
    p = tmp_path / "a.csv"
    p.write_bytes(text.encode("gb18030"))
    assert _stream_all(p, block, child) == text.encode("utf-8")


def test_gb18030_stream_fuzz(tmp_path, child):
    rnd = random.Random(3)
    alphabet = "abc,\r\n0123456789王李张（）【】、；€ḿ𠀀\u3000\u00b7\u2014"
    for i in range(40):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 300)))
        p = tmp_path / f"f{i}.csv"
        p.write_bytes(text.encode("gb18030"))
        assert _stream_all(p, rnd.randrange(1, 50), child) == text.encode("utf-8")


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1 << 16])
def test_gb18030_stream_bad_byte_offset_and_line(tmp_path, block, child):
    good = "第一行\r\n第二行\r\n".encode("gb18030")
    p = tmp_path / "bad.csv"
    p.write_bytes(good + b"\x81\x20tail\r\n")
    with pytest.raises(DecodeFailure) as e:
        _stream_all(p, block, child)
    assert (e.value.offset, e.value.line) == (len(good), 3)


def test_child_reports_progress_and_stops_cleanly(tmp_path):
    text = "(2024)冀0123民初1号,王某某\r\n" * 5000
    p = tmp_path / "a.csv"
    p.write_bytes(text.encode("gbk"))
    seen = []
    s = Utf8Stream(p, "gb18030", on_bytes=seen.append, block=4096, child=True)
    assert s._proc is not None
    assert s.read() == text.encode("utf-8")
    assert sum(seen) == p.stat().st_size
    s.close()
    assert s._proc.returncode == 0


def test_child_killed_when_closed_early(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes(("王某某,1\r\n" * 200_000).encode("gbk"))
    s = Utf8Stream(p, "gb18030", block=4096, child=True)
    first = "王某某,1\r\n".encode()
    assert s.read(len(first)) == first
    s.close()
    assert s._proc.poll() is not None


def test_big_gbk_file_imports_through_the_child(tmp_path, monkeypatch):
    """The reader picks the child for big GBK files; rows, row numbers and rejects are unchanged."""
    from zhixiao.ingest import encodings
    from zhixiao.ingest.readers import open_file

    rows = "".join(f"(2024)冀0123民初{i}号,2024-01-0{i % 9 + 1}\r\n" for i in range(1, 3000))
    p = tmp_path / "big.csv"
    p.write_bytes(("案号,立案日期\r\n" + rows + "坏,行,多一列\r\n").encode("gbk"))
    got = {}
    for threshold in (1 << 40, 0):
        monkeypatch.setattr(encodings, "CHILD_MIN_BYTES", threshold)
        raw = open_file(p)
        chunks = list(raw.chunks)
        got[threshold] = ([c.data for c in chunks], [c.rows.tolist() for c in chunks],
                          [(b.row, b.text, b.reason) for b in raw.invalid])
    assert got[0] == got[1 << 40]
    assert got[0][2] and got[0][2][0][0] == 3001
