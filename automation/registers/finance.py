"""财务 Finance: activity budgets and the reimbursements against them."""

from .roster import MEMBER
from .schema import Kind, NotBefore, NotBeforeReferenced, Register, StatusNeeds, col, table
from .schema import Label as L

budgets = table(
    "budgets", "活动预算", "活動預算", "Budgets",
    [
        col("budget_id", "预算编号", "預算編號", "Budget ID", required=True, unique=True),
        col("activity", "活动名称", "活動名稱", "Activity", required=True, width=22),
        col("department", "部门", "部門", "Department", Kind.ENUM, required=True,
            enum="departments"),
        col("amount", "预算金额", "預算金額", "Amount", Kind.MONEY, required=True, minimum=0,
            exclusive=True, width=12),
        col("presidium_approved_on", "主席团审批日期", "主席團審批日期",
            "Presidium approved on", Kind.DATE, width=16),
        col("advisor_approved_on", "指导老师审批日期", "指導老師審批日期",
            "Advisor approved on", Kind.DATE, width=16),
        col("period", "学期", "學期", "Period", width=12),
        col("submitted_on", "提交审批日期", "提交審批日期", "Submitted for approval on",
            Kind.DATE, width=14),
    ],
    [
        NotBefore("presidium_approved_on", "submitted_on"),
        NotBefore("advisor_approved_on", "submitted_on"),
    ],
    aliases=("预算", "预算表"),
)

expenses = table(
    "expenses", "报销明细", "報銷明細", "Expenses",
    [
        col("expense_id", "报销单号", "報銷單號", "Expense ID", required=True, unique=True,
            aliases=("报销编号", "单号")),
        col("budget_id", "预算编号", "預算編號", "Budget ID", required=True,
            ref="finance.budgets.budget_id"),
        col("item", "支出事项", "支出事項", "Item", required=True, width=22,
            aliases=("事项", "支出内容")),
        col("amount", "金额", "金額", "Amount", Kind.MONEY, required=True, minimum=0,
            exclusive=True, width=12, aliases=("报销金额", "支出金额")),
        col("spent_on", "支出日期", "支出日期", "Spent on", Kind.DATE, required=True),
        col("submitted_on", "提交日期", "提交日期", "Submitted on", Kind.DATE),
        col("claimant_id", "经办人学号", "經辦人學號", "Claimant ID", required=True, ref=MEMBER),
        col("receipts_ok", "票据齐全", "票據齊全", "Receipts complete", Kind.BOOL, width=10),
        col("approver_id", "审核人学号", "審核人學號", "Approver ID", ref=MEMBER),
        col("approved_on", "审核日期", "審核日期", "Approved on", Kind.DATE),
        col("paid_on", "报销日期", "報銷日期", "Paid on", Kind.DATE),
        col("status", "状态", "狀態", "Status", Kind.ENUM, required=True,
            enum="expense_status", width=10),
    ],
    [
        NotBefore("submitted_on", "spent_on"),
        NotBefore("approved_on", "submitted_on"),
        NotBefore("paid_on", "approved_on"),
        StatusNeeds("status", "已审核", "approved_on"),
        StatusNeeds("status", "已报销", "approved_on"),
        StatusNeeds("status", "已报销", "paid_on"),
        NotBeforeReferenced(("spent_on", "paid_on"), "budget_id",
                            ("presidium_approved_on", "advisor_approved_on"),
                            code="before_approval"),
    ],
    aliases=("报销", "报销记录", "支出明细"),
)

FINANCE = Register("finance", L("财务", "財務", "Finance"), (budgets, expenses))
