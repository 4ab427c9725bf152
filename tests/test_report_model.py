"""The report model and its renderers (issue 18, step 2): one formats table for every report
workbook, positions that follow from the model, CSV as Excel opens it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl

from automation.reports.cells import sheet_csv
from automation.reports.model import Book, Cell, Chart, Column, Kind, Series, Sheet
from automation.reports.xlsx import FORMATS, days_format, write_xlsx


def _sheet() -> Sheet:
    return Sheet(
        "表", [Column("名称"), Column("比例", Kind.PERCENT), Column("金额", Kind.MONEY)],
        [[Cell("甲"), Cell(0.95, "good"), Cell(12.5)],
         [Cell("=1+1"), Cell("—", "none"), Cell(None)]],
        heading="标题", meta=["说明"], totals=[Cell("合计"), None, Cell(12.5)],
        freeze=1, filter=True,
        charts=[Chart("bar", "图", [Series(1, "#4472C4", "比例")], categories=0,
                      size=(400, 200))])


def test_positions_follow_from_the_model(tmp_path: Path) -> None:
    sheet = _sheet()
    assert (sheet.header_row, sheet.first_row, sheet.last_row) == (3, 4, 5)
    path = write_xlsx(Book("书", datetime(2026, 3, 17), "zh-Hans", [sheet]), tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(path)["表"]
    assert ws["A1"].value == "标题" and ws["A2"].value == "说明"
    assert [c.value for c in ws[4]] == ["名称", "比例", "金额"]
    assert ws["B5"].value == 0.95 and ws["B5"].number_format == "0.0%"
    assert ws["B5"].fill.fgColor.rgb.endswith("C6EFCE")
    assert ws["A6"].value == "=1+1" and ws["A6"].data_type == "s"
    assert ws["C5"].number_format == "#,##0.00"
    assert ws["A7"].value == "合计" and ws["A7"].font.b and ws["C7"].value == 12.5
    assert ws.freeze_panes == "B5" and ws.auto_filter.ref == "A4:C6"


def test_every_judged_number_has_its_fills() -> None:
    for kind in ("percent", "days", "deviation"):
        assert FORMATS[f"{kind}_good"]["bg_color"] == "#C6EFCE"
        assert FORMATS[f"{kind}_bad"]["bg_color"] == "#FFC7CE"
    assert days_format("zh-Hans") == '0.00" 个工作日"'


def test_sheet_csv_is_excel_utf8_and_formula_safe() -> None:
    data = sheet_csv(_sheet())
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "名称,比例,金额"
    assert lines[2] == "'=1+1,—,"
    assert lines[3] == "合计,,12.5"
