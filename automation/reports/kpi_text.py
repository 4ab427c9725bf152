"""`clerk kpi` for a person at a terminal: one line per KPI, overall for each office; and
how a KPI's value and target read as text (the KPI看板 tab shares them). Each KPI is named
with the numbers of the policy in force, and shown by its measure: a rate as a percentage,
audit time in working days, a mean score in points out of 5, a budget deviation as a
signed percentage against ±tolerance.
These are the one writer of a KPI's value, target and counts as text: the terminal, the
KPI看板 tab, the dashboards and reports (`reports.dashboard`) and `clerk policy` all use them."""

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


def days_text(days: float | str, locale: str | None = None) -> str:
    """A number of working days with its word: `2 个工作日`, `1.50 working days`, `1 working
    day` (singular only for exactly one)."""
    text = days if isinstance(days, str) else f"{days:g}"
    return t("kpi.days_one" if text == "1" else "kpi.days", locale, value=text)


def score_text(score: float | str, locale: str | None = None) -> str:
    """A score out of 5 with its word: `4.62 分`, `4.5 pts`."""
    return t("kpi.score", locale, value=score if isinstance(score, str) else f"{score:g}")


def affixes(key: str, locale: str | None = None) -> tuple[str, str]:
    """What stands before and after the number in the catalogue's `key` (`kpi.days`: `""`,
    `" 个工作日"`): for a spreadsheet number format that keeps the cell a number."""
    before, _, after = t(key, locale, value="\0").partition("\0")
    return before, after


def value_text(value: float | None, measure: Measure, locale: str | None = None) -> str:
    """A KPI's value by its measure: a rate as a percentage, audit time in working days, a
    deviation signed, no records as a dash."""
    if value is None:
        return NONE_TEXT
    if measure is Measure.MEAN_DAYS:
        return days_text(f"{value:.2f}", locale)
    if measure is Measure.MEAN_SCORE:
        return score_text(f"{value:.2f}", locale)
    if measure is Measure.DEVIATION:
        return signed_percent(value)
    return f"{value * 100:.1f}%"


def target_text(target: float, measure: Measure, locale: str | None = None) -> str:
    """A KPI's target by its measure: `≥ 95%`, `≤ 2 个工作日`, `≥ 4.5 分`, `±5%`."""
    if measure is Measure.MEAN_DAYS:
        return "≤ " + days_text(target, locale)
    if measure is Measure.MEAN_SCORE:
        return "≥ " + score_text(target, locale)
    if measure is Measure.DEVIATION:
        return f"±{target * 100:g}%"
    return f"≥ {target * 100:g}%"


def _money_detail(row: KpiRow, locale: str | None) -> str:
    return t("kpi.money_detail", locale, over=f"{row.numerator:+,.2f}",
             budget=f"{row.denominator:,.2f}")


def counts_text(row: KpiRow, locale: str | None = None) -> str:
    """Numerator and denominator, short (a terminal line): `3/4` records; a mean's total in
    words (`3 笔共 6 个工作日`: "6/3" reads like a date); or the money of a deviation."""
    if row.measure is Measure.DEVIATION:
        return _money_detail(row, locale)
    if row.measure in (Measure.MEAN_DAYS, Measure.MEAN_SCORE):
        return detail_text(row, locale)
    return f"{row.numerator:g}/{row.denominator:g}"


def detail_text(row: KpiRow, locale: str | None = None) -> str:
    """Numerator and denominator in words (a dashboard card): `3/4 条达标`, `3 笔共 6 个工作
    日`, `4 份评价共 15.75 分`, the money of a deviation, or no records when there is no
    budget."""
    if row.measure is Measure.MEAN_DAYS:
        return t("dashboard.detail_days", locale, days=days_text(row.numerator, locale),
                 count=row.denominator)
    if row.measure is Measure.MEAN_SCORE:
        return t("dashboard.detail_score", locale, score=score_text(row.numerator, locale),
                 count=row.denominator)
    if row.measure is Measure.DEVIATION:
        return (_money_detail(row, locale) if row.denominator
                else t("dashboard.no_data", locale))
    return t("dashboard.detail_rate", locale, good=f"{row.numerator:g}",
             total=row.denominator)


def shown_value(row: KpiRow, locale: str | None = None) -> str:
    """`value_text` of a row."""
    return value_text(row.value, row.measure, locale)


def shown_target(row: KpiRow, locale: str | None = None) -> str:
    """`target_text` of a row."""
    return target_text(row.target, row.measure, locale)


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
                f"({shown_target(row, loc)}; {counts_text(row, loc)})",
                markup=False, highlight=False, soft_wrap=True)
