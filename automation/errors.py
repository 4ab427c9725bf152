"""Errors that stop a command: each carries a catalogue key, rendered in the reader's language.

A ClerkError means "could not run" (exit status 2). Problems *inside* the
data are never exceptions: they are Findings.
"""

from __future__ import annotations

from typing import Any

from .i18n import t


class ClerkError(Exception):
    """Base: one clear line for a person, what went wrong and what to do."""

    exit_code = 2
    locale: str | None = None
    """The office's language when the error is known before its config could be used (a
    bad value in office.toml): the line is then said in the language the office chose."""

    def __init__(self, message_key: str, /, **values: Any) -> None:
        self.key = message_key
        self.values = values
        super().__init__(message_key)

    def __reduce__(self) -> tuple[Any, ...]:
        """Survive pickling (a check may run in a helper process) with its values."""
        return (_rebuild, (type(self), self.key, self.values))

    def message(self, locale: str | None = None) -> str:
        """The line in `locale`; a `<name>_key` value is a catalogue key of its own, said in
        the same language as `{<name>}` (what a config value should look like, what kind
        of file a non-workbook looks like)."""
        chosen = locale or self.locale
        values = dict(self.values)
        for name in [name for name in values if name.endswith("_key")]:
            values[name.removesuffix("_key")] = t(values.pop(name), chosen, **values)
        return t(self.key, chosen, **values)

    def __str__(self) -> str:
        return self.message()


def _rebuild(cls: type[ClerkError], key: str, values: dict[str, Any]) -> ClerkError:
    return cls(key, **values)


class ConfigError(ClerkError):
    """office.toml is missing, malformed or names something that is not there."""


class SourceError(ClerkError):
    """A workbook cannot be read: missing, locked, broken, hostile or not a workbook."""


class UsageError(ClerkError):
    """The command line asks for something that does not exist."""


class StateError(ClerkError):
    """The state database cannot be opened or upgraded: held by another program too long,
    or damaged. It is left as it was (an upgrade rolls back; its copy stays)."""


class StateVersionError(ClerkError):
    """The state database was made by a newer Sheet Clerk: its schema version is unknown here,
    so it is left untouched."""
