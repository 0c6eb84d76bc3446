"""人员考核's workload weighs each closed case by its procedure, else by 专门代字 + 类型代字 (assessment.toml
[workload_weights]): a 知民初 case under 普通程序 weighs 1.5, a 民初 1.0, a 小额诉讼 0.5."""

import re
from datetime import date

import pyarrow as pa

from zhixiao.engine import connect
from zhixiao.services.assessment import person_metrics
from zhixiao.store.cases import CaseStore

C = "冀0123"


def _case(n, spec, procedure):
    return {"case_id": f"(2026)冀0123{spec or ''}民初{n}号", "court_code": C, "year": 2026, "specialized_code": spec,
            "type_code": "民初", "category": "civil", "stage": "first", "procedure": procedure,
            "filing_date": date(2026, 7, 1), "closing_date": date(2026, 8, 1), "judge_id": "J1", "judge_name": "张某",
            "division": "民三庭", "cause": "侵害商标权纠纷", "snapshot_date": date(2026, 9, 30)}


def test_a_zhi_min_chu_case_weighs_one_and_a_half(tmp_path):
    rows = [_case(1, "知", "civil_ordinary"), _case(2, None, "civil_ordinary"), _case(3, None, "civil_small_claims")]
    with CaseStore(tmp_path).transaction() as tx:
        tx.write("cases", pa.Table.from_pylist(rows))
        tx.write("people", pa.Table.from_pylist([{"judge_id": "J1", "name": "张某", "court_code": C, "year": 2026,
                                                   "division": "民三庭", "post": "员额法官"}]))
    (pm,) = person_metrics(connect(tmp_path), C, "2026Q3")
    # 1.5 (知民初, 普通程序: no procedure weight) + 1.0 (民初) + 0.5 (小额诉讼程序) = 3.0; it was 2.5
    assert pm.metrics["weighted"] == 3.0
    assert "知民初·民事一审普通程序 1件×1.5" in pm.metrics["detail"]  # the procedure by name, never civil_ordinary
    assert not re.search("[a-z_]{4,}", pm.metrics["detail"]), pm.metrics["detail"]
