"""Row-level validation: raw string chunks → typed canonical rows + rejects with Chinese reasons.

Nothing is dropped silently: every row read is either accepted or listed as rejected (one line per
problem, so a row with two bad cells shows both). Fully blank rows are not data and are not counted.
Checks are vectorised with Arrow; Python only runs once per distinct value (``map_distinct``) and
once per rejected row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhixiao.domain import case_types
from zhixiao.domain.courts import court_name
from zhixiao.ingest import values as V
from zhixiao.ingest.aliases import HeaderMap, vocab
from zhixiao.ingest.casenum import parse_column, string_buffers
from zhixiao.ingest.readers import Chunk
from zhixiao.store.schema import APPEAL_RESULTS, EVENT_KINDS, TABLES, UNIQUE_PER_ROW

ROW = "_row"  # user-visible row number carried with accepted rows until the duplicate check

# Columns whose formula-like content rejects the row (they are keys or typed values);
# every other string column is free text and is neutralised with a leading apostrophe.
KEY_TEXT = {"cases": {"case_id", "origin_case_id", "judge_id", "dispute_id"},
            "case_events": {"case_id"}, "people": {"judge_id", "court_code"}}
REQUIRED_DATE = {"cases": ("filing_date", "立案日期为空"), "case_events": ("start_date", "开始日期为空"), "people": None}
DATE_ORDER = {"cases": ("filing_date", "closing_date", "结案日期早于立案日期"),
              "case_events": ("start_date", "end_date", "结束日期早于开始日期"),
              "people": ("active_from", "active_to", "离任日期早于任职日期")}
DUP_KEY = {"cases": ("case_id",), "case_events": ("case_id", "kind", "start_date"), "people": ("judge_id", "court_code", "year")}
FORMULA_LEADS = np.frombuffer(b"=+-@\t\r", np.uint8)  # first bytes of a possible formula (values.is_formula)
EARLIEST = pa.scalar(date(1949, 1, 1), pa.date32())  # before this a date is a placeholder (1900-01-01), not data
_FAST_AMOUNT = r"^\d{1,16}(\.\d{1,2})?$"
V_MONEY = pa.decimal128(18, 2)


@dataclass
class Reject:
    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass
class ChunkResult:
    accepted: pa.Table  # the canonical columns the file gives, in schema order, + ROW
    rejects: list[Reject]
    rows_read: int
    blank_rows: int


@dataclass
class _Issues:
    """Collects (mask, column label, values, reason) per check; turns them into rejects at the end."""
    file: str
    rows: np.ndarray
    n: int
    items: list[tuple[np.ndarray, str, pa.Array | None, object]] = field(default_factory=list)

    def add(self, bad, label: str, vals: pa.Array | None, reason) -> None:
        """``reason``: a string, a per-row array, or a callable building that array (only called when needed)."""
        mask = _np(bad)
        if mask.any():
            self.items.append((mask, label, vals, reason() if callable(reason) else reason))

    def rejects(self) -> list[Reject]:
        """One line per bad cell: the first check that failed names it (formula before parse errors)."""
        out: dict[tuple[int, str], Reject] = {}
        for mask, label, vals, reason in self.items:
            for i in np.flatnonzero(mask).tolist():
                if (i, label) not in out:
                    v = "" if vals is None else str(vals[i].as_py() or "")
                    v = v if len(v) <= 200 else v[:200] + f"…（共 {len(v)} 字符）"
                    out[i, label] = Reject(self.file, int(self.rows[i]), label, v,
                                           reason if isinstance(reason, str) else reason[i].as_py())
        return list(out.values())


def _np(mask) -> np.ndarray:
    if isinstance(mask, np.ndarray):
        return mask
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    return (pc.fill_null(mask, False) if mask.null_count else mask).to_numpy(zero_copy_only=False)


@cache
def _bool_parser():
    b = vocab()["bool"]
    return V.make_bool_parser(b["true"], b["false"])


@cache
def _default_procedure(type_code: str) -> str:
    ct = case_types.get(type_code)
    return ct.default_procedure if ct else "no_limit"


@dataclass
class _Batch:
    """One batch on its way through the checks: raw text by canonical column, typed output, issues so far."""
    hm: HeaderMap
    data: pa.Table  # the non-blank rows, columns c0..cN
    iss: _Issues
    snapshot: date  # the import's export date
    raw: dict[str, pa.Array] = field(default_factory=dict)
    out: dict[str, pa.Array] = field(default_factory=dict)
    row_snap: pa.Array | None = None  # each row's export date: its own, else the import's

    def text(self, c: str) -> pa.ChunkedArray:
        return self.data.column(f"c{self.hm.columns[c]}")


def validate_chunk(chunk: Chunk, hm: HeaderMap, file: str, snapshot: date) -> ChunkResult:
    """Type and check one chunk of raw rows for table ``hm.table``."""
    n = chunk.data.num_rows
    nonblank = np.zeros(n, dtype=bool)
    for col in chunk.data.columns:  # a cell is blank where its string offsets do not move
        nonblank |= np.concatenate([np.diff(string_buffers(a)[0]) > 0 for a in col.chunks] or [np.zeros(0, bool)])
    blank = int(n - nonblank.sum())  # fully blank rows are layout, not data
    data, rows = (chunk.data.filter(pa.array(nonblank)), chunk.rows[nonblank]) if blank else (chunk.data, chunk.rows)
    b = _Batch(hm, data, _Issues(file, rows, data.num_rows), snapshot)
    for step in (_encode, _snapshot_dates, _case_numbers, _typed_columns, _table_rules, _date_rules):
        step(b)
    return ChunkResult(_accepted(b), b.iss.rejects(), b.iss.n, blank)


def _encode(b: _Batch) -> None:
    """A column with few distinct values is encoded once and every check, trim and parse runs on its
    dictionary; text columns are trimmed here, typed columns by their parsers, the 案号 by parse_column."""
    schema, keys = TABLES[b.hm.table], KEY_TEXT[b.hm.table]
    for c in b.hm.columns:
        a, typ = b.text(c).combine_chunks(), schema.field(c).type
        if c not in UNIQUE_PER_ROW or typ != pa.string():  # only text unique to its row (案号, 当事人) stays plain
            a = pc.dictionary_encode(a)
        a = _on_values(a, pc.utf8_trim_whitespace) if typ == pa.string() and c != "case_id" else a
        b.raw[c] = _cell_checks(b.iss, a, b.hm.source[c], typ == pa.string() and c not in keys)


def _snapshot_dates(b: _Batch) -> None:
    snap = pa.scalar(b.snapshot, pa.date32())
    b.row_snap = pa.repeat(snap, b.iss.n)
    if "snapshot_date" in b.raw:
        v, r = V.map_distinct(b.raw.pop("snapshot_date"), V.parse_date, pa.date32(), V.iso_dates)
        b.iss.add(pc.is_valid(r), b.hm.source["snapshot_date"], b.text("snapshot_date"), r)
        b.row_snap = pc.coalesce(v, snap)
    if "snapshot_date" in TABLES[b.hm.table].names:
        b.out["snapshot_date"] = b.row_snap


def _case_numbers(b: _Batch) -> None:
    """案号 → case_id, court_code, year, type …"""
    if "case_id" in b.raw:
        parsed = parse_column(b.raw.pop("case_id"))
        b.iss.add(pc.is_valid(parsed.reasons), b.hm.source["case_id"], b.text("case_id"), parsed.reasons)
        b.out.update({f: a for f, a in parsed.columns.items() if f in TABLES[b.hm.table].names})


def _typed_columns(b: _Batch) -> None:
    """Dates, amounts, numbers, booleans and keywords parsed (each distinct text once); tags split; text kept."""
    schema, iss, label = TABLES[b.hm.table], b.iss, b.hm.source
    for c, arr in b.raw.items():
        typ = schema.field(c).type
        if (how := _reader(c, typ)) is not None:
            parse, vtype, fast, (before, after) = how
            v, r = V.map_distinct(arr, parse, vtype, fast)
            iss.add(pc.is_valid(r), label[c], arr, lambda r=r, x=before, y=after: pc.binary_join_element_wise(x, r, y, ""))
            if typ == pa.date32():
                iss.add(pc.less(v, EARLIEST), label[c], arr, lambda v=v: pc.binary_join_element_wise(
                    "日期 ", pc.cast(v, pa.string()), " 不合理（早于 1949 年，多为空日期的占位值），请核对后重新导出", ""))
            elif typ in (V_MONEY, pa.int32(), pa.int64()):
                iss.add(pc.less(v, pa.scalar(0, typ)), label[c], arr, "金额为负数" if typ == V_MONEY else "数值为负数")
            b.out[c] = v
        elif pa.types.is_list(typ):
            b.out[c] = V.map_distinct(arr, _split_tags, typ)[0]
        elif c != "procedure":  # (the procedure needs the 案号's category: _table_rules) text; a dictionary stays
            b.out[c] = blank_as_null(arr)  # encoded (smaller, and the Parquet writer takes it as it is)


def _table_rules(b: _Batch) -> None:
    """What one table asks beyond typing: a case's procedure, court name and years; a person's required cells."""
    iss, out, label, n = b.iss, b.out, b.hm.source, b.iss.n
    if b.hm.table == "cases":
        out["procedure"] = _procedures(b.raw.get("procedure"), out, n)
        # Each court named once (court_code is a dictionary): the registry's name; an unknown code is labelled
        # so rather than named after what the file writes beside it (which may be another court's).
        codes = out["court_code"]
        out["court_name"] = pa.DictionaryArray.from_arrays(codes.indices, pa.array(
            [court_name(c) or f"未知法院（{c}）" if c else None for c in codes.dictionary.to_pylist()], pa.string()))
        if "case_id" in b.hm.columns:  # the year in a 案号 is its 收案年度 (法〔2015〕137号 第四条): at most the
            year, snap = out["year"], b.row_snap  # export's year, and the year of the 立案日期
            iss.add(pc.greater(year, pc.cast(pc.year(snap), pa.int32())), label["case_id"], None,
                    lambda: pc.binary_join_element_wise("案号年度 ", pc.cast(year, pa.string()), " 晚于数据日期 ",
                                                        pc.cast(snap, pa.string()),
                                                        " 所在年度，请检查案号或用 --snapshot-date 指定导出日期", ""))
            if "filing_date" in out:
                filed = out["filing_date"]
                iss.add(pc.not_equal(pc.cast(pc.year(filed), pa.int32()), year), label["filing_date"], None,
                        lambda: pc.binary_join_element_wise("立案日期 ", pc.cast(filed, pa.string()), " 的年度与案号年度 ",
                                                            pc.cast(year, pa.string()), " 不符（案号年度即收案年度）", ""))
    if b.hm.table == "people":
        for c, what in (("judge_id", "工号为空"), ("name", "姓名为空"), ("court_code", "法院代字为空")):
            iss.add(pc.is_null(out[c]), label[c], None, what)
        year = pa.scalar(b.snapshot.year, pa.int32())
        out["year"] = pc.coalesce(out["year"], year) if "year" in out else pa.repeat(year, n)
    if b.hm.table == "case_events":
        iss.add(pc.equal(b.raw["kind"], ""), label["kind"], None, "事项类型为空")


def _date_rules(b: _Batch) -> None:
    """A required date is there, an end is not before its start, nothing happens after the export date."""
    iss, raw, out, label, table = b.iss, b.raw, b.out, b.hm.source, b.hm.table
    req = REQUIRED_DATE[table]
    if req and req[0] in b.hm.columns:
        iss.add(pc.equal(raw[req[0]], ""), label[req[0]], None, req[1])
    elif req:
        iss.add(np.ones(iss.n, dtype=bool), req[0], None, req[1] + "（文件中没有这一列）")
    a, z, why = DATE_ORDER[table]
    if a in out and z in out:
        iss.add(pc.less(out[z], out[a]), label[z], raw[z], why)
    for c, what in (("filing_date", "立案日期"), ("closing_date", "结案日期"), ("start_date", "开始日期")):
        if c in out:
            iss.add(pc.greater(out[c], b.row_snap), label[c], raw[c],
                    lambda what=what: pc.binary_join_element_wise(
                        f"{what}晚于数据日期 ", pc.cast(b.row_snap, pa.string()),
                        "（不能是未来日期，请检查日期或用 --snapshot-date 指定导出日期）", ""))


def _accepted(b: _Batch) -> pa.Table:
    """The rows without issues. Only the columns the file gives (or the 案号 implies): the merge keeps stored
    values for the others (a new case gets nulls); dictionary columns stay encoded until a partition is written."""
    cols = {f.name: a if pa.types.is_dictionary(a.type) and a.type.value_type == f.type else a.cast(f.type)
            for f in TABLES[b.hm.table] if (a := b.out.get(f.name)) is not None}
    typed = pa.Table.from_arrays([*cols.values(), pa.array(b.iss.rows, pa.int64())], names=[*cols, ROW])
    bad = np.logical_or.reduce([np.zeros(b.iss.n, dtype=bool), *(mask for mask, *_ in b.iss.items)])
    cuts = [-1, *np.flatnonzero(bad).tolist(), b.iss.n]  # the accepted rows as slices of ``typed``: no copy
    kept = [typed.slice(a + 1, z - a - 1) for a, z in zip(cuts, cuts[1:], strict=False) if z - a > 1]
    return pa.concat_tables(kept) if kept else typed.slice(0, 0)


def blank_as_null(arr: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(arr.type):  # null where the value is blank, the dictionary unchanged
        blank = _np(pc.equal(pc.binary_length(arr.dictionary), 0))[arr.indices.to_numpy(zero_copy_only=False)]
        return pa.DictionaryArray.from_arrays(pa.array(arr.indices.to_numpy(zero_copy_only=False), mask=blank),
                                              arr.dictionary) if blank.any() else arr
    return pc.if_else(pc.greater(pc.binary_length(arr), 0), arr, pa.scalar(None, pa.string()))


def _on_values(arr: pa.Array, fn) -> pa.Array:
    """``fn`` applied to each value of a text column: once per distinct value of a dictionary (values that
    become equal are merged, so the dictionary stays one entry per value)."""
    if not pa.types.is_dictionary(arr.type):
        return fn(arr)
    values = fn(arr.dictionary)
    if values.equals(arr.dictionary):
        return arr
    enc = pc.dictionary_encode(values)
    return pa.DictionaryArray.from_arrays(pc.take(enc.indices, arr.indices), enc.dictionary)


def _cell_checks(iss: _Issues, arr: pa.Array, label: str, free_text: bool) -> pa.Array:
    """Huge cells, then formula injection: rejected, or in free text neutralised with a leading apostrophe.
    Checked on the values (a dictionary's once each); only a value starting with a formula character
    goes to ``is_formula``."""
    enc = pa.types.is_dictionary(arr.type)
    values = arr.dictionary if enc else arr
    if len(values) == 0:
        return arr
    per_row = (lambda m: m[arr.indices.to_numpy(zero_copy_only=False)]) if enc else (lambda m: m)
    offs, data = string_buffers(values)
    size = np.diff(offs)
    if (size > V.MAX_CELL).any():  # bytes: never fewer than characters
        iss.add(per_row(_np(pc.greater(pc.utf8_length(values), V.MAX_CELL))), label, arr,
                f"单元格过长（超过 {V.MAX_CELL} 字符），请检查是否整段文本误入此列")
    cand = size > 1
    cand[cand] = np.isin(data[offs[:-1][cand]], FORMULA_LEADS)
    hit = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(cand):
        hit[i] = V.is_formula(values[int(i)].as_py())
    if not hit.any():
        return arr
    if free_text:
        return _on_values(arr, lambda v: pc.if_else(pa.array(hit), pc.binary_join_element_wise("'", v, ""), v))
    iss.add(per_row(hit), label, arr, "疑似公式注入（以 = + - @ 开头的公式内容），请删除公式后重新导出")
    return arr


def _reader(c: str, typ: pa.DataType) -> tuple[Callable, pa.DataType, Callable | None, tuple[str, str]] | None:
    """How a typed column is read: (parser of one text, Arrow type, bulk reader of its usual spelling, text
    around the parser's reason); None for text."""
    if c == "kind":
        return (lambda t: V.keyword_lookup(t, vocab()["event_kind"], EVENT_KINDS), pa.string(), None,
                ("事项类型", "（应为延长、扣除、中止、恢复等）"))
    if c == "appeal_result":
        return (lambda t: V.keyword_lookup(t, vocab()["appeal_result"], APPEAL_RESULTS) if t.strip() else None, pa.string(), None,
                ("二审结果", "（应为维持、改判、发回重审、撤回上诉等）"))
    return {pa.date32(): (V.parse_date, typ, V.iso_dates, ("", "")), V_MONEY: (V.parse_amount, typ, _plain_amounts, ("", "")),
            pa.bool_(): (_bool_parser(), typ, None, ("", "（应为“是”或“否”）")), pa.int32(): (V.parse_int, typ, None, ("", "")),
            pa.int64(): (V.parse_int, typ, None, ("", ""))}.get(typ)


def _plain_amounts(words: pa.Array) -> pa.Array:
    """Amounts written as plain numbers (1234.50), read by Arrow; ``parse_amount`` reads the rest."""
    return pc.cast(pc.if_else(pc.match_substring_regex(words, _FAST_AMOUNT), words, None), V_MONEY)


def _split_tags(t: str) -> list[str] | None:
    return [p for p in re.split(r"[、,，;；\s]+", t) if p]  # a blank cell in a tags column = no tags


def _procedures(text: pa.Array | None, out: dict[str, pa.Array], n: int) -> pa.Array:
    """适用程序 → procedure code, refined by category/stage; default from the case-type registry.

    The answer depends on (type code, category, stage) — one dictionary entry of the parsed 案号 — and
    the text, so it is computed once per distinct pair."""
    rules = vocab()["procedure"]
    tc, cat, st = out["type_code"], out["category"], out["stage"]  # dictionary arrays sharing indices
    metas = list(zip(tc.dictionary.to_pylist(), cat.dictionary.to_pylist(), st.dictionary.to_pylist(), strict=True))
    t = text if text is not None else pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)), pa.array([""]))
    texts = t.dictionary.to_pylist() or [""]
    nt = len(texts)
    m_idx = pc.fill_null(tc.indices, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    t_idx = t.indices.to_numpy(zero_copy_only=False).astype(np.int64) if len(t.dictionary) else np.zeros(n, np.int64)
    uniq, inverse = np.unique(m_idx * nt + t_idx, return_inverse=True)
    codes = []
    for u in uniq.tolist():
        tcode, c, s = metas[u // nt] if metas else (None, None, None)
        codes.append(V.procedure_code(texts[u % nt], c, s, _default_procedure(tcode), rules) if tcode else None)
    return pa.DictionaryArray.from_arrays(pa.array(inverse.ravel().astype(np.int32), mask=_np(pc.is_null(tc.indices))),
                                          pa.array(codes, pa.string()))


def dedupe(t: pa.Table, table: str, file: str, label: str) -> tuple[pa.Table, list[Reject]]:
    """Duplicate keys within one file: identical rows keep the first, conflicting rows are all rejected."""
    keys = DUP_KEY[table]
    if t.num_rows < 2:
        return t, []
    key = key_column(t, keys)
    counts = pa.table({"k": key}).group_by("k").aggregate([("k", "count")])
    dup_keys = counts.filter(pc.greater(counts.column("k_count"), 1)).column("k")
    if len(dup_keys) == 0:
        return t, []  # the usual case
    in_dup = pc.is_in(key, value_set=dup_keys.combine_chunks())
    sub = t.filter(in_dup)
    groups: dict[object, list[dict]] = {}
    for k, r in zip(key_column(sub, keys).to_pylist(), sub.to_pylist(), strict=True):
        groups.setdefault(k, []).append(r)
    drop: set[int] = set()
    rejects: list[Reject] = []
    for rows in groups.values():
        rows.sort(key=lambda r: r[ROW])
        first = rows[0]
        content = {k: v for k, v in first.items() if k != ROW}
        same = all({k: v for k, v in r.items() if k != ROW} == content for r in rows[1:])
        nums = "、".join(str(r[ROW]) for r in rows)
        for r in rows if not same else rows[1:]:
            drop.add(r[ROW])
            reason = (f"重复行：与第 {first[ROW]} 行内容完全相同，已保留第 {first[ROW]} 行" if same else
                      f"重复且内容不一致（第 {nums} 行），无法判断以哪行为准，请核对后只保留一行")
            rejects.append(Reject(file, r[ROW], label, str(r[keys[0]]), reason))
    keep = pc.invert(pc.is_in(t.column(ROW), value_set=pa.array(sorted(drop), pa.int64())))
    return t.filter(keep), rejects


def key_column(t: pa.Table, keys: tuple[str, ...]) -> pa.Array:
    if len(keys) == 1:
        return t.column(keys[0]).combine_chunks()
    parts = [pc.fill_null(pc.cast(t.column(k), pa.string()), "") for k in keys]
    return pc.binary_join_element_wise(*parts, "\x00").combine_chunks()
