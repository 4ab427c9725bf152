"""`[policy]` in office.toml as an officer writes it: accepted when it makes sense, refused
with one line naming the key when it cannot be used; and a register pointed at the wrong
workbook is an error, not three warnings."""

from __future__ import annotations

import json

import pytest
from conftest import clerk, findings_json, write_config, write_xlsx

from automation.errors import ConfigError

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
     "policy.targets.reimbursement_audit_days", "0 到 366"),
    ("[policy.targets]\nreimbursement_audit_days = 400",
     "policy.targets.reimbursement_audit_days", "0 到 366"),
    ("[policy.roles]\nrights_department = \"维权部\"", "policy.roles.rights_department",
     "维权部"),
    ("[policy.roles]\nhead_role = \"部长助理\"", "policy.roles.head_role", "部长助理"),
    ("[policy]\nminute_hours = 72", "policy.minute_hours", "minutes_hours"),
    ("[policy.targets]\ntask_ontime = 0.9", "policy.targets.task_ontime", "task_on_time"),
    ("[policy]\nminutes_hours = \"两天\"", "policy.minutes_hours", "两天"),
    ("[policy]\nminutes_hours = \"48\"", "policy.minutes_hours", "不加引号"),
    ("[policy]\ncase_progress_workdays = true", "policy.case_progress_workdays", "数字"),
    ("[policy]\ncase_response_hours = 3000000", "policy.case_response_hours", "8784"),
    ("[policy]\nreferral_followup_workdays = 10000000", "policy.referral_followup_workdays",
     "366"),
    ("[policy.targets]\nsatisfaction_score = 0.9", "policy.targets.satisfaction_score",
     "请写 4.5"),
    ("[policy]\nexpense_escalate_workdays = 1", "policy.expense_escalate_workdays",
     "policy.expense_audit_workdays = 2"),
    ("[policy]\nexpense_audit_workdays = 4\nexpense_escalate_workdays = 3",
     "policy.expense_escalate_workdays", "不小于 4"),
    ("[policy]\nbudget_tolerance = 0.1\n[policy.targets]\nbudget_deviation = 0.2",
     "policy.targets.budget_deviation", "policy.budget_tolerance"),
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


def test_renamed_departments_without_roles_are_refused_with_what_to_write(tmp_path):
    """An office that renamed 办公室 in [enums] without saying in [policy.roles] who takes
    its escalations would lose them without a word: one line names the role key and what to
    write. A department the office writes in [policy.roles] itself must exist too."""
    enums = '\n[enums]\ndepartments = ["主席团", "秘书处", "维权部"]\n'
    office(tmp_path, enums=enums)
    line = refused(tmp_path)
    assert "policy.roles.office_department" in line and "「办公室」" in line
    assert 'office_department = "' in line and "秘书处" in line
    office(tmp_path, '\n[policy.roles]\noffice_department = "秘书处"\n', enums)
    line = refused(tmp_path)
    assert "policy.roles.rights_department" in line and "「权益服务部」" in line
    office(tmp_path, '\n[policy.roles]\noffice_department = "办公室"\n', enums)
    line = refused(tmp_path)
    assert "policy.roles.office_department" in line and "秘书处" in line
    roles = '\n[enums]\nroles = ["会长", "负责人", "干事"]\n'
    office(tmp_path, enums=roles)
    line = refused(tmp_path)
    assert "policy.roles.head_role" in line and "「部长」" in line


def test_roles_may_be_written_in_any_locale(tmp_path):
    office(tmp_path, '\n[policy.roles]\nrights_department = "權益服務部"\n'
                     'office_department = "General Office"\n')
    shown = clerk("policy", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    roles = {r["key"]: r for r in json.loads(shown.stdout)["roles"]}
    assert roles["rights_department"]["value"] == "权益服务部"
    assert roles["office_department"]["value"] == "办公室"


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


@pytest.mark.parametrize("office_lines, other, key, said", [
    ('extra_workdays = ["next saturday"]', "", "office.extra_workdays 第 1 项",
     "如 2027-01-02"),
    ("extra_workdays = [2027-01-31T08:00:00]", "", "office.extra_workdays 第 1 项",
     "2027-01-31T08:00:00 不正确（应写成日期"),
    ("closures = [2027-01-04]\nextra_workdays = [2027-01-02, 2027-01-04]", "",
     "office.extra_workdays", "2027-01-04 同时写在 closures"),
    ('timezone = "Mars/Base"', "", "office.timezone", "不是时区名称"),
    ("run_hour = 25", "", "office.run_hour", "不能大于 23"),
    ("", "[policy.roles]\nhead_role = 5", "policy.roles.head_role", "应写成文字"),
    ("", "[policy]\ntargets = 3", "policy.targets", "应是一个小节"),
    ("", "[policy]\nminutes_hours = 2026-01-01", "policy.minutes_hours",
     "2026-01-01 不正确：应写一个数字"),
    ("", '[nightly]\nalert_channel = "sms"', "nightly.alert_channel",
     "可选值：outbox / email / dingtalk / wecom / feishu"),
    ("", '[reminders]\nchannels = "email"', "reminders.channels", "方括号列表"),
    ("", '[enums]\ndepartmens = ["办公室"]', "enums.departmens", "没有这个选项列表"),
])
def test_every_wrong_config_value_is_said_in_the_offices_words(tmp_path, office_lines, other,
                                                               key, said):
    """Not pydantic's English, not Python's repr: the key (and which item of a list), the
    value as it reads in office.toml, and what to write instead."""
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_config(tmp_path, {"roster": "roster.xlsx"}, "\n" + other + "\n")
    text = (tmp_path / "office.toml").read_text(encoding="utf-8")
    (tmp_path / "office.toml").write_text(
        text.replace('name = "测试大学学生会"', 'name = "测试大学学生会"\n' + office_lines),
        encoding="utf-8")
    line = refused(tmp_path)
    assert key in line and said in line, line
    for python in ("Input should", "Value error", "datetime.", "'"):
        assert python not in line, line


@pytest.mark.parametrize("text, said", [
    ("[policy]\nminutes_hours = 24\n[policy]\ncase_response_hours = 12\n",
     "第 3 行第 8 列格式有误：小节 [policy] 写了两次"),
    ('[office]\nname = “学生会”\n', "第 2 行第 8 列格式有误：值的写法不对"),
    ("[office]\nname \"x\"\n", "缺少 = 号"),
    ("[policy]\nminutes_hours = 24\nminutes_hours = 36\n", "同一个配置项写了两次"),
])
def test_a_toml_mistake_is_said_with_its_line_in_the_offices_words(tmp_path, text, said):
    """README's snippet pasted below the [policy] that `clerk init` wrote, curly quotes,
    a missing =: the line and column, and what to do, not tomllib's English."""
    (tmp_path / "office.toml").write_text(text, encoding="utf-8")
    line = refused(tmp_path)
    assert said in line and "office.toml" in line, line
    for english in ("Cannot", "Invalid", "Expected", "at line"):
        assert english not in line, line


def test_a_register_pointed_at_another_registers_workbook_is_one_error(tmp_path):
    """finance = roster.xlsx: none of the finance tables is there."""
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_config(tmp_path, {"roster": "roster.xlsx", "finance": "roster.xlsx"})
    status, report = findings_json(cwd=tmp_path)
    assert status == 1
    finance = [f for f in report["findings"] if f["register"] == "finance"]
    assert [f["code"] for f in finance] == ["no_tables"]
    assert finance[0]["severity"] == "error"
    assert finance[0]["table"] == "" and finance[0]["cell"] == ""  # the whole register
    assert "[registers] finance" in finance[0]["message"]
    assert "成员" in finance[0]["message"]  # the sheets it did find


def test_every_command_that_reads_a_misplaced_register_says_so(tmp_path):
    """Not only `clerk validate`: the KPIs, the reminders and a snapshot read the same
    wrong file, so each says which register and which key, and exits 1."""
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_config(tmp_path, {"roster": "roster.xlsx", "finance": "roster.xlsx"})
    for command in (("kpi", "--today", "2026-11-30"), ("kpi", "--format", "json"),
                    ("remind", "--dry-run"), ("remind", "--dry-run", "--format", "json"),
                    ("archive", "--period", "2026-10", "--today", "2026-11-02")):
        done = clerk(*command, cwd=tmp_path)
        assert done.returncode == 1, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        said = [line for line in done.stderr.splitlines() if "[registers] finance" in line]
        assert len(said) == 1, (command, done.stderr)
        assert "roster.xlsx" in said[0] and "错误" in said[0]
        if "json" in command:
            json.loads(done.stdout)  # the machine output keeps its shape
    write_config(tmp_path, {"roster": "roster.xlsx"})
    assert clerk("kpi", cwd=tmp_path).returncode == 0


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
    # written as the KPI's target instead, the tolerance follows it
    as_target = config_from_dict({"policy": {"targets": {"budget_deviation": 0.02}}}).in_force
    assert as_target.target("budget_deviation") == 0.02
    assert as_target.number("budget_tolerance") == 0.02
    assert as_target.is_office_choice("budget_tolerance")
    # the same value twice is fine; two different ones cannot both be the target
    config_from_dict({"policy": {"budget_tolerance": 0.1, "targets": {"budget_deviation": 0.1}}})
    with pytest.raises(ConfigError) as refused:
        config_from_dict({"policy": {"budget_tolerance": 0.1,
                                     "targets": {"budget_deviation": 0.02}}})
    assert "policy.targets.budget_deviation" in str(refused.value)
    assert "policy.budget_tolerance" in str(refused.value)


def test_a_mean_days_target_is_set_apart_from_the_deadline_that_seeds_it():
    """budget_approval_days' target is budget_approval_workdays until the office writes its
    own: a mean of 1.5 working days, while the reminder still chases after 1."""
    from automation.config import config_from_dict

    seeded = config_from_dict({"policy": {"budget_approval_workdays": 2}}).in_force
    assert seeded.target("budget_approval_days") == 2.0
    assert seeded.is_office_choice("targets.budget_approval_days")
    own = config_from_dict({"policy": {"targets": {"budget_approval_days": 1.5}}}).in_force
    assert own.target("budget_approval_days") == 1.5
    assert own.workdays("budget_approval_workdays") == 1
    assert not own.is_office_choice("budget_approval_workdays")
    both = config_from_dict({"policy": {"budget_approval_workdays": 3,
                                        "targets": {"budget_approval_days": 2.5}}}).in_force
    assert (both.workdays("budget_approval_workdays"), both.target("budget_approval_days")) \
        == (3, 2.5)


def test_a_meeting_kind_the_office_added_uses_the_regular_lead(tmp_path):
    """[enums] meeting_kinds adds 部门会: neither 例会 nor 重大. It is announced
    meeting_notice_hours ahead like a 例会 (here 30 h), not silently never."""
    meetings = [["会议编号", "会议名称", "会议类型", "组织人学号", "通知时间", "开会时间"],
                # due: 11-12 08:00 - 30 h = 11-11 02:00; heads-up from 11-10 02:00
                ["M_NEW", "部门例会", "部门会", "H_OFF", None, "2025-11-12 08:00"],
                # held 11-05 10:00, announced 31 h before: on time under 30 h
                ["M_HELD", "部门例会", "部门会", "H_OFF", "2025-11-04 03:00",
                 "2025-11-05 10:00"],
                # held, announced 29 h before: late
                ["M_LATE", "部门例会", "部门会", "H_OFF", "2025-11-05 05:00",
                 "2025-11-06 10:00"]]
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS, "会议记录": meetings})
    write_config(tmp_path, {"roster": "roster.xlsx"}, extra=(
        '\n[enums]\nmeeting_kinds = ["例会", "重大", "部门会"]\n'
        "\n[policy]\nmeeting_notice_hours = 30\n"))
    done = clerk("remind", "--dry-run", "--format", "json", "--today", "2025-11-10",
                 cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    due = [(r["rule"], r["record_id"]) for r in json.loads(done.stdout)["reminders"]]
    assert ("meeting_notice_due", "M_NEW") in due
    early = clerk("remind", "--dry-run", "--format", "json", "--today", "2025-11-09",
                  cwd=tmp_path)
    assert "M_NEW" not in early.stdout  # 11-09 08:00 is before the heads-up
    kpi = clerk("kpi", "--format", "json", "--period", "2025-11", "--today", "2025-11-10",
                cwd=tmp_path)
    row = next(r for r in json.loads(kpi.stdout)["kpis"]
               if r["key"] == "meeting_notice_on_time" and r["department"] is None)
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_an_unknown_calendar_year_is_one_plain_line_from_kpi(tmp_path):
    """Not a Python warning with a file name and a source line."""
    from automation.workdays import WorkCalendar

    year = (WorkCalendar("CN").library_years() or (0, 2026))[1] + 1
    expenses = [["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期",
                 "经办人学号", "审核日期", "状态"],
                ["E1", "B1", "水", 10, f"{year}-03-01", f"{year}-03-01", "H_OFF",
                 f"{year}-03-03", "已审核"]]
    write_xlsx(tmp_path / "finance.xlsx", {"活动预算": BUDGETS, "报销明细": expenses})
    write_config(tmp_path, {"finance": "finance.xlsx"})
    done = clerk("kpi", "--period", f"{year}-03", "--today", f"{year}-03-31", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(year) in lines[0] and "extra_workdays" in lines[0], lines
    assert "Warning" not in done.stderr and ".py" not in done.stderr


def test_the_nightly_run_says_an_unknown_calendar_year_once(tmp_path):
    """Every step of the nightly run counts working days; the officer reads the year once."""
    from automation.workdays import WorkCalendar

    year = (WorkCalendar("CN").library_years() or (0, 2026))[1] + 1
    cases = [["案件编号", "受理时间", "诉求摘要", "承办人学号", "状态"],
             ["C1", f"{year}-01-04 09:00", "热水", "H_OFF", "处理中"]]
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(tmp_path / "cases.xlsx", {"权益案件": cases})
    write_config(tmp_path, {"roster": "roster.xlsx", "cases": "cases.xlsx"})
    done = clerk("nightly", "--today", f"{year}-01-08", cwd=tmp_path)
    assert "Traceback" not in done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines()
            if "extra_workdays" in line]
    assert len(said) == 1 and str(year) in said[0], done.stdout + done.stderr


def test_the_reminder_log_keeps_the_title_that_went_out(tmp_path):
    """Sent under 12 h on 10-22, under 18 h on 10-23: each day's line says its own."""
    cases = [["案件编号", "受理时间", "诉求摘要", "承办人学号", "状态"],
             ["C1", "2025-10-20 09:00", "热水", "H_OFF", "处理中"]]
    write_xlsx(tmp_path / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(tmp_path / "cases.xlsx", {"权益案件": cases})

    def run(hours: int, today: str) -> None:
        write_config(tmp_path, {"roster": "roster.xlsx", "cases": "cases.xlsx"},
                     extra=f"\n[policy]\ncase_response_hours = {hours}\n")
        done = clerk("remind", "--today", today, cwd=tmp_path)
        # no 权益服务部 head in this roster: the escalation is undeliverable, and said
        assert done.returncode == 0, done.stderr
        assert "无法送达" in done.stdout and "权益服务部" in done.stdout, done.stdout

    run(12, "2025-10-22")
    run(18, "2025-10-23")
    log = (tmp_path / "output" / "reminder_log.csv").read_text(encoding="utf-8-sig")
    day1 = [line for line in log.splitlines() if line.startswith("2025-10-22")]
    day2 = [line for line in log.splitlines() if line.startswith("2025-10-23")]
    assert day1 and all("超过 12 小时未首次回复" in line for line in day1), day1
    assert day2 and all("超过 18 小时未首次回复" in line for line in day2), day2


def test_every_declared_label_fills_in_with_the_numbers_in_force():
    """`Policy.text` falls back to the raw template when a placeholder is unknown: no label
    may need that fallback, in any language, and each shows the office's numbers."""
    from automation.config import config_from_dict
    from automation.policy import KPI_SPECS, NUMBERS, ROLES, RULE_SPECS

    policy = config_from_dict({"policy": {"minutes_hours": 7, "case_response_hours": 13,
                                          "expense_audit_workdays": 1}}).in_force
    labels = [spec.label for spec in KPI_SPECS.values()]
    labels += [getattr(spec, part) for spec in KPI_SPECS.values()
               for part in ("population", "good")]
    labels += [label for spec in RULE_SPECS.values()
               for label in (spec.title, spec.todo, spec.when, spec.to, spec.escalates)
               if label is not None]
    labels += [n.label for n in NUMBERS.values()] + [r.label for r in ROLES.values()]
    for label in labels:
        for locale in ("zh-Hans", "zh-Hant", "en"):
            text = policy.text(label, locale)
            assert "{" not in text and "}" not in text, (locale, text)
    assert policy.rule_title("minutes_overdue", "en") == "Minutes not published within 7 hours"
    assert "13" in policy.kpi_label("case_response_24h", "zh-Hant")
    assert policy.rule_title("expense_audit_overdue", "en").endswith("within 1 working day")
