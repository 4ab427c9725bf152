"""The HTML part of a digest e-mail: the digest's Markdown rendered by markdown-it-py
(CommonMark) inside the page template `templates/digest.html.j2`.

Raw HTML in the Markdown is shown as text, never passed through: a record's title or
location is whatever an officer typed. A line break inside a paragraph or a list item
stays a line break (`<br>`), as the plain-text part shows it.

Each text is parsed without the CommonMark rules that cannot match anything in it (no
`#` in the text: no heading rule; no `[`: no link rule; ...). A rule that cannot match
only costs time — markdown-it tries every rule at every line and at every `*`, `-` or
`:` of the text — so the HTML is the same as with every rule on, in about four fifths of
the time for the built-in digests (lists, bold, line breaks).
"""

from __future__ import annotations

import functools
import re

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

TEMPLATE = "digest.html.j2"

_OPTIONS = {"html": False, "breaks": True, "xhtmlOut": False}

_ALWAYS_OFF = ("html_block", "html_inline")
"""Raw HTML is text (`html: False`): these two rules never match, whatever the text."""

_THREE_MARKS = re.compile(r"([-*_])[ \t]*\1[ \t]*\1")
"""A thematic break (`***`, `- - -`) needs three of one mark on a line."""
_UNDERLINE = re.compile(r"[-=][ \t]*(?:\r|\n|\Z)")
"""A setext heading's underline is a line that ends in `-` or `=`."""

_NEEDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # (rule, any of these in the text lets it match; "" stands for a regular expression)
    ("blockquote", (">",)),
    ("code", ("    ", "\t")),  # an indented code block: 4 columns more than its container
    ("fence", ("```", "~~~")),
    ("heading", ("#",)),
    ("reference", ("]:",)),  # a link reference definition: `[label]: destination`
    ("autolink", ("<",)),
    ("backticks", ("`",)),
    ("entity", ("&",)),
    ("escape", ("\\",)),
    ("image", ("![",)),
    ("link", ("[",)),
)


def _rules_off(text: str) -> tuple[str, ...]:
    """The rules that cannot match anywhere in `text`: each needs a character (or a short
    sequence) that the text does not hold."""
    off = [*_ALWAYS_OFF]
    off += [rule for rule, marks in _NEEDS if not any(mark in text for mark in marks)]
    if not _THREE_MARKS.search(text):
        off.append("hr")
    if not _UNDERLINE.search(text):
        off.append("lheading")
    return tuple(off)


@functools.lru_cache(maxsize=32)
def _parser(off: tuple[str, ...] = _ALWAYS_OFF) -> MarkdownIt:
    return MarkdownIt("commonmark", _OPTIONS).disable(list(off))


@functools.cache
def _page() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("automation.reminders", "templates"),
        autoescape=True, keep_trailing_newline=True)
    return environment.get_template(TEMPLATE)


def _markdown_body(text: str) -> str:
    """The digest's Markdown (headings, lists, bold, code, links) as an HTML fragment."""
    return _parser(_rules_off(text)).render(text)


def markdown_html(text: str, title: str, locale: str = "zh-Hans") -> str:
    """A whole HTML page for the e-mail: `title` and `locale` escaped, `text` rendered."""
    body = Markup(_markdown_body(text).rstrip("\n"))
    return _page().render(locale=locale, title=title, body=body)


__all__ = ["markdown_html"]
