"""管理's 依据 columns (issue 18 §2, Chinese everywhere): the catalogue's source notes are maintainers' notes —
evidence marks [C]/[M]/[I], web addresses, internal document names, some English. A person sees them in Chinese
(``labels.basis``); only the names CourTools and CEPEJ (documents that go by them) stay in Latin letters."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest

from zhixiao.metrics.catalogue import load_profile
from zhixiao.supervision.rules import load_ladder
from zhixiao.web.labels import BASIS_ABBREVIATIONS, basis

ENGLISH = re.compile(r"[A-Za-z]{4,}")
PROFILES = sorted(p.name[:-5] for p in resources.files("zhixiao.data").joinpath("indicators").iterdir()
                  if p.name.endswith(".toml") and not p.name.startswith("_"))


def _english(text: str) -> list[str]:
    return [w for w in ENGLISH.findall(text) if w not in BASIS_ABBREVIATIONS]


class _Cells(HTMLParser):
    """The text of each row's cells of the table with ``id``."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _table(html: str, table_id: str) -> list[list[str]]:
    p = _Cells(table_id)
    p.feed(html)
    return p.rows


def test_admin_basis_columns_are_chinese(web_env):
    html = web_env.clients["admin"].get("/admin").text
    for table_id in ("profile", "rules"):
        head, *rows = _table(html, table_id)
        col = head.index("依据")
        assert len(rows) >= 5
        for row in rows:
            assert not _english(row[col]), (table_id, row)
            assert "[C" not in row[col] and "[M]" not in row[col] and "[I]" not in row[col]
    head, *rows = _table(html, "profile")
    code, col = head.index("内部代码"), head.index("依据")
    by_id = {r[code]: r[col] for r in rows}
    # the default profile (court-classic): 新收's note "DESIGN.md glossary; REFERENCE §5.1 收结存"
    assert by_id["new_cases"] == "本系统指标词汇表；领域参考资料 §5.1 收结存"
    # 受理: "受理 = 旧存 + 新收 (REFERENCE §5.1, gsxfy.hncourt.gov.cn id=2808)" — the address goes
    assert by_id["received"] == "受理 = 旧存 + 新收 (领域参考资料 §5.1)"
    # 结收比's 合理区间 basis (range_source): "… （NCSC CourTools Measure 2）…"
    assert by_id["clearance_ratio"] == "默认：≥100% 表示结案跟上收案（美国州法院中心 CourTools 第2项）；上限为本系统默认值"
    head, *rules = _table(html, "rules")
    assert any(r[head.index("依据")] == "淮滨县法院 2013 远期提醒（领域参考资料 §2.3）" for r in rules)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_catalogue_note_renders_in_chinese(profile):
    inds = load_profile(profile)
    assert inds
    for i in inds:
        for raw in (i.range_source, i.source):
            if not raw:
                continue
            shown = basis(raw)
            assert shown and not _english(shown), (i.id, raw, shown)
            assert not re.search(r"\[(?:C3|C|M|I)\]|\.(?:cn|com|org)\b|[(（]\s*[)）]|[(（][，,]", shown), (i.id, shown)


def test_foreign_notes_named_in_chinese_and_court_text_kept():
    assert basis("Model Time Standards (2011), felony tier 3") == "美国《州初审法院审理时间示范标准》（2011），重罪第3档"
    assert basis("Model Time Standards for State Trial Courts (2011), general civil tier 1") == \
        "美国《州初审法院审理时间示范标准》（2011），一般民事第1档"
    assert basis("法定审限内结案数 ÷ 有法定审限的结案数 (REFERENCE §1.2, §1.4 [C3]); 审限 from zhixiao.deadlines") == \
        "法定审限内结案数 ÷ 有法定审限的结案数 (领域参考资料 §1.2, §1.4)；审限按本系统审限规则计算"
    # an address before another source loses its comma with it, not the source's
    assert basis("（法发〔2008〕6号，gdcourts.gov.cn，REFERENCE §1.3 [C]）") == "（法发〔2008〕6号，领域参考资料 §1.3）"
    assert basis("本院设定（admin）") == "本院设定（admin）"  # what the court typed (a user name) is its own
    assert basis(None) == ""


def test_escalation_rule_notes_render_in_chinese(web_env):
    from types import SimpleNamespace

    ladder = load_ladder(SimpleNamespace(data_dir=web_env.data_dir, rules={}))
    assert ladder.rules
    for r in ladder.rules:
        assert not _english(basis(r.source)), (r.id, r.source)
