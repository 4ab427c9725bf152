"""Templates come from the registers and are committed; the demo office shows its mistakes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
from conftest import ROOT, clerk

from automation.i18n import LOCALES
from automation.registers import REGISTERS
from automation.templates import write_all_templates


def test_committed_templates_match_the_code(tmp_path):
    written = write_all_templates(tmp_path)
    assert len(written) == len(LOCALES) * len(REGISTERS)
    for path in written:
        committed = ROOT / "workbook_templates" / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} missing: run `clerk templates`"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} is stale: run `clerk templates` and commit")


def column_format(sheet, index: int) -> str:
    """openpyxl groups equal adjacent columns: find the group holding column `index`."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return dimension.number_format
    return "General"


def test_template_has_headers_dropdowns_formats_and_instructions():
    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "zh-Hans" / "assets.xlsx")
    assert book.sheetnames == ["物资台账", "借用登记", "盘点记录", "填写说明"]
    loans = book["借用登记"]
    headers = [c.value for c in loans[1]]
    assert headers[:3] == ["借用单号*", "物资编号*", "借用人*"]
    assert loans.freeze_panes == "A2"
    lists = [v for v in loans.data_validations.dataValidation if v.type == "list"]
    assert any("完好" in (v.formula1 or "") for v in lists)
    assert column_format(loans, 7) == "yyyy-mm-dd"
    assert column_format(loans, 5) == "@", "phones stay text, never numbers"
    notes = book["填写说明"]
    rows = [[c.value for c in row] for row in notes.iter_rows(min_row=4)]
    assert any(r[1] == "应还日期" and "不得早于「借出日期」" in (r[4] or "") for r in rows)


def test_english_template_is_english():
    book = openpyxl.load_workbook(ROOT / "workbook_templates" / "en" / "finance.xlsx")
    assert book.sheetnames == ["Budgets", "Expenses", "Instructions"]
    assert book["Expenses"]["A1"].value == "Expense ID*"


def test_empty_office_is_clean(tmp_path):
    done = clerk("init", str(tmp_path / "office"), "--locale", "zh-Hant")
    assert done.returncode == 0, done.stderr
    done = clerk("validate", "--format", "json", cwd=tmp_path / "office")
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["findings"] == []


def test_init_never_overwrites(tmp_path):
    assert clerk("init", str(tmp_path / "o")).returncode == 0
    again = clerk("init", str(tmp_path / "o"))
    assert again.returncode == 2 and "office.toml" in again.stderr


def test_demo_runs_and_shows_the_planted_mistakes(tmp_path):
    done = clerk("demo", str(tmp_path / "demo"), "--today", "2026-11-21")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "demo" / "output"
    for name in ("validation.html", "validation.xlsx", "validation.json"):
        assert (out / name).is_file()
        assert str(out / name) in done.stdout
    messages = list((out / "outbox").rglob("*.eml"))
    assert messages, "the demo's reminders go to the outbox folder, nothing is sent"
    assert (out / "reminder_log.csv").is_file()
    assert (out / "kpi" / "kpi_dashboard.html").is_file()
    assert str(out / "kpi" / "kpi_dashboard.html") in done.stdout
    report = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    codes = {f["code"] for f in report["findings"]}
    assert {"order", "required_when", "ref_missing", "duplicate", "status_needs",
            "date_invalid", "phone_invalid", "money_invalid", "above_limit",
            "before_approval"} <= codes
    assert report["summary"]["errors"] == 10 and report["summary"]["warnings"] == 1
    assert len(report["findings"]) == 11
    tables = {f["table"] for f in report["findings"]}
    assert {"inquiries", "surveys", "expenses"} <= tables
    assert report["summary"]["rows_checked"] > 500
    assert all(re.fullmatch(r"[A-Z]+\d+", f["cell"]) for f in report["findings"])

    # The demo also clicks 校验 once through a local `clerk serve`: the server's answer
    # lists the assets register's findings and colours one cell per error.
    assets = [f for f in report["findings"] if f["register"] == "assets"]
    button = re.search(r"按钮演示：在 http://127\.0\.0\.1:\d+ .*?返回 (\d+) 个操作.*?写入 "
                       r"(\d+) 条问题，把 (\d+) 个出错单元格标红、(\d+) 个", done.stdout)
    assert button, done.stdout
    actions, findings, red, yellow = map(int, button.groups())
    assert findings == red == len(assets) > 0 and yellow == 0
    assert actions > findings


def test_demo_is_reproducible(tmp_path):
    for name in ("a", "b"):
        assert clerk("init", str(tmp_path / name), "--demo", "--today", "2026-03-10"
                     ).returncode == 0
    for register in REGISTERS:
        a = openpyxl.load_workbook(tmp_path / "a" / "workbooks" / f"{register}.xlsx")
        b = openpyxl.load_workbook(tmp_path / "b" / "workbooks" / f"{register}.xlsx")
        for sheet in a.sheetnames:
            assert [[c.value for c in r] for r in a[sheet].iter_rows()] == [
                [c.value for c in r] for r in b[sheet].iter_rows()]


def test_registers_match_the_design(shared_dir: Path):
    """Every column REGISTERS.md lists exists with its key and label, and nothing more."""
    text = (shared_dir / "REGISTERS.md").read_text(encoding="utf-8")
    documented: dict[str, list[tuple[str, str]]] = {}
    table = None
    for line in text.splitlines():
        heading = re.match(r"^### (\w+) — ", line)
        if heading:
            table = heading.group(1)
            documented[table] = []
            continue
        row = re.match(r"^\| (\w+) \| ([^|]+) \|", line)
        if table and row and row.group(1) != "key":
            documented[table].append((row.group(1), row.group(2).strip()))
    ours = {t.key: [(c.key, c.label.hans) for c in t.columns]
            for r in REGISTERS.values() for t in r.tables}
    assert ours == documented
