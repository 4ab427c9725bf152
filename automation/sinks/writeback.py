"""`[output] write_back = true`: each register's workbook gets Sheet Clerk's own tabs
(校验结果, 提醒记录, ...) with the rows about that register. One shell for every command;
how a workbook takes its tabs is its source's (`Source.write_tabs`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import OfficeConfig
from ..load import OfficeData, source_for
from ..sources.base import Source, Tabs, WriteBackSkipped


@dataclass
class WriteBackReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One clear line each, in the reader's language."""


def write_back(config: OfficeConfig, office: OfficeData,
               tabs: dict[str, Tabs]) -> WriteBackReport:
    """`tabs`: register -> tab name -> rows (header first), into xlsx/xlsm files and Google
    spreadsheets, one write per workbook (registers sharing one share its tabs). Nothing
    happens unless write-back is switched on. A register kept in another format (.xlsb,
    .xls, .et, .ett, .ods) is skipped with one line saying to save it as .xlsx; the run
    goes on."""
    report = WriteBackReport()
    if not config.output.write_back:
        return report
    books: dict[str, tuple[str, Source, Tabs]] = {}
    for register, register_tabs in tabs.items():
        source = source_for(config, register)
        if source is None:
            continue
        _, _, merged = books.setdefault(source.label, (register, source, {}))
        for name, rows in register_tabs.items():
            if name in merged:
                merged[name].extend(rows[1:])
            else:
                merged[name] = list(rows)
    backups = config.resolve(config.state.dir) / "backups"
    for register, source, merged in books.values():
        prints = [tt.fingerprint for tt in office.tables.values()
                  if tt.register == register and tt.fingerprint]
        try:
            report.written.append(source.write_tabs(
                merged, expected=prints[0] if prints else None, backups=backups))
        except WriteBackSkipped as exc:
            report.skipped.append(exc.message())
    return report
