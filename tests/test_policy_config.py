"""`[policy]` in office.toml as an officer writes it: accepted when it makes sense, refused
with one line naming the key when it cannot be used; and a register pointed at the wrong
workbook is an error, not three warnings."""

from __future__ import annotations

import json

import pytest
from conftest import clerk, findings_json, write_config, write_xlsx

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["P001", "主席甲", "主席团", "主席", "13800000001", "p1@x.edu.cn", "在任"],
    ["H_OFF", "办公室部长", "办公室", "部长", "13800000002", "h2@x.edu.cn", "在任"],
]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额"], ["B1", "迎新", "办公室", 1000]]


def office(folder, policy: str = "", enums: str = ""):
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    write_config(folder, {"roster": "roster.xlsx"}, extra=enums + policy)
    return folder


def refused(folder) -> str:
    done = clerk("remind", "--dry-run", "--format", "json", cwd=folder)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0, done.stderr
    return done.stderr


def test_the_issue_example_minutes_hours_72_runs(tmp_path):
    office(tmp_path, "\n[policy]\nminutes_hours = 72\n")
    done = clerk("remind", "--dry-run", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reminders"] == []


@pytest.mark.parametrize("policy, key, said", [
    ("[policy]\nminutes_hours = 0", "policy.minutes_hours", "大于 0"),
    ("[policy]\ncase_response_hours = -12", "policy.case_response_hours", "大于 0"),
    ("[policy]\nexpense_audit_workdays = 0", "policy.expense_audit_workdays", "整数"),
    ("[policy]\ncase_progress_workdays = 2.5", "policy.case_progress_workdays", "整数"),
    ("[policy]\nbudget_tolerance = 5", "policy.budget_tolerance", "0 到 1"),
    ("[policy]\nsatisfaction_floor = -0.1", "policy.satisfaction_floor", "0 到 1"),
    ("[policy.targets]\ntask_on_time = 95", "policy.targets.task_on_time", "0.95"),
    ("[policy.targets]\nminutes_on_time = -0.5", "policy.targets.minutes_on_time", "0 到 1"),
    ("[policy.targets]\nreimbursement_audit_days = -1",
     "policy.targets.reimbursement_audit_days", "负数"),
    ("[policy.roles]\nrights_department = \"维权部\"", "policy.roles.rights_department",
     "维权部"),
    ("[policy.roles]\nhead_role = \"部长助理\"", "policy.roles.head_role", "部长助理"),
    ("[policy]\nminute_hours = 72", "policy.minute_hours", "minutes_hours"),
    ("[policy.targets]\ntask_ontime = 0.9", "policy.targets.task_ontime", "task_on_time"),
    ("[policy]\nminutes_hours = \"两天\"", "policy.minutes_hours", "两天"),
])
def test_each_bad_policy_value_is_refused_with_its_key(tmp_path, policy, key, said):
    office(tmp_path, "\n" + policy + "\n")
    line = refused(tmp_path)
    assert key in line and said in line, line
    assert "office.toml" in line


def test_the_line_is_in_the_office_language(tmp_path):
    office(tmp_path, "\n[policy]\nminutes_hours = 0\n")
    text = (tmp_path / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "office.toml").write_text(
        text.replace('name = "测试大学学生会"', 'name = "测试大学学生会"\nlocale = "en"'),
        encoding="utf-8")
    line = refused(tmp_path)
    assert "policy.minutes_hours" in line and "more than 0" in line


def test_renamed_departments_without_roles_are_refused_not_silently_lost(tmp_path):
    """An office that renames 办公室 in [enums] must say where escalations go."""
    enums = '\n[enums]\ndepartments = ["主席团", "秘书处", "维权部"]\n'
    office(tmp_path, enums=enums)
    line = refused(tmp_path)
    assert "policy.roles.office_department" in line and "秘书处" in line


def test_renamed_departments_with_roles_run(tmp_path):
    enums = '\n[enums]\ndepartments = ["主席团", "秘书处", "维权部"]\n'
    roles = '\n[policy.roles]\noffice_department = "秘书处"\nrights_department = "维权部"\n'
    office(tmp_path, roles, enums)
    done = clerk("remind", "--dry-run", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_extra_workdays_must_be_dates(tmp_path):
    office(tmp_path, enums='\n[office]\n')  # a second [office] table is a TOML error
    line = refused(tmp_path)
    assert "office.toml" in line
    write_config(tmp_path, {"roster": "roster.xlsx"})
    text = (tmp_path / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "office.toml").write_text(
        text.replace('name = "测试大学学生会"',
                     'name = "测试大学学生会"\nextra_workdays = ["2027-02-30"]'),
        encoding="utf-8")
    line = refused(tmp_path)
    assert "office.extra_workdays" in line


def test_a_register_pointed_at_another_registers_workbook_is_one_error(tmp_path):
    """finance = roster.xlsx: none of the finance tables is there."""
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_config(tmp_path, {"roster": "roster.xlsx", "finance": "roster.xlsx"})
    status, report = findings_json(cwd=tmp_path)
    assert status == 1
    finance = [f for f in report["findings"] if f["register"] == "finance"]
    assert [f["code"] for f in finance] == ["no_tables"]
    assert finance[0]["severity"] == "error"
    assert "[registers] finance" in finance[0]["message"]
    assert "成员" in finance[0]["message"]  # the sheets it did find


def test_a_register_with_some_of_its_tables_still_gets_warnings(tmp_path):
    write_xlsx(tmp_path / "finance.xlsx", {"活动预算": BUDGETS})
    write_config(tmp_path, {"finance": "finance.xlsx"})
    status, report = findings_json(cwd=tmp_path)
    assert status == 0
    assert [f["code"] for f in report["findings"]] == ["missing_table"]


def test_a_number_moves_only_the_targets_rules_md_links_to_it():
    """RULES.md: budget_tolerance is budget_deviation's target; expense_audit_workdays is
    the reminder's deadline only, so the audit-days KPI keeps its own target (≤ 2.0)."""
    from automation.config import config_from_dict

    policy = config_from_dict({"policy": {"expense_audit_workdays": 1,
                                          "budget_tolerance": 0.1}}).in_force
    assert policy.target("reimbursement_audit_days") == 2.0
    assert policy.target("budget_deviation") == 0.1
    assert policy.is_office_choice("targets.budget_deviation")
    assert not policy.is_office_choice("targets.reimbursement_audit_days")
    explicit = config_from_dict({"policy": {"budget_tolerance": 0.1,
                                            "targets": {"budget_deviation": 0.02}}}).in_force
    assert explicit.target("budget_deviation") == 0.02
