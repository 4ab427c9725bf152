"""The KPIs of RULES.md, declared once: label, population, what counts as good, the policy
numbers each reads and its default target. How each population is computed is in
`automation/kpi/engine.py`, one function per key below. KPI keys never change, whatever
the numbers: `case_response_24h` is the response KPI even when the office sets 12 h."""

from __future__ import annotations

from ..registers.schema import Label as L
from .schema import KpiSpec
from .schema import Measure as M

KPI_SPECS: dict[str, KpiSpec] = {k.key: k for k in (
    KpiSpec(
        "meeting_notice_on_time",
        L("会议通知按时率", "會議通知準時率", "Meeting notices on time"),
        population=L("本期已开的会议", "本期已開的會議", "meetings held in the period"),
        good=L("通知时间早于开会时间至少 {meeting_notice_hours} 小时（重大会议 "
               "{meeting_notice_major_hours} 小时）",
               "通知時間早於開會時間至少 {meeting_notice_hours} 小時（重大會議 "
               "{meeting_notice_major_hours} 小時）",
               "notice sent at least {meeting_notice_hours} h before (major meetings "
               "{meeting_notice_major_hours} h)"),
        target=0.98, numbers=("meeting_notice_hours", "meeting_notice_major_hours"),
    ),
    KpiSpec(
        "minutes_on_time",
        L("纪要 {minutes_hours} 小时内发布率", "紀要 {minutes_hours} 小時內發布率",
          "Minutes published within {minutes_hours} h"),
        population=L("本期开会、纪要期限已到的会议", "本期開會、紀要期限已到的會議",
                     "meetings in the period whose minutes deadline has passed"),
        good=L("开会后 {minutes_hours} 小时内发布纪要", "開會後 {minutes_hours} 小時內發布紀要",
               "minutes published within {minutes_hours} h of the start"),
        target=0.95, numbers=("minutes_hours",),
    ),
    KpiSpec(
        "reimbursement_audit_days",
        L("报销审核平均用时", "報銷審核平均用時", "Reimbursement audit time"),
        population=L("本期审核的报销单", "本期審核的報銷單", "claims audited in the period"),
        good=L("提交到审核的平均工作日数", "提交到審核的平均工作日數",
               "mean working days from submission to audit"),
        target=2.0, measure=M.MEAN_DAYS,
    ),
    KpiSpec(
        "reimbursement_submitted_on_time",
        L("报销按时提交率", "報銷準時提交率", "Reimbursements submitted on time"),
        population=L("本期支出、提交期限已到的报销单", "本期支出、提交期限已到的報銷單",
                     "claims spent in the period whose submission deadline has passed"),
        good=L("支出后 {expense_submit_workdays} 个工作日内提交",
               "支出後 {expense_submit_workdays} 個工作日內提交",
               "submitted within {expense_submit_workdays} working days of spending"),
        target=0.95, numbers=("expense_submit_workdays",),
    ),
    KpiSpec(
        "budget_deviation",
        L("预算执行偏差率", "預算執行偏差率", "Budget deviation"),
        population=L("学期为本期的预算及其支出（不含退回）",
                     "學期為本期的預算及其支出（不含退回）",
                     "budgets of the period and their expenses (not returned)"),
        good=L("(支出合计 − 预算合计) / 预算合计，在 ±{budget_tolerance} 以内",
               "(支出合計 − 預算合計) / 預算合計，在 ±{budget_tolerance} 以內",
               "(Σ spent − Σ budget) / Σ budget within ±{budget_tolerance}"),
        target="budget_tolerance", measure=M.DEVIATION, numbers=("budget_tolerance",),
    ),
    KpiSpec(
        "budget_approval_days",
        L("预算审批平均用时", "預算審批平均用時", "Budget approval time"),
        population=L("本期完成两级审批、填了提交日期的预算",
                     "本期完成兩級審批、填了提交日期的預算",
                     "budgets whose second approval fell in the period and that have a "
                     "submission date"),
        good=L("提交到两级审批都完成的平均工作日数，不超过 {budget_approval_workdays} 个工作日",
               "提交到兩級審批都完成的平均工作日數，不超過 {budget_approval_workdays} 個工作日",
               "mean working days from submission to the second approval, at most "
               "{budget_approval_workdays} working days"),
        target="budget_approval_workdays", measure=M.MEAN_DAYS,
        numbers=("budget_approval_workdays",),
    ),
    KpiSpec(
        "asset_good_rate",
        L("物资完好率", "物資完好率", "Assets in good condition"),
        population=L("本期盘点过的物资（取最近一次）", "本期盤點過的物資（取最近一次）",
                     "assets counted in the period (latest count)"),
        good=L("在库且完好", "在庫且完好", "found and in good condition"),
        target=0.98,
    ),
    KpiSpec(
        "stocktake_coverage",
        L("物资盘点覆盖率", "物資盤點覆蓋率", "Stocktake coverage"),
        population=L("台账中未报废的物资", "台賬中未報廢的物資",
                     "inventory items not written off"),
        good=L("本期盘点过（有盘点记录）", "本期盤點過（有盤點記錄）",
               "counted in the period (a stocktake row)"),
        target=1.0,
    ),
    KpiSpec(
        "stocktake_accuracy",
        L("物资盘点账实相符率", "物資盤點賬實相符率", "Stocktake accuracy"),
        population=L("本期盘点过的物资（取最近一次）", "本期盤點過的物資（取最近一次）",
                     "items counted in the period (latest count)"),
        good=L("最近一次盘点在库", "最近一次盤點在庫", "found at the latest count"),
        target=0.99,
    ),
    KpiSpec(
        "loan_record_complete",
        L("借用登记完整率", "借用登記完整率", "Complete loan records"),
        population=L("本期借出的借用记录", "本期借出的借用記錄", "loans made in the period"),
        good=L("借用人、电话、日期、经手人齐全，已还的填了归还状况",
               "借用人、電話、日期、經手人齊全，已還的填了歸還狀況",
               "borrower, phone, dates and handler present; returns have a condition"),
        target=1.0,
    ),
    KpiSpec(
        "training_attendance",
        L("培训出勤率", "培訓出勤率", "Training attendance"),
        population=L("本期培训的考勤记录", "本期培訓的考勤記錄",
                     "training attendance rows in the period"),
        good=L("出勤或迟到", "出勤或遲到", "present or late"),
        target=0.90,
    ),
    KpiSpec(
        "task_on_time",
        L("任务按时完成率", "任務準時完成率", "Tasks on time"),
        population=L("本期到期的任务", "本期到期的任務", "tasks due in the period"),
        good=L("截止日期前完成且按质", "截止日期前完成且按質", "done by the due date, quality ok"),
        target=0.95,
    ),
    KpiSpec(
        "case_response_24h",
        L("权益案件 {case_response_hours} 小时响应率", "權益案件 {case_response_hours} 小時回應率",
          "Cases answered within {case_response_hours} h"),
        population=L("本期受理、回复期限已到的案件", "本期受理、回覆期限已到的案件",
                     "cases received in the period whose response deadline has passed"),
        good=L("受理后 {case_response_hours} 小时内首次回复",
               "受理後 {case_response_hours} 小時內首次回覆",
               "first response within {case_response_hours} h of receipt"),
        target=0.95, numbers=("case_response_hours",),
    ),
    KpiSpec(
        "case_progress_5wd",
        L("权益案件 {case_progress_workdays} 个工作日进展率",
          "權益案件 {case_progress_workdays} 個工作日進展率",
          "Cases progressed within {case_progress_workdays} working days"),
        population=L("本期受理、进展期限已到的案件", "本期受理、進展期限已到的案件",
                     "cases received in the period whose progress deadline has passed"),
        good=L("受理后 {case_progress_workdays} 个工作日内有进展反馈或办结",
               "受理後 {case_progress_workdays} 個工作日內有進展反饋或辦結",
               "progress or resolution within {case_progress_workdays} working days"),
        target=0.95, numbers=("case_progress_workdays",),
    ),
    KpiSpec(
        "case_resolution_rate",
        L("权益案件办结率", "權益案件辦結率", "Cases resolved"),
        population=L("本期受理的案件", "本期受理的案件", "cases received in the period"),
        good=L("已办结或已关闭", "已辦結或已關閉", "resolved or closed"),
        target=0.95,
    ),
    KpiSpec(
        "document_flow_on_time",
        L("公文 {document_flow_hours} 小时流转率", "公文 {document_flow_hours} 小時流轉率",
          "Documents routed within {document_flow_hours} h"),
        population=L("本期收到、流转期限已到的公文", "本期收到、流轉期限已到的公文",
                     "documents received in the period whose routing deadline has passed"),
        good=L("收到后 {document_flow_hours} 小时内流转完成（紧急公文 "
               "{document_flow_urgent_hours} 小时）",
               "收到後 {document_flow_hours} 小時內流轉完成（緊急公文 "
               "{document_flow_urgent_hours} 小時）",
               "routed within {document_flow_hours} h of receipt (urgent ones "
               "{document_flow_urgent_hours} h)"),
        target=0.95, numbers=("document_flow_hours", "document_flow_urgent_hours"),
    ),
    KpiSpec(
        "inquiry_reply_on_time",
        L("咨询与反馈按时答复率", "諮詢與反饋準時答覆率", "Inquiries answered on time"),
        population=L("本期收到、答复期限已到的咨询与反馈", "本期收到、答覆期限已到的諮詢與反饋",
                     "inquiries received in the period whose reply deadline has passed"),
        good=L("咨询 {inquiry_reply_hours} 小时、意见建议与投诉 {feedback_reply_hours} "
               "小时内答复（紧急的 {urgent_reply_hours} 小时）",
               "諮詢 {inquiry_reply_hours} 小時、意見建議與投訴 {feedback_reply_hours} "
               "小時內答覆（緊急的 {urgent_reply_hours} 小時）",
               "questions answered within {inquiry_reply_hours} h, suggestions and "
               "complaints within {feedback_reply_hours} h (urgent ones "
               "{urgent_reply_hours} h)"),
        target=0.95,
        numbers=("inquiry_reply_hours", "feedback_reply_hours", "urgent_reply_hours"),
    ),
    KpiSpec(
        "rectification_rate",
        L("整改按期完成率", "整改按期完成率", "Fixes done on time"),
        population=L("整改期限在本期且已到的整改事项", "整改期限在本期且已到的整改事項",
                     "fixes due in the period, up to today"),
        good=L("整改期限前完成整改", "整改期限前完成整改", "fixed by the due date"),
        target=1.0,
    ),
    KpiSpec(
        "satisfaction_score",
        L("满意度平均分", "滿意度平均分", "Satisfaction score"),
        population=L("本期的满意度调查评价", "本期的滿意度調查評價",
                     "survey responses in the period"),
        good=L("得分折合 5 分制的平均分；低于满分 {satisfaction_floor} 的部门需提交整改方案",
               "得分折合 5 分制的平均分；低於滿分 {satisfaction_floor} 的部門需提交整改方案",
               "mean score on a 5-point scale; a department below {satisfaction_floor} of "
               "full marks owes a rectification plan"),
        target=4.5, measure=M.MEAN_SCORE, numbers=("satisfaction_floor",),
        floor="satisfaction_floor",
    ),
)}
"""Every KPI, in the order dashboards show them."""
