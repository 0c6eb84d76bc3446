"""The trim shortcut (skip the copy when nothing needs trimming) agrees with Arrow's utf8_trim_whitespace."""

from __future__ import annotations

import random

import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.ingest.casenum import may_need_trim, trim


def _arrow_whitespace() -> list[str]:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    trimmed = pc.utf8_length(pc.utf8_trim_whitespace(pa.array(chars)))
    return [c for c, n in zip(chars, trimmed.to_pylist(), strict=True) if n == 0]


def test_every_arrow_whitespace_character_is_caught_at_either_end():
    ws = _arrow_whitespace()
    assert "\u3000" in ws and " " in ws
    cells = [s for w in ws for s in (w, w + "案", "案" + w, "a" + w, w + "a", "案号" + w + "案")]
    arr = pa.array(cells)
    expect = pc.not_equal(pc.utf8_trim_whitespace(arr), arr).to_numpy(zero_copy_only=False)
    assert (may_need_trim(arr) | ~expect).all()
    assert trim(arr).equals(pc.utf8_trim_whitespace(arr))


def test_trim_fuzz_and_slices():
    rnd = random.Random(5)
    alphabet = ["a", "1", "案", "号", "（", "）", "【", "。", "、", " ", "\u3000", "\u00a0", "\t", "\u2003", "\u205f",
                "\u1680", "\u00e9", "\u20ac", "\u3001", "\u3002", "\U00020000"]
    for _ in range(200):
        cells = ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 6))) for _ in range(rnd.randrange(1, 30))]
        arr = pa.array(cells)
        for a in (arr, arr.slice(rnd.randrange(len(arr)))):
            assert trim(a).equals(pc.utf8_trim_whitespace(a))


def test_clean_column_is_returned_as_is():
    arr = pa.array(["(2024)冀0123民初1号", "王某某", "abc"])
    assert trim(arr) is arr
