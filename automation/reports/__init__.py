"""Rendering of findings and KPIs for people: the report model (`model`) rendered as xlsx
workbooks (`xlsx`, one formats table), self-contained HTML pages (`html` and `templates/`)
and CSV (`cells`); the text a terminal shows."""

from __future__ import annotations

from .findings import write_findings_html, write_findings_xlsx

__all__ = ["write_findings_html", "write_findings_xlsx"]
