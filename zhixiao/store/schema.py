"""The canonical tables (names are the contract between modules; see shared/DESIGN.md).

Dates are DATE, money is DECIMAL(18,2) yuan. ``court_code`` and ``year`` are inside every file so a
file list alone is a complete dataset (the directory layout is only for people).
"""

from __future__ import annotations

import pyarrow as pa

MONEY = pa.decimal128(18, 2)

CASES = pa.schema(
    [
        ("case_id", pa.string()),  # normalised 案号, unique
        ("court_code", pa.string()),  # 冀0123
        ("court_name", pa.string()),
        ("year", pa.int32()),  # 收案年度 from the 案号
        ("specialized_code", pa.string()),  # 专门审判代字 (知 …) or null
        ("type_code", pa.string()),  # 类型代字 (民初, 执, …)
        ("seq", pa.int64()),
        ("category", pa.string()),  # civil|criminal|administrative|enforcement|compensation|bankruptcy|preservation|mediation|other
        ("stage", pa.string()),  # first|second|retrial_review|retrial|enforcement|enforcement_review|special|other
        ("procedure", pa.string()),  # procedure code, see data/time_limits.toml
        ("cause", pa.string()),  # 案由
        ("filing_date", pa.date32()),
        ("closing_date", pa.date32()),  # null = pending
        ("closing_method", pa.string()),  # 结案方式 in Chinese (判决, 调解, 撤诉, 终结本次执行程序, 执行完毕 …)
        ("division", pa.string()),  # 承办部门
        ("judge_id", pa.string()),
        ("judge_name", pa.string()),
        ("claim_amount", MONEY),
        ("enforcement_applied_amount", MONEY),
        ("enforcement_collected_amount", MONEY),
        ("origin_case_id", pa.string()),  # 原审 / 执行依据 案号
        ("appeal_result", pa.string()),  # upheld|reversed|remanded|withdrawn|mediated|other (on the appeal case)
        ("appealed", pa.bool_()),  # this judgment was appealed (上诉/抗诉)
        ("appeal_date", pa.date32()),  # 上诉日期 on the first-instance case
        ("transfer_date", pa.date32()),  # 移送二审日期 on the first-instance case
        ("hearing_held", pa.bool_()),  # 开庭审理
        ("ruled_in_court", pa.bool_()),  # 当庭裁判
        ("tags", pa.list_(pa.string())),  # foreign_related, ftz, detained, petition, small_claim, …
        ("parties", pa.string()),  # 当事人, '；'-separated
        ("lawyer", pa.string()),  # 代理律师
        ("dispute_id", pa.string()),  # one dispute → several proceedings (案-件比)
        # 终本 review, the five conditions of 《关于严格规范终结本次执行程序的规定(试行)》 art 1 (eff. 2016-12-01)
        # as the court's 终本 check records them: True = met on record, False = not met, null = no record.
        ("zb_notice", pa.bool_()),  # (一) 执行通知 served and 报告财产令 issued
        ("zb_restriction", pa.bool_()),  # (二) 限制消费令; 失信名单 where the law allows
        ("zb_investigation", pa.bool_()),  # (三) 财产调查 exhausted: nothing found or nothing disposable
        ("zb_three_months", pa.bool_()),  # (四) 立案满三个月 when 终本 was ordered
        ("zb_whereabouts", pa.bool_()),  # (五) whereabouts searched / 妨害执行 sanctioned (or neither arose)
        ("snapshot_date", pa.date32()),  # export date; the latest snapshot of a case wins
    ]
)

# Columns (nearly) unique per row: Parquet's default dictionary attempt on them is work thrown away.
UNIQUE_PER_ROW = frozenset({"case_id", "seq", "origin_case_id", "dispute_id", "parties", "claim_amount",
                            "enforcement_applied_amount", "enforcement_collected_amount"})

CASE_EVENTS = pa.schema(
    [
        ("case_id", pa.string()),
        ("court_code", pa.string()),
        ("year", pa.int32()),
        ("kind", pa.string()),  # extension|deduction|suspension|resumption|procedure_change|restart|transfer|hearing
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),  # null = still running
        ("days", pa.int32()),  # extension length in days (or null)
        ("months", pa.int32()),  # extension length in months (or null)
        ("approver", pa.string()),
        ("reason", pa.string()),  # 公告, 鉴定, 和解, 管辖异议, 中止, 审计评估, 拍卖, 补充侦查, 简易转普通 …
        ("detail", pa.string()),  # procedure_change: the new procedure code
        ("snapshot_date", pa.date32()),
    ]
)

PEOPLE = pa.schema(
    [
        ("judge_id", pa.string()),
        ("name", pa.string()),
        ("court_code", pa.string()),
        ("year", pa.int32()),  # partition key only: the year the roster was exported
        ("division", pa.string()),
        ("post", pa.string()),  # 员额法官|法官助理|书记员|院领导
        ("team", pa.string()),  # specialised team (FTZ), or null
        ("active_from", pa.date32()),
        ("active_to", pa.date32()),
    ]
)

TABLES: dict[str, pa.Schema] = {"cases": CASES, "case_events": CASE_EVENTS, "people": PEOPLE}

CATEGORIES = (
    "civil", "criminal", "administrative", "enforcement", "compensation",
    "bankruptcy", "preservation", "mediation", "other",
)
STAGES = ("first", "second", "retrial_review", "retrial", "enforcement", "enforcement_review", "special", "other")
EVENT_KINDS = ("extension", "deduction", "suspension", "resumption", "procedure_change", "restart", "transfer",
               "hearing")  # hearing: a 开庭 date, held or scheduled (排期)
APPEAL_RESULTS = ("upheld", "reversed", "remanded", "withdrawn", "mediated", "other")

# 执行实施 closing methods (《关于执行案件立案、结案若干问题的意见》 法发〔2014〕26号 art 15); a 执行和解 is tagged
# "settlement" on the case (performed → 执行完毕, art 16; 撤回申请 after it → 终结执行, art 17).
ENFORCEMENT_CLOSING_METHODS = ("执行完毕", "终结本次执行程序", "终结执行", "销案", "不予执行", "驳回申请")
# The 终本 conditions recorded as columns, by the key the 终本 ledger (data/rules/ledgers.toml) gives them.
ZHONGBEN_CHECKS = {"notice": "zb_notice", "restriction": "zb_restriction", "investigation": "zb_investigation",
                   "three_months": "zb_three_months", "whereabouts": "zb_whereabouts"}

# Chinese names of the lines (条线) a category belongs to, used by grouping and reports.
LINE_OF_CATEGORY = {
    "criminal": "刑事", "civil": "民事", "administrative": "行政", "enforcement": "执行",
    "compensation": "其他", "bankruptcy": "民事", "preservation": "其他", "mediation": "其他", "other": "其他",
}


def empty(table: str) -> pa.Table:
    return TABLES[table].empty_table()


def conform(table: str, data: pa.Table, keep_dictionaries: bool = False) -> pa.Table:
    """Add missing columns as nulls, order and cast to the canonical schema (raises on bad casts).

    ``keep_dictionaries``: dictionary-encoded string columns stay encoded (for the Parquet writer, which
    writes them as they are instead of decoding and re-hashing every value); the file is the same."""
    schema = TABLES[table]
    cols = []
    for f in schema:
        if f.name not in data.column_names:
            cols.append(pa.nulls(data.num_rows, f.type))
            continue
        col = data.column(f.name)
        if keep_dictionaries and pa.types.is_dictionary(col.type) and col.type.value_type == f.type:
            cols.append(null_free_dictionaries(col))
        else:
            cols.append(col.cast(f.type))
    if not keep_dictionaries:
        return pa.Table.from_arrays(cols, schema=schema)
    return pa.Table.from_arrays(cols, names=schema.names).unify_dictionaries()


def null_free_dictionaries(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Parquet cannot write a dictionary that contains a null: point such indices at null instead."""
    import numpy as np
    import pyarrow.compute as pc

    chunks = []
    for ch in col.chunks:
        d = ch.dictionary
        if d.null_count:
            idx = pc.fill_null(ch.indices, 0).to_numpy()
            mask = pc.is_null(ch.indices).to_numpy(zero_copy_only=False) | \
                d.is_null().to_numpy(zero_copy_only=False)[idx.astype(np.int64)]
            ch = pa.DictionaryArray.from_arrays(pa.array(idx, mask=mask), pc.fill_null(d, ""))
        chunks.append(ch)
    return pa.chunked_array(chunks, type=col.type)
