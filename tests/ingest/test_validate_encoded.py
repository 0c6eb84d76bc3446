"""Columns the reader hands over dictionary-encoded (few distinct values, non-ASCII) are validated exactly as
plain columns: the direct path (which encodes them) and the transcoding path (plain text) give the same
report — accepted rows, rejects with their reasons, neutralised formulas — on files where every column repeats."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ingest._ingest_helpers import HEADER, SNAP, write_csv
from zhixiao.ingest import importer, readers, split
from zhixiao.ingest.encodings import decode_column

JUDGES = ["张三", " 李四 ", "", "=HYPERLINK(\"http://x\")", "王五" * 1100, "赵六"]
DIVISIONS = ["民一庭", "民二庭", "", "+SUM(A1)", "立案庭"]
CAUSES = ["买卖合同纠纷", "离婚纠纷", " 民间借贷纠纷", "", "-2+3", "借款合同纠纷" * 300]
DATES = ["2025年1月2日", "2025年2月30日", "2025/3/4", "", "2025-01-05", "二〇二五年", "2024年12月31日"]
PROCEDURES = ["简易程序", "普通程序", "", "小额诉讼程序", "速裁"]
OPEN = ["是", "否", "", "也许"]


def _report(path, direct: bool):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(split, "MIN_BYTES", 1 << 60)
        if not direct:
            mp.setattr(readers, "_DIRECT", ())
        rep = importer.validate_file(path, snapshot_date=SNAP)
    rejects = sorted((r.row, r.column, r.value, r.reason) for r in rep.rejects)
    return (rep.rows_read, rep.accepted, rep.rejected), rejects, rep.data.to_pylist()


@given(st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from(JUDGES), st.sampled_from(DIVISIONS),
                          st.sampled_from(CAUSES), st.sampled_from(PROCEDURES), st.sampled_from(OPEN)),
                min_size=70, max_size=200))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_encoded_columns_validate_like_plain_ones(tmp_path_factory, cells):
    rows = [[f"(2025)冀0123民初{i + 1}号", filing, "", judge, division, cause, procedure, "1000", hearing]
            for i, (filing, judge, division, cause, procedure, hearing) in enumerate(cells)]
    path = write_csv(tmp_path_factory.mktemp("e") / "f.csv", rows, HEADER, "gbk")
    assert _report(path, True) == _report(path, False)


def test_the_reader_really_encodes_such_columns(tmp_path):
    """The premise of the test above: the direct path dictionary-encodes a repetitive GBK column."""
    import pyarrow as pa

    arr = pa.array([c.encode("gbk") for c in (JUDGES[:4] * 30)], pa.binary())
    assert pa.types.is_dictionary(decode_column(arr, "gbk").type)
    unique = pa.array([f"(2025)冀0123民初{i}号".encode("gbk") for i in range(300)], pa.binary())
    assert not pa.types.is_dictionary(decode_column(unique, "gbk").type)  # no hashing of 案号
