"""Cutting a digest that is too long for one robot message into parts, in order, on line
boundaries (a single overlong line is cut too), each within a byte budget."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any


def cut(line: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut one line that is too long into pieces that each fit (binary search)."""
    pieces: list[str] = []
    rest = line
    while rest and not fits(rest):
        low, high = 1, len(rest)
        while low < high:
            middle = (low + high + 1) // 2
            if fits(rest[:middle]):
                low = middle
            else:
                high = middle - 1
        pieces.append(rest[:low])
        rest = rest[low:]
    if rest:
        pieces.append(rest)
    return pieces


def split_lines(lines: Sequence[str], cost: Callable[[str], int], budget: int) -> list[list[str]]:
    """Pack lines in order into parts whose summed `cost` stays within `budget`; a line
    longer than the budget on its own is cut."""
    if budget <= 0:
        raise ValueError("budget must be positive")
    parts: list[list[str]] = []
    current: list[str] = []
    used = 0
    for line in lines:
        line_cost = cost(line)
        if line_cost > budget:
            pieces = [(piece, cost(piece)) for piece in cut(line, lambda s: cost(s) <= budget)]
        else:
            pieces = [(line, line_cost)]
        for piece, size in pieces:
            if current and used + size > budget:
                parts.append(current)
                current, used = [], 0
            current.append(piece)
            used += size
    if current or not parts:
        parts.append(current)
    return parts


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def json_bytes(value: Any) -> bytes:
    """A request body as the robots take it: compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def numbered(subject: str, index: int, total: int) -> str:
    return f"{subject} ({index}/{total})" if total > 1 else subject


def split_markdown(text: str, subject: str, limit: int) -> list[str]:
    """`text` as one or more Markdown parts of at most `limit` bytes each, cut on line
    boundaries; when there are several, each starts with **subject (i/n)**."""
    if utf8_size(text) <= limit:
        return [text]
    header_room = utf8_size(f"**{subject} (999/999)**\n")
    if header_room * 2 > limit:  # an absurd subject: keep it short in the header
        subject = subject[: max(1, limit // 16)]
        header_room = utf8_size(f"**{subject} (999/999)**\n")
    parts = split_lines(text.split("\n"), lambda s: utf8_size(s) + 1, limit - header_room)
    total = len(parts)
    return ["\n".join([f"**{numbered(subject, i, total)}**", *part])
            for i, part in enumerate(parts, 1)]


__all__ = ["cut", "json_bytes", "numbered", "split_lines", "split_markdown", "utf8_size"]
