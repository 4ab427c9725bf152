"""Message catalogues: every sentence a person reads comes from `locales/<locale>.toml`.

>>> t("cli.exit_ok", "en")  # doctest: +SKIP
"""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from functools import cache
from importlib import resources
from typing import Any

LOCALES = ("zh-Hans", "zh-Hant", "en")
DEFAULT_LOCALE = "zh-Hans"
_ALIASES = {
    "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh_cn": "zh-Hans", "zh-hans": "zh-Hans",
    "zh-tw": "zh-Hant", "zh_tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-hant": "zh-Hant",
    "en": "en", "en-us": "en", "en-gb": "en",
}

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


def resolve_locale(name: str | None) -> str | None:
    """Map spellings such as `zh_CN` or `zh-TW` to a catalogue name; None if unknown."""
    if not name:
        return None
    return _ALIASES.get(name.strip().lower().replace(" ", ""))


def _flatten(prefix: str, node: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in node.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def catalogue(locale: str) -> dict[str, str]:
    """All messages of one locale, keyed by dotted names."""
    text = resources.files("automation.locales").joinpath(f"{locale}.toml").read_text("utf-8")
    out: dict[str, str] = {}
    _flatten("", tomllib.loads(text), out)
    return out


def t(key: str, locale: str | None = None, /, **values: Any) -> str:
    """The message `key` in `locale` (default: the current one), formatted with `values`."""
    loc = locale or current_locale.get()
    messages = catalogue(loc if loc in LOCALES else DEFAULT_LOCALE)
    template = messages.get(key)
    if template is None:
        template = catalogue(DEFAULT_LOCALE).get(key, key)
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
