"""Write one court's cases as a court-style export (GBK, Chinese headers) so the importer can be run end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from zhixiao.store.cases import CaseStore

# canonical column → header as a case-management system writes it
HEADERS = {
    "case_id": "案号", "court_name": "法院名称", "filing_date": "立案日期", "closing_date": "结案日期",
    "closing_method": "结案方式", "division": "承办部门", "judge_name": "承办人", "judge_id": "承办人编号",
    "cause": "案由", "procedure": "适用程序", "claim_amount": "标的额",
    "enforcement_applied_amount": "申请执行标的额", "enforcement_collected_amount": "实际到位金额",
    "origin_case_id": "原审案号", "appeal_result": "二审结果", "appealed": "是否上诉", "appeal_date": "上诉日期",
    "transfer_date": "移送二审日期", "hearing_held": "是否开庭", "ruled_in_court": "是否当庭裁判",
    "parties": "当事人", "lawyer": "代理律师", "dispute_id": "纠纷编号", "tags": "标签", "snapshot_date": "导出日期",
    # 终本 review (store.schema.ZHONGBEN_CHECKS), blank where no 终本 was reviewed
    "zb_notice": "执行通知", "zb_restriction": "限制消费", "zb_investigation": "财产调查",
    "zb_three_months": "立案满三个月", "zb_whereabouts": "下落不明已查找",
}
# procedure code → 适用程序 text (only first-instance procedures are written; others stay blank)
PROCEDURE_TEXT = {
    "civil_ordinary": "普通程序", "civil_simplified": "简易程序", "civil_small_claims": "小额诉讼程序",
    "criminal_public": "普通程序", "criminal_simplified": "简易程序", "criminal_speedy": "速裁程序",
    "admin_first": "普通程序", "admin_simplified": "简易程序", "civil_special": "特别程序",
}
APPEAL_TEXT = {"upheld": "维持原判", "reversed": "改判", "remanded": "发回重审", "withdrawn": "撤回上诉",
               "mediated": "调解"}


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, list):
        return "、".join(v)
    return str(v)


def export_court_csv(data_dir: Path | str, path: Path | str, court_code: str = "冀0123",
                     encoding: str = "gbk") -> int:
    """Write every case of ``court_code`` in the store to ``path`` (GBK by default); returns the row count."""
    from zhixiao.errors import UserError

    store = CaseStore(data_dir)
    parts = [p for p in store.partitions("cases") if p[0] == court_code]
    if not parts:
        known = sorted({p[0] for p in store.partitions("cases")})
        raise UserError(f"数据目录 {data_dir} 中没有法院“{court_code}”的案件，可选：{'、'.join(known) or '（无）'}。")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["序号", *HEADERS.values()])
        for p in parts:
            t: pa.Table = store.read_partition("cases", p)
            t = t.sort_by([("filing_date", "ascending"), ("case_id", "ascending")])
            t = t.set_column(t.schema.get_field_index("procedure"), "procedure",
                             pc.if_else(pc.equal(t.column("stage"), "first"), t.column("procedure"),
                                        pa.scalar(None, pa.string())))
            cols = {c: t.column(c).to_pylist() for c in HEADERS}
            for i in range(t.num_rows):
                n += 1
                row = []
                for c in HEADERS:
                    v = cols[c][i]
                    if c == "procedure":
                        v = PROCEDURE_TEXT.get(v) if v else None
                    elif c == "appeal_result":
                        v = APPEAL_TEXT.get(v) if v else None
                    row.append(_cell(v))
                w.writerow([n, *row])
    return n


def export_city_csv(data_dir: Path | str, path: Path | str, rows: int, encoding: str = "gbk") -> int:
    """The first ``rows`` cases of every court as one export, as real exports come: party lists quoted with
    commas and line breaks in every third row, blank cells where a case has no value. Returns the row count."""
    t = CaseStore(data_dir).read("cases").slice(0, rows)
    out: dict[str, pa.Array] = {}
    for c, header in HEADERS.items():
        col = t.column(c)
        if c == "procedure":
            col = pc.if_else(pc.equal(t.column("stage"), "first"), col, pa.scalar(None, pa.string()))
            col = _mapped(col, PROCEDURE_TEXT)
        elif c == "appeal_result":
            col = _mapped(col, APPEAL_TEXT)
        elif c == "tags":
            col = pc.binary_join(col, "、")
        elif pa.types.is_boolean(col.type):
            col = pc.if_else(col, "是", "否")
        elif c == "parties":
            every_third = pa.array(np.arange(t.num_rows) % 3 == 0)
            col = pc.if_else(every_third, pc.replace_substring(col, "；", "，\n"), col)
        out[header] = pc.fill_null(col.cast(pa.string()), "")
    path = Path(path)
    utf8 = path.with_suffix(".utf8.tmp")
    pacsv.write_csv(pa.table(out), utf8, pacsv.WriteOptions(quoting_style="needed"))
    with open(utf8, encoding="utf-8", newline="") as src, open(path, "w", encoding=encoding, newline="") as dst:
        while block := src.read(1 << 20):
            dst.write(block)
    utf8.unlink()
    return t.num_rows


def _mapped(col: pa.ChunkedArray, words: dict[str, str]) -> pa.ChunkedArray:
    keys = pa.array(list(words))
    return pc.take(pa.array(list(words.values())), pc.index_in(col, value_set=keys))
