"""Period-end snapshots, checked the way next year's officers and an outside archivist would:
bagit-python's own validator, the workbooks compared byte for byte, tampered copies, a run
killed half-way, and a redacted bag searched file by file (inside the xlsx parts too) for
every phone number, e-mail and reporter's name of the office.

The office here is written with openpyxl and was never seen by the demo generator.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import bagit
import openpyxl
import pytest
from conftest import clerk, write_config, write_xlsx

MEMBERS = [["学号", "姓名", "部门", "职务", "手机号", "邮箱", "入职日期", "离任日期", "状态"],
           ["2023001", "周明远", "主席团", "主席", "13911110001", "zhoumy@campus.edu.cn",
            "2023-09-01", None, "在任"],
           ["2023002", "吴佳怡", "办公室", "部长", 13911110002, "wujy@campus.edu.cn",
            "2023-09-01", None, "在任"],
           ["2023003", "郑浩然", "办公室", "干事", "139-1111-0003", "zhenghr@campus.edu.cn",
            "2023-09-01", "2026-01-10", "离任"],
           ["2023004", "冯思琪", "权益服务部", "部长", "13911110004", "fengsq@campus.edu.cn",
            "2023-09-01", "2026-06-30", "在任"],
           ["2023005", "陈嘉禾", "权益服务部", "干事", "13911110005", "chenjh@campus.edu.cn",
            "2024-09-01", None, "在任"]]
ITEMS = [["物资编号", "物资名称", "数量", "单价", "所属部门", "保管人学号", "状况", "备注"],
         ["WZ-01", "投影仪", 1, 3000, "办公室", "2023003", "完好", "=HYPERLINK(\"x\")"],
         ["WZ-02", "帐篷", 4, 450, "办公室", "2023004", "完好", "@SUM(1)"],
         ["WZ-03", "音箱", 2, 800, "办公室", "2023002", "完好", "-5 个电池"],
         ["WZ-04", "话筒", 3, 120, "办公室", None, "完好", "+86 备用"]]
LOANS = [["借用单号", "物资编号", "借用人", "借用人学号", "联系电话", "借出日期", "应还日期",
          "归还日期", "归还状况", "经手人学号"],
         ["JY-1", "WZ-02", "校外·林晓峰", None, "13722220001", "2026-01-05", "2026-01-20",
          None, None, "2023002"],
         ["JY-2", "WZ-03", "陈嘉禾", "2023005", "13911110005", "2026-01-06", "2026-01-08",
          "2026-01-08", "完好", "2023002"]]
BUDGETS = [["预算编号", "活动名称", "部门", "预算金额", "学期"],
           ["YS-1", "迎新晚会", "办公室", 5000, "2025-fall"],
           ["YS-2", "春季运动会", "办公室", 3000, "2026-spring"]]
EXPENSES = [["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
             "审核日期", "报销日期", "状态"],
            ["BX-1", "YS-1", "舞台租赁", 2000, "2025-10-10", "2025-10-11", "2023002",
             "2025-10-12", "2025-10-20", "已报销"],
            ["BX-2", "YS-1", "灯光", 1200.5, "2025-12-01", "2025-12-02", "2023002",
             "2025-12-03", None, "已审核"],
            ["BX-3", "YS-1", "矿泉水", 300, "2026-01-15", "2026-01-16", "2023005", None, None,
             "待审核"],
            ["BX-4", "YS-1", "重复报销", 999, "2025-11-01", "2025-11-02", "2023005", None, None,
             "退回"]]
CASES = [["案件编号", "受理时间", "诉求摘要", "反映人", "联系方式", "承办人学号",
          "首次回复时间", "进展反馈时间", "办结时间", "状态", "备注"],
         ["QY-1", "2026-01-26 10:00", "宿舍热水不足", "赵小红", "13633330001", "2023005",
          None, None, None, "待受理", "赵小红同学已在群里反映"],
         ["QY-2", "2026-01-12 09:00", "食堂涨价", "钱多多", "qiandd@mail.example.com",
          "2023005", "2026-01-12 15:00", None, None, "处理中", "回复 qiandd@mail.example.com"],
         ["QY-3", "2025-12-01 09:00", "教室投影坏了", "孙悟净", "13633330003", "2023004",
          "2025-12-01 12:00", "2025-12-03 12:00", "2025-12-05 12:00", "已办结", None]]
LOST = [["登记编号", "拾获日期", "拾获地点", "物品描述", "状态", "认领日期", "认领人"],
        ["SW-1", "2026-01-02", "图书馆", "黑色雨伞", "已认领", "2026-01-03", "李认领"]]
NOTES = [["本册说明"], ["有事联系冯思琪 13911110004，或赵小红（反映人）。"]]

PHONES = ["13911110001", "13911110002", "13911110003", "139-1111-0003", "13911110004",
          "13911110005", "13722220001", "13633330001", "13633330003"]
EMAILS = ["zhoumy@campus.edu.cn", "wujy@campus.edu.cn", "zhenghr@campus.edu.cn",
          "fengsq@campus.edu.cn", "chenjh@campus.edu.cn", "qiandd@mail.example.com"]
REPORTERS = ["赵小红", "钱多多", "孙悟净"]
OTHER_PERSONAL = ["林晓峰", "李认领"]


def build_office(folder: Path, extra: str = "") -> Path:
    write_xlsx(folder / "books" / "名册.xlsx", {"成员": MEMBERS})
    assets = write_xlsx(folder / "books" / "assets.xlsx", {"物资台账": ITEMS, "借用登记": LOANS,
                                                           "说明": NOTES})
    book = openpyxl.load_workbook(assets)
    cell = book["物资台账"]["H2"]  # typed as text ('=...), as an officer pastes it
    cell.value, cell.data_type = '=HYPERLINK("x")', "s"
    book.save(assets)
    write_xlsx(folder / "books" / "finance.xlsx", {"活动预算": BUDGETS, "报销明细": EXPENSES})
    write_xlsx(folder / "books" / "cases.xlsx", {"权益案件": CASES, "失物招领": LOST})
    return write_config(folder, {"roster": "books/名册.xlsx", "assets": "books/assets.xlsx",
                                 "finance": "books/finance.xlsx",
                                 "cases": "books/cases.xlsx"}, extra)


def archive(folder: Path, *args: str) -> dict:
    done = clerk("archive", "--period", "2025-fall", "--today", "2026-02-01", "--format",
                 "json", *args, cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def bagit_validates(path: Path) -> bool:
    """bagit-python's own command line, not our code."""
    done = subprocess.run([sys.executable, "-m", "bagit", "--validate", str(path)],
                          capture_output=True, text=True, encoding="utf-8")
    return done.returncode == 0


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("office")
    build_office(folder)
    return folder


@pytest.fixture(scope="module")
def bag(office) -> Path:
    return Path(archive(office)["path"])


@pytest.fixture(scope="module")
def redacted(office) -> Path:
    return Path(archive(office, "--redact")["path"])


def test_bag_validates_with_bagit_python(bag):
    assert bag.is_dir() and bag.parent.name == "archive"
    assert bagit.Bag(str(bag)).validate()
    assert bagit_validates(bag)


def test_workbooks_byte_for_byte_and_a_csv_per_sheet(office, bag):
    for register, original in (("roster", "名册.xlsx"), ("assets", "assets.xlsx"),
                               ("finance", "finance.xlsx"), ("cases", "cases.xlsx")):
        source = office / "books" / original
        copy = bag / "data" / "registers" / register / original
        assert copy.read_bytes() == source.read_bytes()
        names = openpyxl.load_workbook(source, read_only=True).sheetnames
        csvs = sorted(p.name for p in (copy.parent / "csv").iterdir())
        assert csvs == [f"{i:02d}_{name}.csv" for i, name in enumerate(names, 1)]
    members = (bag / "data/registers/roster/csv/01_成员.csv").read_bytes()
    assert members.startswith(b"\xef\xbb\xbf")
    lines = members.decode("utf-8-sig").splitlines()
    assert len(lines) == len(MEMBERS)
    assert lines[2].split(",")[:5] == ["2023002", "吴佳怡", "办公室", "部长", "13911110002"]


def test_csv_cells_cannot_run_as_formulas(bag):
    text = (bag / "data/registers/assets/csv/01_物资台账.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text and "'-5 个电池" in text
    assert "'+86 备用" in text
    assert ",=" not in text and ",@" not in text


def test_bag_info_names_office_period_sources_and_checksums(office, bag):
    info = bagit.Bag(str(bag)).info
    assert info["Source-Organization"] == "测试大学学生会"
    assert info["Period"] == "2025-fall" and info["Bagging-Date"] == "2026-02-01"
    assert info["Sheet-Clerk-Version"]
    import hashlib

    digest = hashlib.sha256((office / "books/cases.xlsx").read_bytes()).hexdigest()
    assert f"cases: books/cases.xlsx sha256:{digest}" in info["Register-Source"]
    assert info["External-Description"]
    assert info["Retention-Class"] == "长期"


def test_reports_for_the_period(bag):
    reports = bag / "data" / "reports"
    findings = json.loads((reports / "validation.json").read_text(encoding="utf-8"))
    assert findings["summary"]["rows_checked"] > 0
    assert all(f["source"].startswith("registers/") for f in findings["findings"])
    for name in ("validation.xlsx", "validation.html", "kpi/kpi_dashboard.xlsx",
                 "kpi/kpi_dashboard.html", "reminders/reminder_log.csv",
                 "reminders/reminder_log.xlsx"):
        assert (reports / name).is_file(), name
    months = sorted(p.name for p in (reports / "monthly").iterdir())
    assert months == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01"]
    assert (reports / "monthly/2025-12/expense_report.xlsx").is_file()


def sheet_rows(path: Path, title: str) -> list[dict]:
    book = openpyxl.load_workbook(path)
    rows = list(book[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_handover_checklist(bag):
    checklist = bag / "data" / "交接清单.xlsx"
    assert (bag / "data" / "交接清单.html").is_file()
    loans = sheet_rows(checklist, "未归还借用")
    assert [(r["借用单号"], r["物资名称"], r["借用人"], r["联系电话"]) for r in loans] == [
        ("JY-1", "帐篷", "校外·林晓峰", "13722220001")]
    assert loans[0]["逾期天数"] == 11
    assets = {r["物资编号"]: r for r in sheet_rows(checklist, "物资保管人")}
    assert assets["WZ-01"]["保管人状态"] == "已离任" and assets["WZ-01"]["需移交"] == "是"
    assert assets["WZ-02"]["保管人状态"] == "即将离任"
    assert assets["WZ-04"]["保管人状态"] == "未填写保管人"
    assert assets["WZ-03"]["保管人状态"] == "在任" and assets["WZ-03"]["需移交"] is None
    cases = {r["案件编号"]: r for r in sheet_rows(checklist, "未办结权益案件")}
    assert set(cases) == {"QY-1", "QY-2"}
    assert str(cases["QY-1"]["回复期限"]).startswith("2026-01-27 10:00")
    assert cases["QY-2"]["期限情况"] == "进展已超期"
    unpaid = [r["报销单号"] for r in sheet_rows(checklist, "未报销单据")]
    assert unpaid == ["BX-2", "BX-3"]
    budgets = {r["预算编号"]: r for r in sheet_rows(checklist, "预算余额")}
    assert set(budgets) == {"YS-1"}
    assert budgets["YS-1"]["已支出"] == pytest.approx(3500.5)
    assert budgets["YS-1"]["余额"] == pytest.approx(1499.5)
    assert budgets["YS-1"]["已报销"] == pytest.approx(2000)


def test_same_inputs_same_csv_bytes_and_manifests(office, tmp_path):
    first = Path(archive(office, "-o", str(tmp_path / "a"))["path"])
    second = Path(archive(office, "-o", str(tmp_path / "b"))["path"])
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "bag-info.txt"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    for csv in first.rglob("*.csv"):
        assert csv.read_bytes() == (second / csv.relative_to(first)).read_bytes()


def verify_json(path: Path) -> tuple[int, dict]:
    done = clerk("verify", str(path), "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_verify_intact_bag(bag):
    code, result = verify_json(bag)
    assert code == 0 and result["ok"] and result["problems"] == []
    done = clerk("verify", str(bag), "--locale", "zh-Hans")
    assert done.returncode == 0 and "快照完整" in done.stdout


@pytest.mark.parametrize("tamper, kind, name", [
    ("change", "altered", "data/registers/roster/名册.xlsx"),
    ("delete", "missing", "data/reports/validation.json"),
    ("add", "unexpected", "data/registers/roster/extra.txt"),
    ("change", "altered", "bag-info.txt"),
])
def test_tampered_copy_fails_and_is_named(bag, tmp_path, tamper, kind, name):
    copy = tmp_path / bag.name
    shutil.copytree(bag, copy)
    target = copy / name
    if tamper == "change":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
    elif tamper == "delete":
        target.unlink()
    else:
        target.write_text("not part of the snapshot", encoding="utf-8")
    code, result = verify_json(copy)
    assert code == 1 and not result["ok"]
    assert {"kind": kind, "path": name, "detail": ""} in result["problems"]
    assert not bagit_validates(copy)
    done = clerk("verify", str(copy), "--locale", "en")
    assert done.returncode == 1 and name in done.stdout


def test_zip_verifies_and_validates(office, tmp_path):
    report = archive(office, "--zip", "-o", str(tmp_path))
    path = Path(report["path"])
    assert path.suffix == ".zip" and [p.name for p in tmp_path.iterdir()] == [path.name]
    code, result = verify_json(path)
    assert code == 0 and result["fingerprint"] == report["fingerprint"]
    with zipfile.ZipFile(path) as archive_file:
        archive_file.extractall(tmp_path / "x")
    assert bagit_validates(tmp_path / "x" / path.stem)


def test_not_a_bag_is_one_clear_line(tmp_path):
    (tmp_path / "folder").mkdir()
    for target in (tmp_path / "folder", tmp_path / "nothing-here"):
        done = clerk("verify", str(target))
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def all_texts(root: Path) -> list[tuple[str, bytes]]:
    """Every file's bytes, and each part inside every xlsx/zip, decompressed."""
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        out.append((str(path), data))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as inner:
                out += [(f"{path}:{n}", inner.read(n)) for n in inner.namelist()]
    return out


def test_redacted_bag_holds_no_personal_value(redacted):
    assert bagit_validates(redacted)
    texts = all_texts(redacted)
    assert len(texts) > 60
    for value in PHONES + EMAILS + REPORTERS + OTHER_PERSONAL:
        needle = value.encode("utf-8")
        found = [name for name, data in texts if needle in data]
        assert not found, (value, found)
    assert bagit.Bag(str(redacted)).info["Redacted"] == "yes"


def test_redaction_keeps_structure_and_other_columns(bag, redacted):
    plain = (bag / "data/registers/cases/csv/01_权益案件.csv").read_text(encoding="utf-8-sig")
    masked = (redacted / "data/registers/cases/csv/01_权益案件.csv").read_text(
        encoding="utf-8-sig")
    plain_rows = [r.split(",") for r in plain.splitlines()]
    masked_rows = [r.split(",") for r in masked.splitlines()]
    assert len(plain_rows) == len(masked_rows)
    for before, after in zip(plain_rows[1:], masked_rows[1:], strict=True):
        assert after[0] == before[0] and after[2] == before[2] and after[9] == before[9]
    assert masked_rows[1][3] == "赵**" and masked_rows[1][4] == "136****0001"
    assert masked_rows[2][4] == "q***@mail.example.com"
    book = openpyxl.load_workbook(redacted / "data/registers/cases/cases.xlsx")
    assert book.sheetnames == ["权益案件", "失物招领"]
    assert book["权益案件"]["D2"].value == "赵**"
    assert book["权益案件"]["B2"].value == "2026-01-26 10:00"
    finance = openpyxl.load_workbook(redacted / "data/registers/finance/finance.xlsx")
    assert finance["报销明细"]["D3"].value == 1200.5


def test_prune_by_retention_class(office, tmp_path):
    out = tmp_path / "snapshots"
    extra = '\n[archive]\nretention = { "永久" = "permanent", "长期" = "30y", "短期" = "30d" }\n'
    folder = tmp_path / "o"
    build_office(folder, extra)
    for period in ("2026-01", "2025-fall", "2025"):
        done = clerk("archive", "--period", period, "--today", "2026-02-01", "-o", str(out),
                     cwd=folder)
        assert done.returncode == 0, done.stderr
    (out / ".left.partial-1234").mkdir()
    listed = clerk("archive", "--prune", "--today", "2026-03-05", "-o", str(out),
                   "--format", "json", cwd=folder)
    entries = {Path(e["path"]).name: e for e in json.loads(listed.stdout)["entries"]}
    expired = {name for name, e in entries.items() if e["expired"]}
    assert expired == {"测试大学学生会_2026-01_2026-02-01", ".left.partial-1234"}
    assert entries["测试大学学生会_2025_2026-02-01"]["keep_until"] is None
    assert len(list(out.iterdir())) == 4
    done = clerk("archive", "--prune", "--yes", "--today", "2026-03-05", "-o", str(out),
                 cwd=folder)
    assert done.returncode == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "测试大学学生会_2025-fall_2026-02-01", "测试大学学生会_2025_2026-02-01"]


def test_bad_input_leaves_nothing(tmp_path):
    build_office(tmp_path)
    done = clerk("archive", "--period", "autumn", cwd=tmp_path)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    (tmp_path / "books" / "finance.xlsx").unlink()
    done = clerk("archive", "--period", "2025-fall", cwd=tmp_path)
    assert done.returncode == 2 and "finance.xlsx" in done.stderr
    assert "Traceback" not in done.stderr
    archive_dir = tmp_path / "output" / "archive"
    assert not archive_dir.exists() or list(archive_dir.iterdir()) == []


def big_office(folder: Path, loans: int) -> None:
    """An office large enough that archiving it takes a few seconds."""
    build_office(folder)
    book = openpyxl.Workbook(write_only=True)
    items = book.create_sheet("物资台账")
    items.append(ITEMS[0])
    for row in ITEMS[1:]:
        items.append(row)
    sheet = book.create_sheet("借用登记")
    sheet.append(LOANS[0])
    for i in range(loans):
        sheet.append([f"JY-{i:06d}", "WZ-02", f"借用人{i}", None, f"137{i:08d}",
                      "2025-10-01", "2025-10-08", "2025-10-08", "完好", "2023002"])
    book.save(folder / "books" / "assets.xlsx")


def test_killed_run_leaves_no_complete_bag(tmp_path):
    big_office(tmp_path, 30_000)
    out = tmp_path / "snapshots"
    for delay in (0.0, 0.4, 0.9):
        child = subprocess.Popen(
            [sys.executable, "-m", "automation", "archive", "--period", "2025-fall",
             "--today", "2026-02-01", "-o", str(out)], cwd=tmp_path,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            if out.is_dir() and any(".partial-" in p.name for p in out.iterdir()):
                break
            time.sleep(0.01)
        time.sleep(delay)
        finished = child.poll() is not None
        child.kill()
        child.wait()
        visible = [p for p in out.iterdir() if not p.name.startswith(".")]
        if finished:  # too quick to be killed: then it must be whole
            assert all(bagit_validates(p) for p in visible)
        else:
            assert visible == [], visible
    done = clerk("archive", "--period", "2025-fall", "--today", "2026-02-01", "-o", str(out),
                 "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert bagit_validates(Path(json.loads(done.stdout)["path"]))
    pruned = clerk("archive", "--prune", "--yes", "-o", str(out), cwd=tmp_path)
    assert pruned.returncode == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_an_office_with_only_a_roster_is_archived(tmp_path):
    """No finance register: the checklist's budgets are simply none (was a KeyError)."""
    write_xlsx(tmp_path / "roster.xlsx", {"成员": [
        ["学号", "姓名", "部门", "职务", "状态"], ["S1", "甲", "办公室", "部长", "在任"]]})
    write_config(tmp_path, {"roster": "roster.xlsx"})
    done = clerk("archive", "--period", "2025-fall", "--today", "2026-02-01", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [bag] = [p for p in (tmp_path / "output" / "archive").iterdir() if p.is_dir()]
    assert clerk("verify", str(bag), cwd=tmp_path).returncode == 0
