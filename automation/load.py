"""Source.read() -> typed tables + the findings met on the way (the first half of every run)."""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd

from .checks.findings import Finding
from .config import OfficeConfig
from .frames import TypedTable, empty_typed, letters_for
from .i18n import current_locale, t
from .layout import Located, extract, locate_tables
from .normalize import (
    WARNING_ISSUES,
    Context,
    empty_column,
    normalize_column,
    serials_to_dates,
    zones_apart,
)
from .registers import REGISTERS, Kind, Register
from .sources.base import RawWorkbook, Source
from .sources.files import FileSource
from .sources.google import GoogleSource
from .sources.safety import inspect_in_child

if TYPE_CHECKING:

    from .load_cache import LoadCache


@dataclass
class OfficeData:
    """Every table of every configured register, typed, plus what reading found."""

    tables: dict[str, TypedTable] = field(default_factory=dict)
    """`register.table` -> TypedTable (empty when the sheet was not found)."""
    findings: list[Finding] = field(default_factory=list)
    registers: list[str] = field(default_factory=list)
    """The registers that were read."""

    def __getitem__(self, name: str) -> TypedTable:
        return self.tables[name]

    def frame(self, name: str) -> pd.DataFrame:
        return self.tables[name].frame

    def misplaced(self) -> list[Finding]:
        """The `no_tables` errors: registers pointed at a workbook holding none of their
        tables, which every command that reads them must say, not only `clerk validate`."""
        return [finding for finding in self.findings if finding.code == MISPLACED]


def source_for(config: OfficeConfig, register: str) -> Source | None:
    """The configured source of a register, or None when the config names none: the one
    place that chooses the kind of source (loading, the archive and write-back then go
    through the `Source` protocol alone)."""
    spec = config.register_source(register)
    if spec is None:
        return None
    if isinstance(spec, str):
        return FileSource(config.resolve(spec), spec)
    return GoogleSource(config, register, spec.google_sheet)


def sources_for(config: OfficeConfig, registers: Iterable[str] | None = None
                ) -> list[tuple[str, Source]]:
    """(register, source) for each configured register (or those named), in order."""
    wanted = list(registers) if registers else list(REGISTERS)
    return [(key, source) for key in wanted if (source := source_for(config, key))]


def context_for(config: OfficeConfig, workbook: RawWorkbook) -> Context:
    return Context(
        date1904=workbook.date1904,
        enum_values={d: config.enum_values(d) for d in config.enums},
        phone_pattern=config.validation.phone_pattern,
        time_zones=zones_apart(workbook.time_zone, config.office.timezone),
        serial_dates=workbook.serial_dates,
    )


def type_table(located: Located, source: str, ctx: Context) -> tuple[TypedTable, list[Finding]]:
    """Normalise one located table; returns it with its cell-level findings."""
    table = located.table
    raw = extract(located)
    if ctx.serial_dates:
        for column in table.columns:
            if column.kind in (Kind.DATE, Kind.DATETIME) and column.key in located.columns:
                raw[column.key] = serials_to_dates(raw[column.key])
    error_cells = {
        (row - located.header_row - 1, col): text
        for (row, col), text in located.sheet.errors.items()
        if row > located.header_row
    }
    by_col = {index: key for key, index in located.columns.items()}
    errors: list[tuple[int, str, str]] = []
    for (offset, col), text in error_cells.items():
        key = by_col.get(col)
        if key is not None and offset < len(raw):
            errors.append((offset, key, text))
            raw.at[offset, key] = None
    columns: dict[str, pd.Series] = {}
    issues: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.key in located.columns:
            parsed = normalize_column(raw[column.key], column, ctx)
            columns[column.key] = parsed.values
            issues[column.key] = parsed.issues
        else:
            columns[column.key] = empty_column(column.kind, raw.index)
    frame = pd.DataFrame(columns, index=raw.index)
    frame["_row"] = raw["_row"].astype("int64")
    for offset, key, text in errors:
        raw.at[offset, key] = text
    has_issue = pd.Series(False, index=raw.index)
    for series in issues.values():
        has_issue |= series.notna()
    error_rows = [offset for offset, _, _ in errors]
    keep = frame[list(located.columns)].notna().any(axis=1) | has_issue
    keep.loc[error_rows] = True
    if not keep.all():
        frame = frame[keep]
        raw = raw.loc[frame.index]
        issues = {key: series.loc[frame.index] for key, series in issues.items()}
    unreadable = pd.DataFrame(
        {key: series.notna() & ~series.isin(WARNING_ISSUES) for key, series in issues.items()},
        index=frame.index,
    )
    for offset, key, _ in errors:
        unreadable.at[offset, key] = True
    typed = TypedTable(
        table, source, located.sheet.name, frame, raw.drop(columns="_row"),
        letters_for(located.columns), located.header_row + 1, unreadable,
    )
    findings: list[Finding] = []
    for key, duplicate in located.duplicates.items():
        findings.append(typed.finding("duplicate_column", None, key,
                                      other=letters_for({key: duplicate})[key]))
    for offset, key, _text in errors:
        findings.append(typed.finding("formula_error", offset, key))
    for key, series in issues.items():
        for index, code in series[series.notna()].items():
            findings.append(typed.finding(str(code), index, key))
    return typed, findings


def read_register(
    register: Register, workbook: RawWorkbook, config: OfficeConfig
) -> tuple[dict[str, TypedTable], list[Finding]]:
    """All tables of one register's workbook, typed; missing ones empty with a finding."""
    ctx = context_for(config, workbook)
    found = locate_tables(register, workbook)
    tables: dict[str, TypedTable] = {}
    findings: list[Finding] = []
    if not found:
        findings.append(_no_tables(register, workbook))
    for table in register.tables:
        name = f"{register.key}.{table.key}"
        located = found.get(table.key)
        if located is None:
            empty = empty_typed(table, workbook.source)
            empty.fingerprint = workbook.fingerprint
            tables[name] = empty
            if found:
                findings.append(empty.finding("missing_table"))
            continue
        typed, cell_findings = type_table(located, workbook.source, ctx)
        typed.fingerprint = workbook.fingerprint
        tables[name] = typed
        for column in table.columns:
            if column.required and column.key not in located.columns:
                findings.append(typed.finding("missing_column", None, column.key))
        findings.extend(cell_findings)
    return tables, findings


MISPLACED = "no_tables"


def _no_tables(register: Register, workbook: RawWorkbook) -> Finding:
    """A register's workbook holding none of its tables: most likely `[registers]` points
    at the wrong file, which a nightly run must say as an error, once, not as a warning
    per table."""
    first = empty_typed(register.tables[0], workbook.source)
    locale = current_locale.get()
    finding = first.finding(
        MISPLACED, register=register.label.get(locale), register_key=register.key,
        tables=t("list.separator").join(table.label.get(locale) for table in register.tables),
        sheets=t("list.separator").join(sheet.name for sheet in workbook.sheets) or "—")
    return replace(finding, table="")


PARALLEL_CHECK_BYTES = 4 * 1024 * 1024
"""From this much workbook data on, the safety pass runs in child interpreters."""


def _file_bytes(sources: list[tuple[str, Source]]) -> int:
    return sum(source.size() for _, source in sources)


def _read_all(sources: list[tuple[str, Source]]) -> Iterator[tuple[str, RawWorkbook]]:
    """Yield (register, workbook) as each is read, in whatever order they finish.

    The reader works outside the GIL on a background thread. For a large office
    the safety pass of every file runs at once in child interpreters (two at a
    time), and each file is read as soon as its own check has passed, so the
    largest workbook's check does not hold up the small ones.
    """
    if _file_bytes(sources) < PARALLEL_CHECK_BYTES:
        with ThreadPoolExecutor(1, thread_name_prefix="clerk-read") as reader:
            pending = [(key, reader.submit(source.read)) for key, source in sources]
            try:
                for key, future in pending:
                    yield key, future.result()
            finally:
                for _, future in pending:
                    future.cancel()
        return
    yield from _read_checked_in_children(sources)


_STOP = (0, -1, "", None, None)


def _read_checked_in_children(
    sources: list[tuple[str, Source]],
) -> Iterator[tuple[str, RawWorkbook]]:
    """The large-office pipeline: checks in child interpreters, two at a time; one reader
    thread that always takes the largest workbook whose check has passed."""
    ready: queue.PriorityQueue[tuple[int, int, str, Source | None, Any]] = queue.PriorityQueue()
    done: queue.Queue[tuple[str, RawWorkbook | BaseException]] = queue.Queue()

    def checked(order: int, key: str, source: Source, future: Future[Any]) -> None:
        if not future.cancelled():
            outcome = future.exception() or future.result()
            ready.put((-source.size(), order, key, source, outcome))

    def reader() -> None:
        for _ in sources:
            _, _, key, source, facts = ready.get()
            if source is None:
                return
            if isinstance(facts, BaseException):
                done.put((key, facts))
                continue
            try:
                done.put((key, source.read(facts) if facts is not None else source.read()))
            except BaseException as exc:  # handed to the caller, who raises it
                done.put((key, exc))

    thread = threading.Thread(target=reader, name="clerk-read", daemon=True)
    thread.start()
    with ThreadPoolExecutor(2, thread_name_prefix="clerk-check") as checker:
        try:
            for order, (key, source) in enumerate(sources):
                if source.path is not None:
                    future = checker.submit(inspect_in_child, source.path)
                    future.add_done_callback(partial(checked, order, key, source))
                else:
                    ready.put((0, order, key, source, None))
            for _ in sources:
                key, outcome = done.get()
                if isinstance(outcome, BaseException):
                    raise outcome
                yield key, outcome
        finally:
            checker.shutdown(wait=False, cancel_futures=True)
            ready.put(_STOP)
    thread.join()


def iter_registers(
    config: OfficeConfig, registers: Iterable[str] | None = None,
    cache: LoadCache | None = None, workbooks: dict[str, RawWorkbook] | None = None,
) -> Iterator[tuple[str, dict[str, TypedTable], list[Finding]]]:
    """(register, typed tables, findings met reading them) for each configured register,
    in the order they finish reading, so a caller can work on one while others read.
    With a `cache` (a long-running process's), unchanged workbook files are not read again.
    With `workbooks`, each workbook read is also kept there as read (the archive makes its
    CSVs and redacted copies from them instead of reading every copy a second time).

    The cyclic garbage collector is paused meanwhile: reading makes millions of cell
    objects and no cycles, and its passes over them cost more than a tenth of a run.
    """
    sources = sources_for(config, registers)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if cache is not None:
            yield from _through_cache(config, sources, cache)
            return
        for key, workbook in _read_all(sources):
            tables, findings = read_register(REGISTERS[key], workbook, config)
            if workbooks is not None:
                workbooks[key] = workbook
            yield key, tables, findings
    finally:
        if was_enabled:
            gc.enable()


def _through_cache(
    config: OfficeConfig, sources: list[tuple[str, Source]], cache: LoadCache
) -> Iterator[tuple[str, dict[str, TypedTable], list[Finding]]]:
    """The registers `cache` holds unchanged, then the others read and kept (files only;
    `load_cache` says when an entry is served)."""
    from .load_cache import FileStamp, config_key

    key = config_key(config)
    stale: list[tuple[str, Source]] = []
    for register, source in sources:
        kept = (cache.lookup(key, register, source.path)
                if source.path is not None else None)
        if kept is None:
            stale.append((register, source))
        else:
            yield register, *kept
    files = {register: source.path for register, source in stale if source.path is not None}
    stamps = {register: FileStamp.of(path) for register, path in files.items()}
    for register, workbook in _read_all(stale):
        tables, findings = read_register(REGISTERS[register], workbook, config)
        if register in files:
            tables, findings = cache.store(key, register, files[register], stamps[register],
                                           workbook.fingerprint, tables, findings)
        yield register, tables, findings


def collect(parts: Iterable[tuple[str, dict[str, TypedTable], list[Finding]]]) -> OfficeData:
    """Gather what `iter_registers` yields into one OfficeData, in register order."""
    office = OfficeData()
    for key, tables, findings in parts:
        office.tables.update(tables)
        office.findings.extend(findings)
        office.registers.append(key)
    order = {key: index for index, key in enumerate(REGISTERS)}
    office.registers.sort(key=order.__getitem__)
    office.tables = dict(sorted(office.tables.items(),
                                key=lambda item: order[item[0].split(".")[0]]))
    return office


def load_office(config: OfficeConfig, registers: Iterable[str] | None = None,
                cache: LoadCache | None = None) -> OfficeData:
    """Read every configured register (or those named) into typed tables.

    A register the config does not name is skipped; one that cannot be read
    raises SourceError (exit status 2), since nothing about it can be said.
    Reading overlaps typing: each workbook is typed as soon as it is read.
    `cache` (the server's, the scheduler's) spares re-reading unchanged files.
    """
    return collect(iter_registers(config, registers, cache))
