"""Findings for a person at a terminal: a rich table when interactive, plain lines otherwise."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..checks import Finding
from ..i18n import t


def _severity(finding: Finding) -> str:
    return t(f"report.{finding.severity}")


def finding_line(finding: Finding) -> str:
    """One finding as a plain line: where, how bad, what (tab-separated)."""
    return f"{finding.location}\t{_severity(finding)}\t{finding.message}"


def render_findings(findings: list[Finding], summary: dict[str, int], console: Console) -> None:
    """Print findings and the one-line summary; the summary is the last line either way."""
    if findings and console.is_terminal:
        table = Table(show_lines=False, header_style="bold")
        table.add_column(t("report.location"), no_wrap=True)
        table.add_column(t("report.severity"), no_wrap=True)
        table.add_column(t("report.message"))
        for finding in findings:
            style = "red" if finding.severity == "error" else "yellow"
            table.add_row(finding.location, f"[{style}]{_severity(finding)}[/]", finding.message)
        console.print(table)
    else:
        for finding in findings:
            console.print(finding_line(finding), markup=False, highlight=False,
                          soft_wrap=True)
    if not findings:
        console.print(t("cli.all_clear"), markup=False, highlight=False)
    console.print(t("cli.summary", **{k: v for k, v in summary.items()}, rows=summary[
        "rows_checked"]), markup=False, highlight=False, soft_wrap=True)
