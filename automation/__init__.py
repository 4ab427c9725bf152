"""Sheet Clerk 学生会助手: validates, chases and archives a student-union office's registers.

The public surface is small; the CLI, the buttons and the nightly job all call it.
Names are imported lazily, so a helper process that needs only the file-safety
check does not pay for pandas.

>>> from automation import load_config, validate_office
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "ClerkError": "errors",
    "OfficeConfig": "config",
    "load_config": "config",
    "ValidationResult": "validate",
    "validate_office": "validate",
}

if TYPE_CHECKING:
    from .config import OfficeConfig, load_config
    from .errors import ClerkError
    from .validate import ValidationResult, validate_office


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'automation' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "ClerkError",
    "OfficeConfig",
    "ValidationResult",
    "__version__",
    "load_config",
    "validate_office",
]
