"""The office's policy, declared once: every deadline, target and escalation role
(`numbers.py`), every reminder rule (`rules.py`) and KPI (`kpis.py`), and the status values
they read (`statuses.py`). `model.py` reads `[policy]` of office.toml against these
declarations into the `Policy` the engines are given. Read this package to see every
number the office can change and what each one moves.
"""

from __future__ import annotations

from .depreciation import DEFAULT_DEPRECIATION, Depreciation, DepreciationSection
from .kpis import KPI_SPECS
from .model import (
    DEFAULT_POLICY,
    Policy,
    PolicySection,
    Problem,
    RolesSection,
    TargetsSection,
    canonical_roles,
    problems,
    used_numbers,
)
from .numbers import NUMBERS, ROLES
from .rules import RULE_SPECS
from .schema import SCORE_POINTS, KpiSpec, Measure, Number, Role, RuleSpec, Unit

__all__ = [
    "DEFAULT_DEPRECIATION",
    "DEFAULT_POLICY",
    "KPI_SPECS",
    "NUMBERS",
    "ROLES",
    "RULE_SPECS",
    "SCORE_POINTS",
    "Depreciation",
    "DepreciationSection",
    "KpiSpec",
    "Measure",
    "Number",
    "Policy",
    "PolicySection",
    "Problem",
    "Role",
    "RolesSection",
    "RuleSpec",
    "TargetsSection",
    "Unit",
    "canonical_roles",
    "problems",
    "used_numbers",
]
