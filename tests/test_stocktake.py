"""The stocktake KPIs (stocktake_coverage, stocktake_accuracy), the stocktake_missing
reminder and the handover's list of uncounted items, on a small inventory counted by hand.

Period 2025-fall (2025-09-01..2026-01-31), KPIs as of 2025-10-20. The ledger:

| tag | 状况 | custodian (department) | stocktake rows |
|---|---|---|---|
| A1 | 完好 | M1 (文体活动部) | 2025-10-10 在库 |
| A2 | 完好 | M1 (文体活动部) | 2025-09-15 在库, 2025-10-12 不在库 (the latest) |
| A3 | 报废 | M2 (办公室) | none: written off, not on the stocktake's list |
| A4 | 损坏 | M2 (办公室) | none, ever |
| A5 | 完好 | nobody | 2025-06-10 在库 (last semester: not this one) |
| A6 | 遗失 | M2 (办公室) | 2025-10-05 不在库 |

stocktake_coverage: A1, A2, A4, A5, A6 (not 报废) = 5; counted this semester A1, A2, A6 = 3
-> 3/5, target 100 %, not met. 文体活动部 2/2; 办公室 A4, A6 -> 1/2; A5 has no department.
stocktake_accuracy: counted A1 (在库), A2 (latest row 不在库), A6 (不在库) -> 1/3, target
99 %, not met.

stocktake_missing (stocktake_remind_days 14, calendar days): the fall semester ends
2026-01-31, so the window is 2026-01-17..2026-01-31; the uncounted are A4 (M2) and A5 (no
custodian: undeliverable), each with the head of 办公室 (H_OFF) informed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import clerk, write_config, write_xlsx
from test_policy_kpis import counts, kpis

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["H_OFF", "办公室部长", "办公室", "部长", "13800000002", "h2@x.edu.cn", "在任"],
    ["M1", "干事一", "文体活动部", "干事", "13800000005", "m1@x.edu.cn", "在任"],
    ["M2", "干事二", "办公室", "干事", "13800000006", "m2@x.edu.cn", "在任"],
]
ITEMS = [
    ["物资编号", "物资名称", "状况", "存放地点", "保管人学号"],
    ["A1", "音响", "完好", "活动室", "M1"],
    ["A2", "投影仪", "完好", "活动室", "M1"],
    ["A3", "旧桌子", "报废", "仓库", "M2"],
    ["A4", "相机", "损坏", "办公室", "M2"],
    ["A5", "展架", "完好", "仓库", None],
    ["A6", "话筒", "遗失", "办公室", "M2"],
]
STOCKTAKES = [
    ["盘点日期", "物资编号", "是否在库", "状况", "盘点人学号"],
    ["2025-10-10", "A1", "是", "完好", "M1"],
    ["2025-09-15", "A2", "是", "完好", "M1"],
    ["2025-10-12", "A2", "否", "遗失", "M1"],
    ["2025-06-10", "A5", "是", "完好", "M2"],
    ["2025-10-05", "A6", "否", "遗失", "M2"],
]


def build(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(folder / "assets.xlsx", {"物资台账": ITEMS, "盘点记录": STOCKTAKES})
    write_config(folder, {"roster": "roster.xlsx", "assets": "assets.xlsx"}, extra=extra)
    return folder


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("stocktake"))


@pytest.fixture(scope="module")
def result(office) -> dict:
    return kpis(office)


def test_coverage_counts_the_ledger_not_written_off(result):
    assert counts(result, "stocktake_coverage") == (3, 5, 1.0, False)
    assert counts(result, "stocktake_coverage", "文体活动部") == (2, 2, 1.0, True)
    assert counts(result, "stocktake_coverage", "办公室") == (1, 2, 1.0, False)


def test_accuracy_takes_each_items_latest_count(result):
    assert counts(result, "stocktake_accuracy") == (1, 3, 0.99, False)
    assert counts(result, "stocktake_accuracy", "文体活动部") == (1, 2, 0.99, False)


def test_no_count_at_all_is_null(tmp_path):
    folder = build(tmp_path)
    data = kpis(folder, "2025-spring")   # only A5's 06-10 row: A5 found
    (accuracy,) = [r for r in data["kpis"] if r["key"] == "stocktake_accuracy"
                   and r["department"] is None]
    assert (accuracy["numerator"], accuracy["denominator"]) == (1, 1)
    empty = kpis(folder, "2024-fall")
    (none,) = [r for r in empty["kpis"] if r["key"] == "stocktake_accuracy"
               and r["department"] is None]
    assert none["value"] is None and none["denominator"] == 0


def test_a_period_not_begun_has_no_coverage_yet(tmp_path):
    """Looking at next month before it starts: nothing could have been counted, so no value,
    not 0 %."""
    folder = build(tmp_path)
    done = clerk("kpi", "--period", "2025-12", "--today", "2025-11-20", "--format", "json",
                 cwd=folder)
    assert done.returncode == 0, done.stderr
    rows = [r for r in json.loads(done.stdout)["kpis"] if r["key"] == "stocktake_coverage"]
    assert rows and all(r["value"] is None and r["met"] is None for r in rows)


def plan(folder: Path, today: str) -> dict:
    done = clerk("remind", "--dry-run", "--format", "json", "--today", today, cwd=folder)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def picked(data: dict) -> set[tuple[str, str, int]]:
    return {(r["record_id"], r["recipient"], r["level"]) for r in data["reminders"]
            if r["rule"] == "stocktake_missing"}


@pytest.mark.parametrize(("today", "due"), [
    ("2026-01-16", False),   # 15 days before the end: not yet
    ("2026-01-17", True),    # 01-31 − 14 days: the first day of the window
    ("2026-01-31", True),    # the semester's last day
    ("2026-02-01", False),   # spring has begun: its window opens 07-17
])
def test_stocktake_missing_before_at_and_after_its_window(office, today, due):
    data = plan(office, today)
    expected = {("A4", "M2", 0), ("A4", "H_OFF", 1), ("A5", "H_OFF", 1)} if due else set()
    assert picked(data) == expected
    nobody = {(u["record_id"], u["reason"]) for u in data["undeliverable"]
              if u["rule"] == "stocktake_missing"}
    assert nobody == ({("A5", "no_custodian")} if due else set())


def test_the_offices_number_moves_the_window(tmp_path):
    folder = build(tmp_path, extra="\n[policy]\nstocktake_remind_days = 20\n")
    assert picked(plan(folder, "2026-01-11")) == {("A4", "M2", 0), ("A4", "H_OFF", 1),
                                                  ("A5", "H_OFF", 1)}   # 01-31 − 20
    assert picked(plan(folder, "2026-01-10")) == set()
    bad = build(tmp_path / "bad", extra="\n[policy]\nstocktake_remind_days = 1.5\n")
    done = clerk("remind", "--dry-run", "--today", "2026-01-20", cwd=bad)
    assert done.returncode != 0 and "stocktake_remind_days" in done.stderr


def test_handover_lists_the_uncounted_items(office):
    from automation.archive.handover import handover_checklist
    from automation.config import load_config
    from automation.kpi.periods import parse_period
    from automation.load import load_office
    from automation.workdays import calendar_for

    config = load_config(office / "office.toml")
    data = load_office(config)
    period = parse_period("2025-fall", config, date(2025, 10, 20))
    checklist = handover_checklist(data, [], config, period, calendar_for(config), "zh-Hans")
    rows = checklist.section("uncounted_items").rows
    assert [(r["asset_tag"], r["custodian_name"], r["last_counted"]) for r in rows] == [
        ("A4", "干事二", None),                               # never counted
        ("A5", None, datetime(2025, 6, 10)),                  # last semester only
    ]
    assert [r["where"] for r in rows] == ["物资台账!5", "物资台账!6"]


def test_the_dashboard_lists_the_uncounted_items(office, tmp_path):
    """The KPI dashboard's 未盘点物资 sheet and page section: A4 and A5 (see the table
    above), with their sheet rows; A3 is written off and A1, A2, A6 were counted."""
    import openpyxl

    out = tmp_path / "kpi"
    done = clerk("kpi", "--period", "2025-fall", "--today", "2025-10-20", "-o", str(out),
                 cwd=office)
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(out / "kpi_dashboard.xlsx")["未盘点物资"]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert "2 件" in rows[1][0]
    header = rows.index(("物资编号", "物资名称", "所属部门", "存放地点", "保管人学号", "行号"))
    assert rows[header + 1:] == [("A4", "相机", None, "办公室", "M2", 5),
                                 ("A5", "展架", None, "仓库", None, 6)]
    page = (out / "kpi_dashboard.html").read_text(encoding="utf-8")
    section = page.split("未盘点物资</h2>", 1)[1]
    assert "<td>A4</td><td>相机</td>" in section and "<td>A5</td><td>展架</td>" in section
    assert "<td>A1</td>" not in section and "<td>A3</td>" not in section
