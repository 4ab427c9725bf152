"""`clerk policy` on a real office that wrote its own `[policy]` and renamed its departments:
numbers marked as the office's or the default, escalations named from the roster, a role
nobody serving holds said plainly, the calendar's years, English, and a bad value refused."""

from __future__ import annotations

import json

import pytest
from conftest import clerk, write_config, write_xlsx

from automation.policy.depreciation import DEFAULT_LIVES
from automation.workdays import WorkCalendar

KNOWN = WorkCalendar("CN").library_years()
assert KNOWN is not None
LAST = KNOWN[1]
"""The last year chinesecalendar knows (2026 today): `--today` in it reaches LAST + 1."""
TODAY = f"{LAST}-09-01"

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态", "离任日期"],
    ["P001", "李主席", "主席团", "主席", "13800000001", "p1@x.edu.cn", "在任", None],
    ["H_OLD", "张旧部长", "综合办公室", "部长", "13800000009", None, "离任", "2025-06-30"],
    ["H_OFF", "王芳", "综合办公室", "部长", "13800000002", "h2@x.edu.cn", "在任", None],
    ["H_ARTS", "赵文体", "文体部", "部长", "13800000004", None, "在任", None],
    ["R_OLD", "钱权益", "权益部", "部长", "13800000003", None, "离任", "2025-06-30"],
    ["R1", "孙干事", "权益部", "干事", "13800000005", None, "在任", None],
]

POLICY = """
[enums]
departments = ["主席团", "综合办公室", "权益部", "文体部"]

[policy]
minutes_hours = 24
expense_audit_workdays = 3

[policy.targets]
task_on_time = 0.9
reimbursement_audit_days = 3

[policy.roles]
office_department = "综合办公室"
rights_department = "权益部"
"""


def office(folder, office_lines: str = "", policy: str = POLICY,
           roster: str | None = "roster.xlsx"):
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    registers = {"roster": roster} if roster else {}
    path = write_config(folder, registers, extra=policy)
    if office_lines:  # more keys of [office], right after its name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('name = "测试大学学生会"\n',
                                     f'name = "测试大学学生会"\n{office_lines}\n'),
                        encoding="utf-8")
    return folder


def run_json(folder, *args: str) -> dict:
    done = clerk("policy", "--format", "json", "--today", TODAY, *args, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return office(tmp_path_factory.mktemp("policy") / "office",
                  office_lines=f"closures = [{LAST}-10-09]")


@pytest.fixture(scope="module")
def report(folder):
    return run_json(folder)


@pytest.fixture(scope="module")
def text(folder):
    done = clerk("policy", "--today", TODAY, cwd=folder)
    assert done.returncode == 0, done.stderr
    return done.stdout


def by_key(rows):
    return {row["key"]: row for row in rows}


def test_json_has_every_section_with_stable_keys(report):
    assert {"numbers", "targets", "roles", "rules", "kpis", "calendar", "roster"} <= set(report)
    assert set(report["numbers"][0]) == {"key", "value", "unit", "default", "source", "label",
                                         "used"}
    assert report["roster"]["state"] == "read"
    assert report["locale"] == "zh-Hans"


def test_the_offices_numbers_are_marked_as_its_own(report):
    numbers = by_key(report["numbers"])
    assert numbers["minutes_hours"] | {"label": ""} == {
        "key": "minutes_hours", "value": 24, "unit": "hours", "default": 48,
        "source": "office", "label": "", "used": True}
    assert numbers["minutes_hours"]["label"] == "会后发布纪要的时限（小时）"
    assert numbers["expense_audit_workdays"]["source"] == "office"
    assert numbers["meeting_notice_hours"]["source"] == "default"
    assert numbers["meeting_notice_hours"]["value"] == 48
    assert numbers["budget_tolerance"] | {"label": ""} == {
        "key": "budget_tolerance", "value": 0.05, "unit": "share", "default": 0.05,
        "source": "default", "label": "", "used": True}
    assert numbers["document_flow_hours"]["used"] is True  # document_flow_overdue reads it
    assert {k for k, row in numbers.items() if row["source"] == "office"} == {
        "minutes_hours", "expense_audit_workdays"}


def test_targets_and_kpis_show_the_office_choice(report):
    targets = by_key(report["targets"])
    assert targets["task_on_time"]["value"] == 0.9
    assert targets["task_on_time"]["default"] == 0.95
    assert targets["task_on_time"]["source"] == "office"
    # a target that follows a number the office changed is the office's too
    assert targets["reimbursement_audit_days"]["value"] == 3
    assert targets["reimbursement_audit_days"]["source"] == "office"
    assert targets["case_resolution_rate"]["source"] == "default"
    kpis = by_key(report["kpis"])
    assert kpis["minutes_on_time"]["label"] == "纪要 24 小时内发布率"
    assert kpis["budget_deviation"]["measure"] == "deviation"


def test_roles_renamed_by_the_office(report):
    roles = by_key(report["roles"])
    assert roles["office_department"]["value"] == "综合办公室"
    assert roles["office_department"]["default"] == "办公室"
    assert roles["office_department"]["source"] == "office"
    assert roles["head_role"]["source"] == "default"
    assert roles["president_role"]["value"] == "主席"


def test_rules_show_the_numbers_in_force_and_name_the_escalation(report):
    rules = by_key(report["rules"])
    minutes = rules["minutes_overdue"]
    assert minutes["title"] == "会议纪要超过 24 小时未发布"
    assert minutes["numbers"] == ["minutes_hours"]
    [head] = minutes["escalation_people"]
    assert (head["title"], head["status"], head["member_id"], head["name"]) == (
        "综合办公室 部长", "named", "H_OFF", "王芳")  # the serving one, not H_OLD
    expense = rules["expense_audit_overdue"]
    assert "3 个工作日" in expense["title"]
    assert [p["member_id"] for p in expense["to_people"]] == ["H_OFF"]
    assert [(p["title"], p["member_id"]) for p in expense["escalation_people"]] == [
        ("主席", "P001")]
    assert rules["loan_due_soon"]["escalates"] is None
    assert rules["loan_due_soon"]["escalation_people"] == []


def test_a_role_nobody_serves_is_reported(report, text):
    case = by_key(report["rules"])["case_response_overdue"]
    [head] = case["escalation_people"]
    assert (head["department"], head["status"], head["member_id"]) == ("权益部", "nobody", None)
    assert "名册中没有在任的权益部 部长" in text


def test_rules_for_each_department_name_every_head(report, text):
    task = by_key(report["rules"])["task_overdue"]
    people = {p["department"]: p for p in task["escalation_people"]}
    assert set(people) == {"主席团", "综合办公室", "权益部", "文体部"}
    assert all(p["each_department"] for p in people.values())
    assert people["文体部"]["member_id"] == "H_ARTS"
    assert people["权益部"]["status"] == "nobody"
    assert "文体部 部长 = 赵文体（H_ARTS）" in text


def test_text_says_what_is_the_offices_and_names_people(text):
    assert ("minutes_hours  会后发布纪要的时限（小时）：24 小时"
            "（本办公室设定，默认 48 小时）") in text
    assert "meeting_notice_hours  例会提前通知的小时数：48 小时（默认）" in text
    assert "task_on_time  任务按时完成率：目标 ≥ 90%（本办公室设定，默认 ≥ 95%）" in text
    assert "reimbursement_audit_days  报销审核平均用时：目标 ≤ 3 个工作日（本办公室设定" in text
    assert "budget_deviation  预算执行偏差率：目标 ±5%（默认）" in text
    assert ("office_department  负责督办的部门（办公室）：综合办公室"
            "（本办公室设定，默认 办公室）") in text
    assert "综合办公室 部长 = 王芳（H_OFF）" in text
    assert "主席 = 李主席（P001）" in text
    assert "张旧部长" not in text


def test_calendar_years_next_year_is_not_covered(report, text):
    calendar = report["calendar"]
    assert calendar["region"] == "CN"
    assert calendar["library"] == "chinesecalendar"
    assert calendar["library_years"] == list(KNOWN)
    assert calendar["closures"] == [f"{LAST}-10-09"]
    assert calendar["extra_workdays"] == []
    assert calendar["office_years"] == []
    assert calendar["checked_years"] == [LAST, LAST + 1]
    assert calendar["uncovered_years"] == [LAST + 1]
    assert f"覆盖 {KNOWN[0]}–{LAST} 年" in text
    assert f"⚠ {LAST + 1} 年：节假日库和本办公室都没有覆盖" in text
    assert "extra_workdays" in text.split(f"⚠ {LAST + 1} 年", 1)[1]


def test_extra_workdays_fill_next_year(tmp_path):
    """Make-up days alone leave that year's holidays as working days: still announced;
    with its holidays in closures too, the year is the office's."""
    folder = office(tmp_path / "half", office_lines=f"extra_workdays = [{LAST + 1}-02-20]")
    calendar = run_json(folder)["calendar"]
    assert calendar["office_years"] == []
    assert calendar["uncovered_years"] == [LAST + 1]
    assert calendar["office_years_without_closures"] == [LAST + 1]
    done = clerk("policy", "--today", TODAY, cwd=folder)
    assert f"⚠ {LAST + 1} 年由本办公室补充了调休上班日，但 closures 中没有" in done.stdout
    assert "都没有覆盖" in done.stdout and "都已覆盖" not in done.stdout
    folder = office(tmp_path / "filled", office_lines=(
        f"extra_workdays = [{LAST + 1}-02-20]\nclosures = [{LAST + 1}-02-15]"))
    calendar = run_json(folder)["calendar"]
    assert calendar["office_years"] == [LAST + 1]
    assert calendar["uncovered_years"] == []
    assert calendar["office_years_without_closures"] == []
    done = clerk("policy", "--today", TODAY, cwd=folder)
    assert f"由本办公室补全的年份：{LAST + 1}" in done.stdout
    assert "都没有覆盖" not in done.stdout


def test_english(folder):
    report = run_json(folder, "--locale", "en")
    assert report["locale"] == "en"
    rules = by_key(report["rules"])
    assert rules["minutes_overdue"]["title"] == "Minutes not published within 24 hours"
    assert rules["minutes_overdue"]["escalation_people"][0]["title"] == "Head of 综合办公室"
    assert by_key(report["numbers"])["minutes_hours"]["label"].startswith("Hours after a meeting")
    assert by_key(report["roles"])["head_role"]["label"] == "The role that heads a department"
    done = clerk("policy", "--today", TODAY, "--locale", "en", cwd=folder)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "minutes_hours  Hours after a meeting by which its minutes are published: 24 h " \
           "(set by the office; default 48 h)" in out
    assert "Head of 综合办公室 = 王芳 (H_OFF)" in out
    assert "nobody serving as Head of 权益部 in the roster" in out
    assert "综合办公室 (set by the office; default General Office)" in out
    assert "President = 李主席 (P001)" in out
    assert f"⚠ {LAST + 1}: neither the holiday library nor the office covers it" in out
    for category in DEFAULT_LIVES:  # the ledger's categories, free text as the office writes
        out = out.replace(f"lives.{category}", "lives.")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in out.replace("综合办公室", "")
                   .replace("权益部", "").replace("文体部", "").replace("主席团", "")
                   .replace("王芳", "").replace("李主席", "").replace("赵文体", "")
                   .replace("测试大学学生会", ""))


@pytest.mark.parametrize(("policy", "key"), [
    ("\n[policy]\nminutes_hours = -1\n", "policy.minutes_hours"),
    ("\n[policy.targets]\ntask_on_time = 95\n", "policy.targets.task_on_time"),
    ('\n[enums]\ndepartments = ["主席团", "综合办公室"]\n[policy.roles]\n'
     'office_department = "办公室"\n', "policy.roles.office_department"),
])
def test_a_bad_policy_value_is_one_line_naming_the_key(tmp_path, policy, key):
    folder = office(tmp_path / "bad", policy=policy)
    done = clerk("policy", cwd=folder)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and key in lines[0], done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("roster", "state"), [
    ("missing.xlsx", "unreadable"), ("broken.xlsx", "unreadable"), (None, "not_configured"),
])
def test_no_roster_does_not_stop_it(tmp_path, roster, state):
    folder = office(tmp_path / "no-roster", roster=roster)
    (folder / "broken.xlsx").write_bytes(b"this is not a workbook")
    report = run_json(folder)
    assert report["roster"]["state"] == state
    people = by_key(report["rules"])["minutes_overdue"]["escalation_people"]
    assert [p["status"] for p in people] == ["unknown"]
    assert people[0]["title"] == "综合办公室 部长"
    done = clerk("policy", "--today", TODAY, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "综合办公室 部长（姓名未知）" in done.stdout
    assert "名册" in done.stdout.splitlines()[1]  # why, said once at the top


def test_unknown_format_is_refused(folder):
    done = clerk("policy", "--format", "xlsx", cwd=folder)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
