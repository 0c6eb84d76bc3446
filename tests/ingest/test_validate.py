"""Row validation: every bad-input case gives the exact Chinese reason, row (header = 1) and column."""

from datetime import date
from decimal import Decimal

import pytest

from tests.ingest._ingest_helpers import HEADER, SNAP, good_row, write_csv
from zhixiao.errors import UserError
from zhixiao.ingest.importer import validate


def _check(tmp_path, rows, header=HEADER, **kw):
    p = write_csv(tmp_path / "in.csv", rows, header=header)
    rep = validate([p], snapshot_date=SNAP, **kw)
    f = rep.files[0]
    assert f.accepted + f.rejected == f.rows_read
    return f, {(r.row, r.column, r.reason) for r in f.rejects}


def test_good_rows_become_canonical(tmp_path):
    f, rejects = _check(tmp_path, [good_row(1, closing="2025-03-04", amount="1,234.50"),
                                   ["(2025)冀0123刑初7号", "2025年1月10日", "", "王五", "刑庭", "盗窃罪", "速裁程序", "", "否"]])
    assert rejects == set()
    rows = f.data.to_pylist()
    assert rows[0]["case_id"] == "(2025)冀0123民初1号"
    assert (rows[0]["court_code"], rows[0]["court_name"], rows[0]["year"], rows[0]["type_code"], rows[0]["seq"]) == \
        ("冀0123", "正定县人民法院", 2025, "民初", 1)
    assert (rows[0]["category"], rows[0]["stage"], rows[0]["procedure"]) == ("civil", "first", "civil_simplified")
    assert rows[0]["filing_date"] == date(2025, 1, 2) and rows[0]["closing_date"] == date(2025, 3, 4)
    assert rows[0]["claim_amount"] == Decimal("1234.50") and rows[0]["hearing_held"] is True
    assert rows[0]["snapshot_date"] == SNAP
    assert rows[1]["procedure"] == "criminal_speedy" and rows[1]["closing_date"] is None  # blank = pending
    assert rows[1]["filing_date"] == date(2025, 1, 10)


def test_procedure_defaults_from_case_type(tmp_path):
    f, _ = _check(tmp_path, [good_row(1, procedure=""), good_row(2, typ="民终", procedure="普通程序"),
                             good_row(3, procedure="小额诉讼程序"), good_row(4, typ="行初", procedure="简易程序")])
    assert [r["procedure"] for r in f.data.to_pylist()] == ["civil_ordinary", "civil_second_judgment",
                                                            "civil_small_claims", "admin_simplified"]


@pytest.mark.parametrize("cell,column,reason", [
    ("2025-02-30", "立案日期", "日期不存在（2025年2月30日）"),
    ("某天", "立案日期", "日期格式无法识别（应为 2025-01-02、2025/1/2、2025年1月2日 或 20250102）"),
    ("", "立案日期", "立案日期为空"),
    ("2025-07-01", "立案日期",
     "立案日期晚于数据日期 2025-06-30（不能是未来日期，请检查日期或用 --snapshot-date 指定导出日期）"),
])
def test_bad_filing_date(tmp_path, cell, column, reason):
    row = good_row(1)
    row[1] = cell
    f, rejects = _check(tmp_path, [good_row(2), row])
    assert rejects == {(3, column, reason)}
    assert f.accepted == 1 and f.rejected == 1


def test_closing_before_filing(tmp_path):
    _, rejects = _check(tmp_path, [good_row(1, filing="2025-03-01", closing="2025-02-28")])
    assert rejects == {(2, "结案日期", "结案日期早于立案日期")}


def test_bad_case_numbers(tmp_path):
    rows = [good_row(1), good_row(2), good_row(3)]
    rows[0][0] = "(2025)冀0123民初0号"
    rows[1][0] = "2025冀0123民初5号"
    rows[2][0] = ""
    _, rejects = _check(tmp_path, rows)
    assert rejects == {
        (2, "案号", "案号无法识别：案号“(2025)冀0123民初0号”的案件编号为0，编号应从1开始"),
        (3, "案号", "案号无法识别：案号“2025冀0123民初5号”缺少年度，应以（2025）这样的括号年度开头"),
        (4, "案号", "案号为空"),
    }


def test_case_number_normalised_from_full_width(tmp_path):
    rows = [good_row(1)]
    rows[0][0] = "（2025）冀0123民初００７号"
    f, rejects = _check(tmp_path, rows)
    assert rejects == set() and f.data.column("case_id").to_pylist() == ["(2025)冀0123民初7号"]


def test_negative_and_unreadable_amounts(tmp_path):
    _, rejects = _check(tmp_path, [good_row(1, amount="-5"), good_row(2, amount="一百元")])
    assert rejects == {(2, "标的额", "金额为负数"),
                       (3, "标的额", "金额无法识别（应为数字，可带千分位逗号、“元”或“万元”）")}


def test_identical_duplicates_keep_one(tmp_path):
    f, rejects = _check(tmp_path, [good_row(1), good_row(2), good_row(1)])
    assert rejects == {(4, "案号", "重复行：与第 2 行内容完全相同，已保留第 2 行")}
    assert f.accepted == 2


def test_conflicting_duplicates_reject_all(tmp_path):
    f, rejects = _check(tmp_path, [good_row(1), good_row(2), good_row(1, closing="2025-05-05")])
    reason = "重复且内容不一致（第 2、4 行），无法判断以哪行为准，请核对后只保留一行"
    assert rejects == {(2, "案号", reason), (4, "案号", reason)}
    assert f.accepted == 1 and f.rejected == 2


def test_huge_cell(tmp_path):
    row = good_row(1)
    row[5] = "纠" * 2001
    _, rejects = _check(tmp_path, [row])
    assert rejects == {(2, "案由", "单元格过长（超过 2000 字符），请检查是否整段文本误入此列")}


def test_formula_in_key_field_rejected_in_text_neutralised(tmp_path):
    bad = good_row(1)
    bad[1] = "=cmd|' /C calc'!A0"
    text = good_row(2)
    text[3] = "=cmd|' /C calc'!A0"
    f, rejects = _check(tmp_path, [bad, text])
    assert rejects == {(2, "立案日期", "疑似公式注入（以 = + - @ 开头的公式内容），请删除公式后重新导出")}
    assert f.data.column("judge_name").to_pylist() == ["'=cmd|' /C calc'!A0"]


def test_bad_yes_no(tmp_path):
    row = good_row(1)
    row[8] = "也许"
    _, rejects = _check(tmp_path, [row])
    assert rejects == {(2, "是否开庭", "无法识别为“是/否”（应为“是”或“否”）")}


def test_blank_rows_are_not_rows(tmp_path):
    f, _ = _check(tmp_path, [good_row(1), [""] * len(HEADER), good_row(2)])
    assert (f.rows_read, f.blank_rows, f.accepted) == (2, 1, 2)


def test_pinyin_headers_and_user_mapping(tmp_path):
    header = ["ah", "larq", "jarq", "cbr", "我的案由", "备注"]
    rows = [["(2025)冀0123民初1号", "2025-01-02", "", "张三", "离婚纠纷", "x"]]
    m = tmp_path / "map.toml"
    m.write_text('[columns]\n我的案由 = "cause"\n', "utf-8")
    f, rejects = _check(tmp_path, rows, header=header, mapping=m)
    assert rejects == set()
    assert f.data.column("cause").to_pylist() == ["离婚纠纷"] and f.unknown_columns == ["备注"]


def test_mapping_with_unknown_canonical_column(tmp_path):
    m = tmp_path / "map.toml"
    m.write_text('[columns]\n我的案由 = "reason_of_case"\n', "utf-8")
    with pytest.raises(UserError, match="列名映射文件 map.toml 中有未知的规范列名：我的案由 = 'reason_of_case'"):
        _check(tmp_path, [good_row(1)], mapping=m)


def test_no_case_number_column_names_what_it_saw(tmp_path):
    with pytest.raises(UserError) as e:
        _check(tmp_path, [["x", "2025-01-02"]], header=["编号", "立案日期"])
    assert "文件 in.csv 中找不到“案号”列。读到的列有：编号、立案日期。" in str(e.value)


def test_alias_priority_prefers_the_judge_over_presiding_judge(tmp_path):
    header = ["案号", "立案日期", "审判长", "承办人"]
    f, _ = _check(tmp_path, [["(2025)冀0123民初1号", "2025-01-02", "赵审判长", "钱法官"]], header=header)
    assert f.data.column("judge_name").to_pylist() == ["钱法官"] and f.ignored_columns == ["审判长"]


def test_case_events_and_people(tmp_path):
    p = write_csv(tmp_path / "ev.csv", [["(2025)冀0123民初1号", "延长审限", "2025-03-01", "", "", "3", "院长", "案情复杂"],
                                        ["(2025)冀0123民初2号", "调岗", "2025-03-01", "", "", "", "", ""]],
                  header=["案号", "事项类型", "开始日期", "结束日期", "天数", "月数", "审批人", "原因"])
    f = validate([p], table="case_events", snapshot_date=SNAP).files[0]
    assert f.data.select(["case_id", "court_code", "year", "kind", "months"]).to_pylist() == [
        {"case_id": "(2025)冀0123民初1号", "court_code": "冀0123", "year": 2025, "kind": "extension", "months": 3}]
    assert [(r.row, r.column, r.reason) for r in f.rejects] == [
        (3, "事项类型", "事项类型无法识别（应为延长、扣除、中止、恢复等）")]
    p = write_csv(tmp_path / "people.csv", [["J001", "张三", "冀0123", "民一庭", "员额法官", "2020-01-01", ""],
                                            ["", "李四", "冀0123", "民一庭", "法官助理", "", ""]],
                  header=["工号", "姓名", "法院代字", "部门", "岗位", "任职日期", "离任日期"])
    f = validate([p], table="people", snapshot_date=SNAP).files[0]
    assert f.data.select(["judge_id", "name", "court_code", "year", "post"]).to_pylist() == [
        {"judge_id": "J001", "name": "张三", "court_code": "冀0123", "year": 2025, "post": "员额法官"}]
    assert [(r.row, r.reason) for r in f.rejects] == [(3, "工号为空")]
