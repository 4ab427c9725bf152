"""权益与事务 Cases: student-rights cases, the lost-and-found book, and the office's affairs:
document flow, inquiries with their fixes, satisfaction surveys."""

from .roster import MEMBER
from .schema import Kind, NotAbove, NotBefore, Register, RequiredWhen, StatusNeeds, col, table
from .schema import Label as L

cases = table(
    "cases", "权益案件", "權益案件", "Rights cases",
    [
        col("case_id", "案件编号", "案件編號", "Case ID", required=True, unique=True),
        col("received_at", "受理时间", "受理時間", "Received at", Kind.DATETIME, required=True,
            width=18),
        col("channel", "反映渠道", "反映渠道", "Channel", width=10),
        col("category", "类别", "類別", "Category", Kind.ENUM, enum="case_categories",
            width=8),
        col("summary", "诉求摘要", "訴求摘要", "Summary", required=True, width=30),
        col("reporter", "反映人", "反映人", "Reporter", pii=True, width=10),
        col("reporter_contact", "联系方式", "聯繫方式", "Reporter contact", pii=True,
            width=16),
        col("level", "层级", "層級", "Level", Kind.ENUM, enum="case_levels", width=8),
        col("handler_id", "承办人学号", "承辦人學號", "Handler ID", required=True, ref=MEMBER),
        col("first_response_at", "首次回复时间", "首次回覆時間", "First response at",
            Kind.DATETIME, width=18),
        col("progress_at", "进展反馈时间", "進展反饋時間", "Progress reported at",
            Kind.DATETIME, width=18),
        col("resolved_at", "办结时间", "辦結時間", "Resolved at", Kind.DATETIME, width=18),
        col("status", "状态", "狀態", "Status", Kind.ENUM, required=True, enum="case_status",
            width=8),
        col("resolution", "处理结果", "處理結果", "Resolution", width=24),
    ],
    [
        NotBefore("first_response_at", "received_at"),
        NotBefore("progress_at", "received_at"),
        NotBefore("resolved_at", "received_at"),
        StatusNeeds("status", "已办结", "resolved_at"),
    ],
    aliases=("权益", "案件", "权益案件登记"),
)

lost_found = table(
    "lost_found", "失物招领", "失物招領", "Lost and found",
    [
        col("item_id", "登记编号", "登記編號", "Entry ID", required=True, unique=True),
        col("found_on", "拾获日期", "拾獲日期", "Found on", Kind.DATE, required=True),
        col("place", "拾获地点", "拾獲地點", "Found at", width=16),
        col("description", "物品描述", "物品描述", "Description", required=True, width=24),
        col("status", "状态", "狀態", "Status", Kind.ENUM, required=True,
            enum="lost_found_status", width=8),
        col("claimed_on", "认领日期", "認領日期", "Claimed on", Kind.DATE),
        col("claimant", "认领人", "認領人", "Claimant", pii=True, width=10),
    ],
    [NotBefore("claimed_on", "found_on")],
    aliases=("失物", "失物招领登记"),
)

documents = table(
    "documents", "公文流转", "公文流轉", "Document flow",
    [
        col("doc_id", "文件编号", "文件編號", "Document ID", required=True, unique=True,
            aliases=("文号",)),
        col("title", "文件标题", "文件標題", "Title", required=True, width=30,
            aliases=("标题", "文件名称")),
        col("direction", "收发类型", "收發類型", "Direction", Kind.ENUM, required=True,
            enum="document_directions", width=8),
        col("urgency", "紧急程度", "緊急程度", "Urgency", Kind.ENUM, required=True,
            enum="urgency", width=8),
        col("received_at", "收到时间", "收到時間", "Received at", Kind.DATETIME, required=True,
            width=18, aliases=("收文时间", "来文时间", "接收时间")),
        col("handler_id", "承办人学号", "承辦人學號", "Handler ID", required=True, ref=MEMBER),
        col("forwarded_at", "流转完成时间", "流轉完成時間", "Routed at", Kind.DATETIME,
            width=18, aliases=("流转时间", "转交时间", "分发时间")),
        col("due_on", "办理期限", "辦理期限", "Due on", Kind.DATE,
            aliases=("办理时限", "截止日期")),
        col("done_on", "办结日期", "辦結日期", "Done on", Kind.DATE,
            aliases=("办结时间", "完成日期")),
        col("status", "状态", "狀態", "Status", Kind.ENUM, required=True,
            enum="document_status", width=8),
    ],
    [
        NotBefore("forwarded_at", "received_at"),
        NotBefore("due_on", "received_at"),
        NotBefore("done_on", "received_at"),
        StatusNeeds("status", "已办结", "done_on"),
    ],
    aliases=("公文", "收发文", "收发文登记", "公文流转登记"),
)

inquiries = table(
    "inquiries", "咨询与反馈", "諮詢與反饋", "Inquiries",
    [
        col("inquiry_id", "编号", "編號", "Inquiry ID", required=True, unique=True),
        col("received_at", "收到时间", "收到時間", "Received at", Kind.DATETIME, required=True,
            width=18),
        col("kind", "类型", "類型", "Kind", Kind.ENUM, required=True, enum="inquiry_kinds",
            width=10),
        col("urgent", "是否紧急", "是否緊急", "Urgent", Kind.BOOL, width=8),
        col("channel", "渠道", "渠道", "Channel", width=10),
        col("summary", "内容摘要", "內容摘要", "Summary", required=True, width=30),
        col("asker", "提出人", "提出人", "Asked by", pii=True, width=10),
        col("asker_contact", "联系方式", "聯繫方式", "Contact", pii=True, width=16),
        col("handler_id", "承办人学号", "承辦人學號", "Handler ID", required=True, ref=MEMBER),
        col("replied_at", "回复时间", "回覆時間", "Replied at", Kind.DATETIME, width=18,
            aliases=("答复时间", "回复日期")),
        col("needs_fix", "需要整改", "需要整改", "Needs a fix", Kind.BOOL, width=8,
            aliases=("是否整改", "是否需要整改")),
        col("fix_due_on", "整改期限", "整改期限", "Fix due on", Kind.DATE,
            aliases=("整改截止日期", "整改时限")),
        col("fixed_on", "整改完成日期", "整改完成日期", "Fixed on", Kind.DATE,
            aliases=("整改完成时间", "完成整改日期")),
        col("status", "状态", "狀態", "Status", Kind.ENUM, required=True,
            enum="inquiry_status", width=8),
    ],
    [
        NotBefore("replied_at", "received_at"),
        NotBefore("fixed_on", "received_at"),
        RequiredWhen("fix_due_on", "needs_fix"),
    ],
    aliases=("咨询", "反馈", "意见反馈", "咨询反馈", "整改台账"),
)

surveys = table(
    "surveys", "满意度调查", "滿意度調查", "Satisfaction surveys",
    [
        col("survey_id", "调查名称", "調查名稱", "Survey", required=True, width=18),
        col("date", "调查日期", "調查日期", "Date", Kind.DATE, required=True),
        col("department", "被评部门", "被評部門", "Department rated", Kind.ENUM,
            required=True, enum="departments"),
        col("respondent", "评价人", "評價人", "Respondent", pii=True, width=10),
        col("score", "得分", "得分", "Score", Kind.NUMBER, required=True, minimum=0, width=8,
            aliases=("评分", "分数")),
        col("scale", "满分", "滿分", "Full marks", Kind.ENUM, enum="survey_scales", width=8,
            aliases=("总分", "分制")),
        col("comment", "意见", "意見", "Comment", width=30),
    ],
    [NotAbove("score", "scale", default=5)],
    aliases=("满意度", "满意度测评", "测评"),
)

CASES = Register("cases", L("权益与事务", "權益與事務", "Cases"),
                 (cases, lost_found, documents, inquiries, surveys))
