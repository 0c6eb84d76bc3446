"""The catalogue is data: profiles load, versions switch on effective dates, courts add and override
entries with TOML alone, and bad entries fail with a Chinese message naming the file."""

from __future__ import annotations

from datetime import date

import pytest

from tests.metrics.conftest import END, START
from zhixiao.errors import UserError
from zhixiao.metrics.catalogue import get, load_profile, profiles
from zhixiao.metrics.evaluate import evaluate

GLOSSARY = ["new_cases", "carried_over", "received", "closed", "pending", "clearance_ratio", "closure_rate",
            "on_time_rate", "avg_days", "long_pending_12m"]


def test_profiles_and_glossary_ids():
    assert {"court-classic", "spc-2024", "courtools"} <= set(profiles())
    ids = [i.id for i in load_profile("court-classic", END)]
    assert all(g in ids for g in GLOSSARY)
    for name in profiles():
        for ind in load_profile(name, END):
            assert ind.source, f"{name}/{ind.id} has no source"


def test_spc_versions_switch_at_the_2024_09_revision():
    before = {i.id for i in load_profile("spc-2024", date(2024, 6, 30))}
    after = {i.id for i in load_profile("spc-2024", date(2024, 12, 31))}
    assert "first_reversed_rate" in before and "second_reversal_remand_ratio" not in before
    assert "second_reversal_remand_ratio" in after and "first_reversed_rate" not in after


def test_court_adds_indicator_and_sets_range_with_toml_only(tmp_path, duck):
    court_dir = tmp_path / "indicators"
    court_dir.mkdir()
    (court_dir / "ours.toml").write_text('''
[profile]
id = "court-classic"

[[indicator]]
id = "judgment_share"
name = "判决结案占比"
group = "质量"
unit = "rate"
direction = "range"
range = [0.4, 0.6]
range_source = "本院 2025 年会商"
numerator = { set = "closed", where = [{ col = "closing_method", eq = "判决" }] }
denominator = { set = "closed" }
source = "本院自定义"

[[override]]
id = "closure_rate"
range = [0.5, 1.0]
range_source = "本院 2025 年会商"
''', encoding="utf-8")
    assert get("closure_rate", "court-classic", data_dir=tmp_path).range == (0.5, 1.0)
    res = evaluate(duck, "court-classic", START, END, indicators=["judgment_share", "closure_rate"], data_dir=tmp_path)
    js = res.get("judgment_share")  # 判决: C1 C3 C16 C17 C23 C25 C28 C30 of 14 closed
    assert (js.numerator, js.denominator, js.in_range) == (8, 14, True)
    assert res.get("closure_rate").in_range is True  # 14/22 = 63.6% is inside the court's [50%, 100%]
    default = evaluate(duck, "court-classic", START, END, indicators=["closure_rate"])
    assert default.rows[0].in_range is False  # below the default 93%


@pytest.mark.parametrize("entry, fragment", [
    ('id = "x"\nname = "x"\ngroup = "奇怪"\nunit = "rate"\nnumerator = { set = "closed" }', "group"),
    ('id = "x"\nname = "x"\ngroup = "质量"\nunit = "rate"\nnumerator = { set = "nope" }', "nope"),
    ('id = "x"\nname = "x"\ngroup = "质量"\nunit = "rate"\nnumerator = { set = "closed", where = [{ col = "a", like = 1 }] }',
     "运算"),
    ('id = "x"\nname = "x"\ngroup = "质量"\nunit = "rate"\nexclusions = ["无此项"]\nnumerator = { set = "closed" }', "无此项"),
])
def test_bad_entries_are_user_errors(tmp_path, entry, fragment):
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "bad.toml").write_text(f'[profile]\nid = "mine"\n[[indicator]]\n{entry}\n',
                                                      encoding="utf-8")
    with pytest.raises(UserError, match=fragment) as exc:
        load_profile("mine", data_dir=tmp_path)
    assert "bad.toml" in str(exc.value)


def test_unknown_profile_and_indicator():
    with pytest.raises(UserError, match="不存在"):
        load_profile("no-such")
    with pytest.raises(UserError, match="没有指标"):
        get("no_such", "court-classic")
