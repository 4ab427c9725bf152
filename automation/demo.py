"""A believable semester of a Chinese student union, for `clerk demo` and `clerk init --demo`.

Deterministic for a given `today`: the semester runs up to it. The data is
messy the way real registers are (a title row, dates typed as text, ids that
became numbers, ¥ amounts, a 备注 column) yet valid, except for a handful of
realistic mistakes (PLANTED) so the demo has something to show.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from .policy import DEFAULT_POLICY
from .policy.statuses import MAJOR_MEETING
from .templates import SheetData

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
    "龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤"
)
GIVEN = [
    "子涵",
    "欣怡",
    "梓萱",
    "思远",
    "浩然",
    "雨桐",
    "宇轩",
    "一诺",
    "佳怡",
    "俊杰",
    "诗涵",
    "明轩",
    "若汐",
    "博文",
    "晨曦",
    "嘉怡",
    "子墨",
    "天佑",
    "可馨",
    "文博",
    "思琪",
    "皓轩",
    "欣然",
    "梦瑶",
    "泽宇",
    "语桐",
    "志强",
    "晓峰",
    "佳琪",
    "婉清",
    "昊天",
    "静怡",
    "宏伟",
    "雅琴",
    "振宇",
    "书瑶",
    "凯文",
    "梓睿",
    "紫涵",
]
COLLEGES = [
    "计算机学院",
    "经济管理学院",
    "外国语学院",
    "机械工程学院",
    "文学院",
    "数学学院",
    "化学化工学院",
    "法学院",
]
DEPARTMENTS = ["办公室", "学术发展部", "文体活动部", "权益服务部", "新媒体中心"]
ASSETS = [
    ("音响", "音响设备", "JBL EON712", 3200),
    ("无线麦克风", "音响设备", "舒尔 BLX24", 1280),
    ("投影仪", "电子设备", "爱普生 CB-X06", 3599),
    ("笔记本电脑", "电子设备", "联想 小新 Pro14", 4999),
    ("单反相机", "电子设备", "佳能 EOS 90D", 7299),
    ("三脚架", "摄影器材", "思锐 T-025X", 399),
    ("帐篷", "活动物资", "3×3 米折叠帐篷", 560),
    ("展板", "活动物资", "120×240 cm", 180),
    ("对讲机", "电子设备", "摩托罗拉 T62", 420),
    ("扩音器", "音响设备", "先科 手持", 129),
    ("折叠桌", "活动物资", "1.8 米", 210),
    ("横幅", "宣传物资", "红底白字 8 米", 85),
    ("移动电源", "电子设备", "小米 20000mAh", 149),
    ("激光笔", "电子设备", "罗技 R500", 169),
    ("打印机", "办公设备", "惠普 M1136", 1399),
    ("碎纸机", "办公设备", "得力 9911", 499),
]
LOCATIONS = ["学生活动中心 201", "学生活动中心 203 储藏室", "行政楼 B105", "体育馆器材室"]
PURPOSES = [
    "迎新晚会",
    "社团招新",
    "学术讲座",
    "篮球联赛",
    "志愿服务",
    "新媒体拍摄",
    "部门例会",
    "心理健康周",
    "宿舍文化节",
    "十佳歌手比赛",
]
CASE_SUMMARIES = [
    ("宿舍", "宿舍楼热水供应时间太短，晚上十点后没有热水"),
    ("食堂", "二食堂窗口价格上涨且份量减少"),
    ("教务", "选课系统高峰期无法登录"),
    ("设施", "图书馆三楼自习室空调不制冷"),
    ("安全", "东门外夜间路灯损坏"),
    ("宿舍", "宿舍网络晚上经常断线"),
    ("食堂", "食堂就餐高峰排队过长"),
    ("教务", "期末考试时间冲突"),
    ("设施", "体育馆淋浴间漏水"),
    ("其他", "校园快递点取件排队太久"),
]
LOST_ITEMS = [
    "黑色雨伞",
    "校园卡",
    "蓝牙耳机",
    "保温杯",
    "U 盘 32G",
    "学生证",
    "钥匙串",
    "笔记本",
    "眼镜盒",
    "充电宝",
]
DOCUMENT_TITLES = [
    "关于做好学生宿舍安全检查工作的通知",
    "关于开展秋季学期学生干部培训的通知",
    "关于报送优秀学生干部名单的通知",
    "关于组织参加校园文化艺术节的函",
    "关于规范学生组织经费使用的通知",
    "学生会第{n}周工作简报",
    "关于征集学生代表大会提案的通知",
    "关于做好节假日期间安全稳定工作的通知",
    "学院团委关于志愿服务时长认定的函",
    "关于更新学生会成员信息的通知",
]
INQUIRY_SUMMARIES = [
    ("咨询", "奖学金评定什么时候开始"),
    ("咨询", "学生会招新还有名额吗"),
    ("咨询", "社团活动场地怎么预约"),
    ("意见建议", "希望延长自习室开放时间"),
    ("意见建议", "建议在食堂增加清真窗口"),
    ("意见建议", "建议公众号提前发布活动通知"),
    ("投诉", "二食堂窗口排队过长"),
    ("投诉", "活动中心借用的话筒不好用"),
    ("投诉", "晚会门票发放不透明"),
]
SURVEY_COMMENTS = ["响应及时", "活动组织有序", "希望多听学生意见", "通知发得太晚", "", "", ""]
PLACES = ["图书馆二楼", "一食堂", "教学楼 A203", "体育馆", "学生活动中心", "操场看台"]

PLANTED = (
    "loan due before it was borrowed",
    "loan returned without a return condition",
    "attendance of a 学号 not in the roster",
    "duplicate asset tag",
    "expense 已报销 without a payment date",
    "case received on 2025-11-31-style impossible date",
    "member phone with 10 digits",
    "budget amount typed as 待定",
    "inquiry needing a fix without a fix deadline",
    "survey score above its full marks",
    "expense spent before its budget's second approval (a warning)",
)
"""The deliberate mistakes the demo office carries, one finding each (at least)."""


@dataclass
class Member:
    member_id: str
    name: str
    department: str
    role: str
    phone: str


def _semester_window(today: date) -> tuple[date, date]:
    """About eleven weeks of records before today, and a few weeks ahead."""
    return today - timedelta(days=77), today + timedelta(days=21)


class _Builder:
    def __init__(self, today: date, seed: int = 20250901) -> None:
        self.today = today
        self.rng = random.Random(f"{seed}-{today.isoformat()}")
        self.start, self.end = _semester_window(today)
        self.members: list[Member] = []

    def day(self, lo: date | None = None, hi: date | None = None) -> date:
        lo = lo or self.start
        hi = hi or self.today
        return lo + timedelta(days=self.rng.randint(0, max((hi - lo).days, 0)))

    def when(self, d: date, hour_lo: int = 8, hour_hi: int = 21) -> datetime:
        return datetime.combine(
            d,
            time(
                self.rng.randint(hour_lo, hour_hi), self.rng.choice([0, 10, 15, 20, 30, 40, 45, 50])
            ),
        )

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    def phone(self) -> str:
        rng = self.rng
        return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"

    def as_text_date(self, d: date) -> str:
        """Dates as officers type them when the cell is not a date cell."""
        style = self.rng.randrange(3)
        if style == 0:
            return f"{d.year}/{d.month}/{d.day}"
        if style == 1:
            return f"{d.year}.{d.month}.{d.day}"
        return f"{d.year}年{d.month}月{d.day}日"

    # -- roster ---------------------------------------------------------------------

    def roster(self) -> dict[str, SheetData]:
        rng = self.rng
        year = self.today.year
        rows: list[dict[str, Any]] = []
        serial = 0

        def add(department: str, role: str) -> Member:
            nonlocal serial
            serial += 1
            grade = year - (2 if role in ("主席", "副主席", "部长") else 1)
            member = Member(
                f"{grade}{rng.randint(10, 99):02d}{serial:04d}",
                self.name(),
                department,
                role,
                self.phone(),
            )
            self.members.append(member)
            rows.append(
                {
                    "member_id": member.member_id,
                    "name": member.name,
                    "college": rng.choice(COLLEGES),
                    "department": department,
                    "role": role,
                    "phone": member.phone
                    if serial % 4
                    else f"{member.phone[:3]}-{member.phone[3:7]}-{member.phone[7:]}",
                    "email": f"{member.member_id}@stu.example.edu.cn",
                    "joined_on": date(grade, 9, rng.randint(10, 25)),
                    "status": "在任",
                }
            )
            return member

        add("主席团", "主席")
        add("主席团", "副主席")
        add("主席团", "副主席")
        for department in DEPARTMENTS:
            add(department, "部长")
            add(department, "副部长")
            for _ in range(rng.randint(3, 5)):
                add(department, "干事")
        leaver = rows[-1]
        leaver["status"] = "离任"
        leaver["left_on"] = self.day(self.start, self.today - timedelta(days=10))
        heads = {m.department: m.member_id for m in self.members if m.role == "部长"}
        for row in rows:
            if row["role"] == "干事":
                row["mentor_id"] = heads[row["department"]]
        rows[7]["phone"] = rows[7]["phone"].replace("-", "")[:10]  # PLANTED: 10 digits

        attendance: list[dict[str, Any]] = []
        monday = self.start + timedelta(days=(7 - self.start.weekday()) % 7)
        week = 0
        while monday <= self.today:
            week += 1
            for member in self.members:
                status = rng.choices(["出勤", "迟到", "请假", "缺勤"], [90, 5, 4, 1])[0]
                member_id: Any = member.member_id
                if rng.random() < 0.15:
                    member_id = float(member.member_id)  # the spreadsheet made it a number
                attendance.append(
                    {
                        "date": monday,
                        "session": f"第{week}周例会",
                        "kind": "例会",
                        "member_id": member_id,
                        "status": status,
                    }
                )
            if week in (2, 6):
                for member in self.members:
                    attendance.append(
                        {
                            "date": monday + timedelta(days=2),
                            "session": "新干事培训",
                            "kind": "培训",
                            "member_id": member.member_id,
                            "status": rng.choices(["出勤", "迟到", "请假"], [85, 8, 7])[0],
                        }
                    )
            monday += timedelta(days=7)
        attendance.append(
            {
                "date": monday - timedelta(days=7),
                "session": "第1周例会",
                "kind": "例会",
                "member_id": "2099990001",
                "status": "出勤",
            }
        )  # PLANTED: unknown 学号

        tasks: list[dict[str, Any]] = []
        for n in range(1, 31):
            owner = rng.choice(self.members)
            assigned = self.day(self.start, self.today - timedelta(days=3))
            due = assigned + timedelta(days=rng.randint(3, 21))
            done = None
            if due <= self.today or rng.random() < 0.4:
                done = due + timedelta(days=rng.choice([-3, -2, -1, 0, 0, 0, 1, 2]))
                done = done if done <= self.today else None
            tasks.append(
                {
                    "task_id": f"RW{self.today.year % 100:02d}{n:03d}",
                    "title": rng.choice(["整理", "策划", "撰写", "统计", "布置"])
                    + rng.choice(PURPOSES)
                    + rng.choice(["方案", "物资清单", "推送", "总结", "场地"]),
                    "owner_id": owner.member_id,
                    "department": owner.department if owner.department != "主席团" else "办公室",
                    "assigned_on": assigned,
                    "due_on": due,
                    "done_on": done,
                    "quality_ok": None if done is None else rng.choice(["是"] * 9 + ["否"]),
                }
            )

        meetings: list[dict[str, Any]] = []
        secretary = next(m for m in self.members if m.department == "办公室")
        d = monday - timedelta(days=7 * week)
        for n in range(1, week + 3):
            start = self.when(d + timedelta(days=7 * (n - 1)), 19, 19)
            kind = "重大" if n in (3, 8) else "例会"
            lead = DEFAULT_POLICY.hours("meeting_notice_major_hours" if kind == MAJOR_MEETING
                                        else "meeting_notice_hours")
            notice = start - lead - timedelta(hours=rng.choice([0, 2, 5, 20]))
            if n == 5:
                notice = start - timedelta(hours=30)  # a late notice: shows up in KPIs
            minutes = start + timedelta(hours=rng.choice([3, 20, 26, 40, 60]))
            ahead = start.date() > self.today
            meetings.append(
                {
                    "meeting_id": f"HY{self.today.year % 100:02d}{n:03d}",
                    "title": "全体例会"
                    if kind == "例会"
                    else rng.choice(["换届筹备会", "年度预算审议会"]),
                    "kind": kind,
                    "organizer_id": secretary.member_id,
                    "notice_at": None if ahead and n == week + 2 else notice,
                    "start_at": start,
                    "minutes_at": None if ahead or (minutes.date() > self.today) else minutes,
                }
            )
        return {
            "members": SheetData(rows),
            "attendance": SheetData(attendance),
            "tasks": SheetData(tasks),
            "meetings": SheetData(meetings),
        }

    # -- assets ---------------------------------------------------------------------

    def assets(self) -> dict[str, SheetData]:
        rng = self.rng
        items: list[dict[str, Any]] = []
        tags: list[str] = []
        for n in range(1, 41):
            name, category, spec, price = ASSETS[(n - 1) % len(ASSETS)]
            tag = f"XSH-{(category[:2] == '音响' and 'YX') or 'WZ'}-{n:03d}"
            tags.append(tag)
            custodian = rng.choice(self.members)
            items.append(
                {
                    "asset_tag": tag,
                    "name": name,
                    "category": category,
                    "spec": spec,
                    "quantity": rng.choice([1, 1, 1, 2, 4, 10]) if category == "活动物资" else 1,
                    "unit_price": f"¥{price:,.2f}" if n % 3 == 0 else float(price),
                    "purchased_on": date(
                        self.today.year - rng.randint(1, 4), rng.randint(1, 12), 15
                    ),
                    "location": rng.choice(LOCATIONS),
                    "department": custodian.department
                    if custodian.department != "主席团"
                    else "办公室",
                    "custodian_id": custodian.member_id,
                    "condition": rng.choices(["完好", "损坏", "维修中"], [92, 5, 3])[0],
                    "next_audit_on": self.today + timedelta(days=rng.randint(-5, 60)),
                }
            )
        items[-1]["asset_tag"] = items[-2]["asset_tag"]  # PLANTED: duplicate tag

        loans: list[dict[str, Any]] = []
        handlers = [m for m in self.members if m.department == "办公室"]
        for n in range(1, 61):
            borrowed = self.day()
            due = borrowed + timedelta(days=rng.choice([1, 2, 3, 7, 14]))
            returned: date | None = None
            if due < self.today and rng.random() < 0.85:
                returned = due + timedelta(days=rng.choice([-1, 0, 0, 0, 1, 3]))
                returned = max(returned, borrowed)
                returned = returned if returned <= self.today else None
            inside = rng.random() < 0.7
            borrower = rng.choice(self.members) if inside else None
            phone = borrower.phone if borrower else self.phone()
            loans.append(
                {
                    "loan_id": f"JY{self.today.year}{n:04d}",
                    "asset_tag": rng.choice(tags[:-1]),
                    "borrower": borrower.name if borrower else self.name(),
                    "borrower_id": borrower.member_id if borrower else None,
                    "borrower_phone": phone
                    if n % 5
                    else f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
                    "purpose": rng.choice(PURPOSES),
                    "borrowed_on": borrowed if n % 4 else self.as_text_date(borrowed),
                    "due_on": due,
                    "returned_on": returned,
                    "return_condition": (
                        rng.choices(["完好", "损坏"], [95, 5])[0] if returned else None
                    ),
                    "handled_by": rng.choice(handlers).member_id,
                    "备注": rng.choice(["", "", "", "外院借用，押学生证", "含电池两节", "已提醒"]),
                }
            )
        dated = [r for r in loans if isinstance(r["borrowed_on"], date)]
        dated[5]["due_on"] = dated[5]["borrowed_on"] - timedelta(days=2)  # PLANTED
        dated[5]["returned_on"] = None
        dated[5]["return_condition"] = None
        returned_row = next(r for r in loans[20:] if r["returned_on"] and r is not dated[5])
        returned_row["return_condition"] = None  # PLANTED: returned, no condition

        stocktakes: list[dict[str, Any]] = []
        check_day = self.today - timedelta(days=rng.randint(5, 20))
        for item in items[:-1]:
            stocktakes.append(
                {
                    "checked_on": check_day,
                    "asset_tag": item["asset_tag"],
                    "found": "是" if rng.random() < 0.97 else "否",
                    "condition": item["condition"],
                    "checked_by": handlers[0].member_id,
                }
            )
        season = "秋季" if self.today.month >= 8 or self.today.month == 1 else "春季"
        title = f"{self.today.year}年{season}学期物资借用登记表"
        return {
            "items": SheetData(items),
            "loans": SheetData(loans, title=title, extra_columns=["备注"]),
            "stocktakes": SheetData(stocktakes),
        }

    # -- finance --------------------------------------------------------------------

    def finance(self) -> dict[str, SheetData]:
        rng = self.rng
        semester = (
            f"{self.today.year if self.today.month >= 8 else self.today.year - 1}-fall"
            if self.today.month >= 8 or self.today.month == 1
            else f"{self.today.year}-spring"
        )
        president = next(m for m in self.members if m.role == "主席")
        budgets: list[dict[str, Any]] = []
        for n, activity in enumerate(PURPOSES[:10], start=1):
            department = DEPARTMENTS[n % len(DEPARTMENTS)]
            approved = self.day(self.start, self.start + timedelta(days=20))
            budgets.append(
                {
                    "budget_id": f"YS{self.today.year % 100:02d}{n:02d}",
                    "activity": activity,
                    "department": department,
                    "amount": float(rng.choice([800, 1500, 2000, 3000, 5000])),
                    "presidium_approved_on": approved,
                    "advisor_approved_on": approved + timedelta(days=rng.randint(1, 4)),
                    "period": semester,
                }
            )
        budgets[6]["amount"] = "待定"  # PLANTED: amount not a number

        expenses: list[dict[str, Any]] = []
        approvers = [m for m in self.members if m.role in ("部长", "副主席")]
        for n in range(1, 46):
            budget = rng.choice(budgets)
            spent = self.day()
            submitted = spent + timedelta(days=rng.choice([0, 1, 2, 3, 5, 8]))
            if submitted > self.today:
                submitted = self.today
            status = rng.choices(["待审核", "已审核", "已报销", "退回"], [20, 25, 50, 5])[0]
            approved = submitted + timedelta(days=rng.choice([0, 1, 1, 2, 3, 4]))
            if approved > self.today:
                status = "待审核"
            paid = approved + timedelta(days=rng.randint(1, 7))
            if status == "已报销" and paid > self.today:
                status = "已审核"
            claimant = rng.choice(self.members)
            amount = round(rng.uniform(20, 900), 1)
            expenses.append(
                {
                    "expense_id": f"BX{self.today.year}{n:04d}",
                    "budget_id": budget["budget_id"],
                    "item": rng.choice(
                        [
                            "横幅制作",
                            "矿泉水",
                            "打印材料",
                            "奖品采购",
                            "场地布置",
                            "交通费",
                            "海报印刷",
                            "志愿者餐费",
                        ]
                    ),
                    "amount": f"¥{amount:,.2f}"
                    if n % 6 == 0
                    else (f"{amount}元" if n % 7 == 0 else amount),
                    "spent_on": spent,
                    "submitted_on": submitted,
                    "claimant_id": claimant.member_id,
                    "receipts_ok": rng.choice(["是", "是", "是", "否"]),
                    "approver_id": rng.choice(approvers).member_id
                    if status != "待审核"
                    else president.member_id,
                    "approved_on": approved if status in ("已审核", "已报销", "退回") else None,
                    "paid_on": paid if status == "已报销" else None,
                    "status": status,
                }
            )
        paid_row = next(r for r in expenses if r["status"] == "已报销")
        paid_row["paid_on"] = None  # PLANTED: 已报销 without payment date
        self._approvals(budgets, expenses, semester)
        return {"budgets": SheetData(budgets), "expenses": SheetData(expenses)}

    def _approvals(self, budgets: list[dict[str, Any]], expenses: list[dict[str, Any]],
                   semester: str) -> None:
        """Budgets submitted, then approved by the presidium and the advisor before their
        money is spent; one still waits for the advisor, one was spent a day too early.
        Its own random stream, so the rest of the demo stays as it was."""
        rng = random.Random(f"approvals-{self.today.isoformat()}")
        for budget in budgets:
            spent = [e["spent_on"] for e in expenses if e["budget_id"] == budget["budget_id"]]
            first = min([budget["presidium_approved_on"], *spent])
            presidium = first - timedelta(days=rng.randint(2, 4))
            budget["presidium_approved_on"] = presidium
            budget["advisor_approved_on"] = presidium + timedelta(days=rng.randint(0, 1))
            budget["submitted_on"] = presidium - timedelta(days=rng.choice([0, 0, 1, 1, 2, 4]))
        early = min((e for e in expenses if e["budget_id"] == budgets[2]["budget_id"]),
                    key=lambda e: e["spent_on"])
        budgets[2]["advisor_approved_on"] = early["spent_on"] + timedelta(days=1)  # PLANTED
        submitted = self.today - timedelta(days=6)
        budgets.append({
            "budget_id": f"YS{self.today.year % 100:02d}{len(budgets) + 1:02d}",
            "activity": "期末学生代表座谈会", "department": "学术发展部", "amount": 600.0,
            "presidium_approved_on": submitted + timedelta(days=1),
            "advisor_approved_on": None, "period": semester, "submitted_on": submitted,
        })

    # -- cases ----------------------------------------------------------------------

    def cases(self) -> dict[str, SheetData]:
        rng = self.rng
        handlers = [m for m in self.members if m.department == "权益服务部"]
        rows: list[dict[str, Any]] = []
        for n in range(1, 27):
            category, summary = CASE_SUMMARIES[(n - 1) % len(CASE_SUMMARIES)]
            received = self.when(self.day(), 9, 20)
            first = received + timedelta(hours=rng.choice([1, 3, 6, 12, 20, 30]))
            progress = received + timedelta(days=rng.choice([1, 2, 3, 4, 6]))
            resolved = received + timedelta(days=rng.choice([3, 5, 8, 12, 20]))
            now = datetime.combine(self.today, time(8))
            status = "已办结" if resolved <= now else "处理中"
            rows.append(
                {
                    "case_id": f"QY{self.today.year}{n:03d}",
                    "received_at": received,
                    "channel": rng.choice(["微信公众号", "线下接待", "QQ群", "电话", "信箱"]),
                    "category": category,
                    "summary": summary,
                    "reporter": self.name(),
                    "reporter_contact": self.phone(),
                    "level": rng.choice(["院级", "校级"]),
                    "handler_id": rng.choice(handlers).member_id,
                    "first_response_at": first if first <= now else None,
                    "progress_at": progress if progress <= now else None,
                    "resolved_at": resolved if status == "已办结" else None,
                    "status": status,
                    "resolution": "已与后勤处沟通解决" if status == "已办结" else "",
                }
            )
        rows[-1].update(
            status="待受理",
            first_response_at=None,
            progress_at=None,
            resolved_at=None,
            resolution="",
            received_at=datetime.combine(self.today - timedelta(days=2), time(10)),
        )
        rows[-2]["received_at"] = "2025-11-31 10:00"  # PLANTED: a date that does not exist
        lost: list[dict[str, Any]] = []
        for n in range(1, 16):
            found = self.day()
            claimed = found + timedelta(days=rng.randint(0, 10))
            status = "已认领" if claimed <= self.today and rng.random() < 0.6 else "待认领"
            lost.append(
                {
                    "item_id": f"SW{self.today.year}{n:03d}",
                    "found_on": found,
                    "place": rng.choice(PLACES),
                    "description": rng.choice(LOST_ITEMS),
                    "status": status,
                    "claimed_on": claimed if status == "已认领" else None,
                    "claimant": self.name() if status == "已认领" else None,
                }
            )
        affairs = _Affairs(self)
        return {"cases": SheetData(rows), "lost_found": SheetData(lost),
                "documents": SheetData(affairs.documents()),
                "inquiries": SheetData(affairs.inquiries()),
                "surveys": SheetData(affairs.surveys())}


class _Affairs:
    """Document flow, inquiries and surveys of the demo office, on their own random stream
    so the older tables stay as they were."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.rng = random.Random(f"affairs-{builder.today.isoformat()}")
        self.now = datetime.combine(builder.today, time(8))

    def _received(self, lo_hour: int = 8, hi_hour: int = 17) -> datetime:
        day = self.b.start + timedelta(days=self.rng.randint(0, (self.b.today
                                                                 - self.b.start).days - 1))
        return datetime.combine(day, time(self.rng.randint(lo_hour, hi_hour),
                                          self.rng.choice([0, 10, 20, 30, 45])))

    def _members(self, *departments: str) -> list[Member]:
        return [m for m in self.b.members if m.department in departments]

    def documents(self) -> list[dict[str, Any]]:
        rng = self.rng
        office = self._members("办公室")
        rows: list[dict[str, Any]] = []
        for n in range(1, 29):
            received = self._received()
            urgent = rng.random() < 0.2
            late = rng.random() < 0.12
            hours = (0.5 if urgent else rng.choice([1, 2, 3, 5])) + (6 if late else 0)
            forwarded = received + timedelta(hours=hours)
            due = received.date() + timedelta(days=rng.choice([2, 3, 5, 7, 10]))
            done = due - timedelta(days=rng.randint(0, 2))
            status = "已办结" if done < self.b.today else "办理中"
            title = rng.choice(DOCUMENT_TITLES).format(n=rng.randint(3, 14))
            rows.append({
                "doc_id": f"GW{self.b.today.year}-{n:03d}", "title": title,
                "direction": "发文" if "简报" in title else "收文",
                "urgency": "紧急" if urgent else "普通", "received_at": received,
                "handler_id": rng.choice(office).member_id, "forwarded_at": forwarded,
                "due_on": due, "done_on": done if status == "已办结" else None,
                "status": status,
            })
        rows.sort(key=lambda r: r["received_at"])
        waiting = datetime.combine(self.b.today - timedelta(days=1), time(15, 30))
        rows.append({
            "doc_id": f"GW{self.b.today.year}-{len(rows) + 1:03d}",
            "title": "关于报送下学期活动计划的通知", "direction": "收文", "urgency": "普通",
            "received_at": waiting, "handler_id": office[0].member_id, "forwarded_at": None,
            "due_on": self.b.today + timedelta(days=5), "done_on": None, "status": "待流转",
        })
        return rows

    def inquiries(self) -> list[dict[str, Any]]:
        rng = self.rng
        handlers = self._members("权益服务部", "办公室")
        rows: list[dict[str, Any]] = []
        for n in range(1, 25):
            kind, summary = rng.choice(INQUIRY_SUMMARIES)
            received = self._received(8, 21)
            urgent = kind == "投诉" and rng.random() < 0.4
            reply_hours = rng.choice([1, 2, 3, 6, 10, 20] if kind == "咨询" else [2, 8, 20, 30, 60])
            replied = received + timedelta(hours=reply_hours)
            needs_fix = kind != "咨询" and rng.random() < 0.5
            fix_due = received.date() + timedelta(days=rng.choice([7, 14, 21]))
            fixed = fix_due - timedelta(days=rng.randint(-3, 5))
            fixed_ok = needs_fix and fixed < self.b.today
            status = ("整改中" if needs_fix and not fixed_ok else
                      "已完结" if needs_fix or rng.random() < 0.5 else "已回复")
            rows.append({
                "inquiry_id": f"ZX{self.b.today.year}{n:03d}", "received_at": received,
                "kind": kind, "urgent": "是" if urgent else "否",
                "channel": rng.choice(["公众号留言", "意见箱", "QQ群", "线下接待"]),
                "summary": summary, "asker": self.b.name() if rng.random() < 0.6 else "匿名",
                "asker_contact": self.b.phone() if rng.random() < 0.5 else None,
                "handler_id": rng.choice(handlers).member_id,
                "replied_at": replied if replied <= self.now else None,
                "needs_fix": "是" if needs_fix else "否",
                "fix_due_on": fix_due if needs_fix else None,
                "fixed_on": fixed if fixed_ok else None,
                "status": status if replied <= self.now else "待回复",
            })
        rows.sort(key=lambda r: r["received_at"])
        today, handler = self.b.today, handlers[0].member_id
        late = today - timedelta(days=30)
        rows += [
            {   # a fix past its deadline
                "inquiry_id": "", "received_at": datetime.combine(late, time(10, 5)),
                "kind": "意见建议", "urgent": "否", "channel": "意见箱",
                "summary": "教学楼饮水机滤芯长期未更换", "asker": "匿名", "asker_contact": None,
                "handler_id": handler, "replied_at": datetime.combine(late, time(17, 40)),
                "needs_fix": "是", "fix_due_on": today - timedelta(days=3), "fixed_on": None,
                "status": "整改中",
            },
            {   # PLANTED: 需要整改 without a fix deadline
                "inquiry_id": "", "received_at": datetime.combine(late, time(14, 30)),
                "kind": "投诉", "urgent": "否", "channel": "QQ群",
                "summary": "自习室插座损坏多处", "asker": self.b.name(), "asker_contact": None,
                "handler_id": handler, "replied_at": datetime.combine(late, time(20, 0)),
                "needs_fix": "是", "fix_due_on": None, "fixed_on": None, "status": "整改中",
            },
            {   # waiting for a reply, urgent
                "inquiry_id": "", "received_at": datetime.combine(today - timedelta(days=1),
                                                                  time(16, 20)),
                "kind": "投诉", "urgent": "是", "channel": "线下接待",
                "summary": "宿舍楼门禁故障，晚归学生无法进入", "asker": self.b.name(),
                "asker_contact": self.b.phone(), "handler_id": handler, "replied_at": None,
                "needs_fix": None, "fix_due_on": None, "fixed_on": None, "status": "待回复",
            },
        ]
        rows.sort(key=lambda r: r["received_at"])
        for n, row in enumerate(rows, start=1):
            row["inquiry_id"] = f"ZX{today.year}{n:03d}"
        return rows

    def surveys(self) -> list[dict[str, Any]]:
        """A mid-term survey: each department rated by its own questionnaire, on 5, 10 or
        100 points; 新媒体中心 rated low enough to owe a rectification plan."""
        rng = self.rng
        day = self.b.today - timedelta(days=14)
        scales = {"办公室": 5, "学术发展部": 10, "文体活动部": 100, "权益服务部": 5,
                  "新媒体中心": 10}
        means = {"办公室": 0.93, "学术发展部": 0.9, "文体活动部": 0.88, "权益服务部": 0.95,
                 "新媒体中心": 0.62}
        rows: list[dict[str, Any]] = []
        for department, scale in scales.items():
            for _ in range(6):
                share = min(1.0, max(0.2, rng.gauss(means[department], 0.06)))
                score = round(share * scale * 2) / 2 if scale < 100 else round(share * scale)
                rows.append({
                    "survey_id": "期中满意度测评", "date": day, "department": department,
                    "respondent": self.b.name() if rng.random() < 0.3 else None,
                    "score": score, "scale": None if scale == 5 else scale,
                    "comment": rng.choice(SURVEY_COMMENTS) or None,
                })
        rows[1]["score"] = 6  # PLANTED: 6 points on a 5-point scale
        return rows


def build_demo(today: date) -> dict[str, dict[str, SheetData]]:
    """register -> table -> rows of the demo office as of `today`."""
    builder = _Builder(today)
    roster = builder.roster()
    return {
        "roster": roster,
        "assets": builder.assets(),
        "finance": builder.finance(),
        "cases": builder.cases(),
    }
