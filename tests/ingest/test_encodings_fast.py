"""The GBK fast path of the GB18030 stream gives exactly the GB18030 codec's answer, at any block split."""

from __future__ import annotations

import random

import pytest

from zhixiao.ingest.encodings import DecodeFailure, Utf8Stream


def _stream_all(path, block):
    s = Utf8Stream(path, "gb18030", block=block)
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
def test_gb18030_stream_matches_codec_at_every_block_size(tmp_path, text, block):
    p = tmp_path / "a.csv"
    p.write_bytes(text.encode("gb18030"))
    assert _stream_all(p, block) == text.encode("utf-8")


def test_gb18030_stream_fuzz(tmp_path):
    rnd = random.Random(3)
    alphabet = "abc,\r\n0123456789王李张（）【】、；€ḿ𠀀\u3000\u00b7\u2014"
    for i in range(40):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 300)))
        p = tmp_path / f"f{i}.csv"
        p.write_bytes(text.encode("gb18030"))
        assert _stream_all(p, rnd.randrange(1, 50)) == text.encode("utf-8")


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1 << 16])
def test_gb18030_stream_bad_byte_offset_and_line(tmp_path, block):
    good = "第一行\r\n第二行\r\n".encode("gb18030")
    p = tmp_path / "bad.csv"
    p.write_bytes(good + b"\x81\x20tail\r\n")
    with pytest.raises(DecodeFailure) as e:
        _stream_all(p, block)
    assert (e.value.offset, e.value.line) == (len(good), 3)
