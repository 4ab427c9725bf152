"""The snapshot's first two steps: freeze every register's source into the bag (or, for
a redacted bag, beside it) through `Source.snapshot`, then load those copies through
`load` — once: the workbooks read there are the ones the CSVs and redacted copies are
made from. Sources are chosen by `load.source_for` alone; nothing here knows a file
from a Google spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..checks.findings import Finding
from ..config import OfficeConfig
from ..layout import locate_tables
from ..load import sources_for
from ..registers import REGISTERS
from ..sources.base import RawSheet, RawWorkbook
from ..validate import ValidationResult, validate_office
from .redact import Redactor


@dataclass
class Frozen:
    """One register in a snapshot."""

    key: str
    spec: str
    """The source as the bag records it (`Register-Source`)."""
    original: str
    """What the office's own findings call it (its file path or address)."""
    read_from: Path
    """The byte-for-byte copy or values-only export everything is made from (inside the bag
    unless redacted)."""
    archived: Path
    """Where the register is in the bag: that copy, or its redacted values-only export."""
    sha256: str
    workbook: RawWorkbook | None = None


def freeze_sources(config: OfficeConfig, payload: Path, work: Path, redact: bool,
                   created: datetime) -> list[Frozen]:
    """Freeze each register's source once; the copy is read, checked and archived, so an
    officer saving the file meanwhile cannot make the bag disagree with itself. Redacted,
    the copies stay in `work` and the bag gets values-only exports (`.xlsx`) instead."""
    frozen: list[Frozen] = []
    for key, source in sources_for(config):
        shot = source.snapshot((work if redact else payload / "registers") / key, created)
        name = f"{shot.path.stem}.xlsx" if redact else shot.path.name
        frozen.append(Frozen(key, shot.label, source.label, shot.path,
                             payload / "registers" / key / name, shot.sha256))
    return frozen


def snapshot_config(config: OfficeConfig, registers: list[Frozen]) -> OfficeConfig:
    """The office's config with each register pointing at its frozen copy."""
    update = {r.key: str(r.read_from.resolve()) for r in registers}
    return config.model_copy(update={"registers": config.registers.model_copy(update=update)})


def load_snapshot(snapshot: OfficeConfig, registers: list[Frozen]) -> ValidationResult:
    """The copies loaded and validated through `load`, each register keeping the workbook
    read there."""
    workbooks: dict[str, RawWorkbook] = {}
    result = validate_office(snapshot, workbooks=workbooks)
    for register in registers:
        register.workbook = workbooks[register.key]
    return result


def redacted_sheets(register: str, workbook: RawWorkbook, redactor: Redactor
                    ) -> list[RawSheet]:
    """The workbook's sheets with every personal column masked below its header and every
    known personal value swept from all other cells."""
    personal: dict[str, tuple[int, set[int]]] = {}
    for located in locate_tables(REGISTERS[register], workbook).values():
        columns = {index for key, index in located.columns.items()
                   if located.table.column(key).pii}
        personal[located.sheet.name] = (located.header_row, columns)
    sheets = []
    for sheet in workbook.sheets:
        header, columns = personal.get(sheet.name, (-1, set()))
        rows = [[redactor.value(v, r > header and c in columns) for c, v in enumerate(row)]
                for r, row in enumerate(sheet.rows)]
        sheets.append(replace(sheet, rows=rows, errors=dict(sheet.errors)))
    return sheets


def findings_in_bag(findings: list[Finding], registers: list[Frozen], payload: Path
                    ) -> list[Finding]:
    """Findings pointing at the archived copies instead of the office's own sources, by
    their path inside the payload (`registers/roster/roster.xlsx`)."""
    where = {}
    for r in registers:
        inside = r.archived.relative_to(payload).as_posix()
        where[r.original] = where[str(r.read_from.resolve())] = inside
    return [replace(f, source=where.get(f.source, f.source)) for f in findings]
