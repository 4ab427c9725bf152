"""The vocabulary the registers are written in: tables, columns, types and rules.

Everything else (templates, header matching, normalising, checks, docs) reads
these objects; nothing restates a register by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

LOCALES: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en")


class Kind(StrEnum):
    """What a column holds once normalised."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    PHONE = "phone"
    EMAIL = "email"
    ENUM = "enum"


@dataclass(frozen=True)
class Label:
    """One human name in the three locales."""

    hans: str
    hant: str
    en: str

    def get(self, locale: str) -> str:
        return {"zh-Hans": self.hans, "zh-Hant": self.hant, "en": self.en}.get(locale, self.hans)

    def all(self) -> tuple[str, str, str]:
        return (self.hans, self.hant, self.en)


@dataclass(frozen=True)
class Column:
    """One column of a table, with every rule that concerns it alone."""

    key: str
    label: Label
    kind: Kind
    required: bool = False
    unique: bool = False
    pii: bool = False
    enum: str | None = None
    """Name of the enum domain (see `enums.py`), for Kind.ENUM."""
    ref: str | None = None
    """`register.table.column` this value must exist in."""
    identifier: bool = False
    """Compared as an id: numbers a spreadsheet made of it are read back as text."""
    minimum: int | None = None
    """Smallest allowed value (ints and money in yuan)."""
    exclusive: bool = False
    """True: the value must be strictly greater than `minimum`."""
    aliases: tuple[str, ...] = ()
    width: int = 14


@dataclass(frozen=True)
class NotBefore:
    """`later` must not fall before `earlier` (both date/datetime columns)."""

    later: str
    earlier: str


@dataclass(frozen=True)
class NotAbove:
    """`column` must not exceed the number in `limit` (`default` where `limit` is empty):
    a score out of its own full marks."""

    column: str
    limit: str
    default: float


@dataclass(frozen=True)
class RequiredWhen:
    """`column` must be filled once `when` is filled (a yes/no `when`: once it says yes)."""

    column: str
    when: str


@dataclass(frozen=True)
class StatusNeeds:
    """A record whose `status` is `value` must have `column` filled."""

    status: str
    value: str
    column: str


@dataclass(frozen=True)
class NotBeforeReferenced:
    """None of `dates` may fall before the latest of `target_dates` on the row that the
    `via` column points at (money spent before its budget's second approval). Checked
    only where every one of `target_dates` is filled; a warning, not an error."""

    dates: tuple[str, ...]
    via: str
    target_dates: tuple[str, ...]
    code: str


Rule = NotBefore | NotAbove | RequiredWhen | StatusNeeds | NotBeforeReferenced


@dataclass(frozen=True)
class Table:
    """One sheet of a register."""

    key: str
    label: Label
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    aliases: tuple[str, ...] = ()
    register: str = ""

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(f"{self.key}.{key}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def primary_key(self) -> Column | None:
        for column in self.columns:
            if column.unique:
                return column
        return None


@dataclass(frozen=True)
class Register:
    """One workbook: a named group of tables."""

    key: str
    label: Label
    tables: tuple[Table, ...] = field(default_factory=tuple)

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(f"{self.key}.{key}")


def col(
    key: str,
    hans: str,
    hant: str,
    en: str,
    kind: Kind = Kind.TEXT,
    **rules: object,
) -> Column:
    """Shorthand used by the register modules: labels first, then the rules."""
    if rules.get("ref"):
        rules.setdefault("identifier", True)
    if rules.get("unique") and kind is Kind.TEXT:
        rules.setdefault("identifier", True)
    return Column(key=key, label=Label(hans, hant, en), kind=kind, **rules)  # type: ignore[arg-type]


def table(
    key: str,
    hans: str,
    hant: str,
    en: str,
    columns: list[Column],
    rules: list[Rule] | None = None,
    aliases: tuple[str, ...] = (),
) -> Table:
    return Table(key, Label(hans, hant, en), tuple(columns), tuple(rules or ()), aliases)
