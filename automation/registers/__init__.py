"""The four registers, declared once. Read this package to see the whole data model."""

from __future__ import annotations

from dataclasses import replace

from .assets import ASSETS
from .cases import CASES
from .enums import CONFIGURABLE, DOMAINS
from .finance import FINANCE
from .roster import ROSTER
from .schema import (
    LOCALES,
    Column,
    Kind,
    Label,
    NotAbove,
    NotBefore,
    NotBeforeReferenced,
    Register,
    RequiredWhen,
    Rule,
    StatusNeeds,
    Table,
)


def _bind(register: Register) -> Register:
    """Stamp each table with its register's key, so a table knows where it lives."""
    tables = tuple(replace(t, register=register.key) for t in register.tables)
    return replace(register, tables=tables)


REGISTERS: dict[str, Register] = {
    r.key: _bind(r) for r in (ROSTER, ASSETS, FINANCE, CASES)
}


def get_table(path: str) -> Table:
    """`register.table` -> Table."""
    register, table = path.split(".")
    return REGISTERS[register].table(table)


def table_label(register: str, table: str, locale: str) -> str:
    """A table's name in `locale`; a finding about a whole register (no table) gets the
    register's; an unknown one is shown as written."""
    try:
        if not table:
            return REGISTERS[register].label.get(locale)
        return REGISTERS[register].table(table).label.get(locale)
    except KeyError:
        return table or register


def all_tables() -> list[Table]:
    return [t for r in REGISTERS.values() for t in r.tables]


__all__ = [
    "CONFIGURABLE",
    "DOMAINS",
    "LOCALES",
    "REGISTERS",
    "Column",
    "Kind",
    "Label",
    "NotAbove",
    "NotBefore",
    "NotBeforeReferenced",
    "Register",
    "RequiredWhen",
    "Rule",
    "StatusNeeds",
    "Table",
    "all_tables",
    "get_table",
    "table_label",
]
