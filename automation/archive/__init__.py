"""Period-end snapshots (归档): one BagIt bag per run that any BagIt tool can verify, with
the registers byte for byte, a CSV per sheet, the period's reports and the handover
checklist; `--redact` masks personal data everywhere in it; `verify` and `prune` keep
the snapshots honest and within their retention period.

A run is three steps: the sources are frozen and loaded once (`snapshot.py`: each
`Source.snapshot`, then `load`), everything is published into a staging bag through
`automation/publish`, and the bag takes its final name only after its own check.

>>> report = archive_period(config, "2025-fall", today=date(2026, 2, 1))  # doctest: +SKIP
>>> verify(report.path).ok                                                # doctest: +SKIP
True
"""

from __future__ import annotations

import calendar as month_days
import os
import shutil
import tempfile
import time as clock
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import bagit

from .. import __version__, statedb
from .._io import safe_file_name
from ..checks.findings import Finding
from ..config import OfficeConfig
from ..errors import ClerkError, UsageError
from ..i18n import current_locale, t
from ..kpi import kpi_trend, load_units, unit_kpis
from ..kpi.periods import Period, parse_period
from ..publish.files import (
    checklist_files,
    kpi_files,
    monthly_files,
    register_files,
    reminder_log_files,
    validation_files,
)
from ..validate import ValidationResult
from ..workdays import calendar_for
from .bag import Verification, fingerprint, make_bag, read_info, verify, verify_folder, zip_bag
from .handover import Col, handover_checklist
from .redact import Redactor
from .snapshot import (
    Frozen,
    findings_in_bag,
    freeze_sources,
    load_snapshot,
    redacted_sheets,
    snapshot_config,
)

__all__ = ["ArchiveReport", "PruneReport", "archive_period", "prune", "verify"]

PERMANENT = ("permanent", "永久")
STALE_PARTIAL_SECONDS = 6 * 3600
"""An unfinished snapshot folder this old belongs to a run that died: it is cleared."""
PARTIAL = ".partial-"


@dataclass
class ArchiveReport:
    path: Path
    name: str
    period: Period
    redacted: bool
    retention_class: str
    keep_until: date | None
    files: int
    bytes: int
    fingerprint: str
    errors: int
    checklist: dict[str, int] = field(default_factory=dict)
    misplaced: list[Finding] = field(default_factory=list)
    """Registers pointed at a workbook holding none of their tables: frozen as they are,
    and said (`OfficeData.misplaced`)."""

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "name": self.name, "period": self.period.to_dict(),
                "redacted": self.redacted, "retention_class": self.retention_class,
                "keep_until": self.keep_until.isoformat() if self.keep_until else None,
                "files": self.files, "bytes": self.bytes, "fingerprint": self.fingerprint,
                "errors": self.errors, "checklist": self.checklist}


# --------------------------------------------------------------------------- retention


def keep_until(made: date, duration: str) -> date | None:
    """The last day a snapshot made on `made` is kept; None: kept for ever."""
    duration = duration.strip()
    if duration in PERMANENT:
        return None
    count, unit = int(duration[:-1]), duration[-1]
    if unit == "d":
        return date.fromordinal(made.toordinal() + count)
    months = made.month - 1 + count * (12 if unit == "y" else 1)
    year, month = made.year + months // 12, months % 12 + 1
    return date(year, month, min(made.day, month_days.monthrange(year, month)[1]))


def retention_class(config: OfficeConfig, period: Period, chosen: str | None) -> str:
    name = chosen or config.archive.period_class.get(period.kind, "长期")
    if name not in config.archive.retention:
        raise UsageError("archive.unknown_class", value=name,
                         known=" | ".join(config.archive.retention))
    return name


# --------------------------------------------------------------------------- building


def _write_registers(registers: list[Frozen], payload: Path, redactor: Redactor | None,
                     created: datetime) -> None:
    for register in registers:
        assert register.workbook is not None
        folder = payload / "registers" / register.key
        if redactor is None:
            register_files(register.workbook.sheets, folder, created=created)
        else:
            register_files(redacted_sheets(register.key, register.workbook, redactor), folder,
                           created=created, values_copy=register.archived, title=register.key)


def _write_reports(config: OfficeConfig, result: ValidationResult, findings: list[Finding],
                   registers: list[Frozen], office: Any, period: Period, today: date,
                   payload: Path, generated: datetime, loc: str) -> None:
    reports = payload / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    inside = ValidationResult(findings_in_bag(findings, registers, payload),
                              result.rows_checked, office, result.registers)
    validation_files(inside, config, reports, generated=generated, sources_root=payload,
                     locale=loc)

    units = load_units(config, office)
    kpis = unit_kpis(config, units, period, loc)
    trend = kpi_trend(config, units, kpis)
    kpi_files(config, kpis, trend, office, reports / "kpi", today=today, with_json=True,
              expense=False)  # each month's expense report is in reports/monthly/
    by_month = {r.period: r for r in trend} if loc == config.locale else {}
    for month in period.months():
        if month.start > period.as_of:
            continue
        monthly = by_month.get(month) or unit_kpis(config, units, month, loc)
        monthly_files(config, monthly, office, month, reports / "monthly" / month.key,
                      locale=loc)


def _reminder_rows(config: OfficeConfig, period: Period) -> list[dict[str, object]]:
    """The period's lines of the reminder log; none when no reminder was ever recorded
    (the state database is not created just to be read)."""
    folder = config.resolve(config.state.dir)
    if not statedb.exists(folder):
        return []
    from ..reminders.state import State

    state = State(folder)
    try:
        rows = state.log(since=period.start)
    finally:
        state.close()
    return [r for r in rows if str(r["day"]) <= period.end.isoformat()]


def _readme(config: OfficeConfig, period: Period, klass: str, until: date | None,
            redacted: bool, loc: str) -> str:
    return t("archive.readme", loc, office=config.office.name, period=period.key,
             start=period.start.isoformat(), end=period.end.isoformat(),
             as_of=period.as_of.isoformat(), retention=klass,
             until=until.isoformat() if until else t("archive.forever", loc),
             redacted=t("archive.redacted_yes" if redacted else "archive.redacted_no", loc)
             ).rstrip() + "\n"


def _bag_info(config: OfficeConfig, name: str, period: Period, today: date, klass: str,
              until: date | None, redact: bool, registers: list[Frozen],
              staging: Path, payload_root: str, loc: str) -> dict[str, str | list[str]]:
    copies = []
    for r in registers:
        how = "values-only xlsx export, personal data masked" if redact else "byte-for-byte copy"
        copies.append(f"{r.key}: {payload_root}/{r.archived.relative_to(staging).as_posix()} "
                      f"({how})")
    return {
        "Source-Organization": config.office.name,
        "External-Identifier": name,
        "External-Description": t("archive.description", loc, office=config.office.name,
                                  period=period.key),
        "Bagging-Date": today.isoformat(),
        "Bag-Software-Agent": f"Sheet Clerk {__version__} (bagit-python {bagit.VERSION})",
        "Sheet-Clerk-Version": __version__,
        "Period": period.key,
        "Period-Start": period.start.isoformat(),
        "Period-End": period.end.isoformat(),
        "As-Of": period.as_of.isoformat(),
        "Retention-Class": klass,
        "Retention-Until": until.isoformat() if until else "permanent",
        "Redacted": "yes" if redact else "no",
        "Register-Source": [f"{r.key}: {r.spec} sha256:{r.sha256}" for r in registers],
        "Register-Copy": copies,
    }


def _clear_stale(folder: Path) -> None:
    now = clock.time()
    for child in folder.glob(f".*{PARTIAL}*"):
        try:
            if now - child.stat().st_mtime > STALE_PARTIAL_SECONDS:
                _remove(child)
        except OSError:
            continue


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _free_name(folder: Path, name: str) -> str:
    """`name`, or `name_2`, `name_3`… when a snapshot of that name (folder or zip) exists."""
    candidate, n = name, 1
    while (folder / candidate).exists() or (folder / f"{candidate}.zip").exists():
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _checklist_cleaner(redactor: Redactor | None) -> Any:
    if redactor is None:
        return lambda col, value: value

    def clean(col: Col, value: Any) -> Any:
        return redactor.value(value, col.pii)

    return clean


def archive_period(config: OfficeConfig, period: str, *, today: date | None = None,
                   out_dir: Path | None = None, redact: bool = False, as_zip: bool = False,
                   retention: str | None = None) -> ArchiveReport:
    """`clerk archive`: freeze the period into one bag (or zipped bag) under `out_dir`.

    The bag is built in a hidden `.NAME.partial-…` folder beside its final place and
    renamed there only once it is complete and has passed bagit-python's validation (and,
    redacted, a search of every file for personal values): a run that dies leaves nothing
    that looks like a snapshot.
    """
    day = today or date.today()
    loc = current_locale.get()
    chosen = parse_period(period, config, day)
    klass = retention_class(config, chosen, retention)
    until = keep_until(day, config.archive.retention[klass])
    out = Path(out_dir) if out_dir else config.archive_dir
    out.mkdir(parents=True, exist_ok=True)
    _clear_stale(out)
    base = safe_file_name(f"{config.office.name}_{chosen.key}_{day.isoformat()}"
                          + ("_redacted" if redact else ""))
    name = _free_name(out, base)
    generated = datetime.combine(day, time(config.office.run_hour))
    staging = out / f".{name}{PARTIAL}{uuid.uuid4().hex[:12]}"
    staging.mkdir()  # not mkdtemp: the bag gets the usual permissions, not 0700
    try:
        with tempfile.TemporaryDirectory(prefix=f".{name}{PARTIAL}work-", dir=out) as work:
            registers = freeze_sources(config, staging, Path(work), redact, generated)
            snapshot = snapshot_config(config, registers)
            result = load_snapshot(snapshot, registers)
            redactor = Redactor.for_office(result.office) if redact else None
            office = redactor.office(result.office) if redactor else result.office
            findings = ([replace(f, value=redactor.text(f.value),
                                 message=redactor.text(f.message)) for f in result.findings]
                        if redactor else result.findings)
            _write_registers(registers, staging, redactor, generated)
            _write_reports(snapshot, result, findings, registers, office, chosen, day,
                           staging, generated, loc)
            log = _reminder_rows(config, chosen)
            if redactor:
                log = [{k: redactor.value(v) for k, v in row.items()} for row in log]
            reminder_log_files(log, staging / "reports" / "reminders", loc,
                               created=generated, policy=snapshot.in_force)
            checklist = handover_checklist(result.office, findings, snapshot, chosen,
                                           calendar_for(snapshot), loc)
            checklist_files(checklist, staging, loc, generated=generated,
                            clean=_checklist_cleaner(redactor))
        (staging / "README.txt").write_text(
            _readme(config, chosen, klass, until, redact, loc), encoding="utf-8",
            newline="\n")
        info = _bag_info(config, name, chosen, day, klass, until, redact, registers, staging,
                         "data", loc)
        make_bag(staging, info)
        _self_check(staging, redactor)
        report = ArchiveReport(out / name, name, chosen, redact, klass, until, 0, 0,
                               fingerprint(staging), sum(f.severity == "error"
                                                         for f in result.findings),
                               checklist.counts(), result.office.misplaced())
        payload = [p for p in (staging / "data").rglob("*") if p.is_file()]
        report.files, report.bytes = len(payload), sum(p.stat().st_size for p in payload)
        if as_zip:
            report.path = zip_bag(staging, out / f"{name}.zip", day)
            shutil.rmtree(staging)
        else:
            os.replace(staging, report.path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _self_check(staging: Path, redactor: Redactor | None) -> None:
    """The bag must pass its own verification before it may take its final name."""
    check = verify_folder(staging, staging)
    if not check.ok:
        problem = check.problems[0]
        raise ClerkError("archive.self_check_failed", detail=f"{problem.kind} {problem.path}")
    if redactor is not None:
        leaks = redactor.leaks(staging)
        if leaks:
            raise ClerkError("archive.leak", file=leaks[0].file, value=leaks[0].masked,
                             count=len(leaks))


# --------------------------------------------------------------------------- prune


@dataclass(frozen=True)
class PruneEntry:
    path: Path
    retention_class: str
    made: date | None
    keep_until: date | None
    expired: bool
    unfinished: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "retention_class": self.retention_class,
                "made": self.made.isoformat() if self.made else None,
                "keep_until": self.keep_until.isoformat() if self.keep_until else None,
                "expired": self.expired, "unfinished": self.unfinished}


@dataclass
class PruneReport:
    folder: Path
    entries: list[PruneEntry] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    @property
    def expired(self) -> list[PruneEntry]:
        return [e for e in self.entries if e.expired]

    def to_dict(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "entries": [e.to_dict() for e in self.entries],
                "removed": [str(p) for p in self.removed]}


def _made(info: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat((info.get("Bagging-Date") or [""])[0])
    except ValueError:
        return None


def prune(config: OfficeConfig, *, today: date | None = None, out_dir: Path | None = None,
          remove: bool = False) -> PruneReport:
    """List the snapshots under the archive folder with how long each is kept (by its
    class, under the config's current retention), and with `remove` delete the expired
    ones and the leftovers of runs that died. A snapshot whose class the config no longer
    names, or whose date cannot be read, is kept."""
    day = today or date.today()
    folder = Path(out_dir) if out_dir else config.archive_dir
    report = PruneReport(folder)
    if not folder.is_dir():
        return report
    for child in sorted(folder.iterdir()):
        if child.name.startswith(".") and PARTIAL in child.name:
            report.entries.append(PruneEntry(child, "", None, None, True, unfinished=True))
            continue
        info = read_info(child)
        if info is None:
            continue
        klass = (info.get("Retention-Class") or [""])[0]
        made = _made(info)
        duration = config.archive.retention.get(klass)
        until = keep_until(made, duration) if made and duration else None
        expired = until is not None and day > until
        report.entries.append(PruneEntry(child, klass, made, until, expired))
    if remove:
        for entry in report.expired:
            _remove(entry.path)
            report.removed.append(entry.path)
    return report


__all__ += ["Verification", "keep_until"]
