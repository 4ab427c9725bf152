"""The lost_found_unclaimed reminder: an item still 待认领 lost_found_transfer_days (30
calendar days by default) after it was found goes to the head of the office department
(办公室部长, H_OFF), to hand to the school's lost-and-found.

Today is 2025-10-20: 30 days back is 2025-09-20.

The lost-and-found notice (失物招领公示, written by `clerk kpi --dir`) lists L29, L30 and L31
(待认领), oldest first, and never a claimant's name or phone.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from conftest import clerk, write_config, write_xlsx

MEMBERS = [
    ["学号", "姓名", "部门", "职务", "手机号", "邮箱", "状态"],
    ["H_OFF", "办公室部长", "办公室", "部长", "13800000002", "h2@x.edu.cn", "在任"],
    ["M2", "干事二", "办公室", "干事", "13800000006", "m2@x.edu.cn", "在任"],
]
CLAIMANT, CLAIMANT_PHONE = "王认领", "13912345678"
LOST = [
    ["登记编号", "拾获日期", "拾获地点", "物品描述", "状态", "认领日期", "认领人"],
    ["L29", "2025-09-21", "图书馆", "黑色雨伞", "待认领", None, None],      # 29 days
    ["L30", "2025-09-20", "食堂", "蓝色水杯", "待认领", None, None],        # 30 days: due
    # 31 days: due; someone asked after it and left a name and number (not yet claimed)
    ["L31", "2025-09-19", "教学楼A", "校园卡套", "待认领", None,
     f"{CLAIMANT} {CLAIMANT_PHONE}"],
    ["L_CLAIMED", "2025-09-01", "操场", "耳机", "已认领", "2025-09-03",
     f"{CLAIMANT} {CLAIMANT_PHONE}"],
    ["L_MOVED", "2025-08-01", "操场", "外套", "已移交", None, None],
]
TODAY = "2025-10-20"


def build(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_xlsx(folder / "roster.xlsx", {"成员": MEMBERS})
    write_xlsx(folder / "cases.xlsx", {"失物招领": LOST})
    write_config(folder, {"roster": "roster.xlsx", "cases": "cases.xlsx"}, extra=extra)
    return folder


def due(folder: Path, today: str = TODAY) -> set[tuple[str, str, int]]:
    done = clerk("remind", "--dry-run", "--format", "json", "--today", today, cwd=folder)
    assert done.returncode == 0, done.stderr
    return {(r["record_id"], r["recipient"], r["level"])
            for r in json.loads(done.stdout)["reminders"] if r["rule"] == "lost_found_unclaimed"}


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("lost"))


def test_unclaimed_at_29_30_31_days(office):
    assert due(office) == {("L30", "H_OFF", 0), ("L31", "H_OFF", 0)}


def test_the_offices_number_moves_the_day(tmp_path):
    folder = build(tmp_path, extra="\n[policy]\nlost_found_transfer_days = 29\n")
    assert due(folder) == {("L29", "H_OFF", 0), ("L30", "H_OFF", 0), ("L31", "H_OFF", 0)}


def test_the_digest_names_the_number(office):
    done = clerk("remind", "--dry-run", "--today", TODAY, cwd=office)
    assert "失物待认领已满 30 天 · L30" in done.stdout


def test_the_notice_lists_the_unclaimed_and_nothing_personal(office, tmp_path):
    out = tmp_path / "out"
    done = clerk("kpi", "--period", "2025-10", "--today", TODAY, "-o", str(out), cwd=office)
    assert done.returncode == 0, done.stderr
    html = (out / "lost_found_notice.html").read_text(encoding="utf-8")
    assert "失物招领公示" in html
    assert html.index("L31") < html.index("L30") < html.index("L29")   # oldest first
    assert "校园卡套" in html and "教学楼A" in html and "2025-09-19" in html
    assert "L_CLAIMED" not in html and "L_MOVED" not in html
    import openpyxl

    sheet = openpyxl.load_workbook(out / "lost_found_notice.xlsx").worksheets[0]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = values.index(["登记编号", "拾获日期", "拾获地点", "物品描述"])
    assert [r[0] for r in values[header + 1:]] == ["L31", "L30", "L29"]
    # every byte of every file the command wrote, and of every part inside the xlsx
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                blobs += [book.read(name) for name in book.namelist()]
        for blob in blobs:
            for secret in (CLAIMANT, CLAIMANT_PHONE):
                for encoding in ("utf-8", "utf-16-le", "gb18030"):
                    assert secret.encode(encoding) not in blob, (path, secret)



def test_the_notice_sends_claimants_to_the_offices_own_department(tmp_path):
    """An office that calls its general office 秘书处 tells students to claim there."""
    folder = build(tmp_path / "office", extra=(
        '\n[enums]\ndepartments = ["主席团", "秘书处", "权益服务部", "文体活动部"]\n'
        '[policy.roles]\noffice_department = "秘书处"\n'))
    out = tmp_path / "out"
    done = clerk("kpi", "--period", "2025-10", "--today", TODAY, "-o", str(out), cwd=folder)
    assert done.returncode == 0, done.stderr
    html = (out / "lost_found_notice.html").read_text(encoding="utf-8")
    assert "到秘书处认领" in html and "到办公室认领" not in html
    import openpyxl

    cells = [c for row in openpyxl.load_workbook(out / "lost_found_notice.xlsx").worksheets[0]
             .iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("到秘书处认领" in c for c in cells)
