"""The findings reports as an officer sees them: xlsx read back with openpyxl (not the
writer), HTML parsed with the stdlib parser."""

from __future__ import annotations

import tomllib
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from automation.checks.findings import Finding
from automation.i18n import t
from automation.reports import write_findings_html, write_findings_xlsx
from automation.validate import ValidationResult

OFFICE = "测试大学学生会"
GENERATED = datetime(2025, 10, 8, 8, 30)
HEADERS_ZH = ["级别", "台账", "工作表", "单元格", "行", "说明", "原值", "代码"]
HEADERS_EN = ["Severity", "Register", "Sheet", "Cell", "Row", "Message", "Value found", "Code"]
SCRIPT = "<script>alert('x')</script>"


def _findings(folder: Path) -> list[Finding]:
    assets = str(folder / "workbooks" / "assets.xlsx")
    roster = str(folder / "workbooks" / "roster.xlsm")
    return [
        Finding("assets", "items", assets, "物资台账", 17, "purchase_date", "C17", "error",
                "not_a_date", "「购置日期」应是日期（如 2025-03-05），这里是「上周三」。",
                "上周三"),
        Finding("assets", "items", assets, "物资台账", 18, "value", "E18", "error",
                "money_invalid", f"「金额」应是金额，这里是「{SCRIPT}」。", "=SUM(A1:A3)"),
        Finding("assets", "loans", assets, "借用 登记", 5, "due", "F5", "warning",
                "datetime_no_time", "「归还时间」只有日期「2025-10-01」，没有具体时间。",
                "2025-10-01"),
        Finding("roster", "members", roster, "成员", None, "phone", "", "error",
                "missing_column", "「成员」表缺少必填列「手机号」。", ""),
        Finding("finance", "expenses", "1AbCdEfGoogleSheetKey", "报销明细", 9, "amount", "D9",
                "error", "required", "「金额」必须填写。", ""),
    ]


@pytest.fixture
def result(tmp_path: Path) -> ValidationResult:
    return ValidationResult(_findings(tmp_path), rows_checked=123, office=None)


def _xlsx(result: ValidationResult, tmp_path: Path, locale: str = "zh-Hans") -> Path:
    path = write_findings_xlsx(result, tmp_path / "output" / "validation.xlsx", locale=locale,
                               office_name=OFFICE, generated=GENERATED)
    assert path == tmp_path / "output" / "validation.xlsx"
    return path


def _header_row(sheet, first: str) -> int:
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == first:
            return row[0].row
    raise AssertionError(f"no header row starting with {first!r}")


# --------------------------------------------------------------------------- xlsx


def test_xlsx_officer_view_in_zh_hans(result: ValidationResult, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(_xlsx(result, tmp_path))
    assert book.sheetnames == ["台账校验结果", "按表统计"]
    sheet = book["台账校验结果"]

    title = sheet["A1"].value
    assert OFFICE in title and "台账校验结果" in title and "2025-10-08 08:30" in title
    summary = sheet["A2"].value
    assert "错误：4" in summary and "警告：1" in summary and "123" in summary

    header = _header_row(sheet, "级别")
    assert [c.value for c in sheet[header]] == HEADERS_ZH
    assert sheet.freeze_panes == f"A{header + 1}"
    assert sheet.auto_filter.ref == f"A{header}:H{header + len(result.findings)}"

    rows = list(sheet.iter_rows(min_row=header + 1, max_col=8))
    assert len(rows) == len(result.findings)
    for cells, f in zip(rows, result.findings, strict=True):
        severity, _register, sheet_name, cell, row, message, value, code = cells
        assert severity.value == t(f"report.{f.severity}", "zh-Hans")
        assert sheet_name.value == f.sheet
        assert (cell.value or "") == f.cell
        assert row.value == f.row
        assert message.value == f.message
        assert (value.value or "") == f.value
        assert code.value == f.code
    assert [r[1].value for r in rows[:5]] == ["物资", "物资", "物资", "名册", "财务"]

    # errors red, warnings amber
    assert rows[0][0].fill.fgColor.rgb.endswith("FFC7CE")
    assert rows[2][0].fill.fgColor.rgb.endswith("FFEB9C")
    assert rows[3][0].fill.fgColor.rgb.endswith("FFC7CE")
    # the message column wraps; a value that looks like a formula stays text
    assert rows[0][5].alignment.wrap_text
    assert rows[1][6].data_type == "s" and rows[1][6].value == "=SUM(A1:A3)"
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["E"].width


def test_xlsx_cell_links_open_the_officers_workbook(result: ValidationResult,
                                                   tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_xlsx(result, tmp_path)).worksheets[0]
    header = _header_row(sheet, "级别")
    cells = [sheet.cell(header + 1 + i, 4) for i in range(len(result.findings))]

    link = cells[0].hyperlink
    assert link is not None
    # relative to the report's folder, so it survives a synced office folder
    assert link.target.replace("\\", "/") == "../workbooks/assets.xlsx"
    assert link.location == "'物资台账'!C17"
    assert cells[0].value == "C17"
    assert cells[2].hyperlink.location == "'借用 登记'!F5"
    assert cells[3].hyperlink is None and cells[3].value is None     # whole-sheet finding
    assert cells[4].hyperlink is None and cells[4].value == "D9"     # Google Sheets source


def test_xlsx_counts_by_table(result: ValidationResult, tmp_path: Path) -> None:
    sheet = openpyxl.load_workbook(_xlsx(result, tmp_path))["按表统计"]
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ("台账", "表", "错误", "警告")
    assert rows[1:] == [
        ("物资", "物资台账", 2, 0),
        ("物资", "借用登记", 0, 1),
        ("名册", "成员", 1, 0),
        ("财务", "报销明细", 1, 0),
        ("合计", None, 4, 1),
    ]


def test_xlsx_in_english(result: ValidationResult, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(_xlsx(result, tmp_path, "en"))
    assert book.sheetnames == ["Register validation results", "By table"]
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[_header_row(sheet, "Severity")]] == HEADERS_EN
    assert "Register validation results" in sheet["A1"].value
    assert sheet.cell(_header_row(sheet, "Severity") + 1, 1).value == "error"


def test_xlsx_without_findings_says_so(tmp_path: Path) -> None:
    empty = ValidationResult([], rows_checked=40, office=None)
    book = openpyxl.load_workbook(_xlsx(empty, tmp_path))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert "没有发现问题。" in values
    assert "级别" not in values


def test_xlsx_write_is_atomic_and_replaces(result: ValidationResult, tmp_path: Path) -> None:
    target = tmp_path / "output" / "validation.xlsx"
    target.parent.mkdir()
    target.write_bytes(b"old report")
    _xlsx(result, tmp_path)
    _xlsx(result, tmp_path)
    assert sorted(p.name for p in target.parent.iterdir()) == ["validation.xlsx"]
    assert openpyxl.load_workbook(target).sheetnames[0] == "台账校验结果"


# --------------------------------------------------------------------------- html


class _Page(HTMLParser):
    """What a browser would see: lang, metas, every attribute, text (not CSS), scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.metas: list[dict[str, str | None]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "meta":
            self.metas.append(attributes)
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
        self._in_style = self._in_style or tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        elif not self._in_style:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def _html(result: ValidationResult, tmp_path: Path, locale: str = "zh-Hans") -> tuple[str, _Page]:
    path = write_findings_html(result, tmp_path / "output" / f"validation-{locale}.html",
                               locale=locale, office_name=OFFICE, generated=GENERATED)
    raw = path.read_text("utf-8")
    page = _Page()
    page.feed(raw)
    page.close()
    return raw, page


def test_html_is_self_contained_and_phone_ready(result: ValidationResult,
                                                tmp_path: Path) -> None:
    raw, page = _html(result, tmp_path)
    assert raw.startswith("<!DOCTYPE html>")
    assert page.lang == "zh-CN"
    assert any(m.get("charset", "").lower() == "utf-8" for m in page.metas)
    assert any(m.get("name") == "viewport" and "width=device-width" in (m.get("content") or "")
               for m in page.metas)
    assert "overflow-x: auto" in raw                      # wide tables scroll, not the page
    lowered = raw.lower()
    assert "http://" not in lowered and "https://" not in lowered
    assert "<link" not in lowered and "@import" not in lowered
    for tag, attrs in page.tags:
        assert tag not in {"link", "iframe", "img", "object", "embed"}, tag
        assert "src" not in attrs, (tag, attrs)
        assert not (attrs.get("href") or "").strip(), (tag, attrs)


def test_html_lists_every_finding_with_its_location(result: ValidationResult,
                                                    tmp_path: Path) -> None:
    _, page = _html(result, tmp_path)
    text = page.visible
    assert OFFICE in text and "台账校验结果" in text and "2025-10-08 08:30" in text
    for label in ("位置", "级别", "说明", "原值", "错误", "警告", "检查行数", "按表统计"):
        assert label in text
    for f in result.findings:
        assert " ".join(f.message.split()) in text
        assert f.location in text
    assert "物资台账!C17" in text and "借用 登记!F5" in text and "报销明细!D9" in text
    # grouped by register and sheet, in reading order
    order = [text.index(h) for h in ("物资 · 物资台账", "物资 · 借用 登记", "名册 · 成员",
                                     "财务 · 报销明细")]
    assert order == sorted(order)


def test_html_escapes_what_officers_typed(result: ValidationResult, tmp_path: Path) -> None:
    raw, page = _html(result, tmp_path)
    assert SCRIPT not in raw
    assert "&lt;script&gt;alert(" in raw
    assert SCRIPT in page.visible                          # shown as text, not run
    assert all("alert" not in script for script in page.scripts)
    assert not any(tag == "script" and "src" in attrs for tag, attrs in page.tags)


def test_html_in_english_and_traditional(result: ValidationResult, tmp_path: Path) -> None:
    _, page = _html(result, tmp_path, "en")
    assert page.lang == "en"
    for label in ("Register validation results", "Location", "Severity", "Message",
                  "Value found", "Errors", "Warnings", "Rows checked", "By table"):
        assert label in page.visible
    assert "Assets · 物资台账" in page.visible

    _, page = _html(result, tmp_path, "zh-Hant")
    assert page.lang == "zh-TW"
    assert "台賬校驗結果" in page.visible


def test_html_without_findings_says_so(tmp_path: Path) -> None:
    _, page = _html(ValidationResult([], rows_checked=40, office=None), tmp_path)
    assert "没有发现问题。" in page.visible
    assert not any(tag == "table" for tag, _ in page.tags)


def test_report_texts_exist_in_every_locale() -> None:
    root = Path(__file__).resolve().parent.parent / "automation" / "locales"
    keys = {}
    for locale in ("zh-Hans", "zh-Hant", "en"):
        with (root / f"{locale}.toml").open("rb") as handle:
            keys[locale] = set(tomllib.load(handle)["report"])
    assert keys["zh-Hans"] == keys["zh-Hant"] == keys["en"]
