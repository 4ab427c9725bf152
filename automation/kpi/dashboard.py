"""KPI dashboards and the two monthly reports, as xlsx (native Excel charts) and as one
self-contained HTML page each (inline CSS, inline SVG charts drawn here, no script, no
network), readable on a phone.

- `kpi_dashboard.xlsx` / `.html`: every KPI overall (value, target, met), per department,
  and month by month over the period.
- `expense_report.xlsx` / `.html` (经费使用月报): the month's expenses with running totals
  against each budget.
- `department_report.xlsx` / `.html` (部门绩效报表): each department's KPIs and a ranking.

Every word a person reads comes from the `[dashboard]` section of the locale catalogues,
and every KPI's name from the policy the result was judged by (`KpiResult.label`: 权益案件
12 小时响应率 when the office answers within 12 h). How a KPI's value is written, charted and
coloured follows its measure (`automation/policy/schema.py`): rates as percentages on a
0–100 % scale, audit time in working days, a budget deviation as a signed percentage
around zero against ±tolerance. All files are written atomically (temp file beside it +
`os.replace`).

>>> write_dashboards(config, result, kpi_trend(config, units, result), office,
...                  Path("output"), today=date.today())  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlsxwriter

from ..i18n import t
from ..load import OfficeData
from ..policy import Measure
from ..policy.statuses import RETURNED_EXPENSE
from ..reports.findings import _atomic, _display_width, _locale, _sheet_title
from ..reports.html import render_page
from ..reports.kpi_text import (
    NONE_TEXT,
    days_affixes,
    detail_text,
    shown_target,
    shown_value,
    value_text,
)
from .engine import KPIS, KpiResult, KpiRow, measure_of
from .periods import Period

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
_GOOD, _BAD, _MUTED = "#16a34a", "#dc2626", "#98a2b3"


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
    return max([least] + [_display_width(shown_value(r, loc)) + 2 for r in rows if r])


# --------------------------------------------------------------------------- xlsx


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook, loc: str) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.meta = book.add_format({"font_color": "#404040"})
        self.header = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                       "border_color": "#8EA9DB", "valign": "vcenter",
                                       "text_wrap": True})
        self.text = book.add_format({"valign": "top"})
        self.number = book.add_format({"num_format": "0.##"})
        self.int = book.add_format({"num_format": "0"})
        self.pct = book.add_format({"num_format": "0.0%"})
        days = "0.00".join(f'"{part}"' if part else ""
                           for part in (p.replace('"', "") for p in days_affixes(loc)))
        self.days = book.add_format({"num_format": days})  # 2.00 个工作日, still a number
        self.money = book.add_format({"num_format": "#,##0.00"})
        self.money_total = book.add_format({"num_format": "#,##0.00", "bold": True, "top": 1})
        self.total = book.add_format({"bold": True, "top": 1})
        self.none = book.add_format({"font_color": "#667085", "align": "right"})
        self.good = book.add_format({"bold": True, "font_color": "#006100",
                                     "bg_color": "#C6EFCE", "align": "center"})
        self.bad = book.add_format({"bold": True, "font_color": "#9C0006",
                                    "bg_color": "#FFC7CE", "align": "center"})
        self.pct_good = book.add_format({"num_format": "0.0%", "bg_color": "#C6EFCE"})
        self.pct_bad = book.add_format({"num_format": "0.0%", "bg_color": "#FFC7CE"})
        self.days_good = book.add_format({"num_format": days, "bg_color": "#C6EFCE"})
        self.days_bad = book.add_format({"num_format": days, "bg_color": "#FFC7CE"})
        signed = "+0.0%;-0.0%;0.0%"
        self.dev = book.add_format({"num_format": signed})
        self.dev_good = book.add_format({"num_format": signed, "bg_color": "#C6EFCE"})
        self.dev_bad = book.add_format({"num_format": signed, "bg_color": "#FFC7CE"})
        self.tolerance = book.add_format({"num_format": '"±"0.0%'})

    def value(self, key: str, met: bool | None = None):
        measure = measure_of(key)
        if measure is Measure.MEAN_DAYS:
            return self.days if met is None else (self.days_good if met else self.days_bad)
        if measure is Measure.DEVIATION:
            return self.dev if met is None else (self.dev_good if met else self.dev_bad)
        return self.pct if met is None else (self.pct_good if met else self.pct_bad)

    def target(self, key: str):
        """A target as a number: `95.0%`, `2.00 个工作日`, `±5.0%`."""
        return self.tolerance if measure_of(key) is Measure.DEVIATION else self.value(key)

    def counts(self, key: str):
        """Numerator and denominator: records or days, or yuan for a deviation."""
        return self.money if measure_of(key) is Measure.DEVIATION else self.number


def _new_book(path: Path, title: str, as_of: date):
    """A report workbook stamped with the day its figures are as of, not the moment it was
    written: the same figures give the same bytes (a snapshot's manifest depends on it)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties({"title": title, "author": "Sheet Clerk",
                         "created": datetime.combine(as_of, time())})
    return book


def _set_widths(sheet, rows: list[list[str]], limits: int = 40, minimum: int = 8) -> None:
    widths: dict[int, int] = {}
    for row in rows:
        for col, text in enumerate(row):
            widths[col] = max(widths.get(col, 0), _display_width(text))
    for col, width in widths.items():
        sheet.set_column(col, col, min(max(width + 2, minimum), limits))


def _write_value(sheet, row: int, col: int, key: str, value: float | None, fmt: _Formats,
                 met: bool | None = None, colour: bool = False) -> None:
    if value is None:
        sheet.write_string(row, col, NONE_TEXT, fmt.none)
    else:
        sheet.write_number(row, col, value, fmt.value(key, met if colour else None))


def _write_met(sheet, row: int, col: int, met: bool | None, fmt: _Formats, loc: str) -> None:
    if met is None:
        sheet.write_string(row, col, NONE_TEXT, fmt.none)
    else:
        sheet.write_string(row, col, ("✓ " if met else "✗ ") + _met_text(met, loc),
                           fmt.good if met else fmt.bad)


_KPI_HEADER_ROW = 3
_CHART_DATA_COL = 7


def _kpi_sheet(book, fmt: _Formats, result: KpiResult, loc: str, office_name: str) -> None:
    name = _sheet_title(t("dashboard.sheet_kpis", loc))
    sheet = book.add_worksheet(name)
    sheet.write_string(0, 0, _heading(office_name, t("dashboard.title", loc)), fmt.title)
    sheet.write_string(1, 0, _period_line(result.period, loc), fmt.meta)
    keys = ("kpi", "value", "numerator", "denominator", "target", "met")
    headers = [t(f"dashboard.{k}", loc) for k in keys]
    for col, text in enumerate(headers):
        sheet.write_string(_KPI_HEADER_ROW, col, text, fmt.header)
    seen = [headers, ["", "100.0%"]]
    overall = _overall(result)
    names = _names(result, loc)
    for index, (key, row) in enumerate(overall.items()):
        r = _KPI_HEADER_ROW + 1 + index
        label = names[key]
        sheet.write_string(r, 0, label, fmt.text)
        _write_value(sheet, r, 1, key, row.value, fmt)
        sheet.write_number(r, 2, row.numerator, fmt.counts(key))
        sheet.write_number(r, 3, row.denominator,
                           fmt.money if row.measure is Measure.DEVIATION else fmt.int)
        sheet.write_number(r, 4, row.target, fmt.target(key))
        _write_met(sheet, r, 5, row.met, fmt, loc)
        seen.append([label, shown_value(row, loc), _fmt_number(row.numerator), "",
                     value_text(row.target, row.measure, loc), "✓ " + _met_text(False, loc)])
    _set_widths(sheet, seen)
    sheet.freeze_panes(_KPI_HEADER_ROW + 1, 1)

    # chart: the rate KPIs (days and a signed deviation would need other axes; they are
    # in the table above). Its data sits in hidden columns H:J as one contiguous block,
    # since union ranges (the other rows sit among the rates) are not read by every
    # spreadsheet program.
    data_col = _CHART_DATA_COL
    for index, key in enumerate(_RATE_KEYS):
        r = _KPI_HEADER_ROW + 1 + index
        row = overall[key]
        sheet.write_string(r, data_col, names[key])
        if row.value is not None:
            sheet.write_number(r, data_col + 1, row.value, fmt.pct)
        sheet.write_number(r, data_col + 2, row.target, fmt.pct)
    sheet.set_column(data_col, data_col + 2, None, None, {"hidden": True})
    first = _KPI_HEADER_ROW + 1
    last = first + len(_RATE_KEYS) - 1
    chart = book.add_chart({"type": "bar"})
    for offset, (series, colour) in enumerate((("series_value", "#4472C4"),
                                               ("series_target", "#A5A5A5")), start=1):
        chart.add_series({
            "name": t(f"dashboard.{series}", loc),
            "categories": [name, first, data_col, last, data_col],
            "values": [name, first, data_col + offset, last, data_col + offset],
            "fill": {"color": colour},
            "gap": 60,
        })
    chart.set_title({"name": t("dashboard.chart_value_target", loc)})
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%",
                      "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 44 * len(_RATE_KEYS) + 120})
    chart.show_blanks_as("gap")
    chart.show_hidden_data()
    sheet.insert_chart(_KPI_HEADER_ROW + len(overall) + 3, 0, chart)


def _department_sheet(book, fmt: _Formats, result: KpiResult, loc: str) -> None:
    name = _sheet_title(t("dashboard.sheet_departments", loc))
    sheet = book.add_worksheet(name)
    departments = _departments(result)
    names = _names(result, loc)
    headers = ([t("dashboard.rank", loc), t("dashboard.department", loc)]
               + [names[k] for k in _KEYS]
               + [t("dashboard.met_count", loc), t("dashboard.measured", loc),
                  t("dashboard.share", loc)])
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text, fmt.header)
    sheet.set_row(0, 48)
    if not departments:
        sheet.write_string(1, 0, t("dashboard.no_departments", loc), fmt.meta)
        return
    for index, dept in enumerate(departments, start=1):
        sheet.write_number(index, 0, dept.rank, fmt.int)
        sheet.write_string(index, 1, dept.name, fmt.text)
        for col, key in enumerate(_KEYS, start=2):
            row = dept.rows.get(key)
            _write_value(sheet, index, col, key, row.value if row else None, fmt,
                         row.met if row else None, colour=True)
        base = 2 + len(_KEYS)
        sheet.write_number(index, base, dept.met, fmt.int)
        sheet.write_number(index, base + 1, dept.measured, fmt.int)
        if dept.share is None:
            sheet.write_string(index, base + 2, NONE_TEXT, fmt.none)
        else:
            sheet.write_number(index, base + 2, dept.share, fmt.pct)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, max(_display_width(d.name) for d in departments) + 2)
    for col, key in enumerate(_KEYS, start=2):
        sheet.set_column(col, col, _value_width([d.rows.get(key) for d in departments], loc))
    sheet.set_column(2 + len(_KEYS), 4 + len(_KEYS), 10)
    sheet.freeze_panes(1, 2)
    share_col = 4 + len(_KEYS)
    chart = book.add_chart({"type": "column"})
    chart.add_series({
        "name": t("dashboard.share", loc),
        "categories": [name, 1, 1, len(departments), 1],
        "values": [name, 1, share_col, len(departments), share_col],
        "fill": {"color": "#4472C4"},
        "data_labels": {"value": True, "num_format": "0%"},
    })
    chart.set_title({"name": t("dashboard.chart_departments", loc)})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_legend({"none": True})
    chart.show_blanks_as("gap")
    chart.set_size({"width": max(480, 90 * len(departments)), "height": 320})
    sheet.insert_chart(len(departments) + 3, 1, chart)


def _trend_sheet(book, fmt: _Formats, trend: list[KpiResult], loc: str,
                 names: dict[str, str]) -> None:
    name = _sheet_title(t("dashboard.sheet_trend", loc))
    sheet = book.add_worksheet(name)
    months = _trend(trend)
    headers = [t("dashboard.month", loc)] + [names[k] for k in _KEYS]
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text, fmt.header)
    sheet.set_row(0, 48)
    for index, (month, rows) in enumerate(months, start=1):
        sheet.write_string(index, 0, month, fmt.text)
        for col, key in enumerate(_KEYS, start=1):
            row = rows[key]
            _write_value(sheet, index, col, key, row.value, fmt, row.met, colour=True)
    sheet.set_column(0, 0, 10)
    for col, key in enumerate(_KEYS, start=1):
        sheet.set_column(col, col, _value_width([rows[key] for _, rows in months], loc))
    sheet.freeze_panes(1, 1)
    if not months:
        return
    chart = book.add_chart({"type": "line"})
    for i, key in enumerate(_RATE_KEYS):
        col = 1 + _KEYS.index(key)
        chart.add_series({
            "name": [name, 0, col],
            "categories": [name, 1, 0, len(months), 0],
            "values": [name, 1, col, len(months), col],
            "line": {"color": _PALETTE[i % len(_PALETTE)], "width": 2},
            "marker": {"type": "circle", "size": 5,
                       "fill": {"color": _PALETTE[i % len(_PALETTE)]},
                       "border": {"color": _PALETTE[i % len(_PALETTE)]}},
        })
    chart.set_title({"name": t("dashboard.chart_trend", loc)})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    chart.set_legend({"position": "right"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 860, "height": 420})
    sheet.insert_chart(len(months) + 3, 0, chart)


def write_dashboard_xlsx(result: KpiResult, trend: list[KpiResult], path: Path, *,
                         locale: str, office_name: str) -> Path:
    """The KPI dashboard workbook: overall KPIs with a value-vs-target chart, departments
    × KPIs with a chart of the share met, and the monthly trend with a line chart."""
    loc = _locale(locale)
    path = Path(path)
    with _atomic(path) as temp:
        book = _new_book(temp, _heading(office_name, t("dashboard.title", loc)),
                         result.period.as_of)
        fmt = _Formats(book, loc)
        _kpi_sheet(book, fmt, result, loc, office_name)
        _department_sheet(book, fmt, result, loc)
        _trend_sheet(book, fmt, trend, loc, _names(result, loc))
        book.close()
    return path


# --------------------------------------------------------------------------- svg


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _svg_bar(key: str, row: KpiRow, loc: str) -> str:
    """A small horizontal bar: the value, with a tick at the target. A rate fills 0–100 %;
    audit days fill up to twice the target; a deviation grows from the middle (no
    deviation) left or right, with ticks at ±tolerance."""
    width, height = 200, 16
    label = _esc(t("dashboard.bar_label", loc, value=shown_value(row, loc),
                   target=shown_target(row, loc)))
    parts = [f'<svg class="bar" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{label}" preserveAspectRatio="none">',
             f'<rect x="0" y="3" width="{width}" height="10" rx="5" fill="#eaecf0"/>']
    if measure_of(key) is Measure.DEVIATION:
        return "".join(parts + _deviation_marks(row, width, height) + ["</svg>"])
    scale = (1.0 if measure_of(key) is Measure.RATE
             else max(row.target * 2, row.value or 0) * 1.05 or 1.0)
    if row.value is not None:
        w = max(2.0, min(1.0, row.value / scale) * width)
        colour = _GOOD if row.met else _BAD
        parts.append(f'<rect x="0" y="3" width="{w:.1f}" height="10" rx="5" '
                     f'fill="{colour}"/>')
    x = min(1.0, row.target / scale) * width
    x = min(max(x, 1.5), width - 1.5)
    parts.append(f'<rect x="{x - 1.5:.1f}" y="0" width="3" height="{height}" '
                 f'fill="#1d2939"/>')
    parts.append("</svg>")
    return "".join(parts)


def _deviation_marks(row: KpiRow, width: int, height: int) -> list[str]:
    """A signed bar from the middle, scaled so ±2×tolerance (or the value) fits."""
    middle = width / 2
    scale = max(row.target * 2, abs(row.value or 0)) * 1.05 or 1.0
    parts: list[str] = []
    if row.value is not None:
        end = middle + max(-1.0, min(1.0, row.value / scale)) * middle
        left, w = min(middle, end), max(2.0, abs(end - middle))
        left = min(left, width - w)
        colour = _GOOD if row.met else _BAD
        parts.append(f'<rect x="{left:.1f}" y="3" width="{w:.1f}" height="10" rx="3" '
                     f'fill="{colour}"/>')
    parts.append(f'<rect x="{middle - 0.5:.1f}" y="2" width="1" height="{height - 4}" '
                 f'fill="#98a2b3"/>')
    for sign in (-1, 1):
        x = middle + sign * min(1.0, row.target / scale) * middle
        x = min(max(x, 1.5), width - 1.5)
        parts.append(f'<rect x="{x - 1.5:.1f}" y="0" width="3" height="{height}" '
                     f'fill="#1d2939"/>')
    return parts


def _svg_trend(months: list[tuple[str, dict[str, KpiRow]]], loc: str,
               names: dict[str, str]) -> str:
    """The rate KPIs month by month, one line each, 0–100 %."""
    width, height = 400, 230
    left, right, top, bottom = 36, 26, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(months)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - max(0.0, min(1.0, v)))

    title = _esc(t("dashboard.chart_trend", loc))
    out = [f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{title}" font-size="11" font-family="inherit">']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" '
                   f'y2="{y(tick):.1f}" stroke="#eaecf0"/>')
        out.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                   f'fill="#667085">{tick * 100:.0f}%</text>')
    step = max(1, -(-n // 6))
    for i, (month, _) in enumerate(months):
        if i % step == 0 or i == n - 1:
            out.append(f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="middle" '
                       f'fill="#667085">{_esc(month)}</text>')
    for index, key in enumerate(_RATE_KEYS):
        colour = _PALETTE[index % len(_PALETTE)]
        segment: list[str] = []
        segments: list[list[str]] = []
        for i, (_, rows) in enumerate(months):
            row = rows[key]
            value = row.value
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(value):.1f}")
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" '
                       f'fill="{colour}"><title>{_esc(names[key])} {_esc(months[i][0])}'
                       f' {shown_value(row, loc)}</title></circle>')
        if segment:
            segments.append(segment)
        for points in segments:
            if len(points) > 1:
                out.append(f'<polyline points="{" ".join(points)}" fill="none" '
                           f'stroke="{colour}" stroke-width="1.8" stroke-linejoin="round"/>')
    out.append("</svg>")
    return "".join(out)


def _svg_share(departments: list[_Department], loc: str) -> str:
    """Horizontal bars: the share of each department's KPIs that are met."""
    row_h, label_w, width = 24, 120, 400
    height = row_h * len(departments) + 6
    title = _esc(t("dashboard.chart_departments", loc))
    out = [f'<svg class="share" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{title}" font-size="12" font-family="inherit">']
    bar_w = width - label_w - 48
    for i, dept in enumerate(departments):
        top = 3 + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{top + 15}" text-anchor="end" '
                   f'fill="#344054">{_esc(dept.name)}</text>')
        out.append(f'<rect x="{label_w}" y="{top + 4}" width="{bar_w}" height="14" rx="4" '
                   f'fill="#eaecf0"/>')
        if dept.share is not None:
            w = max(2.0, dept.share * bar_w)
            colour = _GOOD if dept.share >= 0.5 else _BAD
            out.append(f'<rect x="{label_w}" y="{top + 4}" width="{w:.1f}" height="14" '
                       f'rx="4" fill="{colour}"/>')
        out.append(f'<text x="{label_w + bar_w + 6}" y="{top + 15}" fill="#344054">'
                   f'{_share_text(dept.share)}</text>')
    out.append("</svg>")
    return "".join(out)


# --------------------------------------------------------------------------- html



def _render(template: str, path: Path, loc: str, heading: str, meta: str,
            **values: Any) -> Path:
    html = render_page(template, loc, heading=heading, meta=meta, **values)
    path = Path(path)
    with _atomic(path) as temp:
        temp.write_text(html, encoding="utf-8", newline="\n")
    return path


def _state(met: bool | None) -> str:
    return "none" if met is None else ("yes" if met else "no")


def _cell(key: str, row: KpiRow | None, loc: str) -> dict[str, str]:
    if row is None:
        return {"text": NONE_TEXT, "state": "none"}
    return {"text": shown_value(row, loc), "state": _state(row.met)}


def _department_view(departments: list[_Department], loc: str, names: dict[str, str]
                     ) -> list[dict[str, Any]]:
    return [{"name": d.name, "rank": d.rank, "met": d.met, "measured": d.measured,
             "share_text": _share_text(d.share),
             "lines": [{"name": names[key], "value": shown_value(row, loc),
                        "target": shown_target(row, loc),
                        "met": _met_text(row.met, loc), "state": _state(row.met),
                        "detail": detail_text(row, loc)}
                       for key in _KEYS if (row := d.rows.get(key)) is not None]}
            for d in departments]


def write_dashboard_html(result: KpiResult, trend: list[KpiResult], path: Path, *,
                         locale: str, office_name: str) -> Path:
    """The KPI dashboard as one self-contained page: a card per KPI (value, target, met,
    numerator/denominator, a bar), the departments, and the monthly trend as an SVG."""
    from markupsafe import Markup

    loc = _locale(locale)
    overall = _overall(result)
    names = _names(result, loc)
    cards = [{"name": names[key], "value": shown_value(row, loc),
              "target": shown_target(row, loc), "met": _met_text(row.met, loc),
              "state": _state(row.met), "detail": detail_text(row, loc),
              "bar": Markup(_svg_bar(key, row, loc))}
             for key, row in overall.items()]
    departments = _departments(result)
    months = _trend(trend)
    return _render(
        "kpi_dashboard.html.j2", path, loc, _heading(office_name, t("dashboard.title", loc)),
        _period_line(result.period, loc),
        cards=cards,
        departments=_department_view(departments, loc, names),
        cells={d.name: {key: _cell(key, d.rows.get(key), loc) for key in _KEYS}
               for d in departments},
        kpi_names=list(names.items()),
        share_svg=Markup(_svg_share(departments, loc)) if departments else "",
        months=[m for m, _ in months],
        trend_cells={key: [_cell(key, rows[key], loc) for _, rows in months]
                     for key in _KEYS},
        trend_svg=Markup(_svg_trend(months, loc, names)) if months else "",
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


def _write_money(sheet, row: int, col: int, cents: int | None, fmt) -> None:
    if cents is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, cents / 100, fmt)


def write_expense_report(office: OfficeData, period: Period, path_stem: Path, *, locale: str,
                         office_name: str) -> list[Path]:
    """经费使用月报: each expense of the period (by `spent_on`, not 退回) with its handler's
    name, its budget line and the running totals against the budget; xlsx and HTML."""
    loc = _locale(locale)
    stem = Path(path_stem)
    lines, budgets = _expense_lines(office, period)
    title = _heading(office_name, t("dashboard.expense_title", loc))
    meta = _period_line(period, loc)
    month_total = sum(line.amount or 0 for line in lines)

    xlsx = stem.with_name(stem.name + ".xlsx")
    with _atomic(xlsx) as temp:
        book = _new_book(temp, title, period.as_of)
        fmt = _Formats(book, loc)
        sheet = book.add_worksheet(_sheet_title(t("dashboard.expenses", loc)))
        sheet.write_string(0, 0, title, fmt.title)
        sheet.write_string(1, 0, meta, fmt.meta)
        keys = ("date", "expense_id", "item", "amount", "handler", "budget", "budget_amount",
                "spent_so_far", "balance")
        headers = [t(f"dashboard.{k}", loc) for k in keys]
        for col, text in enumerate(headers):
            sheet.write_string(3, col, text, fmt.header)
        seen = [headers]
        for index, line in enumerate(lines, start=4):
            sheet.write_string(index, 0, line.date.isoformat() if line.date else "", fmt.text)
            sheet.write_string(index, 1, line.expense_id, fmt.text)
            sheet.write_string(index, 2, line.item, fmt.text)
            _write_money(sheet, index, 3, line.amount, fmt.money)
            sheet.write_string(index, 4, line.handler, fmt.text)
            sheet.write_string(index, 5, line.budget, fmt.text)
            _write_money(sheet, index, 6, line.budget_amount, fmt.money)
            _write_money(sheet, index, 7, line.so_far, fmt.money)
            _write_money(sheet, index, 8, line.balance, fmt.money)
            seen.append(["2026-01-01", line.expense_id, line.item, _money(line.amount),
                         line.handler, line.budget, _money(line.budget_amount),
                         _money(line.so_far), _money(line.balance)])
        if lines:
            last = 4 + len(lines)
            sheet.write_string(last, 2, t("dashboard.total", loc), fmt.total)
            sheet.write_number(last, 3, month_total / 100, fmt.money_total)
            sheet.autofilter(3, 0, last - 1, len(keys) - 1)
        else:
            sheet.write_string(4, 0, t("dashboard.no_expenses", loc), fmt.meta)
        _set_widths(sheet, seen)
        sheet.freeze_panes(4, 0)

        sheet2 = book.add_worksheet(_sheet_title(t("dashboard.by_budget", loc)))
        keys2 = ("budget", "department", "budget_amount", "spent_month", "spent_so_far",
                 "balance")
        headers2 = [t(f"dashboard.{k}", loc) for k in keys2]
        for col, text in enumerate(headers2):
            sheet2.write_string(0, col, text, fmt.header)
        seen2 = [headers2]
        for index, b in enumerate(budgets, start=1):
            sheet2.write_string(index, 0, b.label, fmt.text)
            sheet2.write_string(index, 1, b.department, fmt.text)
            _write_money(sheet2, index, 2, b.amount, fmt.money)
            _write_money(sheet2, index, 3, b.month, fmt.money)
            _write_money(sheet2, index, 4, b.so_far, fmt.money)
            _write_money(sheet2, index, 5, b.balance, fmt.money)
            seen2.append([b.label, b.department, _money(b.amount), _money(b.month),
                          _money(b.so_far), _money(b.balance)])
        if budgets:
            sheet2.write_string(len(budgets) + 1, 0, t("dashboard.total", loc), fmt.total)
            sheet2.write_number(len(budgets) + 1, 3, month_total / 100, fmt.money_total)
        _set_widths(sheet2, seen2)
        sheet2.freeze_panes(1, 1)
        book.close()

    def state(balance: int | None) -> str:
        return "no" if balance is not None and balance < 0 else ""

    html = _render(
        "expense_report.html.j2", stem.with_name(stem.name + ".html"), loc, title, meta,
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


def write_department_report(result: KpiResult, path_stem: Path, *, locale: str,
                            office_name: str) -> list[Path]:
    """部门绩效报表: the ranking (share of each department's KPIs met, ties by name) and
    each department's KPIs; xlsx and HTML."""
    from markupsafe import Markup

    loc = _locale(locale)
    stem = Path(path_stem)
    departments = _departments(result)
    names = _names(result, loc)
    title = _heading(office_name, t("dashboard.department_title", loc))
    meta = _period_line(result.period, loc)

    xlsx = stem.with_name(stem.name + ".xlsx")
    with _atomic(xlsx) as temp:
        book = _new_book(temp, title, result.period.as_of)
        fmt = _Formats(book, loc)
        name = _sheet_title(t("dashboard.ranking", loc))
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, title, fmt.title)
        sheet.write_string(1, 0, meta, fmt.meta)
        keys = ("rank", "department", "met_count", "measured", "share")
        headers = [t(f"dashboard.{k}", loc) for k in keys]
        for col, text in enumerate(headers):
            sheet.write_string(3, col, text, fmt.header)
        for index, d in enumerate(departments, start=4):
            sheet.write_number(index, 0, d.rank, fmt.int)
            sheet.write_string(index, 1, d.name, fmt.text)
            sheet.write_number(index, 2, d.met, fmt.int)
            sheet.write_number(index, 3, d.measured, fmt.int)
            if d.share is None:
                sheet.write_string(index, 4, NONE_TEXT, fmt.none)
            else:
                sheet.write_number(index, 4, d.share, fmt.pct)
        if not departments:
            sheet.write_string(4, 0, t("dashboard.no_departments", loc), fmt.meta)
        _set_widths(sheet, [headers] + [["", d.name] for d in departments])
        if departments:
            chart = book.add_chart({"type": "bar"})
            chart.add_series({
                "name": t("dashboard.share", loc),
                "categories": [name, 4, 1, 3 + len(departments), 1],
                "values": [name, 4, 4, 3 + len(departments), 4],
                "fill": {"color": "#4472C4"},
                "data_labels": {"value": True, "num_format": "0%"},
            })
            chart.set_title({"name": t("dashboard.chart_departments", loc)})
            chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"none": True})
            chart.set_size({"width": 520, "height": 60 + 28 * len(departments)})
            sheet.insert_chart(5 + len(departments), 0, chart)

        detail = book.add_worksheet(_sheet_title(t("dashboard.sheet_departments", loc)))
        keys2 = ("rank", "department", "kpi", "value", "target", "met", "numerator",
                 "denominator")
        headers2 = [t(f"dashboard.{k}", loc) for k in keys2]
        for col, text in enumerate(headers2):
            detail.write_string(0, col, text, fmt.header)
        r = 1
        seen = [headers2, ["", "", "", "100.0%"]]
        for d in departments:
            for key in _KEYS:
                row = d.rows.get(key)
                if row is None:
                    continue
                detail.write_number(r, 0, d.rank, fmt.int)
                detail.write_string(r, 1, d.name, fmt.text)
                detail.write_string(r, 2, names[key], fmt.text)
                _write_value(detail, r, 3, key, row.value, fmt)
                detail.write_number(r, 4, row.target, fmt.target(key))
                _write_met(detail, r, 5, row.met, fmt, loc)
                detail.write_number(r, 6, row.numerator, fmt.counts(key))
                detail.write_number(r, 7, row.denominator,
                                    fmt.money if row.measure is Measure.DEVIATION else fmt.int)
                seen.append(["", d.name, names[key], shown_value(row, loc),
                             value_text(row.target, row.measure, loc),
                             "✓ " + _met_text(False, loc)])
                r += 1
        if r > 1:
            detail.autofilter(0, 0, r - 1, len(keys2) - 1)
        _set_widths(detail, seen)
        detail.freeze_panes(1, 0)
        book.close()

    html = _render(
        "department_report.html.j2", stem.with_name(stem.name + ".html"), loc, title, meta,
        departments=_department_view(departments, loc, names),
        share_svg=Markup(_svg_share(departments, loc)) if departments else "",
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
    loc = _locale(config.locale)
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
