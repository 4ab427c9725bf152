"""`[output] write_back = true`: each register's workbook file gets Sheet Clerk's own tabs
(校验结果, 提醒记录, ...) with the rows about that register. One shell for every command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import OfficeConfig
from ..errors import SourceError
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
    """`tabs`: register -> tab name -> rows (header first), into xlsx/xlsm files and Google
    spreadsheets. Nothing happens unless write-back is switched on. A register kept in
    another format (.xlsb, .xls, .et, .ett, .ods) is skipped with one line saying to save
    it as .xlsx; the run goes on."""
    report = WriteBackReport()
    if not config.output.write_back:
        return report
    google: dict[str, tuple[str, dict[str, list[list[Any]]]]] = {}
    for register, register_tabs in tabs.items():
        key = config.google_key(register)
        if key is not None:
            _, merged = google.setdefault(key, (register, {}))
            for name, rows in register_tabs.items():
                if name in merged:
                    merged[name].extend(rows[1:])
                else:
                    merged[name] = list(rows)
            continue
        path = config.register_path(register)
        if path is None:
            continue
        prints = [tt.fingerprint for tt in office.tables.values()
                  if tt.register == register and tt.fingerprint]
        try:
            done = write_owned_tabs(path, register_tabs, expected=prints[0] if prints else None,
                                    backups=config.resolve(config.state.dir) / "backups")
        except WriteBackSkipped as exc:
            report.skipped.append(exc.message())
        else:
            names = t("list.separator").join(done.tabs)
            report.written.append(t("writeback.written", tabs=names,
                                    path=str(done.path), backup=str(done.backup)))
    for key, (register, merged) in google.items():
        _write_google(config, register, key, merged, report)
    return report


def _write_google(config: OfficeConfig, register: str, key: str,
                  register_tabs: dict[str, list[list[Any]]], report: WriteBackReport) -> None:
    """The owned tabs of a Google spreadsheet, replaced in one structural and one values
    call (registers sharing a spreadsheet share its tabs)."""
    from ..sources.google import connection_for, sheet_url

    connection = connection_for(config)
    try:
        title = connection.metadata(key, register).title
        done = connection.replace_tabs(key, register_tabs, register)
    except SourceError as exc:
        report.skipped.append(exc.message())
        return
    report.written.append(t("google.written", tabs=t("list.separator").join(done),
                            title=title, url=sheet_url(key)))
