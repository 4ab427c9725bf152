"""Personal data (PII-flagged columns) is masked wherever a person other than its owner
might read it: finding reports, logs, redacted handover snapshots."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask(value: str) -> str:
    """`13800138000` -> `138****8000` (length kept), `王小明` -> `王**`,
    `ab@x.cn` -> `a***@x.cn`."""
    text = str(value).strip()
    if not text:
        return text
    if "@" in text:
        user, _, domain = text.partition("@")
        return f"{user[:1]}***@{domain}"
    digits = _DIGITS.findall(text)
    if len(digits) >= 7:
        return f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"
    return text[:1] + "*" * max(len(text) - 1, 1)
