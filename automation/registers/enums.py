"""Enum domains: the values a dropdown offers, with their other-locale spellings.

The canonical value is the Simplified-Chinese one; what officers type in
Traditional Chinese or English is read back to it. An office may replace a
domain's list in `office.toml` (`[enums]`), e.g. its own departments.
"""

from __future__ import annotations

from .schema import Label

DOMAINS: dict[str, tuple[Label, ...]] = {
    "departments": (
        Label("主席团", "主席團", "Presidium"),
        Label("办公室", "辦公室", "General Office"),
        Label("学术发展部", "學術發展部", "Academic Affairs"),
        Label("文体活动部", "文體活動部", "Arts & Sports"),
        Label("权益服务部", "權益服務部", "Student Rights"),
        Label("新媒体中心", "新媒體中心", "New Media Centre"),
    ),
    "roles": (
        Label("主席", "主席", "President"),
        Label("副主席", "副主席", "Vice President"),
        Label("部长", "部長", "Head"),
        Label("副部长", "副部長", "Deputy Head"),
        Label("干事", "幹事", "Officer"),
    ),
    "member_status": (
        Label("在任", "在任", "Active"),
        Label("离任", "離任", "Left"),
    ),
    "activity_kinds": (
        Label("例会", "例會", "Regular meeting"),
        Label("值班", "值班", "Duty"),
        Label("培训", "培訓", "Training"),
        Label("活动", "活動", "Event"),
    ),
    "attendance_status": (
        Label("出勤", "出勤", "Present"),
        Label("迟到", "遲到", "Late"),
        Label("早退", "早退", "Left early"),
        Label("请假", "請假", "On leave"),
        Label("缺勤", "缺勤", "Absent"),
    ),
    "meeting_kinds": (
        Label("例会", "例會", "Regular"),
        Label("重大", "重大", "Major"),
    ),
    "asset_condition": (
        Label("完好", "完好", "Good"),
        Label("损坏", "損壞", "Damaged"),
        Label("维修中", "維修中", "Under repair"),
        Label("报废", "報廢", "Scrapped"),
        Label("遗失", "遺失", "Lost"),
    ),
    "return_condition": (
        Label("完好", "完好", "Good"),
        Label("损坏", "損壞", "Damaged"),
        Label("遗失", "遺失", "Lost"),
    ),
    "expense_status": (
        Label("待审核", "待審核", "Awaiting audit"),
        Label("已审核", "已審核", "Audited"),
        Label("已报销", "已報銷", "Paid"),
        Label("退回", "退回", "Returned"),
    ),
    "case_categories": (
        Label("宿舍", "宿舍", "Dormitory"),
        Label("食堂", "食堂", "Canteen"),
        Label("教务", "教務", "Academic"),
        Label("设施", "設施", "Facilities"),
        Label("安全", "安全", "Safety"),
        Label("其他", "其他", "Other"),
    ),
    "case_levels": (
        Label("院级", "院級", "College"),
        Label("校级", "校級", "University"),
    ),
    "case_status": (
        Label("待受理", "待受理", "New"),
        Label("处理中", "處理中", "In progress"),
        Label("已办结", "已辦結", "Resolved"),
        Label("已关闭", "已關閉", "Closed"),
        Label("已转交", "已轉交", "Referred"),
    ),
    "lost_found_status": (
        Label("待认领", "待認領", "Unclaimed"),
        Label("已认领", "已認領", "Claimed"),
        Label("已移交", "已移交", "Handed over"),
    ),
    "document_directions": (
        Label("收文", "收文", "Incoming"),
        Label("发文", "發文", "Outgoing"),
    ),
    "urgency": (
        Label("普通", "普通", "Normal"),
        Label("紧急", "緊急", "Urgent"),
    ),
    "document_status": (
        Label("待流转", "待流轉", "To route"),
        Label("办理中", "辦理中", "In progress"),
        Label("已办结", "已辦結", "Done"),
    ),
    "inquiry_kinds": (
        Label("咨询", "諮詢", "Question"),
        Label("意见建议", "意見建議", "Suggestion"),
        Label("投诉", "投訴", "Complaint"),
    ),
    "inquiry_status": (
        Label("待回复", "待回覆", "Awaiting reply"),
        Label("已回复", "已回覆", "Replied"),
        Label("整改中", "整改中", "Being fixed"),
        Label("已完结", "已完結", "Closed"),
    ),
    "survey_scales": (
        Label("5", "5", "5"),
        Label("10", "10", "10"),
        Label("100", "100", "100"),
    ),
}

CONFIGURABLE: tuple[str, ...] = ("departments", "roles", "case_categories")
"""Domains an office commonly replaces with its own list."""
