"""The owned tabs: what Sheet Clerk writes into the officers' workbooks, as tables
(header first), and `write_tabs`, the one call into the write-back for every caller."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..config import OfficeConfig
from ..i18n import t
from ..load import OfficeData
from ..registers import table_label
from ..sinks.writeback import WriteBackReport, write_back

if TYPE_CHECKING:
    from ..checks import Finding
    from ..kpi import KpiResult
    from ..validate import ValidationResult

Table = list[list[object]]
Tabs = dict[str, dict[str, Table]]
"""register -> tab name -> rows (header first)."""

FINDING_COLUMNS = ("cell", "severity", "message", "value", "code", "table")


def findings_tab(findings: list[Finding], locale: str) -> Table:
    """The 校验结果 tab: one row per finding, the cell address first."""
    rows: Table = [[t(f"report.{c}", locale) for c in FINDING_COLUMNS]]
    for f in findings:
        rows.append([f.location, t(f"report.{f.severity}", locale), f.message, f.value,
                     f.code, table_label(f.register, f.table, locale)])
    if len(rows) == 1:
        rows.append([t("report.none", locale)])
    return rows


def validation_tabs(config: OfficeConfig, result: ValidationResult) -> Tabs:
    """register -> {校验结果: its own findings}: what write-back puts in each workbook."""
    return {register: {config.output.results_tab: findings_tab(
        [f for f in result.findings if f.register == register], config.locale)}
        for register in result.registers}


def kpi_tab(result: KpiResult, locale: str) -> Table:
    """The KPI看板 tab: every row of the result, in the reader's language, each KPI named
    with the numbers of the policy in force."""
    from ..reports.kpi_text import shown_met, shown_target, shown_value

    rows: Table = [[t(f"kpi.column.{c}", locale) for c in (
        "kpi", "office", "department", "value", "numerator", "denominator", "target", "met")]]
    for row in result.rows:
        rows.append([result.label(row.key, locale, row.office), row.office or "",
                     row.department or "",
                     shown_value(row, locale), row.numerator, row.denominator,
                     shown_target(row, locale), shown_met(row)])
    return rows


def kpi_tabs(config: OfficeConfig, result: KpiResult, office: OfficeData) -> Tabs:
    """register -> {KPI看板: the table}: every register workbook of this office gets it."""
    table = kpi_tab(result, config.locale)
    return {r: {config.output.kpi_tab: table} for r in office.registers}


def reminder_tabs(config: OfficeConfig, office: OfficeData, log: list[dict[str, object]]
                  ) -> Tabs:
    """register -> {提醒记录: the log lines about that register's records}."""
    from ..reports.reminder_log import log_table

    return {register: {config.output.reminder_tab: log_table(
        [row for row in log if str(row["record"]).startswith(f"{register}.")], config.locale,
        config.in_force)}
        for register in office.registers}


def merge_tabs(tab_sets: Iterable[Tabs]) -> Tabs:
    """Several commands' tabs as one: per register, the tabs of all of them (a later set
    replaces a tab of the same name)."""
    merged: Tabs = {}
    for tabs in tab_sets:
        for register, register_tabs in tabs.items():
            merged.setdefault(register, {}).update(register_tabs)
    return merged


def write_tabs(config: OfficeConfig, office: OfficeData, tabs: Tabs | Iterable[Tabs]
               ) -> WriteBackReport:
    """With `[output] write_back` on, every register's workbook gets its tabs, all of them
    in one write per workbook; off, nothing happens. `tabs`: one set or several (merged)."""
    sets = [tabs] if isinstance(tabs, dict) else list(tabs)
    return write_back(config, office, merge_tabs(sets))


__all__ = ["FINDING_COLUMNS", "Table", "Tabs", "findings_tab", "kpi_tab",
           "kpi_tabs", "merge_tabs", "reminder_tabs", "validation_tabs", "write_tabs"]
