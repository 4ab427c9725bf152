"""`clerk policy` for a person at a terminal: the numbers, rules, KPIs, roles and calendar
in force, one line each, with who chose each value and who gets each escalation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.console import Console

from ..i18n import current_locale, t
from ..policy_report import PolicyReport, Recipient, shown_number, shown_target


def _join(items: Iterable[str]) -> str:
    return t("list.separator").join(items)


def _dates(days: list[date]) -> str:
    return _join(d.isoformat() for d in days) or t("policy.none")


def _source(source: str, default: str) -> str:
    if source == "office":
        return t("policy.source_office", default=default)
    return t("policy.source_default")


def _person(person: Recipient) -> str:
    shown = t("policy.person", name=person.name or "", member_id=person.member_id or "")
    if person.others:
        shown += t("policy.person_others", others=_join(person.others))
    return shown


def recipient_lines(people: list[Recipient]) -> list[str]:
    """One line per named role; the heads of every department in two lines (who, and which
    departments have nobody)."""
    lines: list[str] = []
    fixed = [p for p in people if not p.each_department]
    each = [p for p in people if p.each_department]
    for person in fixed:
        if person.status == "named":
            lines.append(t("policy.named", role=person.title, person=_person(person)))
        elif person.status == "nobody":
            lines.append(t("policy.nobody", role=person.title))
        else:
            lines.append(t("policy.name_unknown", role=person.title))
    if each:
        named = [p for p in each if p.status == "named"]
        nobody = [p for p in each if p.status == "nobody"]
        if each[0].status == "unknown":
            lines.append(t("policy.heads_unknown"))
        if named:
            lines.append(t("policy.heads", list=_join(
                t("policy.named_item", role=p.title, person=_person(p)) for p in named)))
        if nobody:
            lines.append(t("policy.heads_missing", list=_join(p.title for p in nobody)))
    return lines


def policy_lines(report: PolicyReport) -> list[str]:
    """The report as plain lines in its locale, in the order an officer checks it."""
    token = current_locale.set(report.locale)
    try:
        return _lines(report)
    finally:
        current_locale.reset(token)


def _lines(report: PolicyReport) -> list[str]:
    values = {n.key: n for n in report.numbers}
    out = [t("policy.heading", office=report.office, path=report.config or "-")]
    roster = report.roster
    if not roster.known:
        out.append(t(f"policy.roster_{roster.state}", detail=roster.detail))

    out += ["", t("policy.numbers")]
    for number in report.numbers:
        default = shown_number(number.default, number.unit, report.locale)
        out.append(t("policy.number_line", key=number.key, label=number.label,
                     value=shown_number(number.value, number.unit, report.locale),
                     source=_source(number.source, default))
                   + ("" if number.used else t("policy.number_unused")))

    out += ["", t("policy.rules")]
    for rule in report.rules:
        out.append(t("policy.rule_line", key=rule.key, title=rule.title))
        if rule.numbers:
            out.append(t("policy.rule_reads", numbers=_join(
                t("policy.reads_item", key=key, value=shown_number(
                    values[key].value, values[key].unit, report.locale))
                for key in rule.numbers)))
        out.append(t("policy.rule_when", when=rule.when))
        out.append(t("policy.rule_to", to=rule.to))
        out += recipient_lines(rule.to_people)
        if rule.escalates:
            out.append(t("policy.rule_escalates", escalates=rule.escalates))
            out += recipient_lines(rule.escalation_people)
        else:
            out.append(t("policy.rule_no_escalation"))

    out += ["", t("policy.kpis")]
    for kpi in report.kpis:
        default = shown_target(kpi.default, kpi.measure, report.locale)
        out.append(t("policy.kpi_line", key=kpi.key, label=kpi.label,
                     target=shown_target(kpi.target, kpi.measure, report.locale),
                     source=_source(kpi.source, default)))

    out += ["", t("policy.roles")]
    for role in report.roles:
        out.append(t("policy.role_line", key=role.key, label=role.label, value=role.shown,
                     source=_source(role.source, role.default_shown)))

    out += ["", *depreciation_lines(report)]
    out += ["", *calendar_lines(report)]
    return out


def depreciation_lines(report: PolicyReport) -> list[str]:
    out = [t("policy.depreciation")]
    for row in report.depreciation:
        if row.default is None:
            source = t("policy.source_office_only")
        elif row.key == "residual_rate":
            source = _source(row.source, f"{row.default * 100:g}%")
        else:
            source = _source(row.source, f"{row.default:g}")
        if row.key == "residual_rate":
            out.append(t("policy.depreciation_rate", value=f"{row.value * 100:g}%",
                         source=source))
        elif row.key == "default_life":
            out.append(t("policy.depreciation_other", value=f"{row.value:g}", source=source))
        else:
            out.append(t("policy.depreciation_life", category=row.key.split(".", 1)[1],
                         value=f"{row.value:g}", source=source))
    return out


def calendar_lines(report: PolicyReport) -> list[str]:
    cal = report.calendar
    out = [t("policy.calendar")]
    if cal.library_years:
        first, last = cal.library_years
        out.append(t("policy.calendar_region", region=cal.region, library=cal.library,
                     first=first, last=last))
    else:
        out.append(t("policy.calendar_region_unknown", region=cal.region, library=cal.library))
    out.append(t("policy.calendar_closures", dates=_dates(cal.closures)))
    out.append(t("policy.calendar_extra", dates=_dates(cal.extra_workdays)))
    out.append(t("policy.calendar_office_years",
                 years=_join(str(y) for y in cal.office_years) or t("policy.none")))
    for year in cal.office_years_without_closures:
        out.append(t("policy.calendar_no_closures", year=year))
    for year in cal.uncovered_years:
        out.append(t("policy.calendar_uncovered", year=year, library=cal.library))
    if not cal.uncovered_years:
        out.append(t("policy.calendar_ok", years=_join(str(y) for y in cal.checked_years)))
    return out


def render_policy(report: PolicyReport, console: Console) -> None:
    for line in policy_lines(report):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
