"""KPIs: periods, the definitions (declared in `automation/policy/kpis.py`), rollups over
several offices, each following its office's policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import OfficeConfig, load_config
from ..i18n import t
from ..load import OfficeData, load_office
from ..policy import Policy
from ..sinks.writeback import WriteBackReport, write_back
from ..workdays import WorkCalendar, calendar_for
from .engine import KPIS, KpiResult, KpiRow, UnitSpec, compute_kpis
from .periods import Period, parse_period


@dataclass
class Unit:
    name: str
    config: OfficeConfig
    office: OfficeData
    calendar: WorkCalendar

    @property
    def policy(self) -> Policy:
        """This office's policy in force: its deadlines decide what counts in its records."""
        return self.config.in_force

    @property
    def spec(self) -> UnitSpec:
        return (self.name, self.office, self.calendar, self.policy)


def load_units(config: OfficeConfig, office: OfficeData | None = None) -> list[Unit]:
    """This office and every `[[units]]` office it rolls up, each read from its own config
    (and so with its own policy); this office first."""
    units = [Unit(config.office.name, config, office or load_office(config),
                  calendar_for(config))]
    for unit in config.units:
        other = load_config(config.resolve(unit.config))
        units.append(Unit(unit.name, other, load_office(other), calendar_for(other)))
    return units


def unit_kpis(config: OfficeConfig, units: list[Unit], period: Period, locale: str
              ) -> KpiResult:
    """Every KPI of `units` for `period`: each unit counted by its own policy, every row
    judged by `config`'s (the rolling-up office's) targets; see `compute_kpis`."""
    return compute_kpis([u.spec for u in units], period, t("kpi.all_units", locale),
                        policy=config.in_force)


def kpi_report(config: OfficeConfig, period: str | None = None, today: date | None = None,
               office: OfficeData | None = None, units: list[Unit] | None = None
               ) -> KpiResult:
    """`clerk kpi` as a library call. `units` (from `load_units`) spares a caller that
    computes several periods from reading the rolled-up offices again."""
    when = today or date.today()
    chosen = parse_period(period, config, when)
    units = units or load_units(config, office)
    return unit_kpis(config, units, chosen, config.locale)


def kpi_tab(result: KpiResult, locale: str) -> list[list[object]]:
    """The KPI看板 tab: every row of the result, in the reader's language, each KPI named
    with the numbers of the policy in force."""
    from ..reports.kpi_text import shown_met, shown_target, shown_value

    rows: list[list[object]] = [[t(f"kpi.column.{c}", locale) for c in (
        "kpi", "office", "department", "value", "numerator", "denominator", "target", "met")]]
    for row in result.rows:
        rows.append([result.label(row.key, locale, row.office), row.office or "",
                     row.department or "",
                     shown_value(row, locale), row.numerator, row.denominator,
                     shown_target(row, locale), shown_met(row)])
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


__all__ = ["KPIS", "KpiResult", "KpiRow", "Period", "Unit", "compute_kpis", "kpi_report",
           "kpi_tab", "load_units", "parse_period", "publish_kpis", "unit_kpis"]
