"""物资 Assets: the inventory, its loans and its stocktakes."""

from .roster import MEMBER
from .schema import Kind, NotBefore, Register, RequiredWhen, col, table
from .schema import Label as L

ASSET = "assets.items.asset_tag"

items = table(
    "items", "物资台账", "物資台賬", "Inventory",
    [
        col("asset_tag", "物资编号", "物資編號", "Asset tag", required=True, unique=True,
            aliases=("资产编号", "编号")),
        col("name", "物资名称", "物資名稱", "Item", required=True, width=18,
            aliases=("名称", "资产名称")),
        col("category", "类别", "類別", "Category", width=10),
        col("spec", "规格型号", "規格型號", "Model", width=16, aliases=("规格", "型号")),
        col("quantity", "数量", "數量", "Quantity", Kind.INT, minimum=1, width=8),
        col("unit_price", "单价", "單價", "Unit price", Kind.MONEY, minimum=0, width=10),
        col("purchased_on", "购置日期", "購置日期", "Purchased on", Kind.DATE,
            aliases=("购买日期", "采购日期")),
        col("location", "存放地点", "存放地點", "Location", width=16),
        col("department", "所属部门", "所屬部門", "Department", Kind.ENUM, enum="departments",
            aliases=("部门",)),
        col("custodian_id", "保管人学号", "保管人學號", "Custodian ID", ref=MEMBER),
        col("condition", "状况", "狀況", "Condition", Kind.ENUM, required=True,
            enum="asset_condition", width=8, aliases=("状态",)),
        col("next_audit_on", "下次盘点日期", "下次盤點日期", "Next stocktake", Kind.DATE),
    ],
    aliases=("物资", "资产台账", "物资清单", "Assets"),
)

loans = table(
    "loans", "借用登记", "借用登記", "Loans",
    [
        col("loan_id", "借用单号", "借用單號", "Loan ID", required=True, unique=True,
            aliases=("借用编号", "单号")),
        col("asset_tag", "物资编号", "物資編號", "Asset tag", required=True, ref=ASSET),
        col("borrower", "借用人", "借用人", "Borrower", required=True, pii=True, width=10),
        col("borrower_id", "借用人学号", "借用人學號", "Borrower ID", ref=MEMBER),
        col("borrower_phone", "联系电话", "聯繫電話", "Borrower phone", Kind.PHONE,
            required=True, pii=True, aliases=("电话", "手机号", "联系方式")),
        col("purpose", "用途", "用途", "Purpose", width=18),
        col("borrowed_on", "借出日期", "借出日期", "Borrowed on", Kind.DATE, required=True,
            aliases=("借用日期",)),
        col("due_on", "应还日期", "應還日期", "Due on", Kind.DATE, required=True,
            aliases=("归还期限", "预计归还日期")),
        col("returned_on", "归还日期", "歸還日期", "Returned on", Kind.DATE,
            aliases=("实际归还日期",)),
        col("return_condition", "归还状况", "歸還狀況", "Returned in", Kind.ENUM,
            enum="return_condition", width=10),
        col("handled_by", "经手人学号", "經手人學號", "Handled by (ID)", required=True,
            ref=MEMBER),
    ],
    [
        NotBefore("due_on", "borrowed_on"),
        NotBefore("returned_on", "borrowed_on"),
        RequiredWhen("return_condition", "returned_on"),
    ],
    aliases=("借用记录", "借还登记", "借用"),
)

stocktakes = table(
    "stocktakes", "盘点记录", "盤點記錄", "Stocktakes",
    [
        col("checked_on", "盘点日期", "盤點日期", "Checked on", Kind.DATE, required=True),
        col("asset_tag", "物资编号", "物資編號", "Asset tag", required=True, ref=ASSET),
        col("found", "是否在库", "是否在庫", "Found", Kind.BOOL, required=True, width=10),
        col("condition", "状况", "狀況", "Condition", Kind.ENUM, enum="asset_condition",
            width=8),
        col("checked_by", "盘点人学号", "盤點人學號", "Checked by (ID)", ref=MEMBER),
    ],
    aliases=("盘点", "盘点表"),
)

ASSETS = Register("assets", L("物资", "物資", "Assets"), (items, loans, stocktakes))
