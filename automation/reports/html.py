"""The one Jinja environment of every HTML page Sheet Clerk writes: the validation report,
the KPI dashboard and the monthly reports, the handover checklist. The pages are template
files in `automation/reports/templates/` (a page extends `page.html.j2`, and `base.css` is
inlined so a page opens offline); the code only builds the data they show."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from .._io import write_text
from ..i18n import t

HTML_LANG = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en"}


@cache
def environment() -> Environment:
    return Environment(loader=PackageLoader("automation.reports", "templates"),
                       autoescape=True, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


@cache
def base_css() -> Markup:
    """The pages' shared style sheet, inlined into each page."""
    css = resources.files("automation.reports").joinpath("templates", "base.css")
    return Markup(css.read_text(encoding="utf-8"))


def render_page(template: str, locale: str, **values: Any) -> str:
    """A page in `locale`: `lang`, the style sheet and `t(key)` from the catalogue are
    there for every template."""
    return environment().get_template(template).render(
        lang=HTML_LANG.get(locale, "zh-CN"), css=base_css(),
        t=lambda key, **v: t(key, locale, **v), **values)


def write_page(template: str, path: Path, locale: str, **values: Any) -> Path:
    """`render_page` written to `path` atomically, LF line ends; returns `path`."""
    return write_text(Path(path), render_page(template, locale, **values), newline="\n")
