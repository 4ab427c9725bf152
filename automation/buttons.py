"""The four buttons — 校验 Validate · 提醒 Remind · KPI · 归档 Archive — for any xlwings
`Book`: the caller's book in desktop Excel (`RunPython`), or `xw.Book(json=...)` built from
what Excel on the web / Google Sheets post to `clerk serve`. Each uses the same library
functions as the command line and answers in the book itself: an owned tab, coloured cells,
an alert. Only actions every xlwings client implements are used (values, colours, sheets,
clear, alert, number formats, hyperlinks).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import OfficeConfig, find_config_path, load_config
from .errors import ClerkError, SourceError
from .i18n import current_locale, t
from .layout import locate_tables, tables_at_most
from .load import OfficeData, collect, iter_registers, read_register
from .publish.book import MARK_COLOURS, client_of, mark_faults, write_tab
from .registers import REGISTERS
from .sources.base import RawSheet, RawWorkbook

if TYPE_CHECKING:
    from .load_cache import LoadCache




@dataclass
class ButtonOutcome:
    """What a click did, for the caller (tests, the CLI, logs)."""

    button: str
    register: str | None = None
    message: str = ""
    tabs: list[str] = field(default_factory=list)
    marked: dict[str, str] = field(default_factory=dict)
    """'Sheet!B5' -> the colour it was given."""
    restored: dict[str, str] = field(default_factory=dict)
    """'Sheet!B5' -> the colour it got back ('' for no fill)."""
    sent: int = 0


# --- reading the book ----------------------------------------------------------------------


def book_sheets(book: Any, skip: Iterable[str] = ()) -> list[RawSheet]:
    """Every sheet's values from A1 to its last used cell, empty cells as ''."""
    skipped = set(skip)
    sheets: list[RawSheet] = []
    for sheet in book.sheets:
        if sheet.name in skipped:
            continue
        last = sheet.used_range.last_cell
        values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value or [[]]
        rows = [["" if v is None else v for v in row] for row in values]
        visible = True
        with contextlib.suppress(NotImplementedError, AttributeError, KeyError):
            visible = bool(sheet.visible)
        sheets.append(RawSheet(name=sheet.name, rows=rows, visible=visible))
    return sheets


def book_workbook(book: Any, config: OfficeConfig) -> RawWorkbook:
    owned = owned_tabs(config)
    return RawWorkbook(source=str(book.fullname or book.name),
                       sheets=book_sheets(book, owned))


def owned_tabs(config: OfficeConfig) -> set[str]:
    out = config.output
    return {out.results_tab, out.kpi_tab, out.reminder_tab, out.preview_tab}


def book_register(config: OfficeConfig, book: Any, workbook: RawWorkbook) -> str:
    """Which register the clicked book is: its path when it is a configured file, else the
    register whose tables its sheets hold (most tables found)."""
    fullname = str(book.fullname or "")
    for key in REGISTERS:
        path = config.register_path(key)
        if path is not None and fullname and _same_file(path, fullname):
            return key
    # The register whose tables `locate_tables` finds most of, the first in REGISTERS on
    # a tie; a register that cannot beat (or tie earlier than) the best so far is skipped.
    order = list(REGISTERS)
    bounds = tables_at_most(REGISTERS, workbook)
    best, best_score = "", 0
    for key in sorted(order, key=lambda key: -bounds[key]):
        bound = bounds[key]
        if bound < best_score or (bound == best_score
                                  and (bound == 0 or order.index(key) > order.index(best))):
            continue
        score = len(locate_tables(REGISTERS[key], workbook))
        if score > best_score or (score and score == best_score
                                  and order.index(key) < order.index(best)):
            best, best_score = key, score
    if not best:
        raise SourceError("button.unknown_book", book=book.name)
    return best


def _same_file(path: Path, fullname: str) -> bool:
    try:
        return path.resolve() == Path(fullname).resolve()
    except OSError:
        return False


def book_office(book: Any, config: OfficeConfig, cache: LoadCache | None = None
                ) -> tuple[str, OfficeData]:
    """The clicked book's register, and the office as the checks need it."""
    workbook = book_workbook(book, config)
    register = book_register(config, book, workbook)
    return register, office_with_book(config, register, workbook, cache)


def office_with_book(config: OfficeConfig, register: str, workbook: RawWorkbook,
                     cache: LoadCache | None = None) -> OfficeData:
    """The book's register as the book shows it now (saved or not), with the other
    registers from the config's sources for the checks that look across them (from
    `cache` when they have not changed since: `clerk serve` keeps one)."""
    tables, findings = read_register(REGISTERS[register], workbook, config)
    others = [key for key in REGISTERS
              if key != register and config.register_source(key) is not None]
    parts = [(register, tables, findings), *iter_registers(config, others, cache)]
    return collect(parts)


def _alert(book: Any, text: str, title: str) -> None:
    book.app.alert(text, title)


# --- the buttons -----------------------------------------------------------------------------


def validate(book: Any, config: OfficeConfig, *, today: date | None = None,
             cache: LoadCache | None = None) -> ButtonOutcome:
    """校验: the book's findings in 校验结果 (address, hyperlink, message), the cells at fault
    coloured (errors red, warnings yellow), last run's colours given back first."""
    from .publish.tabs import findings_tab
    from .validate import validate_office

    loc = current_locale.get()
    register, office = book_office(book, config, cache)
    result = validate_office(config, [register], office=office)
    findings = [f for f in result.findings if f.register == register]
    outcome = ButtonOutcome("validate", register)

    marks = mark_faults(book, config, findings)
    outcome.marked.update(marks.marked)
    outcome.restored.update(marks.restored)

    rows = findings_tab(findings, loc)
    rows[0] += [t("button.mark_colour", loc), t("button.original_colour", loc)]
    links: list[tuple[int, str, str]] = []
    for index, f in enumerate(findings, start=1):
        key = (f.sheet, f.cell)
        if f.cell and key in marks.faults:
            rows[index] += [MARK_COLOURS[marks.faults[key]], marks.originals[key]]
            if client_of(book) != "Google Apps Script":
                links.append((index, f"#'{f.sheet}'!{f.cell}", f.location))
    write_tab(book, config.output.results_tab, rows, links=links)
    outcome.tabs.append(config.output.results_tab)
    outcome.message = (t("button.validate_done", loc, errors=result.errors,
                         warnings=result.warnings, tab=config.output.results_tab)
                       if findings else t("button.validate_clean", loc))
    _alert(book, outcome.message, t("button.title", loc))
    return outcome


def plan_fingerprint(report: Any) -> str:
    """What the preview promised: the digests, recipients and texts, as 12 hex digits."""
    digest = hashlib.sha256()
    for message in sorted(report.messages, key=lambda d: d.message.key):
        digest.update(f"{message.message.key}\n{message.message.text}\n".encode())
    return digest.hexdigest()[:12]


def remind(book: Any, config: OfficeConfig, *, today: date | None = None,
           open_channel: Callable[..., Any] | None = None,
           cache: LoadCache | None = None) -> ButtonOutcome:
    """提醒: the first click writes 提醒预览 (what would go out) and sends nothing; a second
    click sends exactly that preview — if the registers changed meanwhile, it previews
    again instead. Sent reminders are never sent twice (the state database keeps them)."""
    from .publish.commands import remind_and_publish
    from .reminders.remind import remind as run_reminders

    loc = current_locale.get()
    register, office = book_office(book, config, cache)
    planned = run_reminders(config, today=today, dry_run=True, office=office)
    code = plan_fingerprint(planned)
    outcome = ButtonOutcome("remind", register)
    confirmed = _preview_code(book, config) == code and planned.messages
    if not confirmed:
        rows: list[list[object]] = [[t("button.preview_code", loc), code],
                [t("button.recipient", loc), t("button.channel", loc),
                 t("button.items", loc), t("button.subject", loc)]]
        for digest in planned.messages:
            message = digest.message
            rows.append([message.person_name or message.person_id, message.channel,
                         len(digest.lines), message.subject])
        write_tab(book, config.output.preview_tab, rows)
        outcome.tabs.append(config.output.preview_tab)
        outcome.message = (t("button.preview_done", loc, count=len(planned.messages),
                             tab=config.output.preview_tab)
                           if planned.messages else t("button.nothing_due", loc))
    else:
        report = remind_and_publish(config, today=today, office=office,
                                    open_channel=open_channel, tabs=False).result
        outcome.sent = len(report.sent)
        rows = [[t("button.preview_code", loc), t("button.sent_code", loc, code=code)],
                [t("button.recipient", loc), t("button.channel", loc), t("button.items", loc),
                 t("button.result", loc)]]
        for digest in report.sent:
            rows.append([digest.message.person_name or digest.message.person_id,
                         digest.message.channel, len(digest.lines), t("button.sent", loc)])
        for failure in report.failed:
            rows.append([failure.digest.message.person_name, failure.digest.message.channel,
                         len(failure.digest.lines), failure.detail])
        write_tab(book, config.output.preview_tab, rows)
        outcome.tabs.append(config.output.preview_tab)
        outcome.message = t("button.remind_done", loc, sent=len(report.sent),
                            failed=len(report.failed), skipped=len(report.skipped))
    _alert(book, outcome.message, t("button.title", loc))
    return outcome


def _preview_code(book: Any, config: OfficeConfig) -> str | None:
    if config.output.preview_tab not in [s.name for s in book.sheets]:
        return None
    value = book.sheets[config.output.preview_tab].range("B1").value
    return str(value) if value else None


def kpi(book: Any, config: OfficeConfig, *, today: date | None = None,
        period: str | None = None, cache: LoadCache | None = None) -> ButtonOutcome:
    """KPI: this semester's (or `period`'s) KPIs into KPI看板."""
    from .kpi import kpi_report
    from .publish.tabs import kpi_tab

    loc = current_locale.get()
    register, office = book_office(book, config, cache)
    result = kpi_report(config, period, today, office)
    write_tab(book, config.output.kpi_tab, kpi_tab(result, loc))
    outcome = ButtonOutcome("kpi", register, tabs=[config.output.kpi_tab])
    outcome.message = t("button.kpi_done", loc, period=result.period.key,
                        tab=config.output.kpi_tab)
    _alert(book, outcome.message, t("button.title", loc))
    return outcome


def archive(book: Any, config: OfficeConfig, *, today: date | None = None,
            period: str | None = None, cache: LoadCache | None = None) -> ButtonOutcome:
    """归档: the snapshot of the configured sources for this semester (or `period`), and
    where it is with its fingerprint for the handover form. (`cache` is not used: the
    snapshot copies and reads the files themselves, as they are at that moment.)"""
    from .archive import archive_period
    from .kpi.periods import parse_period

    loc = current_locale.get()
    day = today or date.today()
    chosen = period or parse_period(None, config, day).key
    report = archive_period(config, chosen, today=day)
    outcome = ButtonOutcome("archive")
    outcome.message = t("button.archive_done", loc, path=str(report.path),
                        fingerprint=report.fingerprint)
    _alert(book, outcome.message, t("button.title", loc))
    return outcome


BUTTONS: dict[str, Callable[..., ButtonOutcome]] = {
    "validate": validate, "remind": remind, "kpi": kpi, "archive": archive,
}


def press(name: str, book: Any, config: OfficeConfig, **options: Any) -> ButtonOutcome:
    """Run a button; a ClerkError becomes an alert in the book instead of a traceback."""
    try:
        return BUTTONS[name](book, config, **options)
    except ClerkError as exc:
        outcome = ButtonOutcome(name, message=exc.message())
        _alert(book, outcome.message, t("button.title"))
        return outcome


# --- desktop Excel: RunPython entry points ---------------------------------------------------


def _caller_config(book: Any) -> OfficeConfig:
    """office.toml beside the clicked workbook or one folder up, else $CLERK_CONFIG."""
    folder = Path(str(book.fullname)).parent
    for candidate in (folder / "office.toml", folder.parent / "office.toml"):
        if candidate.is_file():
            config = load_config(candidate)
            break
    else:
        config = load_config(find_config_path(None))
    current_locale.set(config.locale)
    return config


def _from_excel(name: str) -> None:
    import xlwings as xw

    book = xw.Book.caller()
    try:
        config = _caller_config(book)
    except ClerkError as exc:
        book.app.alert(exc.message(), t("button.title"))
        return
    press(name, book, config)


def validate_caller() -> None:
    _from_excel("validate")


def remind_caller() -> None:
    _from_excel("remind")


def kpi_caller() -> None:
    _from_excel("kpi")


def archive_caller() -> None:
    _from_excel("archive")

