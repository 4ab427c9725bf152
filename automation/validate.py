"""`clerk validate` as a library call: read the registers, check them, collect findings.
Nothing is written here: `automation.publish` turns the result into files and tabs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .checks import Finding, reference_checks, sort_findings, table_checks
from .config import OfficeConfig
from .errors import UsageError
from .load import OfficeData, collect, iter_registers
from .registers import REGISTERS
from .sources.base import RawWorkbook


@dataclass
class ValidationResult:
    findings: list[Finding]
    rows_checked: int
    office: OfficeData = field(repr=False)
    registers: list[str] = field(default_factory=list)
    """The registers this result speaks for (those asked for and read)."""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    def summary(self) -> dict[str, int]:
        return {"errors": self.errors, "warnings": self.warnings,
                "rows_checked": self.rows_checked}

    def to_dict(self) -> dict[str, object]:
        """The `validate --format json` contract of DESIGN.md."""
        return {"findings": [f.to_dict() for f in self.findings], "summary": self.summary()}


def _referenced(register: str) -> set[str]:
    """Registers whose tables `register` refers to (checked across workbooks)."""
    out = set()
    for table in REGISTERS[register].tables:
        for column in table.columns:
            if column.ref:
                out.add(column.ref.split(".")[0])
    return out


def validate_office(
    config: OfficeConfig,
    registers: Iterable[str] | None = None,
    office: OfficeData | None = None,
    *,
    workbooks: dict[str, RawWorkbook] | None = None,
) -> ValidationResult:
    """Check the named registers (default: all configured) and everything they refer to.
    `workbooks` (when reading here) receives each register's workbook as read."""
    wanted = list(registers) if registers else list(REGISTERS)
    for name in wanted:
        if name not in REGISTERS:
            raise UsageError("cli.unknown_register", name=name, known=", ".join(REGISTERS))
    checked: list[Finding] = []
    if office is None:
        needed = set(wanted)
        for name in wanted:
            needed |= _referenced(name)

        def checked_as_read() -> Iterator[tuple[str, dict, list[Finding]]]:
            for key, tables, findings in iter_registers(
                config, [r for r in REGISTERS if r in needed], workbooks=workbooks
            ):
                checked.extend(table_checks(tables))  # while the next workbook reads
                yield key, tables, findings

        office = collect(checked_as_read())
    else:
        checked = table_checks(office.tables)
    findings = (office.findings + checked
                + reference_checks(office.tables, set(office.registers)))
    findings = [f for f in findings if f.register in wanted]
    rows = sum(len(tt.frame) for name, tt in office.tables.items()
               if tt.register in wanted)
    read = [r for r in office.registers if r in wanted]
    return ValidationResult(sort_findings(findings), rows, office, read)
