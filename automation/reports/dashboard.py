"""KPI dashboards and the two monthly reports, as xlsx (native Excel charts) and as one
self-contained HTML page each (inline CSS, inline SVG charts, no script, no network),
readable on a phone. The workbooks are built as the report model and written by
`reports/xlsx.py`; the pages are templates, the charts' geometry is computed here and
drawn by `templates/charts.svg.j2`.

- `kpi_dashboard.xlsx` / `.html`: every KPI overall (value, target, met), per department,
  and month by month over the period.
- `expense_report.xlsx` / `.html` (经费使用月报): the month's expenses with running totals
  against each budget.
- `department_report.xlsx` / `.html` (部门绩效报表): each department's KPIs and a ranking,
  naming every department below a KPI's floor (the satisfaction score under
  satisfaction_floor × 5) as owing a rectification plan (需提交整改方案).

Every word a person reads comes from the `[dashboard]` section of the locale catalogues,
and every KPI's name from the policy the result was judged by (`KpiResult.label`: 权益案件
12 小时响应率 when the office answers within 12 h). How a KPI's value is written, charted and
coloured follows its measure (`automation/policy/schema.py`): rates as percentages on a
0–100 % scale, audit time in working days, a mean score in points out of 5, a budget
deviation as a signed percentage around zero against ±tolerance. All files are written
atomically (temp file beside it + `os.replace`).

>>> write_dashboards(config, result, kpi_trend(config, units, result), office,
...                  Path("output"), today=date.today())  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..i18n import t
from ..kpi.engine import KPIS, KpiResult, KpiRow, measure_of
from ..kpi.periods import Period
from ..load import OfficeData
from ..policy import SCORE_POINTS, Measure
from ..policy.statuses import RETURNED_EXPENSE
from .html import write_page
from .kpi_text import NONE_TEXT, detail_text, shown_target, shown_value, value_text
from .model import Book, Cell, Chart, Column, Kind, Series, Sheet, State, reader_locale
from .xlsx import CHART_BLUE, CHART_GREY, display_width, sheet_title, write_xlsx

if TYPE_CHECKING:
    from ..config import OfficeConfig

__all__ = ["DASHBOARD_FILES", "write_dashboard_html", "write_dashboard_xlsx",
           "write_dashboards", "write_department_report", "write_expense_report"]

DASHBOARD_FILES = ("kpi_dashboard.xlsx", "kpi_dashboard.html", "expense_report.xlsx",
                   "expense_report.html", "department_report.xlsx", "department_report.html")

_KEYS = [k.key for k in KPIS]
_RATE_KEYS = [k.key for k in KPIS if k.measure is Measure.RATE]
"""The KPIs a 0–100 % chart can show; the others are in the tables."""
_PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04",
            "#db2777", "#4b5563", "#65a30d", "#7c3aed", "#0d9488")


# --------------------------------------------------------------------------- shared


def _names(result: KpiResult, loc: str) -> dict[str, str]:
    """Every KPI's name in `loc` with the numbers in force, in dashboard order."""
    return {key: result.label(key, loc) for key in _KEYS}


def _fmt_number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _met_text(met: bool | None, loc: str) -> str:
    if met is None:
        return t("dashboard.no_data", loc)
    return t("dashboard.met_yes" if met else "dashboard.met_no", loc)


def _overall(result: KpiResult) -> dict[str, KpiRow]:
    """The overall row of each KPI: with several units, the all-units total (added last)."""
    rows: dict[str, KpiRow] = {}
    for row in result.rows:
        if row.department is None:
            rows[row.key] = row
    for key in _KEYS:  # a result without a KPI still lists it, with no records
        rows.setdefault(key, KpiRow(key, None, None, 0, 0, result.policy.target(key)))
    return {key: rows[key] for key in _KEYS}


@dataclass
class _Department:
    name: str
    rows: dict[str, KpiRow] = field(default_factory=dict)
    rank: int = 0

    @property
    def measured(self) -> int:
        return sum(1 for r in self.rows.values() if r.met is not None)

    @property
    def met(self) -> int:
        return sum(1 for r in self.rows.values() if r.met)

    @property
    def share(self) -> float | None:
        return self.met / self.measured if self.measured else None

    @property
    def plans(self) -> list[KpiRow]:
        """The department's KPIs below their floor: each owes a rectification plan."""
        return [r for r in self.rows.values() if r.owes_plan]


def _departments(result: KpiResult) -> list[_Department]:
    """Departments ranked by the share of their KPIs that are met (ties: by name); with
    several units a department is named `unit · department`."""
    offices = {r.office for r in result.rows if r.department is not None}
    found: dict[str, _Department] = {}
    for row in result.rows:
        if row.department is None:
            continue
        name = f"{row.office} · {row.department}" if len(offices) > 1 else row.department
        found.setdefault(name, _Department(name)).rows[row.key] = row
    ranked = sorted(found.values(), key=lambda d: (d.share is None, -(d.share or 0), d.name))
    for index, department in enumerate(ranked, start=1):
        department.rank = index
    return ranked


def _trend(trend: list[KpiResult]) -> list[tuple[str, dict[str, KpiRow]]]:
    return [(month.period.key, _overall(month)) for month in trend]


def _period_line(period: Period, loc: str) -> str:
    return t("dashboard.period", loc, key=period.key, start=period.start.isoformat(),
             end=period.end.isoformat(), as_of=period.as_of.isoformat())


def _heading(office_name: str, title: str) -> str:
    return " · ".join(p for p in (office_name, title) if p)


def _joined(parts: list[str], loc: str) -> str:
    return t("list.separator", loc).join(parts)


def _share_text(share: float | None) -> str:
    return NONE_TEXT if share is None else f"{share * 100:.0f}%"


def _value_width(rows: Sequence[KpiRow | None], loc: str, least: int = 12) -> int:
    """A column of KPI values wide enough for each as the sheet shows it (`2.00 个工作日`):
    a number too wide for its column shows as ####."""
    return max([least] + [display_width(shown_value(r, loc)) + 2 for r in rows if r])


# --------------------------------------------------------------------------- cells


_KINDS = {Measure.RATE: Kind.PERCENT, Measure.MEAN_DAYS: Kind.DAYS,
          Measure.MEAN_SCORE: Kind.SCORE, Measure.DEVIATION: Kind.DEVIATION}
"""How a value of each measure is written in a workbook."""


def _value_kind(key: str) -> Kind:
    return _KINDS[measure_of(key)]


def _judged(met: bool | None) -> State | None:
    return None if met is None else ("good" if met else "bad")


def _value(key: str, row: KpiRow | None, loc: str, colour: bool = False) -> Cell:
    """A KPI's value as a number in its measure's format (green or red with `colour`),
    `—` without records."""
    if row is None or row.value is None:
        return Cell(NONE_TEXT, "none")
    return Cell(row.value, _judged(row.met) if colour else None, _value_kind(key),
                shown_value(row, loc))


def _target(key: str, row: KpiRow, loc: str) -> Cell:
    """A target as a number: `95.0%`, `2.00 个工作日`, `±5.0%`."""
    kind = Kind.TOLERANCE if row.measure is Measure.DEVIATION else _value_kind(key)
    return Cell(row.target, kind=kind, text=value_text(row.target, row.measure, loc))


def _counts(row: KpiRow) -> tuple[Kind, Kind]:
    """Numerator and denominator: records or days, or yuan for a deviation."""
    return (Kind.MONEY, Kind.MONEY) if row.measure is Measure.DEVIATION else (Kind.NUMBER,
                                                                              Kind.INT)


def _met(met: bool | None, loc: str) -> Cell:
    if met is None:
        return Cell(NONE_TEXT, "none")
    return Cell(("✓ " if met else "✗ ") + _met_text(met, loc), _judged(met), Kind.FLAG)


def _share(share: float | None) -> Cell:
    return Cell(NONE_TEXT, "none") if share is None else Cell(share, kind=Kind.PERCENT)


def _headers(keys: Sequence[str], loc: str, **columns: Column) -> list[Column]:
    """A column per key, headed `dashboard.<key>`; `columns` gives some their kind or width."""
    return [replace(columns[k], header=t(f"dashboard.{k}", loc)) if k in columns
            else Column(t(f"dashboard.{k}", loc)) for k in keys]


def _new_book(title: str, as_of: date, loc: str, sheets: list[Sheet]) -> Book:
    """A report workbook stamped with the day its figures are as of, not the moment it was
    written: the same figures give the same bytes (a snapshot's manifest depends on it)."""
    return Book(title, datetime.combine(as_of, time()), loc, sheets)


# --------------------------------------------------------------------------- xlsx


_WIDEST_VALUE = ("100.0%",)


def _kpi_sheet(result: KpiResult, loc: str, office_name: str) -> Sheet:
    overall = _overall(result)
    names = _names(result, loc)
    rows: list[list[Cell | None]] = []
    for key, row in overall.items():
        numerator, denominator = _counts(row)
        rows.append([Cell(names[key]), _value(key, row, loc),
                     Cell(row.numerator, kind=numerator, text=_fmt_number(row.numerator)),
                     Cell(row.denominator, kind=denominator), _target(key, row, loc),
                     _met(row.met, loc)])
    # the chart shows the rate KPIs (days and a signed deviation would need other axes;
    # they are in the table). Its data sits in hidden columns H:J as one contiguous block,
    # since union ranges (the other rows sit among the rates) are not read by every
    # spreadsheet program.
    data = [[Cell(names[key]),
             None if overall[key].value is None else Cell(overall[key].value,
                                                          kind=Kind.PERCENT),
             Cell(overall[key].target, kind=Kind.PERCENT)] for key in _RATE_KEYS]
    chart = Chart("bar", t("dashboard.chart_value_target", loc),
                  [Series(1, CHART_BLUE, t("dashboard.series_value", loc)),
                   Series(2, CHART_GREY, t("dashboard.series_target", loc))],
                  categories=0, size=(640, 44 * len(_RATE_KEYS) + 120), legend="bottom",
                  gridlines=True, gap=60, data=data, data_column=7)
    return Sheet(
        sheet_title(t("dashboard.sheet_kpis", loc)),
        _headers(("kpi", "value", "numerator", "denominator", "target", "met"), loc,
                 value=Column("", samples=_WIDEST_VALUE),
                 met=Column("", samples=("✓ " + _met_text(False, loc),))),
        rows, heading=_heading(office_name, t("dashboard.title", loc)),
        meta=[_period_line(result.period, loc)], freeze=1, charts=[chart])


def _department_sheet(result: KpiResult, loc: str) -> Sheet:
    departments = _departments(result)
    names = _names(result, loc)
    widths: list[float | None] = [None] * (2 + len(_KEYS))
    if departments:
        widths = [6, max(display_width(d.name) for d in departments) + 2]
        widths += [_value_width([d.rows.get(key) for d in departments], loc) for key in _KEYS]
    columns = ([Column(t("dashboard.rank", loc), Kind.INT, widths[0]),
                Column(t("dashboard.department", loc), width=widths[1])]
               + [Column(names[key], width=width) for key, width in zip(_KEYS, widths[2:],
                                                                        strict=True)]
               + [Column(t(f"dashboard.{k}", loc), Kind.INT, 10)
                  for k in ("met_count", "measured", "share")])
    rows = [[Cell(d.rank), Cell(d.name)]
            + [_value(key, d.rows.get(key), loc, colour=True) for key in _KEYS]
            + [Cell(d.met), Cell(d.measured), _share(d.share)] for d in departments]
    charts = [Chart("column", t("dashboard.chart_departments", loc),
                    [Series(4 + len(_KEYS), CHART_BLUE, t("dashboard.share", loc))],
                    categories=1, size=(max(480, 90 * len(departments)), 320), labels=True,
                    column=1)] if departments else []
    return Sheet(sheet_title(t("dashboard.sheet_departments", loc)), columns, rows,
                 empty=Cell(t("dashboard.no_departments", loc), kind=Kind.NOTE),
                 header_height=48, freeze=2 if departments else None, charts=charts)


def _trend_sheet(trend: list[KpiResult], loc: str, names: dict[str, str]) -> Sheet:
    months = _trend(trend)
    columns = [Column(t("dashboard.month", loc), width=10)] + [
        Column(names[key], width=_value_width([rows[key] for _, rows in months], loc))
        for key in _KEYS]
    rows = [[Cell(month)] + [_value(key, by_key[key], loc, colour=True) for key in _KEYS]
            for month, by_key in months]
    charts = [Chart("line", t("dashboard.chart_trend", loc),
                    [Series(1 + _KEYS.index(key), _PALETTE[i % len(_PALETTE)])
                     for i, key in enumerate(_RATE_KEYS)],
                    categories=0, size=(860, 420), legend="right")] if months else []
    return Sheet(sheet_title(t("dashboard.sheet_trend", loc)), columns, rows,
                 header_height=48, freeze=1, charts=charts)


def write_dashboard_xlsx(result: KpiResult, trend: list[KpiResult], path: Path, *,
                         locale: str, office_name: str) -> Path:
    """The KPI dashboard workbook: overall KPIs with a value-vs-target chart, departments
    × KPIs with a chart of the share met, and the monthly trend with a line chart."""
    loc = reader_locale(locale)
    units = _units_sheet(result, loc)
    return write_xlsx(_new_book(_heading(office_name, t("dashboard.title", loc)),
                                result.period.as_of, loc, [
        _kpi_sheet(result, loc, office_name),
        *([units] if units else []),
        _department_sheet(result, loc),
        _trend_sheet(trend, loc, _names(result, loc)),
        _uncounted_sheet(result, loc),
    ]), path)


def _uncounted_view(result: KpiResult, loc: str) -> dict[str, Any]:
    """The ledger items not counted in the period: headers (the ledger's own labels), rows
    and the line above them."""
    from ..kpi.stocktakes import UNCOUNTED_COLUMNS
    from ..registers import get_table

    items = get_table("assets.items")
    headers = [items.column(key).label.get(loc) for key in UNCOUNTED_COLUMNS]
    headers.append(t("dashboard.uncounted_row", loc))
    rows = [[item.asset_tag, item.name, item.department, item.location, item.custodian_id,
             item.row] for item in result.uncounted]
    meta = t("dashboard.uncounted_meta", loc, start=result.period.start.isoformat(),
             end=result.period.end.isoformat(), count=len(rows))
    return {"headers": headers, "rows": rows, "meta": meta,
            "none": t("dashboard.uncounted_none", loc)}


def _uncounted_sheet(result: KpiResult, loc: str) -> Sheet:
    view = _uncounted_view(result, loc)
    columns = [Column(h) for h in view["headers"][:-1]] + [Column(view["headers"][-1],
                                                                  kind=Kind.INT)]
    return Sheet(sheet_title(t("dashboard.sheet_uncounted", loc)), columns,
                 [[None if v is None else Cell(v, kind=Kind.INT if i == 5 else Kind.TEXT)
                   for i, v in enumerate(row)] for row in view["rows"]],
                 heading=t("dashboard.sheet_uncounted", loc), meta=[view["meta"]],
                 empty=Cell(view["none"]), freeze=1)


# --------------------------------------------------------------------------- svg


@dataclass(frozen=True)
class _Bar:
    """A card's small bar (200 × 16): the value's fill, a line at zero for a deviation and
    the target's ticks; the chart's markup is `charts.svg.j2`'s `bar`."""

    label: str
    fill: tuple[float, float, int] | None   # x, width, corner radius
    met: bool | None
    zero: float | None
    ticks: list[float]


_BAR_WIDTH = 200


def _tick(x: float) -> float:
    """The left edge of a 3-wide target tick at `x`, kept inside the bar."""
    return min(max(x, 1.5), _BAR_WIDTH - 1.5) - 1.5


def _bar(key: str, row: KpiRow, loc: str) -> _Bar:
    """The value, with a tick at the target. A rate fills 0–100 %; a score 0 to full marks;
    audit days fill up to twice the target; a deviation grows from the middle (no
    deviation) left or right, with ticks at ±tolerance."""
    width = _BAR_WIDTH
    label = t("dashboard.bar_label", loc, value=shown_value(row, loc),
              target=shown_target(row, loc))
    if measure_of(key) is Measure.DEVIATION:
        middle = width / 2
        scale = max(row.target * 2, abs(row.value or 0)) * 1.05 or 1.0
        fill = None
        if row.value is not None:
            end = middle + max(-1.0, min(1.0, row.value / scale)) * middle
            w = max(2.0, abs(end - middle))
            fill = (min(min(middle, end), width - w), w, 3)
        return _Bar(label, fill, row.met, middle - 0.5,
                    [_tick(middle + sign * min(1.0, row.target / scale) * middle)
                     for sign in (-1, 1)])
    measure = measure_of(key)
    scale = (1.0 if measure is Measure.RATE else float(SCORE_POINTS)
             if measure is Measure.MEAN_SCORE
             else max(row.target * 2, row.value or 0) * 1.05 or 1.0)
    fill = None
    if row.value is not None:
        fill = (0, max(2.0, min(1.0, row.value / scale) * width), 5)
    return _Bar(label, fill, row.met, None, [_tick(min(1.0, row.target / scale) * width)])


def _trend_chart(months: list[tuple[str, dict[str, KpiRow]]], loc: str,
                 names: dict[str, str]) -> dict[str, Any]:
    """The rate KPIs month by month, one line each, 0–100 % (400 × 230): the points of each
    line, its unbroken runs, the grid and the month labels; drawn by `charts.svg.j2`."""
    width, height = 400, 230
    left, right, top, bottom = 36, 26, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(months)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, v)))

    step = max(1, -(-n // 6))
    lines = []
    for index, key in enumerate(_RATE_KEYS):
        points: list[tuple[float, float, str]] = []
        runs: list[list[tuple[float, float]]] = []
        run: list[tuple[float, float]] = []
        for i, (month, rows) in enumerate(months):
            row = rows[key]
            if row.value is None:
                runs.append(run)
                run = []
                continue
            run.append((x(i), y(row.value)))
            points.append((x(i), y(row.value),
                           f"{names[key]} {month} {shown_value(row, loc)}"))
        runs.append(run)
        lines.append({"colour": _PALETTE[index % len(_PALETTE)], "points": points,
                      "runs": [r for r in runs if len(r) > 1]})
    return {"title": t("dashboard.chart_trend", loc), "width": width, "height": height,
            "left": left, "right": width - right,
            "grid": [(y(tick), tick * 100) for tick in (0, 0.25, 0.5, 0.75, 1.0)],
            "months": [(x(i), month) for i, (month, _) in enumerate(months)
                       if i % step == 0 or i == n - 1],
            "lines": lines}


def _share_chart(departments: list[_Department], loc: str) -> dict[str, Any]:
    """Horizontal bars: the share of each department's KPIs that are met."""
    return {"title": t("dashboard.chart_departments", loc),
            "rows": [{"name": d.name, "share": d.share, "text": _share_text(d.share)}
                     for d in departments]}


# --------------------------------------------------------------------------- html


def _state(met: bool | None) -> str:
    return "none" if met is None else ("yes" if met else "no")


def _cell(key: str, row: KpiRow | None, loc: str) -> dict[str, str]:
    if row is None:
        return {"text": NONE_TEXT, "state": "none"}
    return {"text": shown_value(row, loc), "state": _state(row.met)}


def _plan_lines(departments: list[_Department], names: dict[str, str], loc: str
                ) -> list[str]:
    """One line per department and KPI below its floor: 文体活动部：满意度平均分 3.20 分，低于
    3.50 分，需提交整改方案."""
    return [t("dashboard.plan_line", loc, department=d.name, kpi=names[r.key],
              value=shown_value(r, loc), floor=value_text(r.floor, r.measure, loc))
            for d in departments for r in d.plans]


def _department_view(departments: list[_Department], loc: str, names: dict[str, str]
                     ) -> list[dict[str, Any]]:
    return [{"name": d.name, "rank": d.rank, "met": d.met, "measured": d.measured,
             "share_text": _share_text(d.share), "owes_plan": bool(d.plans),
             "lines": [{"name": names[key], "value": shown_value(row, loc),
                        "target": shown_target(row, loc),
                        "met": _met_text(row.met, loc), "state": _state(row.met),
                        "detail": detail_text(row, loc)}
                       for key in _KEYS if (row := d.rows.get(key)) is not None]}
            for d in departments]


def _unit_levels(result: KpiResult) -> list[tuple[str, str | None, int]]:
    """The rolled-up offices in tree order (校 → 院 → 班): name, parent, depth; none for a
    single office."""
    if len(result.parents) < 2:
        return []
    depth: dict[str, int] = {}
    for name, parent in result.parents.items():
        depth[name] = 0 if parent is None else depth.get(parent, 0) + 1
    return [(name, parent, depth[name]) for name, parent in result.parents.items()]


def _own_rows(result: KpiResult) -> dict[tuple[str | None, str], KpiRow]:
    """Each office's own overall row of each KPI, by (office, key)."""
    return {(r.office, r.key): r for r in result.rows if r.department is None}


def _unit_tree(result: KpiResult, loc: str) -> list[dict[str, Any]]:
    """The page's tree of units, each with its depth and its own value of every KPI."""
    own = _own_rows(result)
    return [{"name": name, "depth": depth, "parent": parent or "",
             "cells": {key: _cell(key, own.get((name, key)), loc) for key in _KEYS}}
            for name, parent, depth in _unit_levels(result)]


def _units_sheet(result: KpiResult, loc: str) -> Sheet | None:
    """The workbook's tree of units: each office indented under the one it rolls into,
    with its own value of every KPI; None for a single office."""
    levels = _unit_levels(result)
    if not levels:
        return None
    own = _own_rows(result)
    names = _names(result, loc)
    shown = ["　" * depth + ("└ " if depth else "") + name for name, _, depth in levels]
    columns = ([Column(t("dashboard.unit", loc),
                       width=max(display_width(s) for s in shown) + 2)]
               + [Column(names[key], width=_value_width(
                   [own.get((name, key)) for name, _, _ in levels], loc)) for key in _KEYS])
    rows = [[Cell(text)] + [_value(key, own.get((name, key)), loc, colour=True)
                            for key in _KEYS]
            for text, (name, _, _) in zip(shown, levels, strict=True)]
    return Sheet(sheet_title(t("dashboard.units", loc)), columns, rows, header_height=48,
                 freeze=1)


def write_dashboard_html(result: KpiResult, trend: list[KpiResult], path: Path, *,
                         locale: str, office_name: str) -> Path:
    """The KPI dashboard as one self-contained page: a card per KPI (value, target, met,
    numerator/denominator, a bar), the departments, and the monthly trend as an SVG."""
    loc = reader_locale(locale)
    overall = _overall(result)
    names = _names(result, loc)
    cards = [{"name": names[key], "value": shown_value(row, loc),
              "target": shown_target(row, loc), "met": _met_text(row.met, loc),
              "state": _state(row.met), "detail": detail_text(row, loc),
              "bar": _bar(key, row, loc)}
             for key, row in overall.items()]
    departments = _departments(result)
    months = _trend(trend)
    return write_page(
        "kpi_dashboard.html.j2", path, loc,
        heading=_heading(office_name, t("dashboard.title", loc)),
        meta=_period_line(result.period, loc),
        cards=cards,
        tree=_unit_tree(result, loc),
        uncounted=_uncounted_view(result, loc),
        departments=_department_view(departments, loc, names),
        cells={d.name: {key: _cell(key, d.rows.get(key), loc) for key in _KEYS}
               for d in departments},
        kpi_names=list(names.items()),
        share=_share_chart(departments, loc),
        months=[m for m, _ in months],
        trend_cells={key: [_cell(key, rows[key], loc) for _, rows in months]
                     for key in _KEYS},
        trend=_trend_chart(months, loc, names),
        trend_note=t("dashboard.trend_note", loc, names=_joined(
            [names[key] for key in _KEYS if key not in _RATE_KEYS], loc)),
        legend=[(names[key], _PALETTE[i % len(_PALETTE)])
                for i, key in enumerate(_RATE_KEYS)],
    )


# --------------------------------------------------------------------------- expenses


@dataclass
class _ExpenseLine:
    date: date | None
    expense_id: str
    item: str
    amount: int | None          # cents
    handler: str
    budget_id: str
    budget: str
    budget_amount: int | None   # cents
    so_far: int                 # cents, this budget's spending up to and including this one
    balance: int | None


@dataclass
class _BudgetLine:
    budget_id: str
    label: str
    department: str
    amount: int | None
    month: int
    so_far: int

    @property
    def balance(self) -> int | None:
        return None if self.amount is None else self.amount - self.so_far


def _frame(office: OfficeData, name: str) -> pd.DataFrame | None:
    table = office.tables.get(name)
    return None if table is None else table.frame


def _text(value: Any) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _cents(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _expense_lines(office: OfficeData, period: Period
                   ) -> tuple[list[_ExpenseLine], list[_BudgetLine]]:
    expenses = _frame(office, "finance.expenses")
    budgets = _frame(office, "finance.budgets")
    members = _frame(office, "roster.members")
    if expenses is None or expenses.empty:
        return [], []
    names: dict[str, str] = {}
    if members is not None:
        known = members.dropna(subset=["member_id"]).drop_duplicates("member_id")
        names = {str(k): _text(v) for k, v in zip(known["member_id"], known["name"],
                                                   strict=True)}
    budget_info: dict[str, tuple[str, str, int | None]] = {}
    if budgets is not None:
        for b in budgets.dropna(subset=["budget_id"]).drop_duplicates("budget_id").itertuples():
            budget_info[str(b.budget_id)] = (_text(b.activity), _text(b.department),
                                             _cents(b.amount))
    counted = expenses[expenses["status"].ne(RETURNED_EXPENSE).fillna(True)
                       & expenses["spent_on"].notna()]
    counted = counted.sort_values(["spent_on", "_row"], kind="stable")
    days = counted["spent_on"].dt.normalize()
    until_end = days <= pd.Timestamp(period.end)
    counted, days = counted[until_end], days[until_end]
    budget_ids = counted["budget_id"].map(_text)
    so_far = counted["amount"].fillna(0).astype("int64").groupby(budget_ids).cumsum()
    shown = days >= pd.Timestamp(period.start)
    month: dict[str, int] = {}
    lines: list[_ExpenseLine] = []
    for e, day, budget_id, spent in zip(counted[shown].itertuples(), days[shown],
                                        budget_ids[shown], so_far[shown], strict=True):
        cents = _cents(e.amount)
        month[budget_id] = month.get(budget_id, 0) + (cents or 0)
        activity, _, amount = budget_info.get(budget_id, ("", "", None))
        lines.append(_ExpenseLine(
            day.date(), _text(e.expense_id), _text(e.item), cents,
            names.get(_text(e.claimant_id), "") or NONE_TEXT, budget_id,
            " ".join(p for p in (budget_id, activity) if p) or NONE_TEXT, amount,
            int(spent), None if amount is None else amount - int(spent)))
    running = {key: int(total) for key, total in so_far.groupby(budget_ids).last().items()}
    summary = []
    for budget_id in sorted(month):
        activity, department, amount = budget_info.get(budget_id, ("", "", None))
        summary.append(_BudgetLine(budget_id, " ".join(p for p in (budget_id, activity) if p)
                                   or NONE_TEXT, department, amount, month[budget_id],
                                   running.get(budget_id, 0)))
    return lines, summary


def _money(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:,.2f}"


def _yuan(cents: int | None) -> Cell:
    """Cents as yuan in the money format (an empty cell of that format when unknown)."""
    return Cell(None if cents is None else cents / 100, text=_money(cents))


_MONEY = Column("", Kind.MONEY)


def _expense_sheets(lines: list[_ExpenseLine], budgets: list[_BudgetLine], month_total: int,
                    title: str, meta: str, loc: str) -> list[Sheet]:
    expenses = Sheet(
        sheet_title(t("dashboard.expenses", loc)),
        _headers(("date", "expense_id", "item", "amount", "handler", "budget",
                  "budget_amount", "spent_so_far", "balance"), loc, amount=_MONEY,
                 budget_amount=_MONEY, spent_so_far=_MONEY, balance=_MONEY),
        [[Cell(line.date.isoformat() if line.date else ""), Cell(line.expense_id),
          Cell(line.item), _yuan(line.amount), Cell(line.handler), Cell(line.budget),
          _yuan(line.budget_amount), _yuan(line.so_far), _yuan(line.balance)]
         for line in lines],
        heading=title, meta=[meta], freeze=0, filter=True,
        totals=[None, None, Cell(t("dashboard.total", loc)),
                Cell(month_total / 100)] if lines else None,
        empty=Cell(t("dashboard.no_expenses", loc), kind=Kind.NOTE))
    by_budget = Sheet(
        sheet_title(t("dashboard.by_budget", loc)),
        _headers(("budget", "department", "budget_amount", "spent_month", "spent_so_far",
                  "balance"), loc, budget_amount=_MONEY, spent_month=_MONEY,
                 spent_so_far=_MONEY, balance=_MONEY),
        [[Cell(b.label), Cell(b.department), _yuan(b.amount), _yuan(b.month),
          _yuan(b.so_far), _yuan(b.balance)] for b in budgets],
        freeze=1,
        totals=[Cell(t("dashboard.total", loc)), None, None,
                Cell(month_total / 100)] if budgets else None)
    return [expenses, by_budget]


def write_expense_report(office: OfficeData, period: Period, path_stem: Path, *, locale: str,
                         office_name: str) -> list[Path]:
    """经费使用月报: each expense of the period (by `spent_on`, not 退回) with its handler's
    name, its budget line and the running totals against the budget; xlsx and HTML."""
    loc = reader_locale(locale)
    stem = Path(path_stem)
    lines, budgets = _expense_lines(office, period)
    title = _heading(office_name, t("dashboard.expense_title", loc))
    meta = _period_line(period, loc)
    month_total = sum(line.amount or 0 for line in lines)
    xlsx = write_xlsx(_new_book(title, period.as_of, loc, _expense_sheets(
        lines, budgets, month_total, title, meta, loc)), stem.with_name(stem.name + ".xlsx"))

    def state(balance: int | None) -> str:
        return "no" if balance is not None and balance < 0 else ""

    html = write_page(
        "expense_report.html.j2", stem.with_name(stem.name + ".html"), loc, heading=title,
        meta=meta,
        rows=[{"date": line.date.isoformat() if line.date else "", "item": line.item,
               "amount": _money(line.amount), "handler": line.handler, "budget": line.budget,
               "budget_amount": _money(line.budget_amount), "so_far": _money(line.so_far),
               "balance": _money(line.balance), "state": state(line.balance)}
              for line in lines],
        budgets=[{"label": b.label, "department": b.department, "amount": _money(b.amount),
                  "month": _money(b.month), "so_far": _money(b.so_far),
                  "balance": _money(b.balance), "state": state(b.balance)} for b in budgets],
        month_total=_money(month_total),
    )
    return [xlsx, html]


# --------------------------------------------------------------------------- departments


def _plan(department: _Department, loc: str) -> Cell | None:
    return Cell(t("dashboard.owes_plan", loc), "bad", Kind.FLAG) if department.plans else None


def _ranking_sheet(departments: list[_Department], plans: list[str], title: str, meta: str,
                   loc: str) -> Sheet:
    charts = [Chart("bar", t("dashboard.chart_departments", loc),
                    [Series(4, CHART_BLUE, t("dashboard.share", loc))], categories=1,
                    size=(520, 60 + 28 * len(departments)), labels=True, below=1)
              ] if departments else []
    return Sheet(
        sheet_title(t("dashboard.ranking", loc)),
        _headers(("rank", "department", "met_count", "measured", "share", "plan"), loc,
                 rank=Column("", Kind.INT), met_count=Column("", Kind.INT),
                 measured=Column("", Kind.INT)),
        [[Cell(d.rank), Cell(d.name), Cell(d.met), Cell(d.measured), _share(d.share),
          _plan(d, loc)] for d in departments],
        heading=title, meta=[meta, *plans], charts=charts,
        empty=Cell(t("dashboard.no_departments", loc), kind=Kind.NOTE))


def _detail_sheet(departments: list[_Department], names: dict[str, str], loc: str) -> Sheet:
    rows: list[list[Cell | None]] = []
    for d in departments:
        for key in _KEYS:
            row = d.rows.get(key)
            if row is None:
                continue
            numerator, denominator = _counts(row)
            rows.append([Cell(d.rank), Cell(d.name), Cell(names[key]), _value(key, row, loc),
                         _target(key, row, loc), _met(row.met, loc),
                         Cell(row.numerator, kind=numerator),
                         Cell(row.denominator, kind=denominator)])
    return Sheet(
        sheet_title(t("dashboard.sheet_departments", loc)),
        _headers(("rank", "department", "kpi", "value", "target", "met", "numerator",
                  "denominator"), loc, rank=Column("", Kind.INT),
                 value=Column("", samples=_WIDEST_VALUE),
                 met=Column("", samples=("✓ " + _met_text(False, loc),))),
        rows, freeze=0, filter=True)


def write_department_report(result: KpiResult, path_stem: Path, *, locale: str,
                            office_name: str) -> list[Path]:
    """部门绩效报表: the ranking (share of each department's KPIs met, ties by name) with the
    departments that owe a rectification plan, and each department's KPIs; xlsx and
    HTML."""
    loc = reader_locale(locale)
    stem = Path(path_stem)
    departments = _departments(result)
    names = _names(result, loc)
    title = _heading(office_name, t("dashboard.department_title", loc))
    meta = _period_line(result.period, loc)
    plans = _plan_lines(departments, names, loc)
    xlsx = write_xlsx(_new_book(title, result.period.as_of, loc, [
        _ranking_sheet(departments, plans, title, meta, loc),
        _detail_sheet(departments, names, loc),
    ]), stem.with_name(stem.name + ".xlsx"))
    html = write_page(
        "department_report.html.j2", stem.with_name(stem.name + ".html"), loc,
        heading=title, meta=meta,
        departments=_department_view(departments, loc, names),
        share=_share_chart(departments, loc),
        plans=plans,
    )
    return [xlsx, html]


# --------------------------------------------------------------------------- all


def _month_of(period: Period, day: date) -> Period:
    """The month of the period that holds `day` (the last one if none does)."""
    months = period.months()
    for month in months:
        if month.start <= day <= month.end:
            return month
    return months[-1] if day > period.end else months[0]


def write_dashboards(config: OfficeConfig, result: KpiResult, trend: Sequence[KpiResult],
                     office: OfficeData, out_dir: Path, *, today: date,
                     expense: bool = True) -> list[Path]:
    """Every dashboard and report of `result`'s period into `out_dir`, with stable names
    (`DASHBOARD_FILES`). `trend` is the period month by month (`kpi.kpi_trend`), computed
    before: this only renders. The expense report covers `office`'s month of the period's
    as-of day; `expense=False` leaves it out (a caller that writes that month's report
    elsewhere, so that it is not written twice)."""
    loc = reader_locale(config.locale)
    office_name = config.office.name
    out = Path(out_dir)
    trend = list(trend)
    paths = [
        write_dashboard_xlsx(result, trend, out / "kpi_dashboard.xlsx", locale=loc,
                             office_name=office_name),
        write_dashboard_html(result, trend, out / "kpi_dashboard.html", locale=loc,
                             office_name=office_name),
    ]
    if expense:
        month = _month_of(result.period, min(result.period.as_of, today))
        paths += write_expense_report(office, month, out / "expense_report", locale=loc,
                                      office_name=office_name)
    paths += write_department_report(result, out / "department_report", locale=loc,
                                     office_name=office_name)
    return paths
