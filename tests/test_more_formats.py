"""Every workbook an office hands over (issue 17): .xlsb, WPS's .et/.ett, sheets that are
not worksheets, legacy code pages; each read through the real `clerk` and compared, value
for value and cell for cell, with the same tables written as .xlsx.

Real producers: the .xlsb files in fixtures/more_formats/ were written by SheetJS from the
tables below (make_fixtures.py; SheetJS writes the short cell records that Excel does not
and python-calamine skips); LibreOffice converts the .xlsx into .xls (renamed .et / .ett,
the names WPS gives BIFF8) and .ods at run time; xlwt writes the legacy .xls whose code
page is then changed; openpyxl writes the chart sheet. What none of them makes (Excel's
formula-error records, a macro sheet) is made by hand: `xlsb_build`, or an openpyxl
package with an Excel 4 macro sheet added part by part.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import python_calamine as calamine
import xlsb_build as xb
from conftest import clerk, findings_json, soffice_convert, soffice_path, write_config, write_xlsx

from automation import load_config, validate_office
from automation.errors import SourceError
from automation.sources import biff12, odf
from automation.sources.files import FileSource
from automation.sources.safety import WorkbookFacts, inspect_workbook

FIXTURES = Path(__file__).parent / "fixtures" / "more_formats"

MEMBERS = [
    ["2025年秋季学生会成员名单"],
    ["学号", "姓名", "学院", "部门", "职务", "手机号", "邮箱", "入职日期", "离任日期", "状态"],
    ["2024010001", "王小明", "计算机学院", "主席团", "主席", "138-0013-8000",
     "wxm@stu.example.edu.cn", date(2024, 9, 15), None, "在任"],
    [2024010002, "李华", "文学院", "办公室", "部长", "159-0015-900", "lh@stu.example.edu.cn",
     "2024/9/16", None, "在任"],
    ["2024010003", "张伟", "法学院", "权益服务部", "干事", 13700137000, None,
     datetime(2024, 9, 20, 8, 30), None, "在任"],
    ["2024010004", "陈静", "数学学院", "文体活动部", "副部长", None, None, 45560, "2024-12-31",
     "离任"],
    ["2024010005", "赵六", "物理学院", "学术发展部", "干事", "13800138005", None,
     date(2025, 3, 1), None, "在职"],
]
ATTENDANCE = [
    ["日期", "活动名称", "类型", "学号", "出勤情况"],
    [date(2025, 10, 13), "第6周例会", "例会", 2024010001, "出勤"],
    ["2025-10-13", "第6周例会", "例会", "2024010002", "迟到"],
    [45943, "第7周例会", "例会", "2024019999", "出勤"],
]
ROSTER = {"成员名单": MEMBERS, "考勤": ATTENDANCE}
PLANTED = {("成员名单", "F4"): "phone_invalid", ("成员名单", "J7"): "enum_invalid",
           ("考勤", "D4"): "ref_missing"}
"""(sheet, cell) -> the finding each planted mistake must give, in every format."""

BUDGETS = [["预算编号", "活动名称", "部门", "预算金额", "主席团审批日期", "指导老师审批日期",
            "学期"],
           ["YS01", "迎新晚会", "文体活动部", "12000", "2025-09-20", "2025-09-22", "2025-fall"]]
EXPENSES = [["报销单号", "预算编号", "支出事项", "金额", "支出日期", "提交日期", "经办人学号",
             "票据齐全", "审核人学号", "审核日期", "报销日期", "状态"]]

MACRO_CONTENT = "application/vnd.ms-excel.macrosheet+xml"
MACRO_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xm:macrosheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><dimension ref="A1:A2"/>'
    '<sheetData><row r="1"><c r="A1" t="b"><f>ECHO(FALSE)</f><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="b"><f>RETURN()</f><v>0</v></c></row>'
    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></xm:macrosheet>'
)
"""An Excel 4 macro sheet; its far cell would be refused in a worksheet, but it is never read."""


def write_roster(path: Path) -> Path:
    """The roster as openpyxl writes it: the .xlsx every other format is compared with."""
    return write_xlsx(path, ROSTER)


def write_finance_with_error(path: Path) -> Path:
    """活动预算!D2 is a formula with a cached #REF!, as xlsxwriter writes it."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("活动预算")
    for c, value in enumerate(BUDGETS[0]):
        sheet.write_string(0, c, value)
    for c, value in enumerate(BUDGETS[1]):
        sheet.write_string(1, c, value)
    sheet.write_formula(1, 3, "=#REF!*2", None, "#REF!")
    book.add_worksheet("报销明细").write_row(0, 0, EXPENSES[0])
    book.close()
    return path


def office(folder: Path, registers: dict[str, Path], extra: str = "") -> Path:
    """An office folder whose registers are these files (copied in)."""
    books = folder / "books"
    books.mkdir(parents=True, exist_ok=True)
    names = {}
    for register, source in registers.items():
        shutil.copyfile(source, books / source.name)
        names[register] = f"books/{source.name}"
    write_config(folder, names, extra)
    return folder


def without_source(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in f.items() if k != "source"} for f in report["findings"]]


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    result = validate_office(load_config(folder / "office.toml"))
    return {name: typed.frame for name, typed in result.office.tables.items()}


def assert_read_alike(folder: Path, reference: Path) -> list[dict[str, Any]]:
    """`clerk validate --format json` finds the same things at the same cells in both
    offices, each planted mistake among them, and the typed tables are equal."""
    _, got = findings_json(cwd=folder)
    _, expected = findings_json(cwd=reference)
    assert without_source(got) == without_source(expected)
    assert got["summary"] == expected["summary"]
    found = {(f["sheet"], f["cell"]): f["code"] for f in got["findings"]}
    for where, code in PLANTED.items():
        assert found.get(where) == code, (where, got["findings"])
    ours, theirs = tables(folder), tables(reference)
    assert ours.keys() == theirs.keys()
    for name, frame in theirs.items():
        pd.testing.assert_frame_equal(ours[name], frame, obj=name)
    return got["findings"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The office whose roster is the .xlsx."""
    folder = tmp_path_factory.mktemp("reference")
    return office(folder, {"roster": write_roster(folder / "src" / "roster.xlsx")})


@pytest.fixture(scope="module")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The roster converted by LibreOffice: suffix -> file (.et/.ett are the .xls renamed)."""
    soffice = soffice_path()
    folder = tmp_path_factory.mktemp("lo")
    source = write_roster(folder / "roster.xlsx")
    made = {".xls": soffice_convert(soffice, source, "xls", folder / "xls"),
            ".ods": soffice_convert(soffice, source, "ods", folder / "ods")}
    for suffix in (".et", ".ett"):
        made[suffix] = folder / f"roster{suffix}"
        shutil.copyfile(made[".xls"], made[suffix])
    return made


# --- .xlsb --------------------------------------------------------------------------------


def test_sheetjs_xlsb_reads_like_the_xlsx(tmp_path, reference):
    """SheetJS's .xlsb: the same cells as the .xlsx (the fixture is up to date), its short
    cell records read in full, and `clerk validate` finds the same at the same cells."""
    fixture = FIXTURES / "roster.xlsb"
    assert inspect_workbook(fixture).short_cells, "SheetJS writes short cell records"
    xlsx = FileSource(reference / "books" / "roster.xlsx").read()
    xlsb = FileSource(fixture).read()
    assert [s.name for s in xlsb.sheets] == list(ROSTER)
    for ours, theirs in zip(xlsb.sheets, xlsx.sheets, strict=True):
        assert ours.rows == theirs.rows, "remake fixtures/more_formats (make_fixtures.py)"
    findings = assert_read_alike(office(tmp_path, {"roster": fixture}), reference)
    assert all(f["source"].endswith("roster.xlsb") for f in findings)


def test_sheetjs_xlsb_cached_error_is_a_finding_at_its_cell(tmp_path):
    xlsx = write_finance_with_error(tmp_path / "finance.xlsx")
    fixture = FIXTURES / "finance_errors.xlsb"
    assert inspect_workbook(fixture).errors == {"活动预算": {(1, 3): "#REF!"}}
    assert inspect_workbook(fixture).errors == inspect_workbook(xlsx).errors
    _, got = findings_json(cwd=office(tmp_path / "b", {"finance": fixture}))
    _, expected = findings_json(cwd=office(tmp_path / "x", {"finance": xlsx}))
    assert without_source(got) == without_source(expected)
    (error,) = [f for f in got["findings"] if f["code"] == "formula_error"]
    assert (error["sheet"], error["cell"]) == ("活动预算", "D2") and "#REF!" in error["message"]


def test_large_office_path_reads_the_xlsb_alike(tmp_path, monkeypatch):
    """Checked in a child interpreter (large offices), the .xlsb's short cells still
    reach the reader: the same result as checked in-process."""
    from automation import load
    from automation.sources.safety import inspect_in_child

    assert inspect_in_child(FIXTURES / "roster.xlsb") == inspect_workbook(FIXTURES / "roster.xlsb")
    config = load_config(office(tmp_path, {"roster": FIXTURES / "roster.xlsb"}) / "office.toml")
    sequential = validate_office(config).to_dict()
    monkeypatch.setattr(load, "PARALLEL_CHECK_BYTES", 0)
    assert validate_office(config).to_dict() == sequential


def test_excel_formula_error_records_match_the_xlsx(tmp_path):
    """Excel writes a formula's cached error as BrtFmlaError (python-calamine leaves that
    cell empty) and a typed-in error as BrtCellError: both are reported like the .xlsx's."""
    import xlsxwriter

    table = [["预算编号", "活动名称", "预算金额"], ["YS01", "迎新晚会", None],
             ["YS02", "运动会", "#DIV/0!"]]
    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("活动预算")
    for r, values in enumerate(table):
        for c, value in enumerate(values):
            if value is not None and not value.startswith("#"):
                sheet.write_string(r, c, value)
    sheet.write_formula(1, 2, "=#N/A", None, "#N/A")
    sheet.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    book.close()
    records = (xb.rows(table[:2]) + xb.formula_error(2, "#N/A")
               + xb.row(2) + xb.text(0, "YS02") + xb.text(1, "运动会") + xb.error(2, "#DIV/0!"))
    binary = xb.write_xlsb(tmp_path / "errors.xlsb", {"活动预算": records})
    assert inspect_workbook(binary).errors == inspect_workbook(path).errors == {
        "活动预算": {(1, 2): "#N/A", (2, 2): "#DIV/0!"}}
    rows = FileSource(binary).read().sheets[0].rows
    assert rows == FileSource(path).read().sheets[0].rows == [
        ["预算编号", "活动名称", "预算金额"], ["YS01", "迎新晚会", ""], ["YS02", "运动会", ""]]


def test_xlsb_dates_1904_and_names_in_any_case(tmp_path):
    """The 1904 date system of BrtWbProp, and names python-calamine does not pick its
    reader by (`.XLSB`), read the same."""
    path = xb.write_xlsb(tmp_path / "ROSTER.XLSB", {"成员": xb.rows([["学号"], ["2024001"]])},
                         date1904=True)
    facts = inspect_workbook(path)
    assert facts.date1904
    book = FileSource(path).read()
    assert book.date1904 and book.sheets[0].rows == [["学号"], ["2024001"]]


def test_sheet_scan_measures_what_calamine_allocates(tmp_path):
    """Cells in any order, short and full, blanks and formula errors: the used area the
    safety pass finds is the one python-calamine reads (from A1 to the furthest kept cell)."""
    chance = random.Random(17)
    for attempt in range(25):
        body = bytearray()
        for r in chance.sample(range(60), 8):
            body += xb.row(r)
            column = chance.randrange(20)
            body += xb.number(column, r)
            for _ in range(chance.randrange(4)):
                kind = chance.choice(["short", "blank", "fmla_error", "text"])
                if kind == "short":
                    body += xb.short_number(1.5)
                    column += 1
                    continue
                column += chance.randrange(1, 5)
                if kind == "blank":
                    body += biff12.record_bytes(0x0001, xb.cell(column))
                elif kind == "fmla_error":
                    body += xb.formula_error(column, "#REF!")
                else:
                    body += xb.text(column, "文")
        path = xb.write_xlsb(tmp_path / f"scan{attempt}.xlsb", {"S": bytes(body)})
        scan = biff12.SheetScan()
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/worksheets/sheet1.bin")
        for start in range(0, len(data), 7):  # chunks that cut records anywhere
            scan.feed(data[start:start + 7])
        scan.close()
        rows = FileSource(path).read().sheets[0].rows
        assert (scan.rows, scan.columns) == (len(rows), max(map(len, rows))), attempt
        whole = b"".join(biff12.expand_short_cells([data]))
        pieces = b"".join(biff12.expand_short_cells(data[i:i + 5]
                                                    for i in range(0, len(data), 5)))
        assert pieces == whole


def random_table_rows(chance: random.Random) -> str:
    """Rows as LibreOffice writes them, at random: repeated rows (empty ones too), cells
    repeated across columns, empty cells between and after, empty strings, covered cells."""
    rows = []
    for _ in range(chance.randrange(1, 8)):
        cells = []
        for _ in range(chance.randrange(0, 6)):
            repeat = chance.choice([1, 1, 2, 3, 7])
            kind = chance.choice(["number", "text", "empty", "empty", "empty_text", "covered"])
            attrs = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
            if kind == "number":
                cells.append(f'<table:table-cell office:value-type="float" office:value="2"'
                             f"{attrs}><text:p>2</text:p></table:table-cell>")
            elif kind == "text":
                cells.append(f'<table:table-cell office:value-type="string"{attrs}>'
                             "<text:p>文<text:s text:c=\"2\"/>字</text:p></table:table-cell>")
            elif kind == "empty_text":
                cells.append(f'<table:table-cell office:value-type="string"{attrs}/>')
            elif kind == "covered":
                cells.append(f'<table:covered-table-cell{attrs}/>')
            else:
                cells.append(f'<table:table-cell table:style-name="ce1"{attrs}/>')
        repeat = chance.choice([1, 1, 1, 2, 4])
        attrs = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
        rows.append(f"<table:table-row{attrs}>{''.join(cells)}</table:table-row>")
    return "".join(rows)


def test_ods_scan_measures_what_calamine_allocates(tmp_path, libreoffice):
    """LibreOffice's .ods with its first sheet's rows replaced at random: the area the
    safety pass counts (repeats written out, trailing empty cells and rows not) is the one
    python-calamine reads, from A1."""
    with zipfile.ZipFile(libreoffice[".ods"]) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    chance = random.Random(19)
    first_table = re.compile(r"(<table:table [^>]*>.*?)<table:table-row.*?(</table:table>)",
                             re.DOTALL)
    for attempt in range(40):
        rows = random_table_rows(chance)
        path = tmp_path / f"scan{attempt}.ods"
        with zipfile.ZipFile(path, "w") as out:
            for info, data in parts:
                if info.filename == "content.xml":
                    data = first_table.sub(lambda m, rows=rows: m[1] + rows + m[2],
                                           data.decode(), 1).encode()
                    scan = odf.ContentScan()
                    for start in range(0, len(data), 97):  # chunks that cut anywhere
                        scan.feed(data[start:start + 97])
                    scan.feed(b"", final=True)
                out.writestr(info, data, compress_type=info.compress_type)
        read = FileSource(path).read().sheets[0].rows
        name, height, width = scan.finished[0]
        assert name == "成员名单"
        assert (height, width) == (len(read), max(map(len, read), default=0)), (attempt, rows)


# --- WPS .et / .ett, and the other LibreOffice copies --------------------------------------


@pytest.mark.parametrize("suffix", [".et", ".ett", ".xls", ".ods"])
def test_libreoffice_copies_read_like_the_xlsx(tmp_path, reference, libreoffice, suffix):
    """BIFF8 under WPS's names (.et, and the template .ett), .xls and .ods: the same
    findings at the same cells and the same typed tables as the .xlsx."""
    assert_read_alike(office(tmp_path, {"roster": libreoffice[suffix]}), reference)


# --- sheets that are not worksheets -------------------------------------------------------


OTHER_SHEETS = {
    "macro": ("http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
              "macrosheets", MACRO_CONTENT, MACRO_SHEET),
    "dialog": ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
               "dialogsheet", "dialogsheets",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml",
               MACRO_SHEET.replace("xm:macrosheet", "dialogsheet")),
}


def with_macro_sheet(xlsx: Path, xlsm: Path, kind: str = "macro") -> Path:
    """The package of `xlsx`, made an .xlsm with an Excel 4 macro sheet (or a dialog
    sheet: its own part, content type, relationship and <sheet>), all else as it was."""
    rel, folder, content, xml = OTHER_SHEETS[kind]
    with zipfile.ZipFile(xlsx) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    types = parts["[Content_Types].xml"].decode()
    types = types.replace("spreadsheetml.sheet.main+xml", "MAIN").replace(
        "application/vnd.openxmlformats-officedocument.MAIN",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        f'<Override PartName="/xl/{folder}/sheet1.xml" ContentType="{content}"/>'
        "</Types>")).encode()
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Type="{rel}" Target="{folder}/sheet1.xml" Id="rIdMacro1"/>'
        "</Relationships>".encode())
    workbook = parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = workbook.replace(
        b"</sheets>", b'<sheet name="Macro1" sheetId="9" state="hidden" r:id="rIdMacro1"/>'
        b"</sheets>")
    parts[f"xl/{folder}/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return xlsm


def test_macro_sheet_in_xlsm_is_skipped(tmp_path, reference):
    path = with_macro_sheet(reference / "books" / "roster.xlsx", tmp_path / "roster.xlsm")
    with pytest.raises(calamine.CalamineError, match="Unrecognized sheet:type"):
        calamine.CalamineWorkbook.from_path(str(path))
    inspect_workbook(path)  # the macro sheet's far cell is not measured: it is never read
    book = FileSource(path).read()
    assert [s.name for s in book.sheets] == list(ROSTER)
    xlsx = FileSource(reference / "books" / "roster.xlsx").read()
    assert [s.rows for s in book.sheets] == [s.rows for s in xlsx.sheets]
    folder = office(tmp_path / "office", {"roster": path})
    assert_read_alike(folder, reference)
    # write-back goes into it too, the macro sheet's part kept byte for byte
    with (folder / "office.toml").open("a", encoding="utf-8") as config:
        config.write("\n[output]\nwrite_back = true\n")
    done = clerk("validate", "--locale", "en", cwd=folder)
    assert done.returncode == 1 and "Wrote" in done.stderr, done.stderr
    written = folder / "books" / "roster.xlsm"
    with zipfile.ZipFile(written) as archive:
        assert archive.read("xl/macrosheets/sheet1.xml") == MACRO_SHEET.encode()
    assert [s.name for s in FileSource(written).read().sheets] == [*ROSTER, "校验结果"]


def test_dialog_sheet_is_skipped(tmp_path, reference):
    """python-calamine lists an Excel 5 dialog sheet (it reads it only if asked): neither
    measured (its far cell) nor read."""
    path = with_macro_sheet(reference / "books" / "roster.xlsx", tmp_path / "roster.xlsm",
                            "dialog")
    kinds = [m.typ for m in calamine.CalamineWorkbook.from_path(str(path)).sheets_metadata]
    assert calamine.SheetTypeEnum.DialogSheet in kinds
    inspect_workbook(path)
    assert [s.name for s in FileSource(path).read().sheets] == list(ROSTER)


def test_macro_sheet_in_xlsb_is_skipped(tmp_path, reference):
    """SheetJS's .xlsb with an Excel 4 macro sheet added: both repairs in one copy."""
    path = tmp_path / "roster.xlsb"
    with zipfile.ZipFile(FIXTURES / "roster.xlsb") as source, zipfile.ZipFile(
            path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.bin":
                end = data.rindex(biff12.record_bytes(0x0090, b""))
                bundle = biff12.record_bytes(0x009C, struct.pack("<II", 1, 9)
                                             + xb.wide("rIdMacro1") + xb.wide("Macro1"))
                data = data[:end] + bundle + data[end:]
            elif info.filename == "xl/_rels/workbook.bin.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdMacro1" Type="{xb.MACROSHEET}" '
                    'Target="macrosheets/sheet1.bin"/></Relationships>').encode())
            out.writestr(info, data)
        out.writestr("xl/macrosheets/sheet1.bin",
                     xb.sheet_head() + xb.rows([["=ECHO()"]]) + xb.SHEET_TAIL)
    with pytest.raises(calamine.CalamineError, match="Unrecognized BoundSheet8:dt"):
        calamine.CalamineWorkbook.from_path(str(path))
    book = FileSource(path).read()
    xlsx = FileSource(reference / "books" / "roster.xlsx").read()
    assert [(s.name, s.rows) for s in book.sheets] == [(s.name, s.rows) for s in xlsx.sheets]


def test_chart_sheet_is_skipped(tmp_path):
    """openpyxl's chart sheet (a real producer's): the worksheets are read, the chart
    sheet is not a table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "成员名单"
    for values in MEMBERS[1:4]:
        sheet.append(values)
    chart = openpyxl.chart.BarChart()
    chart.add_data(openpyxl.chart.Reference(sheet, min_col=1, min_row=1, max_row=3))
    book.create_chartsheet("图表").add_chart(chart)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    inspect_workbook(path)
    read = FileSource(path).read()
    assert [s.name for s in read.sheets] == ["成员名单"]
    assert read.sheets[0].rows[1][:2] == ["2024010001", "王小明"]


# --- legacy code pages --------------------------------------------------------------------


def write_xls(path: Path) -> Path:
    """The roster's text and numbers written by xlwt (BIFF8, as WPS writes an .et)."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    for name, table in ROSTER.items():
        sheet = book.add_sheet(name)
        for r, values in enumerate(table):
            for c, value in enumerate(values):
                if isinstance(value, (str, int, float)):
                    sheet.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return path


def xls_with_codepage(path: Path, codepage: int) -> Path:
    """The xlwt roster, its CODEPAGE record (0x0042) then set to `codepage`."""
    data = write_xls(path).read_bytes()
    record = b"\x42\x00\x02\x00" + struct.pack("<H", 1200)  # xlwt writes UTF-16 (1200)
    assert data.count(record) == 1
    path.write_bytes(data.replace(record, b"\x42\x00\x02\x00" + struct.pack("<H", codepage)))
    return path


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_unknown_code_page_is_one_clear_line(tmp_path, suffix):
    """Code page 0x8001 (32769, BIFF2-3's Windows ANSI) that python-calamine has no table
    for: one line naming it and the fix, in the office's language, never the raw text."""
    path = xls_with_codepage(tmp_path / "books" / f"roster{suffix}", 0x8001)
    if suffix == ".xls":
        with pytest.raises(calamine.CalamineError, match="Codepage 8001 not found"):
            calamine.CalamineWorkbook.from_path(str(path))
    write_config(tmp_path, {"roster": f"books/roster{suffix}"})
    for locale, words in (("zh-Hans", ("代码页 32769", "另存为 .xlsx")),
                          ("en", ("code page 32769", "save it as .xlsx")),
                          ("zh-Hant", ("字碼頁 32769", "另存為 .xlsx"))):
        done = clerk("validate", "--locale", locale, cwd=tmp_path)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, done.stderr
        assert f"roster{suffix}" in lines[0]
        assert all(word in lines[0] for word in words), lines[0]
        assert "Cfb" not in lines[0] and "Codepage" not in lines[0]
        assert "Traceback" not in done.stderr


@pytest.mark.parametrize("suffix", [".xls", ".et", ".ett"])
def test_rc4_encrypted_biff_is_refused_as_encrypted(tmp_path, suffix):
    """A BIFF8 workbook with a password to open (a FILEPASS record, RC4): the safety pass
    finds the record (its sheets' records cannot be followed), and were it passed by,
    python-calamine says so for an .xls, and only `Cannot detect file format` for an .et /
    .ett, whose reason the copy named .xls brings back: the same line for all three."""
    path = write_xls(tmp_path / f"roster{suffix}")
    data = bytearray(path.read_bytes())
    at = data.find(b"\x5c\x00\x70\x00")  # xlwt's WRITEACCESS, 112 bytes, after BOF
    body = struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48  # RC4, version 1.1, salt, verifier
    filepass = struct.pack("<HH", 0x002F, len(body)) + body
    filler = 116 - len(filepass) - 4
    data[at:at + 116] = filepass + struct.pack("<HH", 0x005C, filler) + b" " * filler
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError) as refused:
        inspect_workbook(path)
    assert refused.value.key == "source.encrypted"
    with pytest.raises(SourceError) as refused:
        FileSource(path).read(WorkbookFacts())
    assert refused.value.key == "source.encrypted"


# --- write-back and snapshots -------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsb", ".et"])
def test_write_back_skips_what_it_cannot_write(tmp_path, suffix):
    """With write_back on, an .xlsb / .et register gets one line saying why and what to
    do, is left byte for byte, and the run goes on: the .xlsx beside it is written."""
    roster = (FIXTURES / "roster.xlsb" if suffix == ".xlsb"
              else write_xls(tmp_path / "src" / "roster.et"))
    finance = write_xlsx(tmp_path / "src" / "finance.xlsx",
                         {"活动预算": BUDGETS, "报销明细": EXPENSES})
    office(tmp_path, {"roster": roster, "finance": finance},
           extra="\n[output]\nwrite_back = true\n")
    copy = tmp_path / "books" / roster.name
    before = copy.read_bytes()
    done = clerk("validate", "--locale", "en", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # the planted mistakes; not 2: it ran
    skipped = [line for line in done.stderr.splitlines() if "nothing was written" in line]
    assert len(skipped) == 1 and roster.name in skipped[0] and suffix in skipped[0]
    assert "save it as .xlsx" in skipped[0]
    assert "finance.xlsx" in done.stderr and "Wrote" in done.stderr
    assert copy.read_bytes() == before
    assert "校验结果" in openpyxl.load_workbook(tmp_path / "books" / "finance.xlsx").sheetnames


def test_snapshot_keeps_an_xlsb_and_reads_it_back(tmp_path):
    """A period-end bag holds the .xlsb byte for byte and a CSV of each of its sheets,
    verifies, and a redacted bag turns it into a values-only .xlsx."""
    finance = write_xlsx(tmp_path / "src" / "finance.xlsx",
                         {"活动预算": BUDGETS, "报销明细": EXPENSES})
    office(tmp_path, {"roster": FIXTURES / "roster.xlsb", "finance": finance})
    done = clerk("archive", "--period", "2025-fall", "--today", "2026-02-01", "--format",
                 "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    bag = Path(json.loads(done.stdout)["path"])
    copy = bag / "data" / "registers" / "roster" / "roster.xlsb"
    assert copy.read_bytes() == (FIXTURES / "roster.xlsb").read_bytes()
    members = (copy.parent / "csv" / "01_成员名单.csv").read_text(encoding="utf-8-sig")
    assert "2024010002,李华,文学院,办公室,部长,159-0015-900" in members
    assert clerk("verify", str(bag), cwd=tmp_path).returncode == 0
    done = clerk("archive", "--period", "2025-fall", "--today", "2026-02-01", "--format",
                 "json", "--redact", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    redacted = Path(json.loads(done.stdout)["path"]) / "data" / "registers" / "roster"
    assert not (redacted / "roster.xlsb").exists()
    values = FileSource(redacted / "roster.xlsx").read()
    assert [s.name for s in values.sheets] == list(ROSTER)


def test_snapshot_keeps_an_et(tmp_path, libreoffice):
    finance = write_xlsx(tmp_path / "src" / "finance.xlsx",
                         {"活动预算": BUDGETS, "报销明细": EXPENSES})
    office(tmp_path, {"roster": libreoffice[".et"], "finance": finance})
    done = clerk("archive", "--period", "2025-fall", "--today", "2026-02-01", "--format",
                 "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    bag = Path(json.loads(done.stdout)["path"])
    copy = bag / "data" / "registers" / "roster" / "roster.et"
    assert copy.read_bytes() == libreoffice[".et"].read_bytes()
    assert (copy.parent / "csv" / "02_考勤.csv").is_file()
    assert clerk("verify", str(bag), cwd=tmp_path).returncode == 0
