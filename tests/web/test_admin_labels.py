"""管理's tables lead with Chinese (issue 18 §2, "Chinese everywhere"): an indicator or an escalation rule is named
by its Chinese name first; its internal id — the key an analyst edits the TOML by — stays visible in a small grey
内部代码 column at the end, and the profile is named by its Chinese name."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web.conftest import login
from tests.web.helpers import isolated_app
from tests.web.test_admin_sources import _table

LATIN = re.compile(r"[A-Za-z]{4,}")
ALLOWED = {"CourTools", "CEPEJ"}  # documents that go by these names (web.labels.BASIS_ABBREVIATIONS)


def _admin_html(web_env, tmp_path) -> str:
    app, _ = isolated_app(web_env, tmp_path)  # no other test's saved range or rule in the way
    c = TestClient(app)
    assert login(c, "admin").status_code == 303
    return c.get("/admin").text


def _latin(text: str) -> list[str]:
    return [w for w in LATIN.findall(text) if w not in ALLOWED]


def test_profile_table_names_indicators_in_chinese_first(web_env, tmp_path):
    html = _admin_html(web_env, tmp_path)
    head, *rows = _table(html, "profile")
    assert head == ["指标", "单位", "方向", "合理区间", "依据", "内部代码"]
    # court-classic's first entries (data/indicators/court-classic.toml), in catalogue order
    assert [(r[0], r[-1]) for r in rows[:7]] == [
        ("新收", "new_cases"), ("旧存", "carried_over"), ("受理", "received"), ("结案", "closed"),
        ("未结", "pending"), ("结案率", "closure_rate"), ("结收比", "clearance_ratio")]
    # 结案率: rate, higher is better, range = [0.93, 1.0] shown in per cent
    closure = next(r for r in rows if r[-1] == "closure_rate")
    assert closure[:4] == ["结案率", "比率（%）", "越高越好", "93.00%～100.00%"]
    for r in rows:  # every cell but the internal code reads in Chinese
        assert not any(_latin(cell) for cell in r[:-1]), r
        assert re.fullmatch(r"[a-z0-9_]+", r[-1]), r
    # the heading names the profile in Chinese ([profile] name), not by its id
    assert "<h2>指标体系与合理区间（传统审判执行质效指标）</h2>" in html
    assert "（court-classic）</h2>" not in html
    # the internal code cells are the small grey kind
    assert html.count('<td class="code">') == len(rows) + len(_table(html, "rules")) - 1


def test_rules_table_names_rules_in_chinese_first(web_env, tmp_path):
    html = _admin_html(web_env, tmp_path)
    head, *rows = _table(html, "rules")
    assert head == ["级别", "规则", "依据", "内部代码"]
    # the default ladder's first rule (data/rules): 审限已过三分之二 → 提醒
    assert rows[0][:2] == ["提醒", "审限已过三分之二"] and rows[0][-1] == "remind_two_thirds"
    for r in rows:
        assert not any(_latin(cell) for cell in r[:-1]), r
        assert re.fullmatch(r"[a-z0-9_]+", r[-1]), r


def test_range_form_lists_indicators_by_name(web_env, tmp_path):
    html = _admin_html(web_env, tmp_path)
    form = html[html.index('id="range-form"'):]
    options = re.findall(r'<option value="([^"]+)">([^<]+)</option>', form[:form.index("</select>")])
    assert ("closure_rate", "结案率") in options
    assert all(not _latin(text) for _, text in options), options
