"""Findings: one row per problem, with where it is and what to do about it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

CODES: dict[str, Severity] = {
    # the workbook's shape
    "no_tables": "error",
    "missing_table": "warning",
    "missing_column": "error",
    "duplicate_column": "warning",
    "ref_unchecked": "warning",
    # one cell that cannot be read
    "formula_error": "error",
    "not_a_date": "error",
    "date_invalid": "error",
    "date_out_of_range": "error",
    "date_is_time": "error",
    "datetime_no_time": "warning",
    "int_invalid": "error",
    "number_invalid": "error",
    "money_invalid": "error",
    "money_precision": "error",
    "bool_invalid": "error",
    "phone_invalid": "error",
    "email_invalid": "error",
    "enum_invalid": "error",
    "id_scientific": "error",
    "id_precision": "error",
    "id_invalid": "error",
    # rules across cells, rows and tables
    "required": "error",
    "duplicate": "error",
    "below_minimum": "error",
    "order": "error",
    "required_when": "error",
    "status_needs": "error",
    "ref_missing": "error",
    "above_limit": "error",
    "before_approval": "warning",
}
"""Every finding code and its severity: errors make `clerk validate` exit 1."""


@dataclass(frozen=True)
class Finding:
    """One problem. `row` is the 1-based sheet row, `cell` its A1 address ('' for a whole
    sheet or column), `column` the canonical key, `value` what was found (masked if PII)."""

    register: str
    table: str
    source: str
    sheet: str
    row: int | None
    column: str | None
    cell: str
    severity: Severity
    code: str
    message: str
    value: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @property
    def location(self) -> str:
        """`资产台账!C17`, or just the sheet for a whole-sheet finding."""
        if self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or self.source
