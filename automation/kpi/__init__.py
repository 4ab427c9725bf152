"""KPIs: periods, the definitions (declared in `automation/policy/kpis.py`), rollups over
several offices, each following its office's policy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..config import OfficeConfig, load_config
from ..errors import ConfigError
from ..i18n import t
from ..load import OfficeData, load_office
from ..policy import Policy
from ..workdays import WorkCalendar, calendar_for
from .engine import KPIS, KpiResult, KpiRow, UnitSpec, compute_kpis
from .periods import Period, parse_period


@dataclass
class Unit:
    name: str
    config: OfficeConfig
    office: OfficeData
    calendar: WorkCalendar
    parent: str | None = None
    """The office this one rolls into (None: the office at the top)."""

    @property
    def policy(self) -> Policy:
        """This office's policy in force: its deadlines decide what counts in its records."""
        return self.config.in_force

    @property
    def spec(self) -> UnitSpec:
        return (self.name, self.office, self.calendar, self.policy)


def load_units(config: OfficeConfig, office: OfficeData | None = None) -> list[Unit]:
    """This office and every `[[units]]` office it rolls up, and theirs, to any depth (校 →
    院 → 班), each read from its own config (and so with its own policy) and naming the
    office it rolls into; this office first, then depth first in the configs' order. The
    same office (config file) reached twice, or a loop, is a ConfigError naming the path."""
    units = [Unit(config.office.name, config, office or load_office(config),
                  calendar_for(config))]
    seen: set[Path] = set()
    if config.path is not None:
        seen.add(config.path.resolve())

    def visit(parent: OfficeConfig, parent_name: str, trail: list[str]) -> None:
        for unit in parent.units:
            path = parent.resolve(unit.config).resolve()
            if path in seen:
                raise ConfigError("config.unit_twice", path=" → ".join([*trail, unit.name]))
            seen.add(path)
            other = load_config(path)
            units.append(Unit(unit.name, other, load_office(other), calendar_for(other),
                              parent_name))
            visit(other, unit.name, [*trail, unit.name])

    visit(config, config.office.name, [config.office.name])
    return units


def unit_kpis(config: OfficeConfig, units: list[Unit], period: Period, locale: str
              ) -> KpiResult:
    """Every KPI of `units` for `period`: each unit counted by its own policy, every row
    judged by `config`'s (the rolling-up office's) targets; see `compute_kpis`."""
    return compute_kpis([u.spec for u in units], period, t("kpi.all_units", locale),
                        policy=config.in_force, parents={u.name: u.parent for u in units})


def kpi_report(config: OfficeConfig, period: str | None = None, today: date | None = None,
               office: OfficeData | None = None, units: list[Unit] | None = None
               ) -> KpiResult:
    """`clerk kpi` as a library call. `units` (from `load_units`) spares a caller that
    computes several periods from reading the rolled-up offices again."""
    when = today or date.today()
    chosen = parse_period(period, config, when)
    units = units or load_units(config, office)
    return unit_kpis(config, units, chosen, config.locale)


def kpi_trend(config: OfficeConfig, units: list[Unit], result: KpiResult,
              known: Sequence[KpiResult] = ()) -> list[KpiResult]:
    """`result`'s period month by month (the dashboards' trend), computed with the same
    units, except for months already in `known` (or `result` itself)."""
    done = {r.period: r for r in (*known, result)}
    return [done.get(month) or unit_kpis(config, units, month, config.locale)
            for month in result.period.months()]


__all__ = ["KPIS", "KpiResult", "KpiRow", "Period", "Unit", "compute_kpis", "kpi_report",
           "kpi_trend", "load_units", "parse_period", "unit_kpis"]
