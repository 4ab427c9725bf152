"""Rendering of findings and KPIs for people: xlsx workbooks and self-contained HTML pages."""

from __future__ import annotations

from .findings import write_findings_html, write_findings_xlsx

__all__ = ["write_findings_html", "write_findings_xlsx"]
