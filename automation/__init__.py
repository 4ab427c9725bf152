"""Sheet Clerk 学生会助手: validates, chases and archives a student-union office's registers.

The public surface is small; the CLI, the buttons and the nightly job all call it.

>>> from automation import load_config, validate_office
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import OfficeConfig, load_config
from .errors import ClerkError
from .validate import ValidationResult, validate_office

__all__ = [
    "ClerkError",
    "OfficeConfig",
    "ValidationResult",
    "__version__",
    "load_config",
    "validate_office",
]
