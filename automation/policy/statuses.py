"""The status values the rules and KPIs read, named once. They are canonical values of the
registers' enum domains (`automation/registers/enums.py`), which is where their labels in
the three locales live."""

from __future__ import annotations

OPEN_CASE = ("待受理", "处理中")
"""A case still on the office's desk: chased for a response and for progress."""
REFERRED_CASE = "已转交"
"""A case handed to another level: followed up until its outcome is known."""
RESOLVED_CASE = ("已办结", "已关闭")
AWAITING_AUDIT = "待审核"
PAID_EXPENSE = "已报销"
RETURNED_EXPENSE = "退回"
"""A claim sent back: its money is not spent against the budget."""
GOOD_ATTENDANCE = ("出勤", "迟到")
TRAINING = "培训"
MAJOR_MEETING = "重大"
GOOD_CONDITION = "完好"
SCRAPPED = "报废"
"""An item written off: out of the asset report's cost and book value, and no longer
counted at a stocktake."""
UNCLAIMED = "待认领"
"""A lost-and-found item waiting for its owner: on the public notice, and after
lost_found_transfer_days handed to the school's lost-and-found."""
HANDED_OVER = "已移交"
DOCUMENT_TO_ROUTE = "待流转"
"""A document received and not yet delivered to whoever must act: chased by the hour."""
DOCUMENT_DONE = "已办结"
URGENT = "紧急"
"""The urgency of a document routed within document_flow_urgent_hours."""
AWAITING_REPLY = "待回复"
QUESTION = "咨询"
"""The inquiry kind answered within inquiry_reply_hours."""
FEEDBACK = ("意见建议", "投诉")
"""The inquiry kinds answered within feedback_reply_hours."""
SERVING = "在任"
LEFT = "离任"

NOTICE_HEADS_UP_HOURS = 24
"""meeting_notice_due starts this many hours before the notice deadline (RULES.md)."""
