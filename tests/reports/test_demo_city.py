"""The briefing a real 会商会 of the demo city's 正定 court would use: full year 2025 against 2024."""

from __future__ import annotations

import re
from datetime import date

import pytest
from docx import Document

from zhixiao.config import Settings
from zhixiao.metrics.evaluate import evaluate
from zhixiao.reports import narrative as nv
from zhixiao.reports.docx_builder import cell_text
from zhixiao.reports.model import cell_kind
from zhixiao.reports.render import write_briefing

generate = pytest.importorskip("zhixiao.demo.generate", reason="演示城市生成器尚未安装")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from zhixiao.engine import connect

    root = tmp_path_factory.mktemp("demo-city")
    generate.build_city(root, date(2026, 3, 31), seed=2026, scale=0.02, progress=False)
    return root, connect(root)


@pytest.mark.parametrize("period", [(date(2025, 1, 1), date(2025, 12, 31))])
def test_demo_city_briefing_numbers(demo, period, tmp_path):
    root, engine = demo
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports" / "demo-city"
    files = write_briefing(Settings(data_dir=root), "冀0123", *period, out, engine=engine, pdf=False)
    b = files.briefing
    assert b.title == "正定县人民法院2025年审判执行质效数据会商报告"
    res = evaluate(engine, "court-classic", *period, compare="yoy", filters={"court_code": "冀0123"})
    lead = b.sections[0].paragraphs[0]
    n = res.get("new_cases")
    d = n.value - n.previous  # a count's change in 件, the % beside (issue 13 §5) unless the base is small
    pct = f"（{'增长' if d > 0 else '下降'}{abs(n.yoy):.2f}%）" if n.previous >= nv.SMALL_BASE else ""
    assert lead.startswith(f"2025年，全院新收各类案件{n.value}件，同比{'增加' if d > 0 else '减少'}{abs(d)}件{pct}")
    assert f"结案{res.get('closed').value}件" in lead and f"未结{res.get('pending').value}件" in lead
    doc = Document(str(files.docx))
    tables = [t for t in b.doc_tables() if t.rows]
    assert len(doc.tables) == len(tables)
    for dt, bt in zip(doc.tables, tables, strict=True):
        for drow, brow in zip(dt.rows[1:], bt.rows, strict=True):
            assert [c.text for c in drow.cells] == [cell_text(brow.get(c.key), cell_kind(c, brow)) for c in bt.columns]
    by_judge = evaluate(engine, "court-classic", *period, by=("judge",), filters={"court_code": "冀0123"})
    checked = 0
    by_div = evaluate(engine, "court-classic", *period, by=("division",), filters={"court_code": "冀0123"})
    for t in b.annex:
        judges = [r for r in t.rows if "judge_id" in r]
        total = t.rows[-1]
        assert total["judge_name"] == "部门合计"  # every count column adds up to the division (issue 17 §1)
        div = t.title.removeprefix("员额法官审判质效统计表（").removesuffix("）")
        for key in ("new_cases", "closed", "pending"):
            assert total[key] == by_div.get(key, division=div).value
            assert sum(r.get(key) or 0 for r in t.rows[:-1]) == total[key]
        for row in judges:
            for col in t.columns[1:]:
                assert row[col.key] == by_judge.get(col.key, judge_id=row["judge_id"]).value
                checked += 1
    assert checked > 50
    assert any(re.fullmatch(r"员额法官审判质效统计表（.*执行.*）", t.title) for t in b.annex)
    # the 审限 status counts cover exactly the 未结 of 收结存 (same cases, same exclusions)
    assert sum(b.figures["deadline_status"].values()) == res.get("pending").value
