"""Results -> files: the one writer of each output kind, for every caller (the CLI, the
nightly job, the archive). Each writes atomically and returns the paths it wrote, in the
order an officer would open them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import write_bytes, write_text
from ..config import OfficeConfig
from ..load import OfficeData

if TYPE_CHECKING:
    from ..archive.handover import Checklist, Col
    from ..kpi import KpiResult, Period
    from ..policy import Policy
    from ..sources.base import RawSheet
    from ..validate import ValidationResult

VALIDATION_FORMATS = ("html", "xlsx", "json")
"""validation.{html,xlsx,json}: what the nightly job and a snapshot leave (html first: it
is the one to open)."""


def _json_text(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def validation_files(result: ValidationResult, config: OfficeConfig, folder: Path,
                     formats: Sequence[str] = VALIDATION_FORMATS, *,
                     generated: datetime, output: Path | None = None,
                     sources_root: Path | None = None, locale: str | None = None
                     ) -> list[Path]:
    """validation.<format> in `folder` for each of `formats` (json, xlsx, html), in that
    order. `output`: the file's own path instead, for one format (`clerk validate -o`).
    `sources_root`: what relative sources are relative to in the xlsx links (a snapshot's
    payload). `locale`: the reader's, the office's by default."""
    from ..reports.findings import write_findings_html, write_findings_xlsx

    loc = locale or config.locale
    if output is not None and len(formats) != 1:
        raise ValueError("an output path names one file: give one format")
    paths: list[Path] = []
    for format in formats:
        target = Path(output) if output is not None else Path(folder) / f"validation.{format}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if format == "json":
            write_text(target, _json_text(result.to_dict()), newline="\n")
        elif format == "xlsx":
            write_findings_xlsx(result, target, locale=loc,
                                office_name=config.office.name, generated=generated,
                                sources_root=sources_root)
        elif format == "html":
            write_findings_html(result, target, locale=loc,
                                office_name=config.office.name, generated=generated)
        else:
            raise ValueError(f"no validation file of format {format!r}")
        paths.append(target)
    return paths


def kpi_files(config: OfficeConfig, result: KpiResult, trend: Sequence[KpiResult],
              office: OfficeData, folder: Path, *, today: date,
              with_json: bool = False, expense: bool = True) -> list[Path]:
    """The KPI dashboard, the expense report (unless `expense=False`: the caller writes
    that month's elsewhere), the department report, the member report (成员考核表, one per
    department too) and the asset report (物资报表, the inventory as of the period's as-of
    day) of `result` (and kpi.json with `with_json`) in `folder`; `trend` is
    `kpi.kpi_trend`'s."""
    from ..reports.assets import ASSET_REPORT, write_asset_report
    from ..reports.dashboard import write_dashboards
    from ..reports.members import write_member_reports

    paths = write_dashboards(config, result, trend, office, Path(folder), today=today,
                             expense=expense)
    paths += write_member_reports(result, trend, Path(folder), locale=config.locale,
                                  office_name=config.office.name)
    if result.assets is not None:
        paths += write_asset_report(result.assets, Path(folder) / ASSET_REPORT,
                                    locale=config.locale, office_name=config.office.name)
    paths += lost_found_files(config, office, Path(folder), as_of=result.period.as_of)
    if with_json:
        target = Path(folder) / "kpi.json"
        write_text(target, _json_text(result.to_dict()), newline="\n")
        paths.append(target)
    return paths


def lost_found_files(config: OfficeConfig, office: OfficeData, folder: Path, *,
                     as_of: date) -> list[Path]:
    """The lost-and-found notice (失物招领公示: lost_found_notice.html and .xlsx) of the
    entries still 待认领, with no personal data; nothing when the office keeps no 失物招领
    sheet."""
    from ..reports.lost_found import write_lost_found_notice

    if "cases.lost_found" not in office.tables:
        return []
    return write_lost_found_notice(
        office, Path(folder), locale=config.locale, office_name=config.office.name,
        where=config.in_force.shown_role("office_department", config.locale), as_of=as_of)


def monthly_files(config: OfficeConfig, result: KpiResult, office: OfficeData, month: Period,
                  folder: Path, *, locale: str | None = None) -> list[Path]:
    """One month's expense report, department report and member report (a snapshot's
    reports/monthly)."""
    from ..reports.dashboard import write_department_report, write_expense_report
    from ..reports.members import write_member_reports

    loc = locale or config.locale
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_expense_report(office, month, folder / "expense_report", locale=loc,
                                 office_name=config.office.name)
    paths += write_department_report(result, folder / "department_report", locale=loc,
                                     office_name=config.office.name)
    paths += write_member_reports(result, [result], folder, locale=loc,
                                  office_name=config.office.name)
    return paths


def reminder_log_files(log: list[dict[str, object]], folder: Path, locale: str, *,
                       policy: Policy, created: datetime | None = None) -> list[Path]:
    """reminder_log.csv and .xlsx in `folder`; `created` stamps the xlsx (a snapshot passes
    its as-of time so that the same log gives the same bytes)."""
    from ..reports.reminder_log import write_reminder_log

    return write_reminder_log(log, Path(folder), locale, created, policy=policy)


def checklist_files(checklist: Checklist, folder: Path, locale: str, *, generated: datetime,
                    clean: Callable[[Col, Any], Any] | None = None) -> list[Path]:
    """The handover checklist (交接清单) as xlsx and HTML in `folder`; `clean` masks a value
    of a column (a redacted snapshot's)."""
    from ..archive.render import write_checklist_html, write_checklist_xlsx
    from ..i18n import t

    clean = clean or (lambda col, value: value)
    stem = t("handover.file", locale)
    xlsx = Path(folder) / f"{stem}.xlsx"
    html = Path(folder) / f"{stem}.html"
    write_checklist_xlsx(checklist, xlsx, locale=locale, created=generated, clean=clean)
    write_checklist_html(checklist, html, locale=locale, clean=clean)
    return [xlsx, html]


def register_files(sheets: list[RawSheet], folder: Path, *, created: datetime,
                   values_copy: Path | None = None, title: str = "") -> list[Path]:
    """A register as a snapshot keeps it besides its copy: with `values_copy`, its sheets
    as a values-only xlsx there (a redacted register's only copy, titled `title`), then one
    CSV per sheet in `folder`/csv (`01_成员.csv`, …)."""
    from ..archive.render import sheet_csv_names
    from ..reports.cells import csv_bytes
    from ..sources.values_xlsx import write_values_xlsx

    written: list[Path] = []
    if values_copy is not None:
        values_copy.parent.mkdir(parents=True, exist_ok=True)
        written.append(write_values_xlsx(sheets, values_copy, title=title, created=created))
    csv_folder = Path(folder) / "csv"
    csv_folder.mkdir(parents=True, exist_ok=True)
    for sheet, name in zip(sheets, sheet_csv_names(sheets), strict=True):
        written.append(write_bytes(csv_folder / name, csv_bytes(sheet.rows)))
    return written


__all__ = ["VALIDATION_FORMATS", "checklist_files", "kpi_files", "lost_found_files",
           "monthly_files", "register_files", "reminder_log_files", "validation_files"]
