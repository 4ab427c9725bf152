"""The vocabulary the office's policy is written in: numbers, roles, rules and KPIs.

A `Number` is one deadline, tolerance or floor of RULES.md's Policy table; a `RuleSpec`
and a `KpiSpec` say, once, what a reminder rule or a KPI looks at, which numbers it
reads, who it goes to, what counts as good and its default target. Labels may name the
numbers they show (`{case_response_hours}`), so a label always shows the number in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..registers.schema import Label


class Unit(StrEnum):
    """What a policy number counts."""

    HOURS = "hours"
    WORKDAYS = "workdays"
    DAYS = "days"
    """Calendar days, weekends and holidays included (a whole number above 0)."""
    SHARE = "share"
    """A fraction 0..1 (a tolerance or a floor)."""
    COUNT = "count"
    """A whole number of records (a threshold such as tasks due for 效率之星)."""


@dataclass(frozen=True)
class Number:
    """One number of `[policy]`: its key, default and unit, and what it means."""

    key: str
    default: float
    unit: Unit
    label: Label
    report: bool = False
    """Read by a report rather than by a rule or a KPI (so it counts as in use)."""
    at_least: str | None = None
    """Another number this one cannot be below when the office writes it (an escalation
    comes after the deadline it escalates, never before)."""


@dataclass(frozen=True)
class Role:
    """One key of `[policy.roles]`: a department or a role from the office's `[enums]`."""

    key: str
    default: str
    domain: str
    """The enum domain its value must belong to (`departments` or `roles`)."""
    label: Label


@dataclass(frozen=True)
class RuleSpec:
    """One reminder rule: the table it reads, the numbers and roles it uses, and what a
    person reads about it (title and what to do in a digest; when, to whom, escalation in
    the docs and `clerk policy`)."""

    key: str
    table: str
    """`register.table` the rule looks at."""
    title: Label
    todo: Label
    when: Label
    to: Label
    escalates: Label | None = None
    numbers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    has_deadline: bool = True
    """False for a rule that asks for something missing rather than late: its message says
    since when it has waited, not that a deadline passed."""


class Measure(StrEnum):
    """How a KPI's value is made from its population."""

    RATE = "rate"
    """good / all, higher is better."""
    MEAN_DAYS = "mean_days"
    """the mean of working days, lower is better."""
    DEVIATION = "deviation"
    """a signed ratio (Σ spent − Σ budget) / Σ budget, met when |value| ≤ target."""
    MEAN_SCORE = "mean_score"
    """the mean of scores on a `SCORE_POINTS`-point scale, higher is better."""


SCORE_POINTS = 5
"""Full marks of a MEAN_SCORE: every score is brought onto this scale (RULES.md: a 5-point
score), whatever the full marks it was given out of."""


@dataclass(frozen=True)
class KpiSpec:
    """One KPI: its label, population, what counts as good and its default target."""

    key: str
    label: Label
    population: Label
    good: Label
    target: float | str
    """The default target, or the key of the policy number that is its target."""
    measure: Measure = Measure.RATE
    numbers: tuple[str, ...] = ()
    floor: str | None = None
    """The key of a policy number (a share of full marks) below which a department's value
    owes a rectification plan: satisfaction_floor × 5 for the satisfaction score."""
