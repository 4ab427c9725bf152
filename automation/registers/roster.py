"""名册 Roster: the members, their attendance, their tasks and meetings."""

from .schema import Kind, NotBefore, Register, StatusNeeds, col, table
from .schema import Label as L

MEMBER = "roster.members.member_id"

members = table(
    "members", "成员", "成員", "Members",
    [
        col("member_id", "学号", "學號", "Student ID", required=True, unique=True,
            aliases=("学生证号", "Student No.", "ID")),
        col("name", "姓名", "姓名", "Name", required=True, width=10),
        col("college", "学院", "學院", "College", width=16),
        col("department", "部门", "部門", "Department", Kind.ENUM, required=True,
            enum="departments"),
        col("role", "职务", "職務", "Role", Kind.ENUM, required=True, enum="roles", width=10),
        col("phone", "手机号", "手機號", "Mobile", Kind.PHONE, pii=True,
            aliases=("手机", "电话", "联系电话", "手機號碼", "Phone")),
        col("email", "邮箱", "郵箱", "Email", Kind.EMAIL, pii=True, width=24,
            aliases=("电子邮箱", "電子郵件", "E-mail")),
        col("joined_on", "入职日期", "入職日期", "Joined on", Kind.DATE,
            aliases=("加入日期", "入会日期")),
        col("left_on", "离任日期", "離任日期", "Left on", Kind.DATE),
        col("mentor_id", "导师学号", "導師學號", "Mentor ID", ref=MEMBER),
        col("status", "状态", "狀態", "Status", Kind.ENUM, required=True,
            enum="member_status", width=8),
    ],
    [NotBefore("left_on", "joined_on"), StatusNeeds("status", "离任", "left_on")],
    aliases=("名册", "成员名单", "名單", "Roster"),
)

attendance = table(
    "attendance", "考勤", "考勤", "Attendance",
    [
        col("date", "日期", "日期", "Date", Kind.DATE, required=True),
        col("session", "活动名称", "活動名稱", "Session", required=True, width=20),
        col("kind", "类型", "類型", "Kind", Kind.ENUM, required=True, enum="activity_kinds",
            width=8),
        col("member_id", "学号", "學號", "Student ID", required=True, ref=MEMBER),
        col("status", "出勤情况", "出勤情況", "Attendance", Kind.ENUM, required=True,
            enum="attendance_status", width=10),
    ],
    aliases=("考勤记录", "签到表", "出勤"),
)

tasks = table(
    "tasks", "任务", "任務", "Tasks",
    [
        col("task_id", "任务编号", "任務編號", "Task ID", required=True, unique=True),
        col("title", "任务内容", "任務內容", "Task", required=True, width=28),
        col("owner_id", "负责人学号", "負責人學號", "Owner ID", required=True, ref=MEMBER),
        col("department", "部门", "部門", "Department", Kind.ENUM, enum="departments"),
        col("assigned_on", "布置日期", "布置日期", "Assigned on", Kind.DATE),
        col("due_on", "截止日期", "截止日期", "Due on", Kind.DATE, required=True),
        col("done_on", "完成日期", "完成日期", "Done on", Kind.DATE),
        col("quality_ok", "按质完成", "按質完成", "Quality OK", Kind.BOOL, width=10),
    ],
    [NotBefore("due_on", "assigned_on")],
    aliases=("任务清单", "工作任务"),
)

meetings = table(
    "meetings", "会议", "會議", "Meetings",
    [
        col("meeting_id", "会议编号", "會議編號", "Meeting ID", required=True, unique=True),
        col("title", "会议名称", "會議名稱", "Title", required=True, width=24),
        col("kind", "会议类型", "會議類型", "Kind", Kind.ENUM, required=True,
            enum="meeting_kinds", width=10),
        col("organizer_id", "组织人学号", "組織人學號", "Organizer ID", ref=MEMBER),
        col("notice_at", "通知时间", "通知時間", "Notice sent at", Kind.DATETIME, width=18),
        col("start_at", "开会时间", "開會時間", "Starts at", Kind.DATETIME, required=True,
            width=18),
        col("minutes_at", "纪要发布时间", "紀要發布時間", "Minutes published at",
            Kind.DATETIME, width=18),
    ],
    [NotBefore("start_at", "notice_at"), NotBefore("minutes_at", "start_at")],
    aliases=("会议记录", "例会"),
)

ROSTER = Register("roster", L("名册", "名冊", "Roster"), (members, attendance, tasks, meetings))
