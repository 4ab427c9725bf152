"""The reminder rules of RULES.md, declared once: the table each reads, the policy numbers
and roles it uses, and every word a person reads about it. The conditions themselves are
in `automation/reminders/rules.py`, one function per key below."""

from __future__ import annotations

from ..registers.schema import Label as L
from .schema import RuleSpec

RULE_SPECS: dict[str, RuleSpec] = {r.key: r for r in (
    RuleSpec(
        "loan_due_soon", "assets.loans",
        title=L("借用物资即将到期", "借用物資即將到期", "Borrowed item due soon"),
        todo=L("请按时归还；如需续借，请联系经手人并更新「应还日期」。",
               "請按時歸還；如需續借，請聯繫經手人並更新「應還日期」。",
               "Please return it on time; to extend, ask the handler to update the due date."),
        when=L("未归还，应还日期是下一个工作日（或在它之前的休息日）",
               "未歸還，應還日期是下一個工作日（或在它之前的休息日）",
               "not returned, due on the next working day (or a day off before it)"),
        to=L("借用人", "借用人", "the borrower"),
    ),
    RuleSpec(
        "loan_overdue", "assets.loans",
        title=L("借用物资逾期未还", "借用物資逾期未還", "Borrowed item overdue"),
        todo=L("请尽快归还物资，归还后由经手人填写「归还日期」和「归还状况」。",
               "請盡快歸還物資，歸還後由經手人填寫「歸還日期」和「歸還狀況」。",
               "Please return it as soon as possible; the handler then records the return "
               "date and condition."),
        when=L("未归还，已过应还日期", "未歸還，已過應還日期",
               "not returned and past its due date"),
        to=L("借用人（无学号时为经手人）", "借用人（無學號時為經手人）",
             "the borrower (else the handler)"),
        escalates=L("逾期 {loan_escalate_workdays} 个工作日后：经手人所在部门的{head_role}",
                    "逾期 {loan_escalate_workdays} 個工作日後：經手人所在部門的{head_role}",
                    "after {loan_escalate_workdays} working days overdue: the {head_role} of "
                    "the handler's department"),
        numbers=("loan_escalate_workdays",), roles=("head_role",),
    ),
    RuleSpec(
        "audit_due", "assets.items",
        title=L("物资到了盘点日期", "物資到了盤點日期", "Stocktake date reached"),
        todo=L("请盘点该物资，在「盘点记录」登记结果，并更新「下次盘点日期」。",
               "請盤點該物資，在「盤點記錄」登記結果，並更新「下次盤點日期」。",
               "Please check the item, record it under Stocktakes and set the next stocktake "
               "date."),
        when=L("下次盘点日期已到", "下次盤點日期已到", "its next stocktake date has come"),
        to=L("保管人", "保管人", "the custodian"),
        escalates=L("{office_department}{head_role}（知会）",
                    "{office_department}{head_role}（知會）",
                    "the {head_role} of {office_department} (informed)"),
        roles=("office_department", "head_role"),
    ),
    RuleSpec(
        "stocktake_missing", "assets.items",
        title=L("本学期还没有盘点这件物资", "本學期還沒有盤點這件物資",
                "Item not yet counted this semester"),
        todo=L("学期结束前请盘点该物资，并在「盘点记录」登记结果（是否在库、状况）。",
               "學期結束前請盤點該物資，並在「盤點記錄」登記結果（是否在庫、狀況）。",
               "Please count the item before the semester ends and record it under "
               "Stocktakes (found, condition)."),
        when=L("未报废，本学期没有盘点记录，距学期结束不到 {stocktake_remind_days} 天",
               "未報廢，本學期沒有盤點記錄，距學期結束不到 {stocktake_remind_days} 天",
               "not written off, no stocktake row this semester, within "
               "{stocktake_remind_days} days of the semester's end"),
        to=L("保管人", "保管人", "the custodian"),
        escalates=L("{office_department}{head_role}（知会）",
                    "{office_department}{head_role}（知會）",
                    "the {head_role} of {office_department} (informed)"),
        numbers=("stocktake_remind_days",), roles=("office_department", "head_role"),
    ),
    RuleSpec(
        "expense_receipts_missing", "finance.expenses",
        title=L("报销单票据不全", "報銷單票據不全", "Receipts missing from a claim"),
        todo=L("请补齐合规票据；交齐后把「票据齐全」改为“是”，审核人就会收到审核提醒。",
               "請補齊合規票據；交齊後把「票據齊全」改為「是」，審核人就會收到審核提醒。",
               "Please hand in the missing receipts; once Receipts complete is Yes, the "
               "approver is reminded to audit the claim."),
        when=L("状态待审核，票据齐全为“否”", "狀態待審核，票據齊全為「否」",
               "awaiting audit with receipts marked incomplete"),
        to=L("经办人", "經辦人", "the claimant"),
        has_deadline=False,
    ),
    RuleSpec(
        "expense_audit_overdue", "finance.expenses",
        title=L("报销单超过 {expense_audit_workdays} 个工作日未审核",
                "報銷單超過 {expense_audit_workdays} 個工作日未審核",
                "Expense not audited within {expense_audit_workdays} working days"),
        todo=L("请审核该报销单，并填写「审核日期」和「状态」。",
               "請審核該報銷單，並填寫「審核日期」和「狀態」。",
               "Please audit the claim and fill in the approval date and status."),
        when=L("状态待审核、票据不缺，提交后超过 {expense_audit_workdays} 个工作日",
               "狀態待審核、票據不缺，提交後超過 {expense_audit_workdays} 個工作日",
               "awaiting audit, receipts not missing, more than {expense_audit_workdays} "
               "working days after submission"),
        to=L("审核人（未填时为{office_department}{head_role}）",
             "審核人（未填時為{office_department}{head_role}）",
             "the approver (else the {head_role} of {office_department})"),
        escalates=L("提交后超过 {expense_escalate_workdays} 个工作日：{president_role}",
                    "提交後超過 {expense_escalate_workdays} 個工作日：{president_role}",
                    "more than {expense_escalate_workdays} working days after submission: "
                    "the {president_role}"),
        numbers=("expense_audit_workdays", "expense_escalate_workdays"),
        roles=("office_department", "head_role", "president_role"),
    ),
    RuleSpec(
        "budget_approval_pending", "finance.budgets",
        title=L("预算提交后超过 {budget_approval_workdays} 个工作日未完成审批",
                "預算提交後超過 {budget_approval_workdays} 個工作日未完成審批",
                "Budget not approved within {budget_approval_workdays} working days"),
        todo=L("主席团未审批的，请{president_role}审批并填写「主席团审批日期」；指导老师未审批的，"
               "请预算所属部门的{head_role}联系指导老师，审批后填写「指导老师审批日期」。",
               "主席團未審批的，請{president_role}審批並填寫「主席團審批日期」；指導老師未審批的，"
               "請預算所屬部門的{head_role}聯繫指導老師，審批後填寫「指導老師審批日期」。",
               "Where the presidium has not approved it, the {president_role} approves it and "
               "records the date; where the advisor has not, the {head_role} of the budget's "
               "department asks the advisor and records the advisor's approval date."),
        when=L("已提交审批，主席团或指导老师审批日期未填，提交后超过 {budget_approval_workdays} "
               "个工作日",
               "已提交審批，主席團或指導老師審批日期未填，提交後超過 {budget_approval_workdays} "
               "個工作日",
               "submitted, the presidium's or the advisor's approval date missing, more than "
               "{budget_approval_workdays} working days after submission"),
        to=L("{president_role}（主席团审批）；预算所属部门的{head_role}（催办指导老师审批）",
             "{president_role}（主席團審批）；預算所屬部門的{head_role}（催辦指導老師審批）",
             "the {president_role} (the presidium's approval); the {head_role} of the "
             "budget's department (to chase the advisor's)"),
        numbers=("budget_approval_workdays",), roles=("president_role", "head_role"),
    ),
    RuleSpec(
        "case_response_overdue", "cases.cases",
        title=L("权益案件超过 {case_response_hours} 小时未首次回复",
                "權益案件超過 {case_response_hours} 小時未首次回覆",
                "Rights case without a first response after {case_response_hours} h"),
        todo=L("请立即联系反映人，并填写「首次回复时间」。",
               "請立即聯繫反映人，並填寫「首次回覆時間」。",
               "Please contact the reporter now and record the first response time."),
        when=L("待受理或处理中，受理 {case_response_hours} 小时后仍无首次回复",
               "待受理或處理中，受理 {case_response_hours} 小時後仍無首次回覆",
               "new or in progress, no first response {case_response_hours} h after receipt"),
        to=L("承办人", "承辦人", "the handler"),
        escalates=L("{rights_department}{head_role}", "{rights_department}{head_role}",
                    "the {head_role} of {rights_department}"),
        numbers=("case_response_hours",), roles=("rights_department", "head_role"),
    ),
    RuleSpec(
        "case_progress_overdue", "cases.cases",
        title=L("权益案件超过 {case_progress_workdays} 个工作日没有进展反馈",
                "權益案件超過 {case_progress_workdays} 個工作日沒有進展反饋",
                "Rights case without progress after {case_progress_workdays} working days"),
        todo=L("请向反映人反馈进展，并填写「进展反馈时间」。",
               "請向反映人反饋進展，並填寫「進展反饋時間」。",
               "Please report progress to the reporter and record when you did."),
        when=L("待受理或处理中，受理后超过 {case_progress_workdays} 个工作日没有进展也未办结",
               "待受理或處理中，受理後超過 {case_progress_workdays} 個工作日沒有進展也未辦結",
               "new or in progress, no progress and not resolved more than "
               "{case_progress_workdays} working days after receipt"),
        to=L("承办人", "承辦人", "the handler"),
        escalates=L("{rights_department}{head_role}", "{rights_department}{head_role}",
                    "the {head_role} of {rights_department}"),
        numbers=("case_progress_workdays",), roles=("rights_department", "head_role"),
    ),
    RuleSpec(
        "case_referral_followup", "cases.cases",
        title=L("已转交案件该跟进结果了", "已轉交案件該跟進結果了",
                "Referred case: time to follow up"),
        todo=L("请向接收单位询问处理结果，反馈给反映人，并填写「进展反馈时间」或「办结时间」。",
               "請向接收單位詢問處理結果，反饋給反映人，並填寫「進展反饋時間」或「辦結時間」。",
               "Please ask the receiving office for the outcome, tell the reporter, and "
               "record the progress or resolution time."),
        when=L("已转交、未办结，受理或最近一次进展后超过 {referral_followup_workdays} 个工作日",
               "已轉交、未辦結，受理或最近一次進展後超過 {referral_followup_workdays} 個工作日",
               "referred, not resolved, more than {referral_followup_workdays} working days "
               "after receipt or the latest progress"),
        to=L("承办人", "承辦人", "the handler"),
        numbers=("referral_followup_workdays",),
    ),
    RuleSpec(
        "meeting_notice_due", "roster.meetings",
        title=L("会议通知该发了", "會議通知該發了", "Meeting notice due"),
        todo=L("请发出会议通知（例会提前 {meeting_notice_hours} 小时、重大会议提前 "
               "{meeting_notice_major_hours} 小时），并填写「通知时间」。",
               "請發出會議通知（例會提前 {meeting_notice_hours} 小時、重大會議提前 "
               "{meeting_notice_major_hours} 小時），並填寫「通知時間」。",
               "Please send the notice ({meeting_notice_hours} h ahead for regular meetings, "
               "{meeting_notice_major_hours} h for major ones) and record when."),
        when=L("未发通知，距通知期限（例会开会前 {meeting_notice_hours} 小时，重大会议 "
               "{meeting_notice_major_hours} 小时）不到 24 小时",
               "未發通知，距通知期限（例會開會前 {meeting_notice_hours} 小時，重大會議 "
               "{meeting_notice_major_hours} 小時）不到 24 小時",
               "no notice yet, within 24 h of its notice deadline ({meeting_notice_hours} h "
               "before a regular meeting, {meeting_notice_major_hours} h before a major one)"),
        to=L("组织人", "組織人", "the organizer"),
        numbers=("meeting_notice_hours", "meeting_notice_major_hours"),
    ),
    RuleSpec(
        "minutes_overdue", "roster.meetings",
        title=L("会议纪要超过 {minutes_hours} 小时未发布",
                "會議紀要超過 {minutes_hours} 小時未發布",
                "Minutes not published within {minutes_hours} hours"),
        todo=L("请整理并发布会议纪要，并填写「纪要发布时间」。",
               "請整理並發布會議紀要，並填寫「紀要發布時間」。",
               "Please publish the minutes and record when."),
        when=L("开会 {minutes_hours} 小时后仍未发布纪要", "開會 {minutes_hours} 小時後仍未發布紀要",
               "no minutes {minutes_hours} h after the meeting began"),
        to=L("组织人", "組織人", "the organizer"),
        escalates=L("{office_department}{head_role}", "{office_department}{head_role}",
                    "the {head_role} of {office_department}"),
        numbers=("minutes_hours",), roles=("office_department", "head_role"),
    ),
    RuleSpec(
        "task_overdue", "roster.tasks",
        title=L("任务已过截止日期", "任務已過截止日期", "Task past its due date"),
        todo=L("请尽快完成任务，完成后填写「完成日期」；如需延期请与{head_role}沟通。",
               "請盡快完成任務，完成後填寫「完成日期」；如需延期請與{head_role}溝通。",
               "Please finish it and record the date done; talk to your {head_role} if it "
               "needs more time."),
        when=L("未完成，已过截止日期", "未完成，已過截止日期", "not done and past its due date"),
        to=L("负责人", "負責人", "the owner"),
        escalates=L("逾期 {task_escalate_workdays} 个工作日后：任务所在部门的{head_role}",
                    "逾期 {task_escalate_workdays} 個工作日後：任務所在部門的{head_role}",
                    "after {task_escalate_workdays} working days overdue: the {head_role} of "
                    "the task's department"),
        numbers=("task_escalate_workdays",), roles=("head_role",),
    ),
    RuleSpec(
        "lost_found_unclaimed", "cases.lost_found",
        title=L("失物待认领已满 {lost_found_transfer_days} 天",
                "失物待認領已滿 {lost_found_transfer_days} 天",
                "Lost item unclaimed for {lost_found_transfer_days} days"),
        todo=L("请把该物品移交学校失物招领处，并把「状态」改为“已移交”。",
               "請把該物品移交學校失物招領處，並把「狀態」改為「已移交」。",
               "Please hand the item to the school's lost and found and set its status to "
               "Handed over."),
        when=L("待认领，拾获后已满 {lost_found_transfer_days} 天",
               "待認領，拾獲後已滿 {lost_found_transfer_days} 天",
               "unclaimed {lost_found_transfer_days} days after it was found"),
        to=L("{office_department}{head_role}", "{office_department}{head_role}",
             "the {head_role} of {office_department}"),
        numbers=("lost_found_transfer_days",), roles=("office_department", "head_role"),
    ),
    RuleSpec(
        "document_flow_overdue", "cases.documents",
        title=L("公文超过 {document_flow_hours} 小时（紧急 {document_flow_urgent_hours} 小时）"
                "未流转",
                "公文超過 {document_flow_hours} 小時（緊急 {document_flow_urgent_hours} 小時）"
                "未流轉",
                "Document not routed within {document_flow_hours} h "
                "({document_flow_urgent_hours} h if urgent)"),
        todo=L("请立即把文件送达需要办理的人，填写「流转完成时间」，并把「状态」改为“办理中”。",
               "請立即把文件送達需要辦理的人，填寫「流轉完成時間」，並把「狀態」改為「辦理中」。",
               "Please deliver the document to whoever must act on it now, record the routing "
               "time and set the status to In progress."),
        when=L("待流转，收到 {document_flow_hours} 小时后（紧急文件 {document_flow_urgent_hours} "
               "小时后）仍未流转",
               "待流轉，收到 {document_flow_hours} 小時後（緊急文件 {document_flow_urgent_hours} "
               "小時後）仍未流轉",
               "to route, not routed {document_flow_hours} h after receipt "
               "({document_flow_urgent_hours} h for an urgent one)"),
        to=L("承办人", "承辦人", "the handler"),
        escalates=L("{office_department}{head_role}", "{office_department}{head_role}",
                    "the {head_role} of {office_department}"),
        numbers=("document_flow_hours", "document_flow_urgent_hours"),
        roles=("office_department", "head_role"),
    ),
    RuleSpec(
        "inquiry_reply_overdue", "cases.inquiries",
        title=L("咨询与反馈超过答复时限未回复", "諮詢與反饋超過答覆時限未回覆",
                "Inquiry not answered in time"),
        todo=L("请尽快答复提出人，填写「回复时间」，并把「状态」改为“已回复”（咨询 "
               "{inquiry_reply_hours} 小时、意见建议和投诉 {feedback_reply_hours} 小时、紧急事项 "
               "{urgent_reply_hours} 小时内答复）。",
               "請盡快答覆提出人，填寫「回覆時間」，並把「狀態」改為「已回覆」（諮詢 "
               "{inquiry_reply_hours} 小時、意見建議和投訴 {feedback_reply_hours} 小時、緊急事項 "
               "{urgent_reply_hours} 小時內答覆）。",
               "Please answer the person who asked, record the reply time and set the status "
               "to Replied (questions within {inquiry_reply_hours} h, suggestions and "
               "complaints within {feedback_reply_hours} h, urgent matters within "
               "{urgent_reply_hours} h)."),
        when=L("待回复，收到后超过答复时限（咨询 {inquiry_reply_hours} 小时，意见建议和投诉 "
               "{feedback_reply_hours} 小时，紧急事项 {urgent_reply_hours} 小时）仍未回复",
               "待回覆，收到後超過答覆時限（諮詢 {inquiry_reply_hours} 小時，意見建議和投訴 "
               "{feedback_reply_hours} 小時，緊急事項 {urgent_reply_hours} 小時）仍未回覆",
               "awaiting a reply past its reply time ({inquiry_reply_hours} h for a question, "
               "{feedback_reply_hours} h for a suggestion or complaint, {urgent_reply_hours} h "
               "if urgent)"),
        to=L("承办人", "承辦人", "the handler"),
        escalates=L("承办人所在部门的{head_role}", "承辦人所在部門的{head_role}",
                    "the {head_role} of the handler's department"),
        numbers=("inquiry_reply_hours", "feedback_reply_hours", "urgent_reply_hours"),
        roles=("head_role",),
    ),
    RuleSpec(
        "fix_overdue", "cases.inquiries",
        title=L("整改已过整改期限", "整改已過整改期限", "Fix past its deadline"),
        todo=L("请尽快完成整改，完成后填写「整改完成日期」；如需延期请与{office_department}"
               "{head_role}沟通。",
               "請盡快完成整改，完成後填寫「整改完成日期」；如需延期請與{office_department}"
               "{head_role}溝通。",
               "Please finish the fix and record the date it was done; talk to the "
               "{head_role} of {office_department} if it needs more time."),
        when=L("需要整改，未完成，已过整改期限", "需要整改，未完成，已過整改期限",
               "needs a fix, not fixed, past its fix deadline"),
        to=L("承办人", "承辦人", "the handler"),
        escalates=L("{office_department}{head_role}", "{office_department}{head_role}",
                    "the {head_role} of {office_department}"),
        roles=("office_department", "head_role"),
    ),
)}
"""Every rule, in the order a digest lists them."""
