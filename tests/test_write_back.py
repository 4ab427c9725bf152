"""Write-back into officers' own files: only Sheet Clerk's tabs change, everything else stays
byte for byte, and nothing is written while the file is open or changed underneath."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

import python_calamine as calamine
import xlsxwriter
from conftest import CSV_FILTER, clerk, soffice_convert, soffice_path, write_config, write_xlsx

from automation._io import sha256_file as fingerprint
from automation.sources.xlsx_tabs import lock_holder, write_owned_tabs

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

ITEMS = [["物资编号", "物资名称", "状况", "数量"], ["A1", "音响", "完好", 2],
         ["A2", "投影仪", "坏了", 1]]
LOANS = [["借用单号", "物资编号", "借用人", "联系电话", "借出日期", "应还日期", "经手人学号"],
         ["L1", "A1", "王小明", "13800138000", "2025-10-01", "2025-10-03", "M1"]]


def rich_workbook(path: Path) -> Path:
    """Everything officers' files carry: chart, image, comment, dropdown, conditional format,
    defined name, frozen panes, a second sheet."""
    book = xlsxwriter.Workbook(str(path))
    items = book.add_worksheet("物资台账")
    for r, row in enumerate(ITEMS):
        items.write_row(r, 0, row)
    items.freeze_panes(1, 0)
    items.write_comment("B2", "音响放在 201")
    items.data_validation("C2:C100", {"validate": "list", "source": ["完好", "损坏"]})
    items.conditional_format("D2:D100", {"type": "cell", "criteria": ">", "value": 1,
                                         "format": book.add_format({"bg_color": "#FFC7CE"})})
    items.insert_image("F2", "logo.png", {"image_data": io.BytesIO(PNG)})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=物资台账!$D$2:$D$3", "categories": "=物资台账!$B$2:$B$3"})
    items.insert_chart("F6", chart)
    book.define_name("数量区", "=物资台账!$D$2:$D$3")
    loans = book.add_worksheet("借用登记")
    for r, row in enumerate(LOANS):
        loans.write_row(r, 0, row)
    book.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


INDEX_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
               "docProps/app.xml"}


def test_two_runs_add_one_tab_and_keep_every_other_part(tmp_path):
    path = rich_workbook(tmp_path / "assets.xlsx")
    original = parts(path)
    backups = tmp_path / "backups"
    write_owned_tabs(path, {"校验结果": [["单元格", "说明"], ["物资台账!C3", "不在可选范围内"]]},
                     expected=fingerprint(path), backups=backups)
    once = parts(path)
    write_owned_tabs(path, {"校验结果": [["单元格", "说明"], ["物资台账!C3", "改了"]]},
                     expected=fingerprint(path), backups=backups)
    twice = parts(path)
    new = set(twice) - set(original)
    assert len(new) == 1, "exactly one new part: the owned sheet"
    for name, data in original.items():
        if name not in INDEX_PARTS:
            assert twice[name] == data, f"{name} changed"
    assert {n for n in original if original[n] != once[n]} <= INDEX_PARTS
    assert once["xl/workbook.xml"] == twice["xl/workbook.xml"], "replaced, not added again"
    book = calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["物资台账", "借用登记", "校验结果"]
    assert book.get_sheet_by_name("校验结果").to_python()[1] == ["物资台账!C3", "改了"]
    assert book.get_sheet_by_name("物资台账").to_python()[:3] == [
        ["物资编号", "物资名称", "状况", "数量"], ["A1", "音响", "完好", 2.0],
        ["A2", "投影仪", "坏了", 1.0]]
    assert b"<vt:lpstr>\xe6\xa0\xa1\xe9\xaa\x8c\xe7\xbb\x93\xe6\x9e\x9c</vt:lpstr>" in twice[
        "docProps/app.xml"]
    assert len(list(backups.iterdir())) == 2


def test_openpyxl_still_opens_the_result_with_its_parts(tmp_path):
    import openpyxl

    path = rich_workbook(tmp_path / "assets.xlsx")
    write_owned_tabs(path, {"提醒记录": [["日期"], ["2025-10-10"]]}, expected=None,
                     backups=tmp_path / "b")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["物资台账", "借用登记", "提醒记录"]
    assert book["物资台账"]["B2"].comment.text == "音响放在 201"
    assert "数量区" in book.defined_names


def test_nothing_is_written_while_the_file_is_open(tmp_path):
    path = rich_workbook(tmp_path / "assets.xlsx")
    lock = tmp_path / "~$assets.xlsx"
    name = "王小明"
    lock.write_bytes(bytes([len(name.encode("gbk"))]) + name.encode("gbk").ljust(0x35, b" ")
                     + name.encode("utf-16-le") + b"\x00" * 20)
    assert lock_holder(path) == name
    before = path.read_bytes()
    write_config(tmp_path, {"assets": "assets.xlsx"},
                 extra="\n[output]\nwrite_back = true\n")
    done = clerk("validate", cwd=tmp_path)
    assert "王小明" in done.stderr and path.read_bytes() == before


def test_nothing_is_written_when_the_file_changed_after_reading(tmp_path):
    path = rich_workbook(tmp_path / "assets.xlsx")
    seen = fingerprint(path)
    write_xlsx(path, {"物资台账": ITEMS})  # someone saved it meanwhile
    changed = path.read_bytes()
    from automation.sources.xlsx_tabs import WriteBackSkipped

    try:
        write_owned_tabs(path, {"校验结果": [["x"]]}, expected=seen, backups=tmp_path / "b")
    except WriteBackSkipped as exc:
        assert exc.key == "writeback.changed"
    else:
        raise AssertionError("wrote into a file that changed underneath")
    assert path.read_bytes() == changed


def test_validate_and_remind_write_their_tabs_when_switched_on(tmp_path):
    rich_workbook(tmp_path / "assets.xlsx")
    write_xlsx(tmp_path / "roster.xlsx", {"成员": [
        ["学号", "姓名", "部门", "职务", "状态"], ["M1", "干事一", "办公室", "干事", "在任"]]})
    write_config(tmp_path, {"assets": "assets.xlsx", "roster": "roster.xlsx"},
                 extra="\n[output]\nwrite_back = true\n")
    done = clerk("validate", "--format", "json", cwd=tmp_path)
    report = json.loads(done.stdout)
    assert any(f["cell"] == "C3" for f in report["findings"])
    assert "校验结果" in done.stderr
    assert clerk("remind", "--today", "2025-10-10", cwd=tmp_path).returncode == 0
    book = calamine.CalamineWorkbook.from_path(str(tmp_path / "assets.xlsx"))
    assert book.sheet_names[-2:] == ["校验结果", "提醒记录"]
    results = book.get_sheet_by_name("校验结果").to_python()
    assert any("物资台账!C3" in str(row[0]) for row in results)
    log = book.get_sheet_by_name("提醒记录").to_python()
    assert any("L1" in str(cell) for row in log for cell in row)
    again = clerk("validate", "--format", "json", cwd=tmp_path)
    assert json.loads(again.stdout)["findings"] == report["findings"], (
        "the owned tabs are not read as registers")


def test_an_xlsm_keeps_its_vba_project(tmp_path):
    """xlwings ships a real .xlsm with a VBA project: it must come through untouched."""
    import importlib.util
    import shutil

    import pytest

    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("xlwings is not installed")
    source = Path(spec.submodule_search_locations[0]) / "quickstart.xlsm"
    path = tmp_path / "roster.xlsm"
    shutil.copy(source, path)
    original = parts(path)
    for _ in range(2):
        write_owned_tabs(path, {"校验结果": [["单元格"], ["A1"]]}, expected=fingerprint(path),
                         backups=tmp_path / "b")
    after = parts(path)
    assert after["xl/vbaProject.bin"] == original["xl/vbaProject.bin"]
    assert len(set(after) - set(original)) == 1
    assert all(after[n] == original[n] for n in original if n not in INDEX_PARTS)
    assert b"macroEnabled" in after["[Content_Types].xml"]
    names = calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    assert names[-1] == "校验结果" and len(names) == len(
        calamine.CalamineWorkbook.from_path(str(source)).sheet_names) + 1


def test_a_workbook_saved_by_libreoffice(tmp_path):
    """A second real producer: LibreOffice writes the file, Sheet Clerk adds its tab twice,
    LibreOffice still opens the result and sees the officers' cells."""
    soffice = soffice_path()
    made = rich_workbook(tmp_path / "made.xlsx")
    saved = soffice_convert(soffice, made, "xlsx", tmp_path / "lo")
    path = tmp_path / "assets.xlsx"
    path.write_bytes(saved.read_bytes())
    original = parts(path)
    for text in ("第一次", "第二次"):
        write_owned_tabs(path, {"校验结果": [["说明"], [text]]}, expected=fingerprint(path),
                         backups=tmp_path / "b")
    after = parts(path)
    assert len(set(after) - set(original)) == 1
    assert all(after[n] == original[n] for n in original if n not in INDEX_PARTS)
    csv = soffice_convert(soffice, path, CSV_FILTER, tmp_path / "back")
    assert "音响" in csv.read_text(encoding="utf-8")
    pdf = soffice_convert(soffice, path, "pdf", tmp_path / "pdf")
    assert pdf.stat().st_size > 1000
