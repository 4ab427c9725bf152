"""KPIs: periods, the twelve definitions, rollups over several offices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import OfficeConfig, load_config
from ..i18n import t
from ..load import OfficeData, load_office
from ..sinks.writeback import WriteBackReport, write_back
from ..workdays import WorkCalendar, calendar_for
from .engine import KPIS, KpiResult, KpiRow, compute_kpis
from .periods import Period, parse_period


@dataclass
class Unit:
    name: str
    config: OfficeConfig
    office: OfficeData
    calendar: WorkCalendar


def load_units(config: OfficeConfig, office: OfficeData | None = None) -> list[Unit]:
    """This office and every `[[units]]` office it rolls up, each read from its own config."""
    units = [Unit(config.office.name, config, office or load_office(config),
                  calendar_for(config))]
    for unit in config.units:
        other = load_config(config.resolve(unit.config))
        units.append(Unit(unit.name, other, load_office(other), calendar_for(other)))
    return units


def kpi_report(config: OfficeConfig, period: str | None = None, today: date | None = None,
               office: OfficeData | None = None, units: list[Unit] | None = None
               ) -> KpiResult:
    """`clerk kpi` as a library call. `units` (from `load_units`) spares a caller that
    computes several periods from reading the rolled-up offices again."""
    when = today or date.today()
    chosen = parse_period(period, config, when)
    units = units or load_units(config, office)
    return compute_kpis([(u.name, u.office, u.calendar) for u in units], chosen,
                        t("kpi.all_units", config.locale))


def kpi_tab(result: KpiResult, locale: str) -> list[list[object]]:
    """The KPI看板 tab: every row of the result, in the reader's language."""
    from ..reports.kpi_text import shown_target, shown_value

    rows: list[list[object]] = [[t(f"kpi.column.{c}", locale) for c in (
        "kpi", "office", "department", "value", "numerator", "denominator", "target", "met")]]
    for row in result.rows:
        rows.append([t(f"kpi.name.{row.key}", locale), row.office or "", row.department or "",
                     shown_value(row), row.numerator, row.denominator, shown_target(row),
                     "—" if row.met is None else ("✓" if row.met else "✗")])
    return rows


def kpi_tabs(config: OfficeConfig, result: KpiResult, office: OfficeData
             ) -> dict[str, dict[str, list[list[object]]]]:
    """register -> {KPI看板: the table}: every register workbook of this office gets it."""
    table = kpi_tab(result, config.locale)
    return {r: {config.output.kpi_tab: table} for r in office.registers}


def publish_kpis(config: OfficeConfig, result: KpiResult, office: OfficeData
                 ) -> WriteBackReport:
    """With write-back on, every register workbook of this office gets the KPI看板 tab."""
    return write_back(config, office, kpi_tabs(config, result, office))


__all__ = ["KPIS", "KpiResult", "KpiRow", "Period", "compute_kpis", "kpi_report",
           "load_units", "parse_period", "publish_kpis"]
