"""One library call per command that publishes: the CLI, the buttons and the nightly job
call these, and only print or show what they return. Each runs its engine, then writes
the files and the owned tabs through this package."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..checks.findings import Finding
from ..config import OfficeConfig
from ..load import OfficeData
from ..sinks.writeback import WriteBackReport
from .files import kpi_files, reminder_log_files, validation_files
from .tabs import kpi_tabs, reminder_tabs, validation_tabs, write_tabs

if TYPE_CHECKING:
    from ..kpi import KpiResult
    from ..reminders.remind import RemindReport
    from ..validate import ValidationResult

R = TypeVar("R")


@dataclass
class Published(Generic[R]):
    """A command's result and what was made of it."""

    result: R
    files: list[Path] = field(default_factory=list)
    tabs: WriteBackReport = field(default_factory=WriteBackReport)
    misplaced: list[Finding] = field(default_factory=list)
    """Registers pointed at a workbook holding none of their tables (`OfficeData.misplaced`)."""

    @property
    def notes(self) -> list[str]:
        """The write-back's lines for the officer: each workbook written or skipped."""
        return self.tabs.written + self.tabs.skipped


def validate_and_publish(config: OfficeConfig, registers: Iterable[str] | None = None,
                         format: str = "text", output: Path | None = None, *,
                         generated: datetime | None = None, locale: str | None = None
                         ) -> Published[ValidationResult]:
    """`clerk validate`: check the registers; `format` xlsx or html writes
    validation.<format> (into the office's output folder, or `output`), json writes it
    only to `output` (else the caller prints it); then each register's 校验结果 tab."""
    from ..validate import validate_office

    result = validate_office(config, registers)
    done: Published[ValidationResult] = Published(result)
    if format in ("xlsx", "html") or (format == "json" and output is not None):
        stamp = generated or datetime.now().replace(microsecond=0)
        done.files = validation_files(result, config, config.output_dir, [format],
                                      generated=stamp, output=output, locale=locale)
    done.tabs = write_tabs(config, result.office, validation_tabs(config, result))
    return done


def kpi_and_publish(config: OfficeConfig, period: str | None = None,
                    today: date | None = None, output: Path | None = None
                    ) -> Published[KpiResult]:
    """`clerk kpi`: the period's KPIs into every workbook's KPI看板 tab, and with `output`
    the dashboards and monthly reports into that folder."""
    from ..kpi import kpi_report, kpi_trend, load_units
    from ..load import load_office

    day = today or date.today()
    office = load_office(config)
    units = load_units(config, office)
    result = kpi_report(config, period, day, office, units)
    done: Published[KpiResult] = Published(result, misplaced=office.misplaced())
    done.tabs = write_tabs(config, office, kpi_tabs(config, result, office))
    if output is not None:
        done.files = kpi_files(config, result, kpi_trend(config, units, result), office,
                               output, today=day)
    return done


def reminder_outputs(config: OfficeConfig, report: RemindReport) -> list[Path]:
    """The reminder log files of a run that sent (none for a dry run or held messages)."""
    if report.log is None:
        return []
    return reminder_log_files(report.log, config.output_dir, config.locale,
                              policy=config.in_force)


def remind_and_publish(config: OfficeConfig, *, today: date | None = None,
                       dry_run: bool = False, office: OfficeData | None = None,
                       open_channel: Any = None, tabs: bool = True, only_news: bool = False
                       ) -> Published[RemindReport]:
    """`clerk remind`: send what is due, then write the reminder log files and (with
    `tabs`, which the buttons and the nightly job leave to themselves) each register's
    提醒记录 tab. `only_news` (the every-N-minutes run) writes them only when this run
    recorded something: a run that found nothing new leaves every file as it was."""
    from ..reminders.remind import remind

    report = remind(config, today=today, dry_run=dry_run, office=office,
                    open_channel=open_channel)
    done: Published[RemindReport] = Published(
        report, misplaced=report.office.misplaced() if report.office is not None else [])
    if only_news and not (report.sent or report.failed or report.in_doubt):
        return done
    done.files = reminder_outputs(config, report)
    if tabs and report.log is not None and report.office is not None:
        done.tabs = write_tabs(config, report.office,
                               reminder_tabs(config, report.office, report.log))
    return done


__all__ = ["Published", "kpi_and_publish", "remind_and_publish", "reminder_outputs",
           "validate_and_publish"]
