"""Parse a whole column of 案号 with the domain parser, fast enough for million-row exports.

Case numbers of one court, year and type differ only in their sequence number, so the column is
split (vectorised) into head + seq + tail; the domain parser runs once per distinct head/tail
"template" (plus one check on a real value of that template), and the results are spread back with
Arrow ``take``. Anything that does not fit the template shape goes through the parser row by row, so
the domain parser stays the only authority on what a 案号 means.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.domain.case_number import CaseNumberError, parse_case_number
from zhixiao.store.schema import CASES

_NORM = re.compile(r"^(.*\D)1(号.*)$")
FIELDS = ("case_id", "court_code", "year", "specialized_code", "type_code", "seq", "category", "stage")
TYPES = {f: CASES.field(f).type for f in FIELDS}


@dataclass
class ParsedColumn:
    columns: dict[str, pa.Array]  # FIELDS → arrays (null where the 案号 failed)
    reasons: pa.Array  # string: null = ok, else the Chinese reason


def _fields(cn) -> tuple:
    return (cn.normalized, cn.court_code, cn.year, cn.specialized_code, cn.type_code, cn.seq, cn.category, cn.stage)


def string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets rebased to 0, data bytes) of a string array without nulls, zero-copy."""
    bufs = arr.buffers()
    offs = np.frombuffer(bufs[1], dtype=np.int32)[arr.offset: arr.offset + len(arr) + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None and bufs[2].size else np.zeros(0, np.uint8)
    return offs - offs[0], data[offs[0]: offs[-1]]


def split_numbers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, pa.Array, np.ndarray]:
    """Byte-level split of each 案号 at its first “号”: (matched, seq, template) where template is the
    text without the sequence digits, and lead0 (sequence written with leading zeros). Matched rows have 1–9 ASCII digits right before the “号”, preceded
    by a CJK character (so ranges like 1-2号 and malformed text go to the row-by-row parser)."""
    offs, data = string_buffers(arr)
    n = len(arr)
    start, end = offs[:-1], offs[1:]
    matched = np.zeros(n, dtype=bool)
    seq = np.zeros(n, dtype=np.int64)
    if len(data) < 4:
        return matched, seq, arr, matched
    pos = np.flatnonzero((data[:-2] == 0xE5) & (data[1:-1] == 0x8F) & (data[2:] == 0xB7))  # 号 = E5 8F B7
    row = np.searchsorted(offs, pos, side="right") - 1
    keep = pos + 3 <= end[row]
    pos, row = pos[keep], row[keep]
    first = np.ones(len(row), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    hao = np.full(n, -1, dtype=np.int64)
    hao[row[first]] = pos[first]
    has = hao >= 0
    last = len(data) - 1
    run = np.zeros(n, dtype=np.int64)
    still = has.copy()
    mult = 1
    for k in range(1, 11):
        p = hao - k
        b = data[np.clip(p, 0, last)]
        digit = still & (p >= start) & (b >= 0x30) & (b <= 0x39)
        if k == 10:
            has &= ~digit  # more than 9 digits: not a plain sequence number
            break
        seq += np.where(digit, (b.astype(np.int64) - 0x30) * mult, 0)
        run += digit
        still = digit
        mult *= 10
    q = hao - run - 3
    qb = data[np.clip(q, 0, last)]
    matched = has & (run >= 1) & (q >= start) & (qb >= 0xE4) & (qb <= 0xE9)  # a CJK ideograph before the digits
    lead0 = matched & (data[np.clip(hao - run, 0, last)] == 0x30)
    rm = np.where(matched, run, 0)
    delta = np.zeros(len(data) + 1, dtype=np.int8)
    delta[(hao - run)[matched]] += 1
    delta[hao[matched]] -= 1
    kept = np.cumsum(delta[:-1], dtype=np.int8) == 0
    new_offs = offs - np.concatenate([[0], np.cumsum(rm)])
    template = pa.StringArray.from_buffers(n, pa.py_buffer(new_offs.astype(np.int32)), pa.py_buffer(data[kept]))
    return matched, np.where(matched, seq, 0), template, lead0


def parse_column(col: pa.Array | pa.ChunkedArray, parse: Callable | None = None) -> ParsedColumn:
    """Parse a column of 案号. String fields that repeat (court, type, category …) come back as
    dictionary arrays; ``case_id``/``seq`` as plain arrays."""
    parse = parse or parse_case_number
    errors = (CaseNumberError, ValueError)
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    arr = pc.utf8_trim_whitespace(pc.fill_null(arr, ""))
    n = len(arr)
    matched, seq_np, template, lead0 = split_numbers(arr)
    enc = pc.dictionary_encode(template)
    idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    templates = enc.dictionary.to_pylist()

    tmpl_ok, tmpl_vals, heads, tails = _check_templates(arr, templates, idx, matched, seq_np, parse)

    fast = matched & (seq_np >= 1)
    if len(templates):
        fast &= tmpl_ok[idx]
    slow = np.flatnonzero(~fast)
    slow_vals, slow_reasons = _slow(arr, slow, parse, errors)

    dict_idx = np.where(fast, idx, -1)
    dict_idx[slow] = len(templates) + np.arange(len(slow))
    ok_slow = np.array([v is not None for v in slow_vals], dtype=bool)
    valid = fast.copy()
    valid[slow[ok_slow]] = True
    indices = pa.array(np.where(valid, dict_idx, 0).astype(np.int32), mask=~valid)
    cols: dict[str, pa.Array] = {}
    for k, name in enumerate(FIELDS):
        values = [v[k] for v in tmpl_vals] + [v[k] if v else None for v in slow_vals]
        if name in ("case_id", "seq", "year"):
            continue
        cols[name] = pa.DictionaryArray.from_arrays(indices, pa.array(values, TYPES[name]))
    years = pa.array([v[2] for v in tmpl_vals] + [v[2] if v else None for v in slow_vals], pa.int32())
    cols["year"] = pc.take(years, indices)
    tidx = pa.array(np.where(fast, idx, 0).astype(np.int32))
    fast_arr = pa.array(fast)
    # Usually the text already is the normalised 案号 (same head/tail, no leading zeros): reuse it as is.
    as_is = np.array([h is not None and t == f"{h}{tl}" for t, h, tl in zip(templates, heads, tails, strict=True)] or [False])
    reuse = fast & as_is[np.where(fast, idx, 0)] & ~lead0
    if not (fast & ~reuse).any():
        case_id = pc.if_else(fast_arr, arr, pa.scalar(None, pa.string())) if not fast.all() else arr
    elif len(templates):
        case_id = pc.binary_join_element_wise(
            pc.take(pa.array(heads, pa.string()), tidx), pc.cast(pa.array(seq_np), pa.string()),
            pc.take(pa.array(tails, pa.string()), tidx), "")
        case_id = pc.if_else(fast_arr, case_id, pa.scalar(None, pa.string()))
    else:
        case_id = pa.nulls(n, pa.string())
    seq = pc.if_else(fast_arr, pa.array(seq_np), pa.scalar(None, pa.int64()))
    reasons = pa.nulls(n, pa.string())
    if len(slow):
        at = pa.array(~fast)  # the slow rows, in order
        case_id = pc.replace_with_mask(case_id, at, pa.array([v[0] if v else None for v in slow_vals], pa.string()))
        seq = pc.replace_with_mask(seq, at, pa.array([v[5] if v else None for v in slow_vals], pa.int64()))
        reasons = pc.replace_with_mask(reasons, at, pa.array(slow_reasons, pa.string()))
    cols["case_id"], cols["seq"] = case_id, seq
    return ParsedColumn(cols, reasons)


def _check_templates(arr: pa.Array, templates: list[str], idx: np.ndarray, matched: np.ndarray, seq_np: np.ndarray,
                     parse: Callable) -> tuple[np.ndarray, list[tuple], list[str], list[str]]:
    """Parse each template (the 案号 with its 案件编号 taken out) once, and trust its fields for every row that
    shares it only when the parser gives the same answer for the template's first real row. Returns whether
    each template is trusted, its fields, and the normalised 案号's text before and after the 案件编号."""
    errors = (CaseNumberError, ValueError)
    n = len(arr)
    # One representative real value per template, to check the template's answer against the parser.
    first_row = np.full(len(templates), -1, dtype=np.int64)
    valid_idx = np.flatnonzero(matched)
    if len(valid_idx):
        first = np.full(len(templates), n, dtype=np.int64)
        np.minimum.at(first, idx[valid_idx], valid_idx)  # each template's first row, without a sort
        first_row = np.where(first < n, first, -1)
    tmpl_ok = np.zeros(len(templates), dtype=bool)
    tmpl_vals: list[tuple] = []
    heads, tails = [], []
    for t_i, t in enumerate(templates):
        vals, nh, nt = None, "", ""
        if first_row[t_i] >= 0:
            cut = t.index("号")
            try:
                cn = parse(t[:cut] + "1" + t[cut:])
                m = _NORM.match(cn.normalized)
                if m and cn.seq == 1 and cn.seq_end is None:
                    nh, nt = m.group(1), m.group(2)
                    rc = parse(arr[int(first_row[t_i])].as_py())
                    want = int(seq_np[first_row[t_i]])
                    if _fields(rc) == (f"{nh}{want}{nt}", *_fields(cn)[1:5], want, *_fields(cn)[6:]):
                        vals = _fields(cn)
            except errors:
                vals = None
        tmpl_ok[t_i] = vals is not None
        tmpl_vals.append(vals or (None,) * len(FIELDS))
        heads.append(nh)
        tails.append(nt)
    return tmpl_ok, tmpl_vals, heads, tails


def _slow(arr: pa.Array, rows: np.ndarray, parse, errors) -> tuple[list[tuple | None], list[str | None]]:
    """Row-by-row parse of the leftovers (malformed, legacy, joined numbers, …), once per distinct text."""
    def one(t: str) -> tuple | str:
        try:
            return _fields(parse(t)) if t else "案号为空"
        except errors as exc:
            return f"案号无法识别：{exc}"

    texts = pc.take(arr, pa.array(rows)).to_pylist() if len(rows) else []
    done = {t: one(t) for t in set(texts)}
    got = [done[t] for t in texts]
    return [None if isinstance(r, str) else r for r in got], [r if isinstance(r, str) else None for r in got]
