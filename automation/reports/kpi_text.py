"""`clerk kpi` for a person at a terminal: one line per KPI, overall for each office; and
how a KPI's value and target read as text (the KPI看板 tab shares them). Each KPI is named
with the numbers of the policy in force, and shown by its measure: a rate as a percentage,
audit time in working days, a budget deviation as a signed percentage against ±tolerance."""

from __future__ import annotations

from rich.console import Console

from ..i18n import current_locale, t
from ..kpi.engine import KPIS, KpiResult, KpiRow
from ..policy import Measure

NONE_TEXT = "—"


def signed_percent(value: float) -> str:
    """A deviation: `+3.2%`, `-12.5%`, `0.0%` (no sign on what rounds to nothing)."""
    text = f"{value * 100:+.1f}%"
    return "0.0%" if text in ("+0.0%", "-0.0%") else text


def shown_value(row: KpiRow, locale: str | None = None) -> str:
    """Rates as percentages, audit time in working days, a deviation signed, no records as
    a dash."""
    if row.value is None:
        return NONE_TEXT
    if row.measure is Measure.MEAN_DAYS:
        return t("kpi.days", locale, value=f"{row.value:.2f}")
    if row.measure is Measure.DEVIATION:
        return signed_percent(row.value)
    return f"{row.value * 100:.1f}%"


def shown_target(row: KpiRow, locale: str | None = None) -> str:
    """`≥ 95%`, `≤ 2 个工作日`, `±5%`."""
    if row.measure is Measure.MEAN_DAYS:
        return "≤ " + t("kpi.days", locale, value=f"{row.target:g}")
    if row.measure is Measure.DEVIATION:
        return f"±{row.target * 100:g}%"
    return f"≥ {row.target * 100:g}%"


def shown_counts(row: KpiRow, locale: str | None = None) -> str:
    """Numerator and denominator: `3/4` records, `6/3` days over claims, or the money of a
    deviation (spent minus budget, and the budget)."""
    if row.measure is Measure.DEVIATION:
        return t("kpi.money_detail", locale, over=f"{row.numerator:+,.2f}",
                 budget=f"{row.denominator:,.2f}")
    return f"{row.numerator:g}/{row.denominator:g}"


def shown_met(row: KpiRow) -> str:
    return NONE_TEXT if row.met is None else ("✓" if row.met else "✗")


def render_kpis(result: KpiResult, console: Console) -> None:
    loc = current_locale.get()
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
            console.print(
                f"  {shown_met(row)} {result.label(kpi.key, loc, office)}: {shown_value(row, loc)} "
                f"({shown_target(row, loc)}; {shown_counts(row, loc)})",
                markup=False, highlight=False, soft_wrap=True)
