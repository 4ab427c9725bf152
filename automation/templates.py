"""Register workbooks written from the declarative registers: the empty templates officers
start from, and (with rows) the demo office. Headers, frozen header row, widths, dropdowns,
date and text formats, and a 填写说明 sheet that explains every column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ._io import atomic_path
from .i18n import LOCALES, t
from .registers import (
    DOMAINS,
    REGISTERS,
    Column,
    Kind,
    NotAbove,
    NotBefore,
    NotBeforeReferenced,
    Register,
    RequiredWhen,
    StatusNeeds,
    get_table,
)
from .registers import Table as RegisterTable

TEMPLATE_ROWS = 500
"""How far down the formats and dropdowns of an empty template reach."""
FIXED_TIME = datetime(2025, 1, 1)
"""Document properties carry this time so a template regenerates byte for byte."""

HEADER_FILL = "#DDEBF7"
REQUIRED_FONT = "#C00000"


def enum_choices(column: Column, locale: str, configured: list[str] | None = None) -> list[str]:
    """The dropdown values of an enum/bool column in the template's language."""
    if column.kind is Kind.BOOL:
        return [t("template.true", locale), t("template.false", locale)]
    labels = DOMAINS[column.enum or ""]
    if configured:
        by_value = {label.hans: label for label in labels}
        return [by_value[v].get(locale) if v in by_value else v for v in configured]
    return [label.get(locale) for label in labels]


def header_label(column: Column, locale: str) -> str:
    label = column.label.get(locale)
    return f"{label}*" if column.required else label


def describe_column(table: RegisterTable, column: Column, locale: str) -> str:
    """Every rule about one column, in words: used by the 填写说明 sheet and the docs."""
    parts: list[str] = []
    if column.unique:
        parts.append(t("template.unique", locale))
    if column.kind in (Kind.ENUM, Kind.BOOL):
        parts.append(t("template.enum", locale, values=" / ".join(enum_choices(column, locale))))
    if column.minimum is not None:
        key = "template.minimum_exclusive" if column.exclusive else "template.minimum_inclusive"
        parts.append(t(key, locale, minimum=column.minimum))
    if column.ref:
        register, target, key = column.ref.split(".")
        target_table = get_table(f"{register}.{target}")
        parts.append(t("template.ref", locale, table=target_table.label.get(locale),
                       label=target_table.column(key).label.get(locale)))
    for rule in table.rules:
        if isinstance(rule, NotBefore) and rule.later == column.key:
            other = table.column(rule.earlier).label.get(locale)
            parts.append(t("template.not_before", locale, other=other))
        elif isinstance(rule, NotAbove) and rule.column == column.key:
            other = table.column(rule.limit).label.get(locale)
            parts.append(t("template.not_above", locale, other=other,
                           default=f"{rule.default:g}"))
        elif isinstance(rule, RequiredWhen) and rule.column == column.key:
            when = table.column(rule.when)
            key = ("template.required_when_yes" if when.kind is Kind.BOOL
                   else "template.required_when")
            parts.append(t(key, locale, other=when.label.get(locale)))
        elif isinstance(rule, NotBeforeReferenced) and column.key in rule.dates:
            register, target, _ = (table.column(rule.via).ref or "..").split(".")
            target_table = get_table(f"{register}.{target}")
            dates = t("list.separator", locale).join(
                target_table.column(k).label.get(locale) for k in rule.target_dates)
            parts.append(t("template.not_before_referenced", locale,
                           target=target_table.label.get(locale), dates=dates))
        elif isinstance(rule, StatusNeeds) and rule.column == column.key:
            status = next(
                (lbl.get(locale) for lbl in DOMAINS[table.column(rule.status).enum or ""]
                 if lbl.hans == rule.value), rule.value)
            parts.append(t("template.status_needs", locale, status=status))
    if column.pii:
        parts.append(t("template.pii", locale))
    separator = "; " if locale == "en" else "；"
    return separator.join(parts)


@dataclass
class SheetData:
    """Rows to put under the header (demo data), and the habits of a real sheet."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    title: str | None = None
    """A merged title row above the header, as many offices have."""
    extra_columns: list[str] = field(default_factory=list)
    """Columns the register does not define (备注 ...), kept as they are."""


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1,
                                       "text_wrap": True, "valign": "vcenter"})
        self.required = book.add_format({"bold": True, "bg_color": HEADER_FILL, "border": 1,
                                         "font_color": REQUIRED_FONT, "text_wrap": True,
                                         "valign": "vcenter"})
        self.title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.money = book.add_format({"num_format": "#,##0.00"})
        self.text = book.add_format({"num_format": "@"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.bold = book.add_format({"bold": True})

    def for_column(self, column: Column) -> Any:
        if column.kind is Kind.DATE:
            return self.date
        if column.kind is Kind.DATETIME:
            return self.datetime
        if column.kind is Kind.MONEY:
            return self.money
        if column.identifier or column.kind is Kind.PHONE:
            return self.text
        return None


def _write_value(sheet: Worksheet, row: int, col: int, value: Any, fmt: _Formats,
                 column: Column | None) -> None:
    if value is None or value == "":
        return
    if isinstance(value, datetime):
        has_time = column is not None and column.kind is Kind.DATETIME
        sheet.write_datetime(row, col, value, fmt.datetime if has_time else fmt.date)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt.date)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        money = column is not None and column.kind is Kind.MONEY
        sheet.write_number(row, col, value, fmt.money if money else None)
    else:
        sheet.write_string(row, col, str(value))


def _write_table(book: xlsxwriter.Workbook, fmt: _Formats, table: RegisterTable, locale: str,
                 data: SheetData | None, enums: dict[str, list[str]]) -> None:
    sheet = book.add_worksheet(table.label.get(locale)[:31])
    data = data or SheetData()
    top = 0
    columns = list(table.columns)
    width = len(columns) + len(data.extra_columns)
    if data.title:
        sheet.merge_range(0, 0, 0, width - 1, data.title, fmt.title)
        top = 1
    last = top + max(TEMPLATE_ROWS, len(data.rows) + 50)
    for index, column in enumerate(columns):
        sheet.write_string(top, index, header_label(column, locale),
                           fmt.required if column.required else fmt.header)
        sheet.set_column(index, index, column.width, fmt.for_column(column))
        message = describe_column(table, column, locale)[:250]
        title = column.label.get(locale)[:31]
        if column.kind in (Kind.ENUM, Kind.BOOL):
            sheet.data_validation(top + 1, index, last, index, {
                "validate": "list",
                "source": enum_choices(column, locale, enums.get(column.enum or "")),
                "input_title": title, "input_message": message,
                "error_type": "warning",
            })
        elif message:
            sheet.data_validation(top + 1, index, last, index, {
                "validate": "any", "input_title": title, "input_message": message,
            })
    for offset, name in enumerate(data.extra_columns):
        sheet.write_string(top, len(columns) + offset, name, fmt.header)
        sheet.set_column(len(columns) + offset, len(columns) + offset, 16)
    sheet.freeze_panes(top + 1, 0)
    sheet.set_row(top, 30)
    for r, record in enumerate(data.rows, start=top + 1):
        for c, column in enumerate(columns):
            _write_value(sheet, r, c, record.get(column.key), fmt, column)
        for offset, name in enumerate(data.extra_columns):
            _write_value(sheet, r, len(columns) + offset, record.get(name), fmt, None)


def _write_instructions(book: xlsxwriter.Workbook, fmt: _Formats, register: Register,
                        locale: str) -> None:
    sheet = book.add_worksheet(t("template.instructions", locale)[:31])
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 3, 8)
    sheet.set_column(4, 4, 70)
    sheet.merge_range(0, 0, 0, 4, t("template.intro", locale), fmt.wrap)
    sheet.set_row(0, 48)
    row = 2
    header, *lines = instruction_rows(register, locale)
    for c, text in enumerate(header):
        sheet.write_string(row, c, text, fmt.header)
    sheet.freeze_panes(row + 1, 0)
    for line in lines:
        row += 1
        for c, text in enumerate(line):
            sheet.write_string(row, c, text, fmt.wrap if c == 4 else None)


def instruction_rows(register: Register, locale: str) -> list[list[str]]:
    """The 填写说明 table, header first: one row per column of every table."""
    rows = [[t("report.table", locale), t("template.column", locale),
             t("template.type", locale), t("template.required", locale),
             t("template.rules", locale)]]
    for table in register.tables:
        for column in table.columns:
            rows.append([table.label.get(locale), column.label.get(locale),
                         t(f"template.kind.{column.kind.value}", locale),
                         t("template.yes", locale) if column.required else "",
                         describe_column(table, column, locale)])
    return rows


def write_register_workbook(
    register: Register,
    locale: str,
    path: Path,
    data: dict[str, SheetData] | None = None,
    enums: dict[str, list[str]] | None = None,
) -> Path:
    """Write one register's workbook (atomically): a sheet per table, then 填写说明."""
    with atomic_path(path, keep_suffix=True) as temp:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_numbers": False,
                                               "strings_to_urls": False})
        book.set_properties({"title": register.label.get(locale), "author": "Sheet Clerk",
                             "created": FIXED_TIME})
        fmt = _Formats(book)
        for table in register.tables:
            _write_table(book, fmt, table, locale, (data or {}).get(table.key), enums or {})
        _write_instructions(book, fmt, register, locale)
        book.close()
    return path


def template_path(root: Path, locale: str, register: str) -> Path:
    return root / locale / f"{register}.xlsx"


def write_all_templates(root: Path, locales: Iterable[str] = LOCALES) -> list[Path]:
    """`workbook_templates/<locale>/<register>.xlsx` for every locale and register."""
    return [
        write_register_workbook(register, locale, template_path(root, locale, key))
        for locale in locales
        for key, register in REGISTERS.items()
    ]
