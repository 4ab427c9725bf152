"""The policy in force: `[policy]`, `[policy.targets]` and `[policy.roles]` of office.toml
read against the declarations, checked, and resolved into one `Policy` the engines ask.

The TOML sections are pydantic models made from the declarations, so a new number, KPI or
role is one declaration and nothing else; values are checked here with messages from the
catalogue (a zero duration, a target of 95 meaning 95 %, a department the office does not
have) rather than pydantic's English.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..normalize import canonical_enum
from ..registers.enums import DOMAINS
from ..registers.schema import Label
from .depreciation import (
    DEFAULT_DEPRECIATION,
    Depreciation,
    DepreciationSection,
    depreciation_problems,
)
from .kpis import KPI_SPECS
from .numbers import NUMBERS, ROLES
from .rules import RULE_SPECS
from .schema import SCORE_POINTS, Measure, Unit
from .statuses import FEEDBACK, MAJOR_MEETING, SERVING, URGENT


class _Strict(BaseModel):
    """Numbers must be numbers (not `true`, not "12"), and unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", validate_default=True, strict=True)


MAX_HOURS = 24 * 366
MAX_WORKDAYS = 366
"""Beyond a year (of working days, or of calendar days), a deadline is a typo (and past
what date arithmetic can carry)."""


TargetsSection: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "TargetsSection", __base__=_Strict,
    **{key: (float | None, None) for key in KPI_SPECS},
)
"""`[policy.targets]`: one optional target per KPI key."""

RolesSection: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "RolesSection", __base__=_Strict,
    **{key: (str, role.default) for key, role in ROLES.items()},
)
"""`[policy.roles]`: who receives escalations."""

PolicySection: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "PolicySection", __base__=_Strict,
    targets=(TargetsSection, Field(default_factory=TargetsSection)),
    roles=(RolesSection, Field(default_factory=RolesSection)),
    depreciation=(DepreciationSection, Field(default_factory=DepreciationSection)),
    **{key: (float, number.default) for key, number in NUMBERS.items()},
)
"""`[policy]`: every number of RULES.md's Policy table, defaults from `NUMBERS`."""


@dataclass(frozen=True)
class Problem:
    """One value the office wrote that cannot be used: the dotted key under `policy`, the
    catalogue key that explains it, and what to show."""

    key: str
    message: str
    values: dict[str, Any] = field(default_factory=dict)


def problems(section: BaseModel, departments: list[str], roles: list[str]) -> list[Problem]:
    """Every impossible value of a `[policy]` section, in declaration order. A role
    (written or the default) must be a department or role of the office's `[enums]`: an
    office that renamed 办公室 without saying who takes its escalations would otherwise lose
    them without a word."""
    out: list[Problem] = []
    for key, number in NUMBERS.items():
        value = float(getattr(section, key))
        found = {"found": f"{value:.15g}"}
        if number.unit is Unit.SHARE:
            if not 0 <= value <= 1:
                out.append(Problem(key, "config.policy_share", found))
        elif not math.isfinite(value) or value <= 0:
            out.append(Problem(key, f"config.policy_{number.unit.value}", found))
        elif number.unit is Unit.WORKDAYS and value != int(value):
            out.append(Problem(key, "config.policy_whole", found))
        elif number.unit is Unit.DAYS and value != int(value):
            out.append(Problem(key, "config.policy_days", found))
        elif number.unit is Unit.COUNT and value != int(value):
            out.append(Problem(key, "config.policy_count", found))
        elif value > (MAX_HOURS if number.unit is Unit.HOURS else MAX_WORKDAYS):
            out.append(Problem(key, f"config.policy_{number.unit.value}_too_large",
                               found | {"most": MAX_HOURS if number.unit is Unit.HOURS
                                        else MAX_WORKDAYS}))
        elif number.at_least and key in section.model_fields_set \
                and value < float(getattr(section, number.at_least)):
            out.append(Problem(key, "config.policy_before_deadline",
                               found | {"deadline": f"policy.{number.at_least}",
                                        "deadline_value":
                                            f"{getattr(section, number.at_least):g}"}))
    targets = section.targets  # type: ignore[attr-defined]
    for key, spec in KPI_SPECS.items():
        value = getattr(targets, key)
        if value is None:
            continue
        found = {"found": f"{value:.15g}"}
        follows = NUMBERS[spec.target] if isinstance(spec.target, str) else None
        problem: Problem | None = None
        if spec.measure is Measure.MEAN_DAYS:
            if not math.isfinite(value) or value < 0 or value > MAX_WORKDAYS:
                problem = Problem(f"targets.{key}", "config.policy_target_days",
                                  found | {"most": MAX_WORKDAYS})
        elif spec.measure is Measure.MEAN_SCORE:
            if not math.isfinite(value) or not 0 <= value <= SCORE_POINTS:
                problem = Problem(f"targets.{key}", "config.policy_target_score",
                                  found | {"most": SCORE_POINTS})
            elif 0 < value <= 1:  # 0.9 meant as 90 %: on 5 points that is 4.5
                problem = Problem(f"targets.{key}", "config.policy_target_score_share",
                                  found | {"most": SCORE_POINTS,
                                           "points": f"{value * SCORE_POINTS:g}"})
        elif 1 < value <= 100:
            problem = Problem(f"targets.{key}", "config.policy_target_percent",
                              found | {"percent": f"{value / 100:.15g}"})
        elif not 0 <= value <= 1:
            problem = Problem(f"targets.{key}", "config.policy_target_share", found)
        if problem is None and follows is not None and follows.unit is Unit.SHARE \
                and spec.target in section.model_fields_set \
                and value != float(getattr(section, spec.target)):
            problem = Problem(f"targets.{key}", "config.policy_target_twice",
                              found | {"number": f"policy.{spec.target}",
                                       "number_value": f"{getattr(section, spec.target):g}"})
        if problem is not None:
            out.append(problem)
    chosen = section.roles  # type: ignore[attr-defined]
    for key, role in ROLES.items():
        value = getattr(chosen, key)
        allowed = departments if role.domain == "departments" else roles
        if value not in allowed:
            written = key in chosen.model_fields_set
            out.append(Problem(f"roles.{key}", f"config.policy_{role.domain}"
                               + ("" if written else "_default"),
                               {"found": value, "known": " / ".join(allowed),
                                "role": key}))
    out += [Problem(key, message, values) for key, message, values
            in depreciation_problems(section.depreciation)]  # type: ignore[attr-defined]
    return out


def canonical_roles(section: BaseModel, enums: dict[str, list[str]]) -> None:
    """A role is read as a workbook cell of its enum is (權益服務部, Student Rights, any case
    or spacing: its canonical value); one that is no allowed value is kept as written, for
    `problems` to name."""
    chosen = section.roles  # type: ignore[attr-defined]
    for key in chosen.model_fields_set:
        domain = ROLES[key].domain
        value = str(getattr(chosen, key)).strip()
        found = canonical_enum(domain, value, tuple(enums.get(domain, ())))
        object.__setattr__(chosen, key, found or value)


@dataclass(frozen=True)
class Policy:
    """The numbers, targets and roles in force, and which of them the office chose."""

    numbers: Mapping[str, float]
    targets: Mapping[str, float]
    roles: Mapping[str, str]
    chosen: frozenset[str] = frozenset()
    """Dotted keys the office wrote: `minutes_hours`, `targets.task_on_time`, `roles.x`."""
    depreciation: Depreciation = DEFAULT_DEPRECIATION
    """`[policy.depreciation]`: the lives by category and the residual rate."""

    @classmethod
    def defaults(cls) -> Policy:
        return cls.from_section(PolicySection())

    @classmethod
    def from_section(cls, section: BaseModel) -> Policy:
        numbers = {key: float(getattr(section, key)) for key in NUMBERS}
        chosen = set(section.model_fields_set) - {"targets", "roles", "depreciation"}
        explicit = section.targets  # type: ignore[attr-defined]
        for key, spec in KPI_SPECS.items():
            value = getattr(explicit, key)
            if value is not None and isinstance(spec.target, str) \
                    and NUMBERS[spec.target].unit is Unit.SHARE:
                # a tolerance is its KPI's target (RULES.md: budget_tolerance), written
                # either way; a deadline only seeds its mean's target, which the office may
                # set apart (budget_approval_days 1.5 beside a 1-working-day reminder)
                numbers[spec.target] = float(value)
                chosen.add(spec.target)
        targets: dict[str, float] = {}
        for key, spec in KPI_SPECS.items():
            value = getattr(explicit, key)
            if value is not None:
                targets[key] = float(value)
                chosen.add(f"targets.{key}")
            else:
                targets[key] = (numbers[spec.target] if isinstance(spec.target, str)
                                else float(spec.target))
        roles_section = section.roles  # type: ignore[attr-defined]
        roles = {key: str(getattr(roles_section, key)) for key in ROLES}
        chosen |= {f"roles.{key}" for key in roles_section.model_fields_set}
        depreciation = Depreciation.from_section(
            section.depreciation)  # type: ignore[attr-defined]
        return cls(numbers, targets, roles, frozenset(chosen), depreciation)

    def number(self, key: str) -> float:
        return self.numbers[key]

    def workdays(self, key: str) -> int:
        return int(self.numbers[key])

    def count(self, key: str) -> int:
        """A whole number of records (Unit.COUNT), such as star_min_tasks."""
        return int(self.numbers[key])

    def hours(self, key: str) -> timedelta:
        return timedelta(hours=self.numbers[key])

    def days(self, key: str) -> timedelta:
        """A number of calendar days (Unit.DAYS) as a timedelta."""
        return timedelta(days=int(self.numbers[key]))

    def notice_leads(self, kinds: pd.Series) -> pd.Series:
        """Each meeting's notice lead by its kind: meeting_notice_major_hours for a 重大,
        meeting_notice_hours for a 例会 and for any kind the office added to its
        `[enums] meeting_kinds`; NaT where the kind is empty."""
        major = kinds.eq(MAJOR_MEETING).fillna(False).astype(bool)
        hours = pd.Series(self.numbers["meeting_notice_hours"], index=kinds.index,
                          dtype="float64")
        hours[major] = self.numbers["meeting_notice_major_hours"]
        hours[kinds.isna()] = float("nan")
        return pd.to_timedelta(hours, unit="h")

    def flow_limits(self, urgency: pd.Series) -> pd.Series:
        """Each document's time to be routed, by its urgency: document_flow_urgent_hours for
        a 紧急, document_flow_hours for a 普通 and for an empty or office-added urgency."""
        urgent = urgency.eq(URGENT).fillna(False).astype(bool)
        hours = pd.Series(self.numbers["document_flow_hours"], index=urgency.index,
                          dtype="float64")
        hours[urgent] = self.numbers["document_flow_urgent_hours"]
        return pd.to_timedelta(hours, unit="h")

    def reply_limits(self, kinds: pd.Series, urgent: pd.Series) -> pd.Series:
        """Each inquiry's time to be answered: urgent_reply_hours when 是否紧急 is 是, else
        feedback_reply_hours for 意见建议 and 投诉, and inquiry_reply_hours for 咨询 and for
        an empty or office-added kind."""
        hours = pd.Series(self.numbers["inquiry_reply_hours"], index=kinds.index,
                          dtype="float64")
        hours[kinds.isin(FEEDBACK).fillna(False).astype(bool)] = \
            self.numbers["feedback_reply_hours"]
        hours[urgent.eq(True).fillna(False).astype(bool)] = self.numbers["urgent_reply_hours"]
        return pd.to_timedelta(hours, unit="h")

    def target(self, kpi: str) -> float:
        return self.targets[kpi]

    def role(self, key: str) -> str:
        return self.roles[key]

    def is_office_choice(self, key: str) -> bool:
        """Whether `key` (a number, `targets.<kpi>` or `roles.<role>`) is the office's own
        value; a target that follows a number the office set counts as the office's too."""
        if key in self.chosen:
            return True
        if key.startswith("targets."):
            spec = KPI_SPECS[key.split(".", 1)[1]]
            return isinstance(spec.target, str) and spec.target in self.chosen
        return False

    # -- what a person reads --------------------------------------------------------------

    def shown_number(self, key: str) -> str:
        """A number as a label shows it: `48`, `1.5`, `5%`."""
        value = self.numbers[key]
        if NUMBERS[key].unit is Unit.SHARE:
            return f"{value * 100:g}%"
        return f"{value:g}"

    def shown_role(self, key: str, locale: str) -> str:
        """A role value in the reader's language when it is one of the default names."""
        return shown_enum(ROLES[key].domain, self.roles[key], locale)

    def text(self, label: Label, locale: str) -> str:
        """A declared label in `locale` with the numbers and roles in force filled in."""
        values: dict[str, str] = {key: self.shown_number(key) for key in NUMBERS}
        values.update({key: self.shown_role(key, locale) for key in ROLES})
        template = label.get(locale)
        try:
            text = template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template
        return _ONE_EN.sub(r"\1", text) if locale == "en" else text

    def rule_terms(self, rule: str) -> str:
        """The numbers and roles a rule was sent under, as one stored text (JSON), so a
        log can later show its title as it went out."""
        spec = RULE_SPECS[rule]
        return json.dumps({"numbers": {k: self.numbers[k] for k in spec.numbers},
                           "roles": {k: self.roles[k] for k in spec.roles}},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    def with_terms(self, stored: str) -> Policy:
        """This policy with the numbers and roles of a `rule_terms` text put back; an empty
        or unreadable text leaves it as it is."""
        try:
            terms = json.loads(stored) if stored else {}
            numbers = {k: float(v) for k, v in terms.get("numbers", {}).items()
                       if k in NUMBERS}
            roles = {k: str(v) for k, v in terms.get("roles", {}).items() if k in ROLES}
        except (ValueError, TypeError, AttributeError):
            return self
        if not numbers and not roles:
            return self
        return replace(self, numbers={**self.numbers, **numbers},
                       roles={**self.roles, **roles})

    def rule_title(self, rule: str, locale: str) -> str:
        return self.text(RULE_SPECS[rule].title, locale)

    def rule_todo(self, rule: str, locale: str) -> str:
        return self.text(RULE_SPECS[rule].todo, locale)

    def kpi_label(self, kpi: str, locale: str) -> str:
        return self.text(KPI_SPECS[kpi].label, locale)


_ONE_EN = re.compile(r"(?<![\d.])(1 (?:working day|hour|day))s\b")
"""English labels say "{n} working days"; with n = 1 that is "1 working day"."""

DEFAULT_POLICY = Policy.defaults()


def holders(members: pd.DataFrame, role: str, department: str | None = None) -> pd.DataFrame:
    """The serving members holding `role` (in `department` when given), in roster order:
    the first is the one escalations go to. The reminder engine and `clerk policy` both
    ask here, so what `clerk policy` names is who the reminders reach."""
    mask = (members["status"].eq(SERVING) & members["role"].eq(role)).fillna(False)
    if department is not None:
        mask &= members["department"].eq(department).fillna(False)
    return members[mask.astype(bool) & members["member_id"].notna()]


def shown_enum(domain: str, value: str, locale: str) -> str:
    """An enum value (canonical) in the reader's language when it is a default name; an
    office's own name as it wrote it."""
    for label in DOMAINS[domain]:
        if label.hans == value:
            return label.get(locale)
    return value


def used_numbers() -> set[str]:
    """Policy numbers some declared rule or KPI reads (the others wait for the rules and
    KPIs of tables this release does not have yet)."""
    used = {key for spec in RULE_SPECS.values() for key in spec.numbers}
    used |= {key for spec in KPI_SPECS.values() for key in spec.numbers}
    used |= {spec.target for spec in KPI_SPECS.values() if isinstance(spec.target, str)}
    return used | {key for key, number in NUMBERS.items() if number.report}
