"""`[policy]` and `[policy.roles]` of office.toml: every deadline, tolerance and escalation
role of RULES.md, with the office's defaults. Nothing else in the code holds these numbers.
"""

from __future__ import annotations

from ..registers.schema import Label as L
from .schema import Number, Role
from .schema import Unit as U

NUMBERS: dict[str, Number] = {n.key: n for n in (
    Number("meeting_notice_hours", 48, U.HOURS,
           L("例会提前通知的小时数", "例會提前通知的小時數",
             "Hours ahead a regular meeting is announced")),
    Number("meeting_notice_major_hours", 72, U.HOURS,
           L("重大会议提前通知的小时数", "重大會議提前通知的小時數",
             "Hours ahead a major meeting is announced")),
    Number("minutes_hours", 48, U.HOURS,
           L("会后发布纪要的时限（小时）", "會後發布紀要的時限（小時）",
             "Hours after a meeting by which its minutes are published")),
    Number("expense_submit_workdays", 5, U.WORKDAYS,
           L("支出后提交报销的时限（工作日）", "支出後提交報銷的時限（工作日）",
             "Working days after spending by which a claim is submitted")),
    Number("expense_audit_workdays", 2, U.WORKDAYS,
           L("报销审核时限（工作日，自提交起）", "報銷審核時限（工作日，自提交起）",
             "Working days after submission by which a claim is audited")),
    Number("expense_escalate_workdays", 5, U.WORKDAYS,
           L("报销未审核升级给{president_role}的时限（工作日）",
             "報銷未審核升級給{president_role}的時限（工作日）",
             "Working days after submission before an unaudited claim goes to the "
             "{president_role}"), at_least="expense_audit_workdays"),
    Number("case_response_hours", 24, U.HOURS,
           L("权益案件首次回复时限（小时）", "權益案件首次回覆時限（小時）",
             "Hours after receipt by which a rights case gets a first response")),
    Number("case_progress_workdays", 5, U.WORKDAYS,
           L("权益案件进展反馈时限（工作日）", "權益案件進展反饋時限（工作日）",
             "Working days after receipt by which a rights case reports progress")),
    Number("referral_followup_workdays", 5, U.WORKDAYS,
           L("已转交案件跟进时限（工作日）", "已轉交案件跟進時限（工作日）",
             "Working days after a referral before its outcome is followed up")),
    Number("loan_escalate_workdays", 3, U.WORKDAYS,
           L("借用逾期升级给{head_role}的时限（工作日）",
             "借用逾期升級給{head_role}的時限（工作日）",
             "Working days overdue before a loan goes to the {head_role} of the handler's "
             "department")),
    Number("task_escalate_workdays", 3, U.WORKDAYS,
           L("任务逾期升级给{head_role}的时限（工作日）",
             "任務逾期升級給{head_role}的時限（工作日）",
             "Working days overdue before a task goes to the {head_role} of its "
             "department")),
    Number("budget_tolerance", 0.05, U.SHARE,
           L("预算执行偏差容许范围（±）", "預算執行偏差容許範圍（±）",
             "Allowed budget deviation (±)")),
    Number("budget_approval_workdays", 1, U.WORKDAYS,
           L("预算审批时限（工作日）", "預算審批時限（工作日）",
             "Working days after submission by which a budget is approved")),
    Number("document_flow_hours", 6, U.HOURS,
           L("普通公文流转时限（小时）", "普通公文流轉時限（小時）",
             "Hours to forward an ordinary document")),
    Number("document_flow_urgent_hours", 1, U.HOURS,
           L("紧急公文流转时限（小时）", "緊急公文流轉時限（小時）",
             "Hours to forward an urgent document")),
    Number("inquiry_reply_hours", 12, U.HOURS,
           L("咨询答复时限（小时）", "諮詢答覆時限（小時）", "Hours to answer an inquiry")),
    Number("feedback_reply_hours", 48, U.HOURS,
           L("意见建议与投诉答复时限（小时）", "意見建議與投訴答覆時限（小時）",
             "Hours to answer a suggestion or a complaint")),
    Number("urgent_reply_hours", 4, U.HOURS,
           L("紧急事项答复时限（小时）", "緊急事項答覆時限（小時）",
             "Hours to answer an urgent matter")),
    Number("satisfaction_floor", 0.70, U.SHARE,
           L("满意度整改线（满分的比例）", "滿意度整改線（滿分的比例）",
             "Satisfaction below which a department owes a rectification plan "
             "(share of full marks)")),
    Number("stocktake_remind_days", 14, U.DAYS,
           L("学期结束前提醒未盘点物资的天数（自然日）", "學期結束前提醒未盤點物資的天數（自然日）",
             "Calendar days before the semester ends from which uncounted items are "
             "chased")),
    Number("star_min_tasks", 3, U.COUNT,
           L("评选效率之星至少需要的到期任务数", "評選效率之星至少需要的到期任務數",
             "Tasks due a member needs to be the month's star of efficiency"),
           report=True),
    Number("lost_found_transfer_days", 30, U.DAYS,
           L("失物待认领移交学校失物招领处的天数（自然日）",
             "失物待認領移交學校失物招領處的天數（自然日）",
             "Calendar days an item waits unclaimed before it goes to the school's lost "
             "and found")),
)}
"""RULES.md's Policy table, in its order."""

ROLES: dict[str, Role] = {r.key: r for r in (
    Role("office_department", "办公室", "departments",
         L("负责督办的部门（办公室）", "負責督辦的部門（辦公室）",
           "The department that oversees records and minutes (general office)")),
    Role("rights_department", "权益服务部", "departments",
         L("负责权益案件的部门（权益服务部）", "負責權益案件的部門（權益服務部）",
           "The department that handles rights cases (student rights)")),
    Role("head_role", "部长", "roles",
         L("部门负责人的职务", "部門負責人的職務", "The role that heads a department")),
    Role("president_role", "主席", "roles",
         L("主席的职务", "主席的職務", "The president's role")),
)}
"""`[policy.roles]`: escalations go to the serving member with that role in that
department, so an office that renames its departments names them here too."""
