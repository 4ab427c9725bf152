"""The office-affairs reminders of RULES.md — documents to route, inquiries to answer, fixes
past their deadline, budgets awaiting approval — on records just before, at and after each
deadline: clock hours as of the run's time (1 h urgent document, 6 h ordinary, 4 h urgent
inquiry, 12 h 咨询, 48 h 意见建议/投诉), working days across the 2025 National Day holiday
(10-01..08 off; Sun 09-28 and Sat 10-11 are make-up working days) for budget approval.

Today is Friday 2025-10-10 at the run hour, 08:00, unless a test says otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import clerk, write_config, write_xlsx

TODAY = "2025-10-10"

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["P001", "主席甲", "主席团", "主席", "13800000001", "p1@x.edu.cn", "在任"],
    ["H_OFF", "办公室部长", "办公室", "部长", "13800000002", "h2@x.edu.cn", "在任"],
    ["H_ARTS", "文体部长", "文体活动部", "部长", "13800000004", "h4@x.edu.cn", "在任"],
    ["M1", "干事一", "文体活动部", "干事", "13800000005", "m1@x.edu.cn", "在任"],
    ["M2", "干事二", "办公室", "干事", "13800000006", "m2@x.edu.cn", "在任"],
    ["M3", "干事三", "学术发展部", "干事", "13800000007", "m3@x.edu.cn", "在任"],
]
DOCUMENTS = [
    ["文件编号", "文件标题", "收发类型", "紧急程度", "收到时间", "承办人学号", "流转完成时间",
     "办理期限", "办结日期", "状态"],
    ["D_URG_BEFORE", "通知", "收文", "紧急", "2025-10-10 07:01", "M2", None, None, None, "待流转"],
    ["D_URG_AT", "通知", "收文", "紧急", "2025-10-10 07:00", "M2", None, None, None, "待流转"],
    ["D_URG_AFTER", "通知", "收文", "紧急", "2025-10-10 06:59", "M2", None, None, None, "待流转"],
    ["D_NORM_BEFORE", "通知", "收文", "普通", "2025-10-10 02:01", "M2", None, None, None,
     "待流转"],
    ["D_NORM_AT", "通知", "收文", "普通", "2025-10-10 02:00", "M2", None, None, None, "待流转"],
    ["D_NORM_AFTER", "通知", "收文", "普通", "2025-10-10 01:59", "M2", None, None, None,
     "待流转"],
    # routed (the status not updated yet) and being handled: nothing to chase
    ["D_ROUTED", "通知", "收文", "普通", "2025-10-09 10:00", "M2", "2025-10-09 11:00", None,
     None, "待流转"],
    ["D_DOING", "通知", "发文", "普通", "2025-10-09 10:00", "M2", None, "2025-10-20", None,
     "办理中"],
    ["D_DONE", "通知", "收文", "紧急", "2025-10-09 10:00", "M2", "2025-10-09 10:30", None,
     "2025-10-09", "已办结"],
]
INQUIRIES = [
    ["编号", "收到时间", "类型", "是否紧急", "内容摘要", "提出人", "联系方式", "承办人学号",
     "回复时间", "需要整改", "整改期限", "整改完成日期", "状态"],
    # urgent: 4 h, whatever the kind (a complaint would have 48 h)
    ["Q_URG_BEFORE", "2025-10-10 04:01", "投诉", "是", "门禁", "张同学", "13912345678", "M1",
     None, None, None, None, "待回复"],
    ["Q_URG_AT", "2025-10-10 04:00", "投诉", "是", "门禁", "李同学", None, "M1", None, None,
     None, None, "待回复"],
    ["Q_URG_AFTER", "2025-10-10 03:59", "投诉", "是", "门禁", "王同学", None, "M1", None,
     None, None, None, "待回复"],
    # 咨询: 12 h
    ["Q_ASK_BEFORE", "2025-10-09 20:01", "咨询", "否", "奖学金", None, None, "M1", None, None,
     None, None, "待回复"],
    ["Q_ASK_AT", "2025-10-09 20:00", "咨询", "否", "奖学金", None, None, "M1", None, None,
     None, None, "待回复"],
    ["Q_ASK_AFTER", "2025-10-09 19:59", "咨询", None, "奖学金", None, None, "M1", None, None,
     None, None, "待回复"],
    # 意见建议 and 投诉: 48 h
    ["Q_FEED_AT", "2025-10-08 08:00", "意见建议", "否", "食堂", None, None, "M1", None, None,
     None, None, "待回复"],
    ["Q_FEED_AFTER", "2025-10-08 07:59", "意见建议", "否", "食堂", None, None, "M1", None,
     None, None, None, "待回复"],
    ["Q_COMPLAINT_AFTER", "2025-10-08 07:59", "投诉", "否", "宿舍", None, None, "M3", None,
     None, None, None, "待回复"],
    ["Q_REPLIED", "2025-10-01 10:00", "咨询", "否", "奖学金", None, None, "M1",
     "2025-10-01 11:00", None, None, None, "已回复"],
    # fixes: chased the day after their fix deadline
    ["F_BEFORE", "2025-09-20 10:00", "意见建议", "否", "路灯", None, None, "M1",
     "2025-09-20 12:00", "是", "2025-10-11", None, "整改中"],
    ["F_AT", "2025-09-20 10:00", "意见建议", "否", "路灯", None, None, "M1",
     "2025-09-20 12:00", "是", TODAY, None, "整改中"],
    ["F_AFTER", "2025-09-20 10:00", "意见建议", "否", "路灯", None, None, "M1",
     "2025-09-20 12:00", "是", "2025-10-09", None, "整改中"],
    ["F_DONE", "2025-09-20 10:00", "意见建议", "否", "路灯", None, None, "M1",
     "2025-09-20 12:00", "是", "2025-10-09", "2025-10-09", "已完结"],
    ["F_NOT_NEEDED", "2025-09-20 10:00", "意见建议", "否", "路灯", None, None, "M1",
     "2025-09-20 12:00", "否", "2025-10-01", None, "已回复"],
]
SURVEYS = [
    ["调查名称", "调查日期", "被评部门", "评价人", "得分", "满分"],
    ["期中测评", "2025-10-09", "办公室", "赵评价", 4.5, 5],
]
BUDGETS = [
    ["预算编号", "活动名称", "部门", "预算金额", "主席团审批日期", "指导老师审批日期", "学期",
     "提交审批日期"],
    # submitted 09-30 (Tue): 1 working day later is 10-09, after the holiday
    ["B_BOTH", "迎新", "文体活动部", 1000, None, None, "2025-fall", "2025-09-30"],
    ["B_PRESIDIUM", "迎新", "文体活动部", 1000, None, "2025-10-09", "2025-fall", "2025-09-30"],
    ["B_ADVISOR", "迎新", "文体活动部", 1000, "2025-10-09", None, "2025-fall", "2025-09-30"],
    ["B_NO_HEAD", "讲座", "学术发展部", 500, "2025-10-09", None, "2025-fall", "2025-09-30"],
    # submitted 10-09: due 10-10, today: not late yet
    ["B_AT", "迎新", "文体活动部", 1000, None, None, "2025-fall", "2025-10-09"],
    ["B_DONE", "迎新", "文体活动部", 1000, "2025-10-09", "2025-10-09", "2025-fall",
     "2025-09-30"],
    ["B_NOT_SUBMITTED", "迎新", "文体活动部", 1000, None, None, "2025-fall", None],
]
NEW_RULES = ("budget_approval_pending", "document_flow_overdue", "inquiry_reply_overdue",
             "fix_overdue")


def build(folder: Path, extra: str = "", budgets: list[list] = BUDGETS) -> Path:
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(folder / "finance.xlsx", {"活动预算": budgets})
    write_xlsx(folder / "cases.xlsx", {"公文流转": DOCUMENTS, "咨询与反馈": INQUIRIES,
                                       "满意度调查": SURVEYS})
    write_config(folder, {r: f"{r}.xlsx" for r in ("roster", "finance", "cases")},
                 extra=extra)
    return folder


def dry_run(folder: Path, today: str = TODAY) -> dict:
    done = clerk("remind", "--dry-run", "--format", "json", "--today", today, cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("affairs"))


@pytest.fixture(scope="module")
def plan(office) -> dict:
    return dry_run(office)


def picked(plan: dict, rule: str) -> set[tuple[str, str, int]]:
    return {(r["record_id"], r["recipient"], r["level"]) for r in plan["reminders"]
            if r["rule"] == rule}


def test_documents_one_hour_urgent_six_hours_ordinary(plan):
    assert picked(plan, "document_flow_overdue") == {
        ("D_URG_AFTER", "M2", 0), ("D_URG_AFTER", "H_OFF", 1),
        ("D_NORM_AFTER", "M2", 0), ("D_NORM_AFTER", "H_OFF", 1),
    }


def test_inquiries_by_kind_and_urgency_to_the_handlers_head(plan):
    assert picked(plan, "inquiry_reply_overdue") == {
        ("Q_URG_AFTER", "M1", 0), ("Q_URG_AFTER", "H_ARTS", 1),      # urgent: 4 h
        ("Q_ASK_AFTER", "M1", 0), ("Q_ASK_AFTER", "H_ARTS", 1),      # 咨询: 12 h
        ("Q_FEED_AFTER", "M1", 0), ("Q_FEED_AFTER", "H_ARTS", 1),    # 意见建议: 48 h
        ("Q_COMPLAINT_AFTER", "M3", 0),                              # 投诉: 48 h
    }
    # 学术发展部 has no serving 部长: the escalation is reported, not dropped
    (nobody,) = [u for u in plan["undeliverable"] if u["rule"] == "inquiry_reply_overdue"]
    assert (nobody["record_id"], nobody["level"], nobody["reason"]) == (
        "Q_COMPLAINT_AFTER", 1, "no_department_head")


def test_fixes_after_their_deadline_to_the_office_head(plan):
    assert picked(plan, "fix_overdue") == {("F_AFTER", "M1", 0), ("F_AFTER", "H_OFF", 1)}


def test_budget_approval_to_the_president_and_the_departments_head(plan):
    assert picked(plan, "budget_approval_pending") == {
        ("B_BOTH", "P001", 0), ("B_BOTH", "H_ARTS", 0),
        ("B_PRESIDIUM", "P001", 0),
        ("B_ADVISOR", "H_ARTS", 0),
    }
    (nobody,) = [u for u in plan["undeliverable"] if u["rule"] == "budget_approval_pending"]
    assert (nobody["record_id"], nobody["reason"]) == ("B_NO_HEAD", "no_department_head")


@pytest.mark.parametrize(("today", "due"), [
    ("2025-09-30", False),   # submitted that day
    ("2025-10-08", False),   # the holiday: no working day has passed yet
    ("2025-10-09", False),   # the first working day after: the deadline itself
    ("2025-10-10", True),    # the day after the deadline
])
def test_budget_approval_counts_working_days_across_the_holiday(office, today, due):
    records = {r["record_id"] for r in dry_run(office, today)["reminders"]
               if r["rule"] == "budget_approval_pending"}
    assert ("B_BOTH" in records) is due


def test_a_president_who_heads_the_department_gets_one_line(tmp_path):
    """With 主席 as the head role, the president heads 主席团: a 主席团 budget missing both
    approvals is one reminder, not the same one twice."""
    budgets = [BUDGETS[0], ["B_OWN", "换届", "主席团", 800, None, None, "2025-fall",
                            "2025-09-30"]]
    folder = build(tmp_path, extra='\n[policy.roles]\nhead_role = "主席"\n', budgets=budgets)
    assert picked(dry_run(folder), "budget_approval_pending") == {("B_OWN", "P001", 0)}


def test_hour_deadlines_use_the_runs_time_not_only_its_day(office):
    """A run at 14:30 (the every-N-minutes reminders) chases what fell due since 08:00."""
    from automation.config import load_config
    from automation.load import load_office
    from automation.reminders.rules import due_now
    from automation.workdays import calendar_for

    config = load_config(office / "office.toml")
    data = load_office(config)
    calendar = calendar_for(config)

    def documents(now: datetime) -> set[str]:
        return {d.record_id for d in due_now(data, now, calendar, config.in_force)
                if d.rule == "document_flow_overdue" and d.level == 0}

    assert documents(datetime(2025, 10, 10, 8, 0)) == {"D_URG_AFTER", "D_NORM_AFTER"}
    # 07:01 + 1 h = 08:01; 02:00 + 6 h = 08:00: both late by 14:30, with the rest
    assert documents(datetime(2025, 10, 10, 8, 1)) == {"D_URG_AFTER", "D_NORM_AFTER",
                                                       "D_URG_AT", "D_NORM_AT"}
    assert documents(datetime(2025, 10, 10, 14, 30)) == {
        "D_URG_BEFORE", "D_URG_AT", "D_URG_AFTER", "D_NORM_BEFORE", "D_NORM_AT",
        "D_NORM_AFTER"}


def test_the_policy_in_force_moves_the_deadlines(tmp_path):
    folder = build(tmp_path, extra="\n[policy]\ndocument_flow_urgent_hours = 2\n"
                                   "urgent_reply_hours = 3\nbudget_approval_workdays = 2\n")
    plan = dry_run(folder)
    assert {r for r, _, level in picked(plan, "document_flow_overdue") if level == 0} == {
        "D_NORM_AFTER"}   # 06:59 + 2 h is 08:59
    # 04:01, 04:00 and 03:59 + 3 h are all past 08:00
    assert {r for r, _, level in picked(plan, "inquiry_reply_overdue") if level == 0} >= {
        "Q_URG_BEFORE", "Q_URG_AT", "Q_URG_AFTER"}
    # 09-30 + 2 working days = 10-10: not late yet
    assert picked(plan, "budget_approval_pending") == set()
    done = clerk("remind", "--dry-run", "--today", TODAY, cwd=folder)
    assert "公文超过 6 小时（紧急 2 小时）未流转" in done.stdout


def test_sent_once_a_day_through_the_channels(tmp_path):
    """A real run to the outbox: the digests carry the new rules in the office's words, the
    reminder log records them, and a second run the same day sends nothing new."""
    folder = build(tmp_path)
    first = clerk("remind", "--today", TODAY, "--format", "json", cwd=folder)
    assert first.returncode == 0, first.stderr
    sent = json.loads(first.stdout)
    new = [r for r in sent["reminders"] if r["rule"] in NEW_RULES]
    assert len(new) == 17 and sent["sent"] and not sent["failed"]
    (m2,) = (folder / "output" / "outbox").rglob("*-outbox-M2.md")
    text = m2.read_text(encoding="utf-8")
    assert "公文超过 6 小时（紧急 1 小时）未流转" in text and "D_URG_AFTER" in text
    assert "请立即把文件送达需要办理的人" in text
    (head,) = (folder / "output" / "outbox").rglob("*-outbox-H_ARTS.md")
    head_text = head.read_text(encoding="utf-8")
    assert "预算提交后超过 1 个工作日未完成审批" in head_text
    assert "咨询与反馈超过答复时限未回复" in head_text
    log = (folder / "output" / "reminder_log.csv").read_text(encoding="utf-8-sig")
    assert "整改已过整改期限" in log and "F_AFTER" in log

    again = clerk("remind", "--today", TODAY, "--format", "json", cwd=folder)
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["sent"] == [] and second["skipped"] == len(sent["reminders"])
    english = clerk("remind", "--dry-run", "--today", TODAY, "--locale", "en", cwd=folder)
    assert "Budget not approved within 1 working day" in english.stdout


# -- the handover checklist ------------------------------------------------------------------


def test_handover_lists_open_documents_inquiries_fixes_and_budgets(office, tmp_path):
    import openpyxl

    done = clerk("archive", "--period", "2025-fall", "--today", TODAY, "--redact",
                 "--format", "json", "-o", str(tmp_path), cwd=office)
    assert done.returncode == 0, done.stdout + done.stderr
    bag = Path(json.loads(done.stdout)["path"])
    book = openpyxl.load_workbook(bag / "data" / "交接清单.xlsx")

    def rows(sheet: str) -> dict[str, dict]:
        found = list(book[sheet].iter_rows(values_only=True))
        return {r[0]: dict(zip(found[0], r, strict=True)) for r in found[1:]}

    documents = rows("待办公文")
    assert set(documents) == {d[0] for d in DOCUMENTS[1:]} - {"D_DONE"}
    assert documents["D_URG_AFTER"]["期限情况"] == "流转已超期"
    assert str(documents["D_URG_AFTER"]["流转期限"]).startswith("2025-10-10 07:59")
    assert documents["D_URG_AT"]["期限情况"] == "未超期"
    assert documents["D_ROUTED"]["流转期限"] is None
    assert documents["D_URG_AFTER"]["经手人"] == "干事二"   # the handler, from the roster

    inquiries = rows("待回复咨询与未完成整改")
    assert set(inquiries) == {q[0] for q in INQUIRIES[1:] if q[0].startswith("Q_")} \
        - {"Q_REPLIED"} | {"F_BEFORE", "F_AT", "F_AFTER"}
    assert inquiries["Q_URG_AFTER"]["期限情况"] == "答复已超期"
    assert str(inquiries["Q_ASK_AT"]["答复期限"]).startswith("2025-10-10 08:00")
    assert inquiries["Q_ASK_AT"]["期限情况"] == "未超期"
    assert inquiries["F_AFTER"]["期限情况"] == "整改已超期"
    assert inquiries["F_AT"]["期限情况"] == "未超期"
    assert inquiries["F_AFTER"]["答复期限"] is None and inquiries["F_AFTER"]["需要整改"] == "是"
    # asker and asker_contact are personal data: masked by --redact
    assert inquiries["Q_URG_BEFORE"]["提出人"] == "张**"
    assert inquiries["Q_URG_BEFORE"]["联系方式"] == "139****5678"

    budgets = rows("待审批预算")
    assert set(budgets) == {"B_BOTH", "B_PRESIDIUM", "B_ADVISOR", "B_NO_HEAD", "B_AT",
                            "B_NOT_SUBMITTED"}
    assert str(budgets["B_BOTH"]["审批期限"]).startswith("2025-10-09")
    assert budgets["B_BOTH"]["审批情况"] == "审批已超期"
    assert budgets["B_AT"]["审批情况"] == "未超期"
    assert budgets["B_NOT_SUBMITTED"]["审批情况"] == "未填提交日期"

    overview = {r[0]: r for r in book["概览"].iter_rows(values_only=True) if r[0]}
    assert overview["待办公文"][1] == 8 and "紧急 1 小时" in overview["待办公文"][2]
    assert "提交后 1 个工作日" in overview["待审批预算"][2]
    html = (bag / "data" / "交接清单.html").read_text(encoding="utf-8")
    assert "待办公文" in html and "审批已超期" in html and "张**" in html
    # no personal value anywhere in the bag: the respondent of a survey included
    for path in bag.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".html", ".json", ".txt"):
            text = path.read_text(encoding="utf-8-sig", errors="replace")
            assert "赵评价" not in text and "13912345678" not in text and "张同学" not in text
