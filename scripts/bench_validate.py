#!/usr/bin/env python
"""Benchmark `clerk validate` on a large office against its targets.

    python scripts/bench_validate.py [--out DIR] [--scale 1.0] [--repeat 5]

Builds (or reuses) an office of four large workbooks in DIR, then times, each
best of `--repeat` runs:

- the read floor: python-calamine reading every sheet, nothing else;
- `validate_office(load_config(DIR/office.toml))` in-process, and once the real
  CLI `clerk validate` in a child process (wall time incl. interpreter start-up,
  and its peak RSS);
- frictionless v5 validating the loans sheet alone, against Sheet Clerk
  validating the assets register alone (a config naming only `assets`).

Prints a table with PASS/FAIL per target and writes DIR/bench_validate.json.
Always exits 0: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import python_calamine as calamine
import xlsxwriter

import automation
from automation.config import config_from_dict
from automation.registers import REGISTERS, Kind, Table

GENERATOR_VERSION = 3
SEED = 20250901
TEXT_DATE_RATE = 0.03
"""Share of date cells typed as text ('2025/3/5', '2025年3月5日', ...) instead of a date cell."""
DEFECT_RATE = 0.005
"""Share of rows given one realistic defect."""
MEMBER_REF = "roster.members.member_id"

ROWS = {
    "roster.members": 2_000,
    "roster.attendance": 20_000,
    "roster.tasks": 5_000,
    "roster.meetings": 1_000,
    "assets.items": 5_000,
    "assets.loans": 100_000,
    "assets.stocktakes": 5_000,
    "finance.budgets": 500,
    "finance.expenses": 20_000,
    "cases.cases": 10_000,
    "cases.lost_found": 2_000,
    "cases.documents": 5_000,
    "cases.inquiries": 5_000,
    "cases.surveys": 5_000,
}

TARGET_READ_RATIO = 2.0
TARGET_FRICTIONLESS_SPEEDUP = 5.0
TARGET_PEAK_BYTES = int(1.5 * 1024**3)

OFFICE_NAME = "基准测试学生会"
OFFICE_TOML = f"""[office]
name = "{OFFICE_NAME}"

[registers]
roster = "roster.xlsx"
assets = "assets.xlsx"
finance = "finance.xlsx"
cases = "cases.xlsx"
"""
ASSETS_ONLY_TOML = f"""[office]
name = "{OFFICE_NAME}"

[registers]
assets = "assets.xlsx"
"""

# -- vocabulary ----------------------------------------------------------------------

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
                "许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍"
             "建文辉力鹏宇浩然轩子涵欣怡梓睿思雨晨佳琪嘉悦博文一诺")
COLLEGES = ["计算机学院", "经济管理学院", "外国语学院", "机械工程学院", "数学与统计学院",
            "文学院", "法学院", "化学化工学院", "物理学院", "艺术学院", "医学院", "马克思主义学院"]
DEPARTMENTS = ["主席团", "办公室", "学术发展部", "文体活动部", "权益服务部", "新媒体中心"]
SESSIONS = {
    "例会": ["全体例会", "部门例会", "主席团例会", "学期总结会"],
    "值班": ["办公室值班", "图书馆志愿值班", "权益接待值班", "物资室值班"],
    "培训": ["新干事培训", "公文写作培训", "新媒体运营培训", "财务报销培训"],
    "活动": ["迎新晚会", "校园十佳歌手", "运动会后勤", "学术讲座", "读书分享会", "毕业晚会"],
}
TASK_TITLES = ["撰写活动策划书", "制作宣传海报", "发布公众号推文", "整理会议纪要", "统计考勤数据",
               "联系场地借用", "采购活动物资", "收集同学意见", "更新成员名册", "准备答辩材料",
               "布置会场", "拍摄活动照片", "整理报销票据", "回访权益案件", "盘点物资室"]
MEETING_TITLES = ["第{n}次全体例会", "第{n}次主席团会议", "第{n}次部长联席会", "换届选举筹备会",
                  "学期工作部署会", "重大活动协调会"]
ITEMS = [("投影仪", "电子设备", ["爱普生CB-X06", "明基MX560"], 2800.0),
         ("无线话筒", "音响设备", ["舒尔BLX24", "得胜U-680"], 650.0),
         ("音箱", "音响设备", ["JBL EON612", "雅马哈DBR10"], 2300.0),
         ("帐篷", "户外用品", ["3x3米折叠", "3x4.5米折叠"], 420.0),
         ("折叠桌", "家具", ["1.8米", "1.2米"], 160.0),
         ("折叠椅", "家具", ["钢制", "塑料"], 45.0),
         ("单反相机", "电子设备", ["佳能EOS 90D", "尼康D7500"], 7200.0),
         ("三脚架", "摄影器材", ["百诺T600", "思锐W-2004"], 380.0),
         ("扩音器", "音响设备", ["十度S308", "得胜E188"], 120.0),
         ("横幅", "宣传用品", ["6米", "10米"], 35.5),
         ("对讲机", "电子设备", ["摩托罗拉T62", "宝锋UV-5R"], 210.0),
         ("笔记本电脑", "电子设备", ["联想ThinkPad E14", "华为MateBook 14"], 5600.0),
         ("延长线", "电工用品", ["公牛5米", "公牛10米"], 59.9),
         ("手推车", "搬运工具", ["平板", "折叠"], 180.0)]
LOCATIONS = ["学生活动中心201", "学生活动中心物资室", "图书馆B1库房", "东区宿舍楼值班室",
             "行政楼305", "体育馆器材室"]
PURPOSES = ["迎新晚会", "社团招新", "学术讲座", "运动会", "部门例会", "志愿服务",
            "毕业典礼", "班级活动", "外联活动", "宣传拍摄"]
ACTIVITIES = ["迎新晚会", "校园十佳歌手大赛", "学术讲座季", "秋季运动会", "读书分享会",
              "权益周", "新媒体大赛", "毕业晚会", "志愿服务月", "社团文化节"]
EXPENSE_ITEMS = ["场地布置", "横幅印刷", "矿泉水", "奖品购买", "海报印刷", "交通费",
                 "餐费", "嘉宾礼品", "道具租赁", "音响租赁", "快递费", "办公用品"]
CHANNELS = ["线下接待", "微信公众号", "意见信箱", "电话", "QQ群", "邮件"]
CASE_SUMMARIES = {
    "宿舍": ["宿舍热水供应不稳定", "宿舍空调漏水", "宿舍门禁故障", "宿舍网络经常断线"],
    "食堂": ["食堂饭菜价格上涨", "食堂卫生问题", "食堂排队时间过长"],
    "教务": ["选课系统崩溃", "成绩录入错误", "考试安排冲突"],
    "设施": ["教学楼电梯故障", "自习室灯管损坏", "操场照明不足"],
    "安全": ["校门口电动车超速", "宿舍楼消防通道堵塞"],
    "其他": ["快递点营业时间太短", "校车班次太少", "图书馆座位被占"],
}
RESOLUTIONS = ["已协调后勤处维修", "已反馈至教务处并解决", "已与食堂管理方沟通整改",
               "已转保卫处处理", "已答复同学并获认可"]
PLACES = ["图书馆三楼", "第一食堂", "教学楼A203", "体育馆", "东区操场", "校车站", "学生活动中心"]
LOST_ITEMS = ["黑色双肩包", "校园卡", "蓝色保温杯", "无线耳机", "雨伞", "学生证", "钥匙串",
              "笔记本", "眼镜", "充电宝", "U盘"]
BAD_DATES = ["2025/13/45", "下周三", "2025-02-30", "三月五日", "2025.9.31", "待定"]
BAD_ENUMS = ["待定", "其它", "已完成?", "未知"]


# -- generation ----------------------------------------------------------------------


class Generator:
    """All tables of the office as columns of Python values (None = empty cell)."""

    def __init__(self, scale: float, seed: int = SEED) -> None:
        self.rng = np.random.default_rng(seed)
        self.n = {name: max(1, round(count * scale)) for name, count in ROWS.items()}
        self.defects: Counter[str] = Counter()

    # small helpers

    def pick(self, options: list[Any], n: int, p: list[float] | None = None) -> np.ndarray:
        pool = np.empty(len(options), dtype=object)
        pool[:] = options
        if p is not None:
            weights = np.asarray(p, dtype=float)
            return pool[self.rng.choice(len(options), n, p=weights / weights.sum())]
        return pool[self.rng.integers(0, len(options), n)]

    def chance(self, rate: float, n: int) -> np.ndarray:
        return self.rng.random(n) < rate

    def days(self, n: int, start: str, end: str) -> np.ndarray:
        first, last = np.datetime64(start, "D"), np.datetime64(end, "D")
        span = int((last - first).astype(int)) + 1
        return first + self.rng.integers(0, span, n).astype("timedelta64[D]")

    def plus_days(self, base: np.ndarray, low: int, high: int) -> np.ndarray:
        return base + self.rng.integers(low, high + 1, len(base)).astype("timedelta64[D]")

    def stamps(self, n: int, start: str, end: str, first_hour: int = 8,
               last_hour: int = 21) -> np.ndarray:
        day = self.days(n, start, end).astype("datetime64[s]")
        hour = self.rng.integers(first_hour, last_hour + 1, n)
        minute = self.rng.choice([0, 10, 15, 20, 30, 40, 45, 50], n)
        return day + (hour * 3600 + minute * 60).astype("timedelta64[s]")

    def plus_seconds(self, base: np.ndarray, low: int, high: int) -> np.ndarray:
        step = self.rng.integers(low // 600, high // 600 + 1, len(base)) * 600
        return base + step.astype("timedelta64[s]")

    def cells(self, values: np.ndarray, present: np.ndarray | None = None) -> list[Any]:
        """Dates -> date/datetime cells, some typed as text the way officers do."""
        out = values.astype(object)
        if present is not None:
            out[~present] = None
        for i in np.flatnonzero(self.chance(TEXT_DATE_RATE, len(out))):
            if out[i] is not None:
                out[i] = self.date_text(out[i])
        return out.tolist()

    def date_text(self, value: date) -> str:
        y, m, d = value.year, value.month, value.day
        form = int(self.rng.integers(0, 4))
        if isinstance(value, datetime):
            hm = value.strftime("%H:%M")
            return [f"{y}/{m}/{d} {hm}", f"{y}-{m:02d}-{d:02d} {hm}",
                    f"{y}年{m}月{d}日 {value.hour}:{value.minute:02d}", f"{y}.{m}.{d} {hm}"][form]
        return [f"{y}/{m}/{d}", f"{y}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日", f"{y}.{m}.{d}"][form]

    def names(self, n: int) -> np.ndarray:
        two = self.chance(0.65, n)
        second = self.pick(GIVEN, n)
        second[~two] = ""
        return self.pick(SURNAMES, n) + self.pick(GIVEN, n) + second

    def phones(self, n: int) -> np.ndarray:
        prefix = self.rng.choice([3, 5, 7, 8, 9], n, p=[0.3, 0.2, 0.1, 0.3, 0.1])
        rest = self.rng.integers(0, 10**9, n)
        out = np.empty(n, dtype=object)
        out[:] = [f"1{p}{r:09d}" for p, r in zip(prefix.tolist(), rest.tolist(), strict=True)]
        return out

    @staticmethod
    def blank(values: np.ndarray, present: np.ndarray) -> np.ndarray:
        out = values.astype(object)
        out[~present] = None
        return out

    def ids(self, prefix: str, n: int, width: int) -> np.ndarray:
        out = np.empty(n, dtype=object)
        out[:] = [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]
        return out

    # the tables

    def build(self) -> dict[str, dict[str, list[Any]]]:
        tables = {
            "roster.members": self.members(),
            "roster.attendance": self.attendance(),
            "roster.tasks": self.tasks(),
            "roster.meetings": self.meetings(),
            "assets.items": self.items(),
            "assets.loans": self.loans(),
            "assets.stocktakes": self.stocktakes(),
            "finance.budgets": self.budgets(),
            "finance.expenses": self.expenses(),
            "cases.cases": self.cases(),
            "cases.lost_found": self.lost_found(),
            "cases.documents": self.documents(),
            "cases.inquiries": self.inquiries(),
            "cases.surveys": self.surveys(),
        }
        out: dict[str, dict[str, list[Any]]] = {}
        for name, columns in tables.items():
            as_lists = {
                key: value.tolist() if isinstance(value, np.ndarray) else list(value)
                for key, value in columns.items()
            }
            register, table = name.split(".")
            self.inject(REGISTERS[register].table(table), as_lists)
            out[name] = as_lists
        return out

    def members(self) -> dict[str, Any]:
        n = self.n["roster.members"]
        year = self.rng.integers(2019, 2025, n)
        serial = self.rng.choice(900_000, n, replace=False) + 100_000
        ids = np.empty(n, dtype=object)
        ids[:] = [f"{y}{s}" for y, s in zip(year.tolist(), serial.tolist(), strict=True)]
        names = self.names(n)
        phones = self.phones(n)
        self.member_ids, self.member_names, self.member_phones = ids, names, phones
        roles = self.pick(["主席", "副主席", "部长", "副部长", "干事"], n, [1, 3, 10, 14, 72])
        joined = self.days(n, "2021-09-01", "2025-10-15")
        left = self.chance(0.15, n)
        email = np.empty(n, dtype=object)
        email[:] = [f"{i}@stu.example.edu.cn" for i in ids.tolist()]
        mentor = self.pick(ids.tolist(), n)
        return {
            "member_id": ids,
            "name": names,
            "college": self.pick(COLLEGES, n),
            "department": self.pick(DEPARTMENTS, n, [3, 12, 20, 25, 20, 20]),
            "role": roles,
            "phone": self.blank(phones, self.chance(0.95, n)),
            "email": self.blank(email, self.chance(0.7, n)),
            "joined_on": self.cells(joined),
            "left_on": self.cells(self.plus_days(joined, 90, 700), left),
            "mentor_id": self.blank(mentor, self.chance(0.3, n)),
            "status": np.where(left, "离任", "在任").astype(object),
        }

    def attendance(self) -> dict[str, Any]:
        n = self.n["roster.attendance"]
        kind = self.pick(list(SESSIONS), n, [40, 25, 15, 20])
        session = np.empty(n, dtype=object)
        choice = self.rng.integers(0, 6, n)
        session[:] = [SESSIONS[k][c % len(SESSIONS[k])] for k, c in
                      zip(kind.tolist(), choice.tolist(), strict=True)]
        return {
            "date": self.cells(self.days(n, "2024-09-01", "2025-12-15")),
            "session": session,
            "kind": kind,
            "member_id": self.pick(self.member_ids.tolist(), n),
            "status": self.pick(["出勤", "迟到", "早退", "请假", "缺勤"], n, [80, 7, 3, 7, 3]),
        }

    def tasks(self) -> dict[str, Any]:
        n = self.n["roster.tasks"]
        assigned = self.days(n, "2024-09-01", "2025-12-01")
        due = self.plus_days(assigned, 3, 30)
        done = self.chance(0.7, n)
        quality = self.pick(["是", "是", "是", "否"], n).tolist()
        booleans = self.chance(0.2, n)
        cells: list[Any] = [
            (value == "是" if as_bool else value) if finished else None
            for value, as_bool, finished in zip(quality, booleans.tolist(), done.tolist(),
                                                strict=True)
        ]
        return {
            "task_id": self.ids("RW", n, 5),
            "title": self.pick(TASK_TITLES, n),
            "owner_id": self.pick(self.member_ids.tolist(), n),
            "department": self.blank(self.pick(DEPARTMENTS, n), self.chance(0.9, n)),
            "assigned_on": self.cells(assigned),
            "due_on": self.cells(due),
            "done_on": self.cells(self.plus_days(assigned, 1, 40), done),
            "quality_ok": cells,
        }

    def meetings(self) -> dict[str, Any]:
        n = self.n["roster.meetings"]
        start = self.stamps(n, "2024-09-01", "2025-12-15", 12, 20)
        titles = self.pick(MEETING_TITLES, n).tolist()
        number = self.rng.integers(1, 40, n).tolist()
        title = [t.format(n=k) for t, k in zip(titles, number, strict=True)]
        return {
            "meeting_id": self.ids("HY", n, 5),
            "title": title,
            "kind": self.pick(["例会", "重大"], n, [85, 15]),
            "organizer_id": self.blank(self.pick(self.member_ids.tolist(), n),
                                       self.chance(0.9, n)),
            "notice_at": self.cells(self.plus_seconds(start, -7 * 86400, -3600),
                                    self.chance(0.9, n)),
            "start_at": self.cells(start),
            "minutes_at": self.cells(self.plus_seconds(start, 3600, 72 * 3600),
                                     self.chance(0.8, n)),
        }

    def items(self) -> dict[str, Any]:
        n = self.n["assets.items"]
        which = self.rng.integers(0, len(ITEMS), n)
        spec_choice = self.rng.integers(0, 2, n)
        name, category, spec, price = [], [], [], []
        for w, s in zip(which.tolist(), spec_choice.tolist(), strict=True):
            item = ITEMS[w]
            name.append(item[0])
            category.append(item[1])
            spec.append(item[2][s])
            price.append(item[3])
        jitter = np.round(self.rng.uniform(0.85, 1.15, n) * np.asarray(price), 1)
        tags = self.ids("WZ-", n, 5)
        self.asset_tags = tags
        return {
            "asset_tag": tags,
            "name": name,
            "category": category,
            "spec": self.blank(np.asarray(spec, dtype=object), self.chance(0.85, n)),
            "quantity": self.rng.integers(1, 21, n),
            "unit_price": jitter,
            "purchased_on": self.cells(self.days(n, "2018-03-01", "2025-11-30"),
                                       self.chance(0.9, n)),
            "location": self.pick(LOCATIONS, n),
            "department": self.blank(self.pick(DEPARTMENTS, n), self.chance(0.9, n)),
            "custodian_id": self.blank(self.pick(self.member_ids.tolist(), n),
                                       self.chance(0.9, n)),
            "condition": self.pick(["完好", "损坏", "维修中", "报废", "遗失"], n,
                                   [88, 5, 3, 3, 1]),
            "next_audit_on": self.cells(self.days(n, "2026-01-05", "2026-07-15"),
                                        self.chance(0.6, n)),
        }

    def loans(self) -> dict[str, Any]:
        n = self.n["assets.loans"]
        member = self.chance(0.8, n)
        who = self.rng.integers(0, len(self.member_ids), n)
        borrower = self.names(n)
        borrower[member] = self.member_names[who[member]]
        phone = self.phones(n)
        phone[member] = self.member_phones[who[member]]
        borrowed = self.days(n, "2024-01-02", "2025-12-20")
        returned = self.chance(0.85, n)
        condition = self.blank(self.pick(["完好", "损坏", "遗失"], n, [95, 4, 1]), returned)
        return {
            "loan_id": self.ids("JY", n, 6),
            "asset_tag": self.pick(self.asset_tags.tolist(), n),
            "borrower": borrower,
            "borrower_id": self.blank(self.member_ids[who], member),
            "borrower_phone": phone,
            "purpose": self.blank(self.pick(PURPOSES, n), self.chance(0.9, n)),
            "borrowed_on": self.cells(borrowed),
            "due_on": self.cells(self.plus_days(borrowed, 1, 14)),
            "returned_on": self.cells(self.plus_days(borrowed, 0, 20), returned),
            "return_condition": condition,
            "handled_by": self.pick(self.member_ids.tolist(), n),
        }

    def stocktakes(self) -> dict[str, Any]:
        n = self.n["assets.stocktakes"]
        found = self.chance(0.95, n).tolist()
        form = self.rng.integers(0, 10, n).tolist()
        cells: list[Any] = []
        for ok, f in zip(found, form, strict=True):
            if f < 6:
                cells.append("是" if ok else "否")
            elif f < 8:
                cells.append("Y" if ok else "N")
            else:
                cells.append(ok)
        return {
            "checked_on": self.cells(self.days(n, "2024-06-01", "2025-12-15")),
            "asset_tag": self.pick(self.asset_tags.tolist(), n),
            "found": cells,
            "condition": self.blank(self.pick(["完好", "损坏", "维修中", "报废", "遗失"], n,
                                              [85, 7, 4, 3, 1]), self.chance(0.8, n)),
            "checked_by": self.blank(self.pick(self.member_ids.tolist(), n),
                                     self.chance(0.9, n)),
        }

    def budgets(self) -> dict[str, Any]:
        n = self.n["finance.budgets"]
        ids = self.ids("YS-", n, 4)
        self.budget_ids = ids
        presidium = self.days(n, "2024-08-20", "2025-11-30")
        advisor = self.plus_days(presidium, 0, 10)
        self.budget_ready = advisor
        activity = [f"{a}({d})" for a, d in zip(self.pick(ACTIVITIES, n).tolist(),
                                                 self.pick(DEPARTMENTS, n).tolist(), strict=True)]
        return {
            "budget_id": ids,
            "activity": activity,
            "department": self.pick(DEPARTMENTS, n),
            "amount": (self.rng.integers(10, 1000, n) * 50).astype(float),
            "presidium_approved_on": self.cells(presidium, self.chance(0.9, n)),
            "advisor_approved_on": self.cells(advisor, self.chance(0.8, n)),
            "period": self.pick(["2024-fall", "2025-spring", "2025-fall"], n),
            "submitted_on": self.cells(self.plus_days(presidium, -3, 0), self.chance(0.7, n)),
        }

    def expenses(self) -> dict[str, Any]:
        n = self.n["finance.expenses"]
        budget = self.rng.integers(0, len(self.budget_ids), n)
        # spent after the budget's approval, a few of them (about 2 %) a little before it
        spent = self.plus_days(self.budget_ready[budget], -2, 100)
        submitted = self.plus_days(spent, 0, 14)
        approved = self.plus_days(submitted, 0, 10)
        paid = self.plus_days(approved, 0, 15)
        status = self.pick(["待审核", "已审核", "已报销", "退回"], n, [25, 25, 40, 10])
        reviewed = np.isin(status, ["已审核", "已报销"])
        return {
            "expense_id": self.ids("BX", n, 6),
            "budget_id": self.budget_ids[budget],
            "item": self.pick(EXPENSE_ITEMS, n),
            "amount": np.round(self.rng.uniform(5, 3000, n), 2),
            "spent_on": self.cells(spent),
            "submitted_on": self.cells(submitted, self.chance(0.95, n)),
            "claimant_id": self.pick(self.member_ids.tolist(), n),
            "receipts_ok": self.blank(self.pick(["是", "是", "是", "否"], n),
                                      self.chance(0.9, n)),
            "approver_id": self.blank(self.pick(self.member_ids.tolist(), n),
                                      reviewed | (status == "退回")),
            "approved_on": self.cells(approved, reviewed),
            "paid_on": self.cells(paid, status == "已报销"),
            "status": status,
        }

    def cases(self) -> dict[str, Any]:
        n = self.n["cases.cases"]
        received = self.stamps(n, "2024-09-01", "2025-12-10")
        category = self.pick(list(CASE_SUMMARIES), n, [30, 20, 20, 15, 5, 10])
        choice = self.rng.integers(0, 4, n).tolist()
        summary = [CASE_SUMMARIES[c][k % len(CASE_SUMMARIES[c])]
                   for c, k in zip(category.tolist(), choice, strict=True)]
        status = self.pick(["待受理", "处理中", "已办结", "已关闭", "已转交"], n,
                           [10, 25, 50, 10, 5])
        resolved = (status == "已办结") | ((status == "已关闭") & self.chance(0.5, n))
        contact = self.phones(n)
        qq = self.chance(0.2, n)
        contact[qq] = [f"QQ {k}" for k in self.rng.integers(10**7, 10**10, int(qq.sum()))]
        return {
            "case_id": self.ids("QY", n, 6),
            "received_at": self.cells(received),
            "channel": self.blank(self.pick(CHANNELS, n), self.chance(0.9, n)),
            "category": self.blank(category, self.chance(0.95, n)),
            "summary": summary,
            "reporter": self.blank(self.names(n), self.chance(0.7, n)),
            "reporter_contact": self.blank(contact, self.chance(0.6, n)),
            "level": self.blank(self.pick(["院级", "校级"], n, [70, 30]), self.chance(0.9, n)),
            "handler_id": self.pick(self.member_ids.tolist(), n),
            "first_response_at": self.cells(self.plus_seconds(received, 600, 48 * 3600),
                                            status != "待受理"),
            "progress_at": self.cells(self.plus_seconds(received, 86400, 10 * 86400),
                                      self.chance(0.6, n) & (status != "待受理")),
            "resolved_at": self.cells(self.plus_seconds(received, 86400, 30 * 86400), resolved),
            "status": status,
            "resolution": self.blank(self.pick(RESOLUTIONS, n), status == "已办结"),
        }

    def lost_found(self) -> dict[str, Any]:
        n = self.n["cases.lost_found"]
        found = self.days(n, "2024-09-01", "2025-12-10")
        status = self.pick(["待认领", "已认领", "已移交"], n, [40, 45, 15])
        claimed = status == "已认领"
        return {
            "item_id": self.ids("SW", n, 5),
            "found_on": self.cells(found),
            "place": self.blank(self.pick(PLACES, n), self.chance(0.95, n)),
            "description": self.pick(LOST_ITEMS, n),
            "status": status,
            "claimed_on": self.cells(self.plus_days(found, 0, 30), claimed),
            "claimant": self.blank(self.names(n), claimed),
        }

    def documents(self) -> dict[str, Any]:
        n = self.n["cases.documents"]
        received = self.stamps(n, "2024-09-01", "2025-12-10")
        status = self.pick(["待流转", "办理中", "已办结"], n, [5, 25, 70])
        return {
            "doc_id": self.ids("GW", n, 6),
            "title": self.pick([f"关于{a}的通知" for a in ACTIVITIES], n),
            "direction": self.pick(["收文", "发文"], n, [80, 20]),
            "urgency": self.pick(["普通", "紧急"], n, [85, 15]),
            "received_at": self.cells(received),
            "handler_id": self.pick(self.member_ids.tolist(), n),
            "forwarded_at": self.cells(self.plus_seconds(received, 600, 10 * 3600),
                                       status != "待流转"),
            "due_on": self.cells(self.plus_days(received.astype("datetime64[D]"), 2, 10),
                                 self.chance(0.8, n)),
            "done_on": self.cells(self.plus_days(received.astype("datetime64[D]"), 1, 12),
                                  status == "已办结"),
            "status": status,
        }

    def inquiries(self) -> dict[str, Any]:
        n = self.n["cases.inquiries"]
        received = self.stamps(n, "2024-09-01", "2025-12-10")
        status = self.pick(["待回复", "已回复", "整改中", "已完结"], n, [5, 45, 10, 40])
        fix = np.isin(status, ["整改中", "已完结"]) & self.chance(0.8, n)
        day = received.astype("datetime64[D]")
        return {
            "inquiry_id": self.ids("ZX", n, 6),
            "received_at": self.cells(received),
            "kind": self.pick(["咨询", "意见建议", "投诉"], n, [50, 30, 20]),
            "urgent": self.blank(self.pick(["是", "否"], n, [10, 90]), self.chance(0.8, n)),
            "channel": self.blank(self.pick(CHANNELS, n), self.chance(0.9, n)),
            "summary": self.pick([s for c in CASE_SUMMARIES.values() for s in c], n),
            "asker": self.blank(self.names(n), self.chance(0.5, n)),
            "asker_contact": self.blank(self.phones(n), self.chance(0.4, n)),
            "handler_id": self.pick(self.member_ids.tolist(), n),
            "replied_at": self.cells(self.plus_seconds(received, 600, 72 * 3600),
                                     status != "待回复"),
            "needs_fix": self.blank(np.where(fix, "是", "否"), status != "待回复"),
            "fix_due_on": self.cells(self.plus_days(day, 7, 21), fix),
            "fixed_on": self.cells(self.plus_days(day, 3, 25), fix & (status == "已完结")),
            "status": status,
        }

    def surveys(self) -> dict[str, Any]:
        n = self.n["cases.surveys"]
        scale = self.pick([5, 10, 100], n, [60, 25, 15]).astype(int)
        score = np.round(self.rng.uniform(0.5, 1.0, n) * scale, 1)
        return {
            "survey_id": self.pick(["期中满意度测评", "期末满意度测评"], n),
            "date": self.cells(self.days(n, "2024-10-01", "2025-12-10")),
            "department": self.pick(DEPARTMENTS, n),
            "respondent": self.blank(self.names(n), self.chance(0.3, n)),
            "score": score,
            "scale": self.blank(scale.astype(float), scale != 5),
            "comment": self.blank(self.pick(RESOLUTIONS, n), self.chance(0.2, n)),
        }

    # defects

    def inject(self, table: Table, columns: dict[str, list[Any]]) -> None:
        """~0.5% of rows get one realistic mistake, so the validator has real work."""
        n = len(next(iter(columns.values())))
        kinds: dict[str, list[str]] = {
            "missing_required": [c.key for c in table.columns if c.required],
            "unknown_member": [c.key for c in table.columns if c.ref == MEMBER_REF],
            "bad_date": [c.key for c in table.columns if c.kind in (Kind.DATE, Kind.DATETIME)],
            "bad_enum": [c.key for c in table.columns if c.kind is Kind.ENUM],
            "bad_phone": [c.key for c in table.columns if c.kind is Kind.PHONE],
        }
        weights = {"missing_required": 3, "unknown_member": 3, "bad_date": 3, "bad_enum": 1,
                   "bad_phone": 1}
        usable = [k for k, keys in kinds.items() if keys]
        p = np.asarray([weights[k] for k in usable], dtype=float)
        count = max(1, round(n * DEFECT_RATE))
        rows = self.rng.choice(n, min(count, n), replace=False).tolist()
        picks = self.rng.choice(len(usable), len(rows), p=p / p.sum()).tolist()
        for row, which in zip(rows, picks, strict=True):
            kind = usable[which]
            key = kinds[kind][int(self.rng.integers(0, len(kinds[kind])))]
            if kind == "missing_required":
                value: Any = None
            elif kind == "unknown_member":
                value = f"2099{int(self.rng.integers(100_000, 1_000_000))}"
            elif kind == "bad_date":
                value = BAD_DATES[int(self.rng.integers(0, len(BAD_DATES)))]
            elif kind == "bad_enum":
                value = BAD_ENUMS[int(self.rng.integers(0, len(BAD_ENUMS)))]
            else:
                value = f"1{int(self.rng.integers(10**8, 10**9))}"
            columns[key][row] = value
            self.defects[f"{table.register}.{table.key}:{kind}"] += 1


# -- writing -------------------------------------------------------------------------


def write_workbook(path: Path, register: str, tables: dict[str, dict[str, list[Any]]]) -> None:
    """One sheet per table, named by its zh-Hans label, header row of zh-Hans labels."""
    book = xlsxwriter.Workbook(str(path), {
        "constant_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    })
    header = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    stamp_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for table in REGISTERS[register].tables:
        data = tables[f"{register}.{table.key}"]
        sheet = book.add_worksheet(table.label.hans)
        for index, column in enumerate(table.columns):
            sheet.set_column(index, index, column.width)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, [c.label.hans for c in table.columns], header)
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime, write_boolean = sheet.write_datetime, sheet.write_boolean
        rows = zip(*(data[c.key] for c in table.columns), strict=True)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                kind = type(value)
                if value is None:
                    continue
                if kind is str:
                    write_string(r, c, value)
                elif kind is date:
                    write_datetime(r, c, value, date_format)
                elif kind is datetime:
                    write_datetime(r, c, value, stamp_format)
                elif kind is bool:
                    write_boolean(r, c, value)
                else:
                    write_number(r, c, value)
    book.close()


def build_office(out: Path, scale: float) -> dict[str, Any]:
    """Write the four workbooks and office.toml, or reuse them if built at this scale."""
    meta_path = out / "bench_data.json"
    files = [out / f"{r}.xlsx" for r in REGISTERS] + [out / "office.toml"]
    if meta_path.is_file() and all(f.is_file() for f in files):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("scale") == scale and meta.get("generator") == GENERATOR_VERSION \
                and meta.get("seed") == SEED:
            meta["reused"] = True
            return meta
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generator = Generator(scale)
    tables = generator.build()
    generated = time.perf_counter() - started
    for register in REGISTERS:
        write_workbook(out / f"{register}.xlsx", register, tables)
    (out / "office.toml").write_text(OFFICE_TOML, encoding="utf-8")
    (out / "office-assets.toml").write_text(ASSETS_ONLY_TOML, encoding="utf-8")
    meta = {
        "scale": scale,
        "seed": SEED,
        "generator": GENERATOR_VERSION,
        "rows": {name: len(next(iter(cols.values()))) for name, cols in tables.items()},
        "defects_injected": dict(sorted(generator.defects.items())),
        "text_date_rate": TEXT_DATE_RATE,
        "generate_seconds": round(generated, 3),
        "build_seconds": round(time.perf_counter() - started, 3),
        "bytes": {f"{r}.xlsx": (out / f"{r}.xlsx").stat().st_size for r in REGISTERS},
    }
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    meta["reused"] = False
    return meta


# -- measuring -----------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times: list[float] = []
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), times, result


def read_floor(paths: list[Path]) -> int:
    """python-calamine reading every sheet of every workbook, nothing else."""
    cells = 0
    for path in paths:
        book = calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(row) for row in rows)
        book.close()
    return cells


def clerk_validate(config_path: Path) -> dict[str, int]:
    result = automation.validate_office(automation.load_config(config_path))
    return result.summary()


def clerk_assets_only(out: Path) -> dict[str, int]:
    data = tomllib.loads(ASSETS_ONLY_TOML)
    config = config_from_dict(data, source=out / "office-assets.toml")
    result = automation.validate_office(config, registers=["assets"])
    return result.summary() | {"loans_rows": len(result.office.frame("assets.loans"))}


def loans_schema() -> dict[str, Any]:
    """The loans sheet's column constraints, as a Table Schema (fields named by label)."""
    table = REGISTERS["assets"].table("loans")
    enum = ["完好", "损坏", "遗失"]
    fields: list[dict[str, Any]] = []
    for column in table.columns:
        field: dict[str, Any] = {"name": column.label.hans, "type": "string"}
        constraints: dict[str, Any] = {}
        if column.kind is Kind.DATE:
            field["type"] = "date"
            field["format"] = "any"
        if column.required:
            constraints["required"] = True
        if column.unique:
            constraints["unique"] = True
        if column.kind is Kind.ENUM:
            constraints["enum"] = enum
        if column.kind is Kind.PHONE:
            constraints["pattern"] = r"1[3-9]\d{9}"
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields}


def frictionless_loans(out: Path) -> dict[str, Any]:
    from frictionless import Dialect, Resource, Schema, formats, validate

    resource = Resource(
        path="assets.xlsx",
        basepath=str(out),
        format="xlsx",
        dialect=Dialect(controls=[formats.ExcelControl(sheet="借用登记")]),
        schema=Schema.from_descriptor(loans_schema()),
    )
    report = validate(resource, limit_errors=10**9)
    task = report.tasks[0] if report.tasks else None
    return {
        "valid": report.valid,
        "errors": report.stats["errors"],
        "rows": task.stats.get("rows") if task else None,
        "error_types": dict(Counter(e.type for e in (task.errors if task else report.errors))),
    }


def run_child(cmd: list[str]) -> dict[str, Any]:
    """Run a command; its wall time, exit status, peak RSS (bytes) and output tails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        peak = 0
        method = ""
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
            method = "os.wait4 ru_maxrss of the child"
        else:
            import psutil

            child = psutil.Process(proc.pid)
            while proc.poll() is None:
                try:
                    peak = max(peak, child.memory_info().rss)
                except psutil.Error:
                    break
                time.sleep(0.005)
            method = "psutil RSS polled every 5 ms"
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return {"cmd": cmd, "seconds": wall, "returncode": proc.returncode, "peak_rss": peak,
            "peak_method": method, "stdout_tail": stdout[-2000:], "stderr_tail": stderr[-4000:]}


def clerk_executable() -> str:
    beside = Path(sys.executable).with_name("clerk")
    if beside.is_file():
        return str(beside)
    return shutil.which("clerk") or "clerk"


def versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "platform": platform.platform(),
           "cpus": str(os.cpu_count())}
    for package in ("sheet-clerk", "python-calamine", "pandas", "numpy", "xlsxwriter",
                    "frictionless", "openpyxl"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "not installed"
    return out


# -- reporting -----------------------------------------------------------------------


def fmt_runs(times: list[float]) -> str:
    return " / ".join(f"{t:.2f}" for t in times)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(tempfile.gettempdir()) / "clerk-bench-validate",
                        help="office folder (reused when built before at the same scale)")
    parser.add_argument("--scale", type=float, default=1.0, help="row-count multiplier")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (best is kept)")
    parser.add_argument("--skip-frictionless", action="store_true")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    repeat = max(1, args.repeat)

    started = time.perf_counter()
    meta = build_office(out, args.scale)
    build_wall = time.perf_counter() - started
    total_rows = sum(meta["rows"].values())
    print(f"office: {out}  scale {args.scale}  {total_rows:,} rows in 4 workbooks "
          f"({'reused' if meta['reused'] else f'built in {build_wall:.1f} s'})", flush=True)
    paths = [out / f"{r}.xlsx" for r in REGISTERS]
    results: dict[str, Any] = {"office": str(out), "scale": args.scale, "repeat": repeat,
                               "data": meta, "versions": versions()}

    best, runs, cells = best_of(lambda: read_floor(paths), repeat)
    results["read_floor"] = {"best": best, "runs": runs, "cells": cells}
    print(f"  read floor done ({best:.2f} s)", flush=True)

    config_path = out / "office.toml"
    validate_error = None
    try:
        best, runs, summary = best_of(lambda: clerk_validate(config_path), repeat)
        results["clerk_validate"] = {"best": best, "runs": runs, "summary": summary}
        print(f"  clerk validate (library) done ({best:.2f} s)", flush=True)
    except Exception as exc:
        import traceback

        validate_error = traceback.format_exc()
        results["clerk_validate"] = {"error": validate_error}
        print(f"  clerk validate (library) FAILED: {exc!r}", flush=True)

    findings = out / "findings.json"
    findings.unlink(missing_ok=True)
    cli = run_child([clerk_executable(), "validate", "-c", str(config_path),
                     "--format", "json", "-o", str(findings)])
    cli["ok"] = cli["returncode"] in (0, 1) and findings.is_file()
    if findings.is_file():
        try:
            cli["summary"] = json.loads(findings.read_text(encoding="utf-8")).get("summary")
        except (ValueError, AttributeError) as exc:
            cli["summary"] = f"unreadable: {exc}"
    results["clerk_cli"] = cli
    print(f"  clerk validate (CLI) exit {cli['returncode']} ({cli['seconds']:.2f} s)",
          flush=True)
    if not cli["ok"]:
        library_child = run_child([sys.executable, "-c",
                                   "import sys, automation; automation.validate_office("
                                   "automation.load_config(sys.argv[1]))", str(config_path)])
        library_child["ok"] = library_child["returncode"] == 0
        results["library_child"] = library_child
        print("  CLI failed: measured the library call in a child process instead "
              f"(exit {library_child['returncode']}, {library_child['seconds']:.2f} s)",
              flush=True)

    if not args.skip_frictionless:
        try:
            best, runs, outcome = best_of(lambda: frictionless_loans(out), repeat)
            results["frictionless_loans"] = {"best": best, "runs": runs, "report": outcome,
                                             "schema": loans_schema()}
            print(f"  frictionless (loans sheet) done ({best:.2f} s)", flush=True)
        except Exception as exc:
            results["frictionless_loans"] = {"error": repr(exc)}
            print(f"  frictionless FAILED: {exc!r}", flush=True)
    try:
        best, runs, summary = best_of(lambda: clerk_assets_only(out), repeat)
        results["clerk_assets_only"] = {"best": best, "runs": runs, "summary": summary}
        print(f"  clerk validate (assets only) done ({best:.2f} s)", flush=True)
    except Exception as exc:
        results["clerk_assets_only"] = {"error": repr(exc)}
        print(f"  clerk validate (assets only) FAILED: {exc!r}", flush=True)

    print_report(results)
    (out / "bench_validate.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    print(f"\nresults: {out / 'bench_validate.json'}")
    if validate_error:
        print("\nclerk validate (library) raised:\n" + validate_error)
    return 0


def print_report(results: dict[str, Any]) -> None:
    rows = results["data"]["rows"]
    floor = results["read_floor"]
    lib = results["clerk_validate"]
    cli = results["clerk_cli"]
    fric = results.get("frictionless_loans", {})
    assets = results["clerk_assets_only"]
    loans = rows["assets.loans"]
    assets_rows = rows["assets.items"] + loans + rows["assets.stocktakes"]

    print(f"\n{'measure':<58}{'best s':>9}   runs (s)")
    print("-" * 96)
    print(f"{'read floor: calamine, all 11 sheets of the 4 workbooks':<58}"
          f"{floor['best']:>9.2f}   {fmt_runs(floor['runs'])}")
    if "best" in lib:
        print(f"{'clerk validate, library, in-process (load_config+validate)':<58}"
              f"{lib['best']:>9.2f}   {fmt_runs(lib['runs'])}")
    else:
        print(f"{'clerk validate, library, in-process':<58}{'ERROR':>9}")
    cli_label = "clerk validate CLI --format json (1 run, incl. start-up)"
    print(f"{cli_label:<58}{cli['seconds']:>9.2f}   exit {cli['returncode']}")
    child = results.get("library_child")
    if child:
        print(f"{'  (CLI failed) library call in a child process, 1 run':<58}"
              f"{child['seconds']:>9.2f}   exit {child['returncode']}")
    if "best" in fric:
        label = f"frictionless: loans sheet only ({loans:,} rows)"
        print(f"{label:<58}{fric['best']:>9.2f}   {fmt_runs(fric['runs'])}")
    elif fric:
        print(f"{'frictionless: loans sheet only':<58}{'ERROR':>9}")
    if "best" in assets:
        label = f"clerk: assets register only ({assets_rows:,} rows, no roster)"
        print(f"{label:<58}{assets['best']:>9.2f}   {fmt_runs(assets['runs'])}")
    else:
        print(f"{'clerk: assets register only':<58}{'ERROR':>9}")
    peak_source = cli if cli["ok"] else (child or cli)
    peak = peak_source["peak_rss"] if peak_source.get("returncode") in (0, 1) else None
    peak_label = "peak RSS, clerk validate CLI" if peak_source is cli \
        else "peak RSS, library call in a child (CLI failed)"
    print(f"{peak_label:<58}{(peak or 0) / 1024**3:>8.2f}G   {peak_source['peak_method']}")

    if "summary" in lib:
        print(f"\nclerk findings (library): {lib['summary']}")
    if isinstance(cli.get("summary"), dict):
        print(f"clerk findings (CLI):     {cli['summary']}")
    if not cli["ok"]:
        print(f"CLI stderr tail:\n{cli['stderr_tail'].strip()[-1500:]}")
    if "report" in fric:
        print(f"frictionless: {fric['report']['errors']} errors "
              f"{fric['report']['error_types']} over {fric['report']['rows']} rows")
    if "summary" in assets:
        print(f"clerk assets-only findings: {assets['summary']}")
    print("compared: frictionless validates sheet 借用登记 of assets.xlsx alone (openpyxl "
          "read, schema: required, unique 借用单号, enum 归还状况, date type (format any) for "
          "the 3 dates, pattern on 联系电话); Sheet Clerk validates the whole assets.xlsx "
          "(物资台账 + 借用登记 + 盘点记录: reading, typing, every rule incl. loans->items "
          "refs; refs to the roster unchecked as it is not configured).")

    ratio = lib["best"] / floor["best"] if "best" in lib else None
    speedup = fric["best"] / assets["best"] if "best" in fric and "best" in assets else None
    targets = {
        "clerk_validate_over_read_floor": {
            "value": ratio, "target": f"<= {TARGET_READ_RATIO}",
            "pass": None if ratio is None else ratio <= TARGET_READ_RATIO},
        "frictionless_over_clerk_assets": {
            "value": speedup, "target": f">= {TARGET_FRICTIONLESS_SPEEDUP}",
            "pass": None if speedup is None else speedup >= TARGET_FRICTIONLESS_SPEEDUP},
        "peak_rss_bytes": {
            "value": peak, "target": f"<= {TARGET_PEAK_BYTES} (1.5 GiB)",
            "source": peak_label,
            "pass": None if peak is None else peak <= TARGET_PEAK_BYTES},
    }
    results["targets"] = targets
    print("\ntargets")
    print(f"  clerk validate / read floor   "
          f"{'n/a' if ratio is None else f'{ratio:.2f}x':>8}   <= {TARGET_READ_RATIO}x   "
          f"{verdict(targets['clerk_validate_over_read_floor']['pass'])}")
    print(f"  frictionless / clerk (loans)  "
          f"{'n/a' if speedup is None else f'{speedup:.1f}x':>8}   >= "
          f"{TARGET_FRICTIONLESS_SPEEDUP}x   "
          f"{verdict(targets['frictionless_over_clerk_assets']['pass'])}")
    peak_text = "n/a" if peak is None else f"{peak / 1024**3:.2f} GiB"
    print(f"  peak memory ({'CLI' if peak_source is cli else 'child'})            "
          f"{peak_text:>8}   <= 1.5 GiB  {verdict(targets['peak_rss_bytes']['pass'])}")


if __name__ == "__main__":
    sys.exit(main())
