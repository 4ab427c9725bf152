"""`clerk kpi` for a person at a terminal: one line per KPI, overall for each office."""

from __future__ import annotations

from rich.console import Console

from ..i18n import t
from ..kpi.engine import KPIS, KpiResult, KpiRow


def shown_value(row: KpiRow) -> str:
    """Rates as percentages, audit time in working days, no records as a dash."""
    if row.value is None:
        return "—"
    if row.key == "reimbursement_audit_days":
        return t("kpi.days", value=f"{row.value:.2f}")
    return f"{row.value * 100:.1f}%"


def shown_target(row: KpiRow) -> str:
    if row.key == "reimbursement_audit_days":
        return "≤ " + t("kpi.days", value=f"{row.target:.1f}")
    return f"≥ {row.target * 100:.0f}%"


def render_kpis(result: KpiResult, console: Console) -> None:
    p = result.period
    console.print(t("kpi.heading", key=p.key, start=p.start, end=p.end, as_of=p.as_of),
                  markup=False, highlight=False)
    offices = list(dict.fromkeys(r.office for r in result.rows if r.department is None))
    for office in offices:
        if len(offices) > 1:
            console.print(f"[{office}]", markup=False, highlight=False)
        for kpi in KPIS:
            row = next(r for r in result.rows if r.key == kpi.key and r.department is None
                       and r.office == office)
            mark = "—" if row.met is None else ("✓" if row.met else "✗")
            console.print(
                f"  {mark} {t(f'kpi.name.{kpi.key}')}: {shown_value(row)} "
                f"({shown_target(row)}; {row.numerator:g}/{row.denominator})",
                markup=False, highlight=False, soft_wrap=True)
