"""The HTML part of a digest e-mail: the digest's Markdown rendered by markdown-it-py
(CommonMark) inside the page template `templates/digest.html.j2`.

Raw HTML in the Markdown is shown as text, never passed through: a record's title or
location is whatever an officer typed. A line break inside a paragraph or a list item
stays a line break (`<br>`), as the plain-text part shows it.
"""

from __future__ import annotations

import functools

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

TEMPLATE = "digest.html.j2"


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": True, "xhtmlOut": False})


@functools.cache
def _page() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("automation.reminders", "templates"),
        autoescape=True, keep_trailing_newline=True)
    return environment.get_template(TEMPLATE)


def _markdown_body(text: str) -> str:
    """The digest's Markdown (headings, lists, bold, code, links) as an HTML fragment."""
    return _parser().render(text)


def markdown_html(text: str, title: str, locale: str = "zh-Hans") -> str:
    """A whole HTML page for the e-mail: `title` and `locale` escaped, `text` rendered."""
    body = Markup(_markdown_body(text).rstrip("\n"))
    return _page().render(locale=locale, title=title, body=body)


__all__ = ["markdown_html"]
