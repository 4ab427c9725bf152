"""权益与事务 Cases: student-rights cases and the lost-and-found book."""

from .roster import MEMBER
from .schema import Kind, NotBefore, Register, StatusNeeds, col, table
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

CASES = Register("cases", L("权益与事务", "權益與事務", "Cases"), (cases, lost_found))
