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

_SPLIT = r"^(?P<head>.*[^\d\-－—~～、,，])(?P<seq>\d{1,9})(?P<tail>号.*)$"
_NORM = re.compile(r"^(.*\D)1(号.*)$")
FIELDS = ("case_id", "court_code", "year", "specialized_code", "type_code", "seq", "category", "stage")
TYPES = {"case_id": pa.string(), "court_code": pa.string(), "year": pa.int32(), "specialized_code": pa.string(),
         "type_code": pa.string(), "seq": pa.int64(), "category": pa.string(), "stage": pa.string()}


def _parser() -> Callable:
    from zhixiao.domain.case_number import parse_case_number

    return parse_case_number


def _error_types() -> tuple[type[Exception], ...]:
    from zhixiao.domain.case_number import CaseNumberError

    return (CaseNumberError, ValueError)


@dataclass
class ParsedColumn:
    columns: dict[str, pa.Array]  # FIELDS → arrays (null where the 案号 failed)
    reasons: pa.Array  # string: null = ok, else the Chinese reason


def _fields(cn) -> tuple:
    return (cn.normalized, cn.court_code, cn.year, cn.specialized_code, cn.type_code, cn.seq, cn.category, cn.stage)


def parse_column(col: pa.Array | pa.ChunkedArray, parse: Callable | None = None) -> ParsedColumn:
    parse = parse or _parser()
    errors = _error_types()
    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    arr = pc.utf8_trim_whitespace(arr)
    n = len(arr)
    parts = pc.extract_regex(arr, _SPLIT)
    matched = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    head, seq_txt, tail = (pc.struct_field(parts, i) for i in range(3))
    template = pc.binary_join_element_wise(head, tail, "\x00")
    enc = pc.dictionary_encode(template)
    idx = pc.fill_null(enc.indices, 0).to_numpy(zero_copy_only=False)  # no match → 0 (masked by ``matched``)
    templates = enc.dictionary.to_pylist()
    seq_int = pc.cast(pc.if_else(pc.is_valid(seq_txt), seq_txt, "0"), pa.int64())
    seq_np = seq_int.to_numpy(zero_copy_only=False)

    # One representative real value per template, to check the template's answer against the parser.
    first_row = np.full(len(templates), -1, dtype=np.int64)
    valid_idx = np.where(matched)[0]
    if len(valid_idx):
        order = np.unique(idx[valid_idx], return_index=True)
        first_row[order[0]] = valid_idx[order[1]]
    tmpl_ok = np.zeros(len(templates), dtype=bool)
    tmpl_vals: list[tuple] = []
    heads, tails = [], []
    for t_i, t in enumerate(templates):
        h, tl = t.split("\x00", 1)
        vals, nh, nt = None, "", ""
        try:
            cn = parse(h + "1" + tl)
            m = _NORM.match(cn.normalized)
            if m and cn.seq == 1 and cn.seq_end is None and first_row[t_i] >= 0:
                nh, nt = m.group(1), m.group(2)
                real = arr[int(first_row[t_i])].as_py()
                rc = parse(real)
                want = int(seq_np[first_row[t_i]])
                if _fields(rc) == (f"{nh}{want}{nt}", *_fields(cn)[1:5], want, *_fields(cn)[6:]):
                    vals = _fields(cn)
        except errors:
            vals = None
        tmpl_ok[t_i] = vals is not None
        tmpl_vals.append(vals or (None,) * len(FIELDS))
        heads.append(nh)
        tails.append(nt)

    fast = matched & (seq_np >= 1)
    if len(templates):
        fast &= tmpl_ok[np.where(matched, idx, 0)]
    fast_arr = pa.array(fast)
    tidx = pa.array(np.where(fast, idx, 0), type=pa.int32())

    cols: dict[str, pa.Array] = {}
    if len(templates):
        case_id = pc.binary_join_element_wise(
            pc.take(pa.array(heads, pa.string()), tidx), pc.cast(seq_int, pa.string()),
            pc.take(pa.array(tails, pa.string()), tidx), "")
        cols["case_id"] = case_id
        for k, name in enumerate(FIELDS[1:], start=1):
            if name == "seq":
                cols[name] = seq_int
            else:
                cols[name] = pc.take(pa.array([v[k] for v in tmpl_vals], TYPES[name]), tidx)
    else:
        cols = {f: pa.nulls(n, TYPES[f]) for f in FIELDS}
    cols = {f: pc.if_else(fast_arr, c, pa.scalar(None, TYPES[f])) for f, c in cols.items()}
    reasons = pa.nulls(n, pa.string())

    slow = np.where(~fast)[0]
    if len(slow):
        cols, reasons = _slow(arr, slow, parse, errors, cols, reasons)
    return ParsedColumn(cols, reasons)


def _slow(arr: pa.Array, rows: np.ndarray, parse, errors, cols, reasons):
    """Row-by-row parse of the leftovers (malformed, legacy, joined numbers, …)."""
    texts = pc.take(arr, pa.array(rows)).to_pylist()
    cache: dict[str, tuple | str] = {}
    out_vals: list[tuple | None] = []
    out_reason: list[str | None] = []
    for t in texts:
        if t not in cache:
            if not t:
                cache[t] = "案号为空"
            else:
                try:
                    cache[t] = _fields(parse(t))
                except errors as exc:
                    cache[t] = f"案号无法识别：{exc}"
        r = cache[t]
        if isinstance(r, str):
            out_vals.append(None)
            out_reason.append(r)
        else:
            out_vals.append(r)
            out_reason.append(None)
    ridx = pa.array(rows)
    new_cols = {}
    for k, f in enumerate(FIELDS):
        patch = pa.array([v[k] if v else None for v in out_vals], TYPES[f])
        new_cols[f] = _scatter(cols[f], ridx, patch)
    return new_cols, _scatter(reasons, ridx, pa.array(out_reason, pa.string()))


def _scatter(base: pa.Array, rows: pa.Array, patch: pa.Array) -> pa.Array:
    """``base`` with positions ``rows`` replaced by ``patch``."""
    mask = np.zeros(len(base), dtype=bool)
    mask[rows.to_numpy()] = True
    pos = np.zeros(len(base), dtype=np.int64)
    pos[rows.to_numpy()] = np.arange(len(rows))
    spread = pc.take(patch, pa.array(pos))
    return pc.if_else(pa.array(mask), spread, base)
