"""Validation: findings about what officers typed. Pure: typed tables in, Findings out."""

from __future__ import annotations

from ..registers import REGISTERS
from .findings import CODES, Finding, Severity
from .rules import TABLE_CHECKS, referenced_dates, references


def table_checks(tables: dict) -> list[Finding]:
    """Row and column checks of each table on its own (no other table needed)."""
    findings: list[Finding] = []
    for tt in tables.values():
        if tt.letters:
            for check in TABLE_CHECKS:
                findings.extend(check(tt))
    return findings


def reference_checks(tables: dict, read: set[str]) -> list[Finding]:
    """Cross-table checks: every reference must exist where it points, in any workbook."""
    findings: list[Finding] = []
    for tt in tables.values():
        if tt.letters:
            findings.extend(references(tt, tables, read))
            findings.extend(referenced_dates(tt, tables))
    return findings


def run_checks(tables: dict, read: set[str]) -> list[Finding]:
    """All row, column and cross-table checks over the typed tables that were read."""
    return table_checks(tables) + reference_checks(tables, read)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Register order, then table order, sheet row, column order: how a person reads them."""
    order: dict[tuple[str, str, str | None], tuple[int, int, int]] = {}
    for r_index, register in enumerate(REGISTERS.values()):
        order[(register.key, "", None)] = (r_index, -1, -1)  # about the whole register
        for t_index, table in enumerate(register.tables):
            for c_index, column in enumerate(table.columns):
                order[(register.key, table.key, column.key)] = (r_index, t_index, c_index)
            order[(register.key, table.key, None)] = (r_index, t_index, -1)

    def key(f: Finding) -> tuple:
        base = order.get((f.register, f.table, f.column), (99, 99, 99))
        return (base[0], base[1], f.row or 0, base[2], f.code)

    return sorted(findings, key=key)


__all__ = [
    "CODES",
    "Finding",
    "Severity",
    "reference_checks",
    "run_checks",
    "sort_findings",
    "table_checks",
]
