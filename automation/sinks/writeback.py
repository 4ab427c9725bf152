"""`[output] write_back = true`: each register's workbook file gets Sheet Clerk's own tabs
(校验结果, 提醒记录, ...) with the rows about that register. One shell for every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import OfficeConfig
from ..i18n import t
from ..load import OfficeData
from .xlsx_tabs import WriteBackSkipped, write_owned_tabs


@dataclass
class WriteBackReport:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One clear line each, in the reader's language."""


def write_back(config: OfficeConfig, office: OfficeData,
               tabs: dict[str, dict[str, list[list[Any]]]]) -> WriteBackReport:
    """`tabs`: register -> tab name -> rows (header first). Files only; other sources are
    handled by their own sinks. Nothing happens unless write-back is switched on."""
    report = WriteBackReport()
    if not config.output.write_back:
        return report
    for register, register_tabs in tabs.items():
        path = config.register_path(register)
        if path is None or path.suffix.lower() not in (".xlsx", ".xlsm"):
            continue
        prints = [tt.fingerprint for tt in office.tables.values()
                  if tt.register == register and tt.fingerprint]
        try:
            done = write_owned_tabs(path, register_tabs, expected=prints[0] if prints else None,
                                    backups=config.resolve(config.state.dir) / "backups")
        except WriteBackSkipped as exc:
            report.skipped.append(exc.message())
        else:
            tabs = t("writeback.separator").join(done.tabs)
            report.written.append(t("writeback.written", tabs=tabs,
                                    path=str(done.path), backup=str(done.backup)))
    return report
