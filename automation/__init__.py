"""Sheet Clerk 学生会助手: validates, chases and archives a student-union office's registers.

The public surface is small; the CLI, the buttons and the nightly job all call it.
Names are imported lazily, so a helper process that needs only the file-safety
check does not pay for pandas.

>>> from automation import load_config, validate_office, kpi_report
>>> config = load_config("office.toml")  # doctest: +SKIP
>>> validate_office(config).errors  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ClerkError": "errors",
    "OfficeConfig": "config",
    "load_config": "config",
    "Policy": "policy",
    "ValidationResult": "validate",
    "validate_office": "validate",
    "remind": "reminders.remind",
    "RemindReport": "reminders.remind",
    "kpi_report": "kpi",
    "KpiResult": "kpi",
    "archive_period": "archive",
    "run_nightly": "nightly",
    "policy_report": "policy_report",
}

if TYPE_CHECKING:
    from .archive import archive_period
    from .config import OfficeConfig, load_config
    from .errors import ClerkError
    from .kpi import KpiResult, kpi_report
    from .nightly import run_nightly
    from .policy import Policy
    from .policy_report import policy_report
    from .reminders.remind import RemindReport, remind
    from .validate import ValidationResult, validate_office


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'automation' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "ClerkError",
    "KpiResult",
    "OfficeConfig",
    "Policy",
    "RemindReport",
    "ValidationResult",
    "__version__",
    "archive_period",
    "kpi_report",
    "load_config",
    "policy_report",
    "remind",
    "run_nightly",
    "validate_office",
]
