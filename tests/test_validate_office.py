"""End to end: workbooks written by openpyxl, read by calamine through the real `clerk`."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import clerk, digest, findings_json, write_config, write_xlsx

MEMBERS = [
    ["2025年秋季学生会成员名单"],
    ["学号*", "姓名", "学院", "部门(必填)", "职务", "手机\n号", "邮箱", "入职日期", "状态", "备注"],
    ["2024010001", "王小明", "计算机学院", "主席团", "主席", "138-0013-8000",
     "wxm@stu.example.edu.cn", date(2024, 9, 15), "在任", "换届后留任"],
    [2024010002.0, "李华", "文学院", "办公室", "部长", "+86 139 0013 9000",
     "lh＠stu.example.edu.cn", "2024/9/16", "在任", None],
    [None, None, None, None, None, None, None, None, None, None],
    ["２０２４０１０００３", " 张 伟 ", "法学院", "權益服務部", "干事", 13700137000.0, None,
     "2024年9月20日", "在任", None],
    ["2024010004", "陈静", "数学学院", "Arts & Sports", "副部长", None, None, 45560.0, "离任",
     None],
]
# 离任 needs 离任日期: the column is there, but a bit to the right (reordered)
MEMBERS[1].insert(9, "离任日期")
for row in MEMBERS[2:]:
    row.insert(9, None)
MEMBERS[6][9] = "2024-12-31"

ATTENDANCE = [
    ["日期", "活动名称", "类型", "学号", "出勤情况"],
    ["2025-10-13", "第6周例会", "例会", 2024010001.0, "出勤"],
    [date(2025, 10, 13), "第6周例会", "例会", "2024010002", "迟到"],
]

TASKS = [
    ["Task ID", "Task", "Owner ID", "Department", "Assigned on", "Due on", "Done on",
     "Quality OK"],
    ["RW001", "整理迎新物资清单", "2024010002", "办公室", "2025-10-01", "2025-10-08",
     "2025-10-07", "是"],
]

MEETINGS = [
    ["會議編號", "會議名稱", "會議類型", "組織人學號", "通知時間", "開會時間", "紀要發布時間"],
    ["HY001", "全体例会", "例會", "2024010002", datetime(2025, 10, 11, 9, 0),
     "2025-10-13 19:00", "2025/10/14 21:30"],
]

ITEMS = [
    ["物资编号", "物资名称", "类别", "规格型号", "数量", "单价（元）", "购置日期", "存放地点",
     "所属部门", "保管人学号", "状况", "下次盘点日期"],
    ["XSH-001", "音响", "音响设备", "JBL EON712", "2台", "¥3,200.00", "2023.6.1",
     "学生活动中心 201", "办公室", "2024010002", "完好", "2026-01-10"],
    ["XSH-002", "投影仪", "电子设备", None, 1, 3599, date(2022, 5, 4), None, None, None,
     "维修中", None],
]

LOANS = [
    ["   ", "", "2025年秋季学期物资借用登记表（请如实填写）"],
    ["借用单号", "物资编号", "借用人", "借用人学号", "联系电话", "用途", "借出日期",
     "应还日期", "归还日期", "归还状况", "经手人学号"],
    ["JY0001", "XSH-001", "王小明", "2024010001", "138-0013-8000", "迎新晚会", "2025-10-10",
     "2025-10-12", "2025-10-12", "完好", "2024010002"],
    ["JY0002", "XSH-002", "赵六（外院）", None, "15900159000", "讲座", "20251015",
     "2025-10-16", None, None, 2024010002.0],
]

BUDGETS = [
    ["预算编号", "活动名称", "部门", "预算金额", "主席团审批日期", "指导老师审批日期", "学期"],
    ["YS01", "迎新晚会", "文体活动部", "1.2万", "2025-09-20", "2025-09-22", "2025-fall"],
]

EXPENSES = [
    ["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
     "票据齐全", "审核人学号", "审核日期", "报销日期", "状态"],
    ["BX0001", "YS01", "横幅制作", "¥85.00", "2025-10-09", "2025-10-10", "2024010002", "✓",
     "2024010001", "2025-10-11", "2025-10-15", "已报销"],
    ["BX0002", "YS01", "矿泉水", "120元", "2025-10-09", "2025-10-10", "2024010003", "否",
     None, None, None, "待审核"],
]

CASES = [
    ["案件编号", "受理时间", "反映渠道", "类别", "诉求摘要", "反映人", "联系方式", "层级",
     "承办人学号", "首次回复时间", "进展反馈时间", "办结时间", "状态", "处理结果"],
    ["QY001", "2025-10-09 10:00", "公众号", "宿舍", "热水供应时间太短", "匿名", None, "校级",
     "2024010003", "2025-10-09 15:00", "2025-10-11 09:00", "2025-10-20 17:00", "已办结",
     "已与后勤沟通"],
]

LOST = [
    ["登记编号", "拾获日期", "拾获地点", "物品描述", "状态", "认领日期", "认领人"],
    ["SW001", "2025-10-02", "图书馆", "黑色雨伞", "已认领", "2025-10-05", "孙七"],
]

DOCUMENTS = [
    ["文件编号", "文件标题", "收發類型", "紧急程度", "收到时间", "承办人学号", "流转完成时间",
     "办理期限", "办结日期", "状态"],
    ["GW-2025-031", "关于做好秋季学期安全检查的通知", "收文", "紧急", "2025-10-09 09:10",
     2024010002.0, "2025/10/9 9:50", "2025-10-10", "2025-10-10", "已办结"],
    ["GW-2025-032", "学生会第6周工作简报", "發文", "普通", datetime(2025, 10, 13, 14, 0),
     "2024010002", None, None, None, "待流转"],
]

INQUIRIES = [
    ["编号", "收到时间", "类型", "是否紧急", "渠道", "内容摘要", "提出人", "联系方式",
     "承办人学号", "回复时间", "需要整改", "整改期限", "整改完成日期", "状态", "备注"],
    ["ZX001", "2025-10-10 20:15", "咨询", "否", "公众号留言", "奖学金评定时间", None, None,
     "2024010003", "2025-10-11 08:30", None, None, None, "已回复", None],
    ["ZX002", "2025-10-12 11:00", "投诉", "是", "信箱", "二食堂窗口排队过长", "匿名",
     "13800138000", "2024010003", "2025-10-12 13:00", "✓", "2025-10-24", "2025-10-22",
     "已完结", "已与食堂沟通增开窗口"],
    ["ZX003", "2025-10-15 09:00", "意见建议", None, None, "希望延长自习室开放时间", None,
     None, "2024010001", None, "是", "2025-11-30", None, "整改中", None],
]

SURVEYS = [
    ["调查名称", "调查日期", "被评部门", "评价人", "得分", "满分", "意见"],
    ["2025秋期中测评", "2025-11-05", "办公室", None, 4.5, None, "响应很快"],
    ["2025秋期中测评", "2025-11-05", "权益服务部", "王同学", "9分", 10, None],
    ["2025秋期中测评", "2025/11/5", "文体活动部", None, 88, "100", None],
]


def build_office(folder: Path, **overrides: list) -> Path:
    tables = {
        "MEMBERS": MEMBERS, "ATTENDANCE": ATTENDANCE, "TASKS": TASKS, "MEETINGS": MEETINGS,
        "ITEMS": ITEMS, "LOANS": LOANS, "BUDGETS": BUDGETS, "EXPENSES": EXPENSES,
        "CASES": CASES, "LOST": LOST, "DOCUMENTS": DOCUMENTS, "INQUIRIES": INQUIRIES,
        "SURVEYS": SURVEYS,
    }
    tables.update(overrides)
    workbooks = folder / "workbooks"
    write_xlsx(workbooks / "roster.xlsx", {
        "成员名单": tables["MEMBERS"], "考勤": tables["ATTENDANCE"],
        "Tasks": tables["TASKS"], "Sheet4": tables["MEETINGS"],
    })
    write_xlsx(workbooks / "assets.xlsx", {
        "物资台账": tables["ITEMS"], "借用登记 ": tables["LOANS"],
        "盘点记录": [["盘点日期", "物资编号", "是否在库", "状况", "盘点人学号"],
                 ["2025-10-01", "XSH-001", "是", "完好", "2024010002"]],
    })
    write_xlsx(workbooks / "finance.xlsx", {
        "活动预算": tables["BUDGETS"], "报销明细": tables["EXPENSES"]}, date1904=True)
    write_xlsx(workbooks / "cases.xlsx", {
        "权益案件": tables["CASES"], "失物招领": tables["LOST"], "公文流转": tables["DOCUMENTS"],
        "咨询与反馈": tables["INQUIRIES"], "满意度": tables["SURVEYS"]})
    return write_config(folder, {k: f"workbooks/{k}.xlsx"
                                 for k in ("roster", "assets", "finance", "cases")})


def test_messy_but_valid_office_has_no_findings(tmp_path):
    build_office(tmp_path)
    before = digest((tmp_path / "workbooks").iterdir())
    status, report = findings_json(cwd=tmp_path)
    assert report["findings"] == [], report["findings"]
    assert status == 0
    assert report["summary"] == {"errors": 0, "warnings": 0, "rows_checked": 26}
    assert digest((tmp_path / "workbooks").iterdir()) == before


def _with(rows: list, row: int, col: int, value) -> list:
    copy = [list(r) for r in rows]
    copy[row][col] = value
    return copy


PLANTED = [
    # (table override, value: (rows, row index, column index, value), register, sheet, cell, code)
    ("LOANS", (LOANS, 3, 7, "2025-10-14"), "assets", "借用登记 ", "H4", "order"),
    ("LOANS", (LOANS, 2, 9, None), "assets", "借用登记 ", "J3", "required_when"),
    ("LOANS", (LOANS, 3, 1, "XSH-999"), "assets", "借用登记 ", "B4", "ref_missing"),
    ("LOANS", (LOANS, 3, 4, "159-0015-900"), "assets", "借用登记 ", "E4", "phone_invalid"),
    ("LOANS", (LOANS, 2, 6, "2025-13-01"), "assets", "借用登记 ", "G3", "date_invalid"),
    ("ITEMS", ([*ITEMS, ["XSH-002", "投影仪", None, None, 1, 1, None, None, None, None,
                         "完好", None]], 1, 2, "音响设备"),
     "assets", "物资台账", "A4", "duplicate"),
    ("ITEMS", (ITEMS, 1, 4, 0), "assets", "物资台账", "E2", "below_minimum"),
    ("ITEMS", (ITEMS, 1, 10, "坏了"), "assets", "物资台账", "K2", "enum_invalid"),
    ("MEMBERS", (MEMBERS, 6, 9, None), "roster", "成员名单", "J7", "status_needs"),
    ("MEMBERS", (MEMBERS, 3, 1, None), "roster", "成员名单", "B4", "required"),
    ("MEMBERS", (MEMBERS, 6, 0, "2.024E+09"), "roster", "成员名单", "A7", "id_scientific"),
    ("ATTENDANCE", (ATTENDANCE, 2, 3, "2024019999"), "roster", "考勤", "D3", "ref_missing"),
    ("EXPENSES", (EXPENSES, 1, 10, None), "finance", "报销明细", "K2", "status_needs"),
    ("EXPENSES", (EXPENSES, 2, 3, "-5"), "finance", "报销明细", "D3", "below_minimum"),
    ("EXPENSES", (EXPENSES, 2, 1, "YS99"), "finance", "报销明细", "B3", "ref_missing"),
    ("BUDGETS", (BUDGETS, 1, 3, "待定"), "finance", "活动预算", "D2", "money_invalid"),
    ("CASES", (CASES, 1, 9, "2025-10-08 09:00"), "cases", "权益案件", "J2", "order"),
    ("CASES", (CASES, 1, 11, None), "cases", "权益案件", "L2", "status_needs"),
    ("MEETINGS", (MEETINGS, 1, 4, "2025-10-14 09:00"), "roster", "Sheet4", "E2", "order"),
    ("TASKS", (TASKS, 1, 7, "还行"), "roster", "Tasks", "H2", "bool_invalid"),
    ("DOCUMENTS", (DOCUMENTS, 1, 6, "2025-10-09 08:00"), "cases", "公文流转", "G2", "order"),
    ("DOCUMENTS", (DOCUMENTS, 1, 8, None), "cases", "公文流转", "I2", "status_needs"),
    ("DOCUMENTS", (DOCUMENTS, 2, 3, "特急"), "cases", "公文流转", "D3", "enum_invalid"),
    ("DOCUMENTS", (DOCUMENTS, 2, 5, "2024019999"), "cases", "公文流转", "F3", "ref_missing"),
    ("INQUIRIES", (INQUIRIES, 3, 11, None), "cases", "咨询与反馈", "L4", "required_when"),
    ("INQUIRIES", (INQUIRIES, 2, 12, "2025-10-11"), "cases", "咨询与反馈", "M3", "order"),
    ("INQUIRIES", (INQUIRIES, 1, 2, None), "cases", "咨询与反馈", "C2", "required"),
    ("INQUIRIES", (INQUIRIES, 2, 0, "ZX001"), "cases", "咨询与反馈", "A3", "duplicate"),
    ("SURVEYS", (SURVEYS, 1, 4, 6), "cases", "满意度", "E2", "above_limit"),
    ("SURVEYS", (SURVEYS, 2, 4, "9.5分以上"), "cases", "满意度", "E3", "number_invalid"),
    ("SURVEYS", (SURVEYS, 3, 4, -1), "cases", "满意度", "E4", "below_minimum"),
    ("SURVEYS", (SURVEYS, 3, 5, 50), "cases", "满意度", "F4", "enum_invalid"),
    ("SURVEYS", (SURVEYS, 2, 2, None), "cases", "满意度", "C3", "required"),
    ("BUDGETS", ([BUDGETS[0] + ["提交审批日期"], BUDGETS[1] + ["2025-09-21"]], 1, 0, "YS01"),
     "finance", "活动预算", "E2", "order"),
]


@pytest.mark.parametrize("table, change, register, sheet, cell, code", PLANTED,
                         ids=[f"{p[0]}-{p[4]}-{p[5]}" for p in PLANTED])
def test_each_planted_defect_is_found_at_its_cell(tmp_path, table, change, register, sheet,
                                                  cell, code):
    build_office(tmp_path, **{table: _with(*change)})
    status, report = findings_json(cwd=tmp_path)
    hits = [f for f in report["findings"] if f["cell"] == cell and f["sheet"] == sheet]
    assert [f["code"] for f in hits] == [code], report["findings"]
    finding = hits[0]
    assert finding["register"] == register and finding["severity"] == "error"
    assert finding["row"] == int(cell[1:])
    assert finding["message"]
    assert status == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [finding], "one defect, one error"


def test_a_score_above_its_own_full_marks_names_them(tmp_path):
    build_office(tmp_path, SURVEYS=_with(SURVEYS, 2, 4, 11))
    _, report = findings_json(cwd=tmp_path)
    (finding,) = report["findings"]
    assert (finding["cell"], finding["code"]) == ("E3", "above_limit")
    assert "「11」" in finding["message"] and "「满分」（10）" in finding["message"]


def test_no_fix_needed_needs_no_fix_deadline(tmp_path):
    inquiries = _with(INQUIRIES, 3, 10, "否")
    inquiries[3][11] = None
    build_office(tmp_path, INQUIRIES=inquiries)
    _, report = findings_json(cwd=tmp_path)
    assert report["findings"] == []


def test_money_spent_before_the_second_approval_is_a_warning(tmp_path):
    budgets = _with(BUDGETS, 1, 5, "2025-10-10")  # the advisor approves on 10-10
    build_office(tmp_path, BUDGETS=budgets)
    status, report = findings_json(cwd=tmp_path)
    found = [(f["sheet"], f["cell"], f["code"], f["severity"]) for f in report["findings"]]
    # BX0001 and BX0002 were both spent on 10-09; BX0001 was paid on 10-15, after approval
    assert found == [("报销明细", "E2", "before_approval", "warning"),
                     ("报销明细", "E3", "before_approval", "warning")]
    assert status == 0
    message = report["findings"][0]["message"]
    assert "2025-10-09" in message and "2025-09-20" in message and "2025-10-10" in message
    assert "YS01" in message


def test_no_approval_dates_no_approval_warning(tmp_path):
    budgets = _with(BUDGETS, 1, 4, None)
    budgets[1][5] = None
    build_office(tmp_path, BUDGETS=budgets)
    _, report = findings_json(cwd=tmp_path)
    assert report["findings"] == []


def test_an_older_cases_workbook_without_the_new_sheets_still_works(tmp_path):
    build_office(tmp_path)
    write_xlsx(tmp_path / "workbooks" / "cases.xlsx",
               {"权益案件": CASES, "失物招领": LOST})
    status, report = findings_json(cwd=tmp_path)
    assert status == 0
    assert sorted((f["table"], f["code"], f["severity"]) for f in report["findings"]) == [
        ("documents", "missing_table", "warning"), ("inquiries", "missing_table", "warning"),
        ("surveys", "missing_table", "warning")]


def test_json_contract_fields(tmp_path):
    build_office(tmp_path, LOANS=_with(LOANS, 3, 1, "XSH-999"))
    _, report = findings_json(cwd=tmp_path)
    assert set(report) == {"findings", "summary"}
    assert set(report["findings"][0]) == {
        "register", "table", "source", "sheet", "row", "column", "cell", "severity", "code",
        "message", "value"}
    assert report["findings"][0]["table"] == "loans"
    assert report["findings"][0]["column"] == "asset_tag"
    assert report["findings"][0]["value"] == "XSH-999"
    assert report["findings"][0]["source"].endswith("assets.xlsx")


def test_missing_required_column_is_one_finding(tmp_path):
    loans = [row[:4] + row[5:] for row in LOANS]  # drop 联系电话 entirely
    build_office(tmp_path, LOANS=loans)
    _, report = findings_json(cwd=tmp_path)
    codes = [(f["code"], f["column"], f["cell"]) for f in report["findings"]]
    assert codes == [("missing_column", "borrower_phone", "")]


def test_personal_data_is_masked_in_findings(tmp_path):
    build_office(tmp_path, LOANS=_with(LOANS, 3, 4, "1590015900"))
    _, report = findings_json(cwd=tmp_path)
    (finding,) = report["findings"]
    assert "1590015900" not in finding["value"] and "1590015900" not in finding["message"]
    assert finding["value"].startswith("159") and "*" in finding["value"]


def test_cached_formula_errors_are_reported(tmp_path):
    import xlsxwriter

    build_office(tmp_path)
    path = tmp_path / "workbooks" / "finance.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("活动预算")
    for c, text in enumerate(BUDGETS[0]):
        sheet.write_string(0, c, text)
    for c, value in enumerate(BUDGETS[1]):
        sheet.write_string(1, c, value)
    sheet.write_formula(1, 3, "=#REF!*2", None, "#REF!")
    book.add_worksheet("报销明细").write_row(0, 0, EXPENSES[0])
    book.close()
    _, report = findings_json(cwd=tmp_path)
    (finding,) = [f for f in report["findings"] if f["code"] == "formula_error"]
    assert finding["cell"] == "D2" and "#REF!" in finding["message"]
    assert [f["cell"] for f in report["findings"] if f["severity"] == "error"] == ["D2"], (
        "a formula error is not also reported as an empty required cell")


def test_register_option_limits_the_report_but_checks_references(tmp_path):
    build_office(tmp_path, ATTENDANCE=_with(ATTENDANCE, 2, 3, "2024019999"),
                 LOANS=_with(LOANS, 3, 2, None))
    _, report = findings_json("--register", "assets", cwd=tmp_path)
    assert {f["register"] for f in report["findings"]} == {"assets"}
    _, report = findings_json("--register", "roster", cwd=tmp_path)
    assert [f["code"] for f in report["findings"]] == ["ref_missing"]


def test_text_output_in_three_languages(tmp_path):
    build_office(tmp_path, LOANS=_with(LOANS, 3, 1, "XSH-999"))
    zh = clerk("validate", cwd=tmp_path)
    en = clerk("validate", "--locale", "en", cwd=tmp_path)
    hant = clerk("validate", "--locale", "zh-Hant", cwd=tmp_path)
    assert zh.returncode == en.returncode == hant.returncode == 1
    assert "借用登记 !B4" in zh.stdout and "找不到" in zh.stdout
    assert "not found" in en.stdout and "1 errors" in en.stdout
    assert "找不到" in hant.stdout and "錯誤" in hant.stdout


def test_unreadable_config_is_one_line_exit_2(tmp_path):
    (tmp_path / "office.toml").write_text('[office]\nnmae = "x"\n', encoding="utf-8")
    done = clerk("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "office.nmae" in done.stderr and "name" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_workbook_names_key_and_path(tmp_path):
    write_config(tmp_path, {"assets": "workbooks/nowhere.xlsx"})
    done = clerk("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert "registers.assets" in done.stderr and "nowhere.xlsx" in done.stderr


def test_debug_shows_the_traceback(tmp_path):
    write_config(tmp_path, {"assets": "workbooks/nowhere.xlsx"})
    done = clerk("validate", "--debug", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" in done.stderr


def test_large_office_path_gives_the_same_findings(tmp_path, monkeypatch):
    """Large offices are checked in child interpreters and read in parallel; same answer."""
    from automation import load, load_config, validate_office

    build_office(tmp_path, LOANS=_with(LOANS, 3, 1, "XSH-999"),
                 EXPENSES=_with(EXPENSES, 1, 10, None))
    config = load_config(tmp_path / "office.toml")
    sequential = validate_office(config).to_dict()
    monkeypatch.setattr(load, "PARALLEL_CHECK_BYTES", 0)
    parallel = validate_office(config).to_dict()
    assert parallel == sequential
    assert [f["code"] for f in parallel["findings"]] == ["ref_missing", "status_needs"]


def test_large_office_path_refuses_a_hostile_file_cleanly(tmp_path, monkeypatch, capfd):
    import zipfile

    from automation import load, load_config, validate_office
    from automation.errors import SourceError

    build_office(tmp_path)
    bomb = tmp_path / "workbooks" / "finance.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>")
    monkeypatch.setattr(load, "PARALLEL_CHECK_BYTES", 0)
    with pytest.raises(SourceError) as refused:
        validate_office(load_config(tmp_path / "office.toml"))
    assert refused.value.key == "source.xml_entities"
    assert "finance.xlsx" in refused.value.message()
    assert capfd.readouterr().err == ""


def test_a_real_xls_workbook_is_read(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    build_office(tmp_path)
    book = xlwt.Workbook(encoding="utf-8")
    for name, rows in (("活动预算", BUDGETS), ("报销明细", EXPENSES)):
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.save(str(tmp_path / "workbooks" / "finance.xls"))
    (tmp_path / "workbooks" / "finance.xlsx").unlink()
    config = (tmp_path / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "office.toml").write_text(config.replace("finance.xlsx", "finance.xls"),
                                          encoding="utf-8")
    status, report = findings_json(cwd=tmp_path)
    assert report["findings"] == [] and status == 0


def test_wrong_type_in_config_names_the_key(tmp_path):
    write_config(tmp_path, {}, extra='\n[office]\nrun_hour = "eight"\n')
    text = (tmp_path / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "office.toml").write_text(
        text.replace('[office]\nname = "测试大学学生会"\n', ""), encoding="utf-8")
    done = clerk("validate", cwd=tmp_path)
    assert done.returncode == 2
    assert "office.run_hour" in done.stderr and "eight" in done.stderr
    assert done.stderr.strip().count("\n") == 0


def test_an_office_that_keeps_only_some_tables_gets_warnings_not_errors(tmp_path):
    write_xlsx(tmp_path / "roster.xlsx", {"Sheet1": MEMBERS})
    write_config(tmp_path, {"roster": "roster.xlsx"})
    status, report = findings_json(cwd=tmp_path)
    assert status == 0
    assert {f["code"] for f in report["findings"]} == {"missing_table"}
    assert {f["table"] for f in report["findings"]} == {"attendance", "tasks", "meetings"}
    assert all(f["severity"] == "warning" for f in report["findings"])
