"""`clerk policy`: the office's policy in force, for officers checking it before a semester
starts — every number, reminder rule (and who gets its escalation, by name from the roster),
KPI target, escalation role and the working-day calendar.

One library call, `policy_report(config)`, returns a plain `PolicyReport`; the terminal
rendering is in `reports/policy_text.py`, the JSON is `PolicyReport.to_dict()`. Every word
comes from the declarations (`automation/policy/`) or the catalogues, in the given locale.

Who a rule goes to is read off its own labels: a label naming `{president_role}` reaches the
serving president; one naming a department role and `{head_role}` (`{office_department}
{head_role}`) reaches that department's serving head; `{head_role}` alone (the handler's or
the task's department) reaches the head of each department. That is how the reminder engine
picks them (the first serving member listed).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from string import Formatter
from typing import Any

import pandas as pd

from .config import OfficeConfig
from .errors import ClerkError
from .i18n import current_locale, t
from .load import MISPLACED
from .policy import (
    DEFAULT_POLICY,
    KPI_SPECS,
    NUMBERS,
    ROLES,
    RULE_SPECS,
    Measure,
    Policy,
    Unit,
    used_numbers,
)
from .policy.model import holders, shown_enum
from .registers.schema import Label
from .workdays import calendar_for

LIBRARIES = {"CN": "chinesecalendar", "HK": "holidays", "TW": "holidays"}
"""The package that knows each region's holidays (upgrading it adds new years)."""


# -- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberRow:
    """One `[policy]` number: value in force, its default, and who chose it."""

    key: str
    value: float
    unit: str
    default: float
    source: str
    """`default` or `office`."""
    label: str
    used: bool = True
    """False for a number of rules and KPIs this release does not have yet (document flow,
    inquiries, budget approval, satisfaction): accepted, shown, read by nothing."""


@dataclass(frozen=True)
class TargetRow:
    """One `[policy.targets]` target (a KPI's), in force and by default."""

    key: str
    value: float
    default: float
    source: str
    measure: str
    follows: str | None = None
    """The `[policy]` number this target is by default, if any."""


@dataclass(frozen=True)
class RoleRow:
    """One `[policy.roles]` value: a department or a role of the office's `[enums]`."""

    key: str
    value: str
    default: str
    source: str
    domain: str
    label: str
    shown: str
    """The value in the reader's language (when it is a default name)."""
    default_shown: str


@dataclass(frozen=True)
class Recipient:
    """One person a rule or its escalation reaches: the role they hold and, when the roster
    was read, who holds it (`status`: `named`, `nobody` serving, or `unknown`)."""

    role: str
    """`[policy.roles]` key of the role held (`head_role`, `president_role`)."""
    department: str | None
    """The department (the office's value) for a head; None for the president."""
    title: str
    """The role as a person reads it: `办公室 部长`, `主席`."""
    status: str
    member_id: str | None = None
    name: str | None = None
    others: list[str] = field(default_factory=list)
    """Further serving members with the same role: the first listed gets the messages."""
    each_department: bool = False
    """One of the heads of every department (a rule that goes to the record's own)."""


@dataclass(frozen=True)
class RuleRow:
    """One reminder rule with the numbers in force and its recipients by name."""

    key: str
    table: str
    title: str
    when: str
    to: str
    escalates: str | None
    numbers: list[str]
    roles: list[str]
    to_people: list[Recipient]
    escalation_people: list[Recipient]


@dataclass(frozen=True)
class KpiRow:
    """One KPI: its label with the numbers in force and its target."""

    key: str
    label: str
    population: str
    good: str
    measure: str
    numbers: list[str]
    target: float
    default: float
    source: str


@dataclass(frozen=True)
class CalendarInfo:
    """The working-day calendar: what the library knows and what the office filled in."""

    region: str
    library: str
    library_years: tuple[int, int] | None
    closures: list[date]
    extra_workdays: list[date]
    office_years: list[int]
    """Years the library does not know that the office filled in (`extra_workdays` and
    `closures` both in that year)."""
    checked_years: list[int]
    """This year and the next, the ones a semester reaches."""
    uncovered_years: list[int]
    """Of `checked_years`, those neither the library nor the office covers."""
    office_years_without_closures: list[int]
    """Office-filled years with no `closures` in them: their holidays count as working."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["library_years"] = list(self.library_years) if self.library_years else None
        out["closures"] = [d.isoformat() for d in self.closures]
        out["extra_workdays"] = [d.isoformat() for d in self.extra_workdays]
        return out


@dataclass(frozen=True)
class RosterInfo:
    """Whether people could be named: `read`, `not_configured`, `unreadable`, `no_members`."""

    state: str
    detail: str = ""

    @property
    def known(self) -> bool:
        return self.state == "read"


@dataclass(frozen=True)
class DepreciationRow:
    """One value of `[policy.depreciation]`: `residual_rate`, `default_life` or
    `lives.<category>`, in force and by default (None: a category the office added)."""

    key: str
    value: float
    default: float | None
    source: str


@dataclass(frozen=True)
class PolicyReport:
    office: str
    config: str
    locale: str
    today: date
    numbers: list[NumberRow]
    targets: list[TargetRow]
    roles: list[RoleRow]
    rules: list[RuleRow]
    kpis: list[KpiRow]
    calendar: CalendarInfo
    roster: RosterInfo
    depreciation: list[DepreciationRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "office": self.office,
            "config": self.config,
            "locale": self.locale,
            "today": self.today.isoformat(),
            "numbers": [asdict(row) for row in self.numbers],
            "targets": [asdict(row) for row in self.targets],
            "roles": [asdict(row) for row in self.roles],
            "rules": [asdict(row) for row in self.rules],
            "kpis": [asdict(row) for row in self.kpis],
            "calendar": self.calendar.to_dict(),
            "roster": asdict(self.roster),
            "depreciation": [asdict(row) for row in self.depreciation],
        }


# -- building it --------------------------------------------------------------------------


def policy_report(config: OfficeConfig, *, locale: str | None = None,
                  today: date | None = None, members: pd.DataFrame | None = None
                  ) -> PolicyReport:
    """The policy in force for `config`, in `locale` (default: the current one).

    `members` is the roster's members table when the caller has it; otherwise the roster is
    read here, and a roster that is not configured or cannot be read only means the names
    are unknown."""
    loc = locale or current_locale.get()
    day = today or date.today()
    policy = config.in_force
    if members is None:
        members, roster = _read_members(config, loc)
    else:
        roster = RosterInfo("read")
    departments = config.enum_values("departments")
    people = _People(members if roster.known else None, policy, departments, loc)
    return PolicyReport(
        office=config.office.name,
        config=str(config.path or ""),
        locale=loc,
        today=day,
        numbers=number_rows(policy, loc),
        targets=target_rows(policy),
        roles=role_rows(policy, loc),
        rules=[_rule_row(key, policy, people, loc) for key in RULE_SPECS],
        kpis=kpi_rows(policy, loc),
        calendar=calendar_info(config, day),
        roster=roster,
        depreciation=depreciation_rows(policy),
    )


def depreciation_rows(policy: Policy) -> list[DepreciationRow]:
    """The residual rate, the life of any other category, then each category's life."""
    from .policy.depreciation import (
        DEFAULT_LIFE,
        DEFAULT_LIVES,
        DEFAULT_RESIDUAL_RATE,
    )

    used = policy.depreciation

    def source(key: str) -> str:
        return "office" if key in used.chosen else "default"

    rows = [DepreciationRow("residual_rate", used.residual_rate, DEFAULT_RESIDUAL_RATE,
                            source("residual_rate")),
            DepreciationRow("default_life", used.default_life, DEFAULT_LIFE,
                            source("default_life"))]
    rows += [DepreciationRow(f"lives.{category}", years, DEFAULT_LIVES.get(category),
                             source(f"lives.{category}"))
             for category, years in used.lives.items()]
    return rows


def _whole(value: float) -> float:
    """48.0 -> 48 for hours and working days, so JSON reads as the office wrote it."""
    return int(value) if float(value).is_integer() else value


def _source(policy: Policy, key: str) -> str:
    return "office" if policy.is_office_choice(key) else "default"


def number_rows(policy: Policy, locale: str) -> list[NumberRow]:
    used = used_numbers()
    rows = []
    for key, number in NUMBERS.items():
        value, default = policy.number(key), number.default
        if number.unit is not Unit.SHARE:
            value, default = _whole(value), _whole(default)
        rows.append(NumberRow(key, value, number.unit.value, default, _source(policy, key),
                              policy.text(number.label, locale), key in used))
    return rows


def target_rows(policy: Policy) -> list[TargetRow]:
    rows = []
    for key, spec in KPI_SPECS.items():
        follows = spec.target if isinstance(spec.target, str) else None
        rows.append(TargetRow(key, policy.target(key), DEFAULT_POLICY.target(key),
                              _source(policy, f"targets.{key}"), spec.measure.value, follows))
    return rows


def role_rows(policy: Policy, locale: str) -> list[RoleRow]:
    return [RoleRow(key, policy.role(key), role.default, _source(policy, f"roles.{key}"),
                    role.domain, policy.text(role.label, locale),
                    policy.shown_role(key, locale),
                    shown_enum(role.domain, role.default, locale))
            for key, role in ROLES.items()]


def kpi_rows(policy: Policy, locale: str) -> list[KpiRow]:
    return [KpiRow(key, policy.kpi_label(key, locale), policy.text(spec.population, locale),
                   policy.text(spec.good, locale), spec.measure.value, list(spec.numbers),
                   policy.target(key), DEFAULT_POLICY.target(key),
                   _source(policy, f"targets.{key}"))
            for key, spec in KPI_SPECS.items()]


def _rule_row(key: str, policy: Policy, people: _People, locale: str) -> RuleRow:
    spec = RULE_SPECS[key]
    return RuleRow(
        key=key, table=spec.table,
        title=policy.text(spec.title, locale), when=policy.text(spec.when, locale),
        to=policy.text(spec.to, locale),
        escalates=policy.text(spec.escalates, locale) if spec.escalates else None,
        numbers=list(spec.numbers), roles=list(spec.roles),
        to_people=people.reached_by(spec.to),
        escalation_people=people.reached_by(spec.escalates) if spec.escalates else [],
    )


def placeholders(label: Label) -> list[str]:
    """The `{names}` a label's Simplified-Chinese template fills in, in order."""
    return [name for _, name, _, _ in Formatter().parse(label.hans) if name]


class _People:
    """Serving members by role, from the roster's members table (None: not known)."""

    def __init__(self, members: pd.DataFrame | None, policy: Policy,
                 departments: list[str], locale: str) -> None:
        self._policy = policy
        self._departments = departments
        self._locale = locale
        self._members = (None if members is None else members.reindex(
            columns=["member_id", "name", "department", "role", "status"]))

    def reached_by(self, label: Label | None) -> list[Recipient]:
        """The people a `to` or `escalates` label names by role."""
        if label is None:
            return []
        names = [name for name in placeholders(label) if name in ROLES]
        out: list[Recipient] = []
        head = "head_role" in names
        departments = [name for name in names if ROLES[name].domain == "departments"]
        if head and departments:
            out += [self._holder("head_role", self._policy.role(d)) for d in departments]
        elif head:
            out += [self._holder("head_role", d, each=True) for d in self._departments]
        if "president_role" in names:
            out.append(self._holder("president_role", None))
        return out

    def _holder(self, role_key: str, department: str | None, each: bool = False) -> Recipient:
        role = self._policy.role(role_key)
        shown_role = shown_enum(ROLES[role_key].domain, role, self._locale)
        if department is None:
            title = shown_role
        else:
            title = t("policy.role_in_department", self._locale, role=shown_role,
                      department=shown_enum("departments", department, self._locale))
        if self._members is None:
            return Recipient(role_key, department, title, "unknown", each_department=each)
        found = holders(self._members, role, department)
        if found.empty:
            return Recipient(role_key, department, title, "nobody", each_department=each)
        first = found.iloc[0]
        name = first["name"]
        return Recipient(role_key, department, title, "named", str(first["member_id"]),
                         None if pd.isna(name) else str(name),
                         [str(m) for m in found["member_id"].iloc[1:]], each_department=each)


def _read_members(config: OfficeConfig, locale: str) -> tuple[pd.DataFrame | None, RosterInfo]:
    """The roster's members, or why they are not known; never raises for the roster."""
    from .load import load_office

    if config.register_source("roster") is None:
        return None, RosterInfo("not_configured")
    try:
        office = load_office(config, ["roster"])
    except ClerkError as exc:
        return None, RosterInfo("unreadable", exc.message(locale))
    except Exception as exc:  # the roster only adds names: nothing about it stops the report
        return None, RosterInfo("unreadable", f"{type(exc).__name__}: {exc}".splitlines()[0])
    not_found = any(f.register == "roster" and (
        f.code == MISPLACED or (f.code == "missing_table" and f.table == "members"))
        for f in office.findings)
    if not_found or "roster.members" not in office.tables:
        return None, RosterInfo("no_members")
    return office.frame("roster.members"), RosterInfo("read")


def calendar_info(config: OfficeConfig, today: date) -> CalendarInfo:
    calendar = calendar_for(config, warn=lambda year: None)
    known = calendar.library_years()

    def by_library(year: int) -> bool:
        return known is not None and known[0] <= year <= known[1]

    office_years = sorted(y for y in calendar.office_years if not by_library(y))
    checked = [today.year, today.year + 1]
    closure_years = {d.year for d in config.office.closures}
    return CalendarInfo(
        region=calendar.region,
        library=LIBRARIES.get(calendar.region, ""),
        library_years=known,
        closures=sorted(set(config.office.closures)),
        extra_workdays=sorted(set(config.office.extra_workdays)),
        office_years=office_years,
        checked_years=checked,
        uncovered_years=[y for y in checked if not by_library(y) and y not in office_years],
        office_years_without_closures=sorted(
            {d.year for d in config.office.extra_workdays if not by_library(d.year)}
            - closure_years),
    )


def shown_number(value: float, unit: str, locale: str) -> str:
    """A `[policy]` number with its unit: `48 小时`, `2 个工作日`, `5%`."""
    if unit == Unit.SHARE.value:
        return f"{value * 100:g}%"
    one = "_one" if value == 1 and unit in (Unit.WORKDAYS.value, Unit.DAYS.value) else ""
    return t(f"policy.unit_{unit}{one}", locale, value=f"{value:g}")


def shown_target(value: float, measure: str, locale: str) -> str:
    """A KPI target as officers read it: `≥ 95%`, `±5%`, `≤ 2 个工作日` (as everywhere a
    KPI is shown: `reports.kpi_text.target_text`)."""
    from .reports.kpi_text import target_text

    return target_text(value, Measure(measure), locale)


__all__ = [
    "CalendarInfo",
    "KpiRow",
    "NumberRow",
    "PolicyReport",
    "Recipient",
    "RoleRow",
    "RosterInfo",
    "RuleRow",
    "TargetRow",
    "policy_report",
    "shown_number",
    "shown_target",
]
