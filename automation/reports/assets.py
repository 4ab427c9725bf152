"""物资报表 (asset report): each item of the inventory not 报废 with its cost, accumulated
depreciation and book value, the totals per department and per category, and the items that
could not be valued (no price, quantity or purchase date), as xlsx (the report model) and
one HTML page. The figures are `kpi.assets.asset_report`'s; this only renders them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path

from ..i18n import t
from ..kpi.assets import AssetLine, AssetReport, AssetTotal
from .html import write_page
from .model import Book, Cell, Column, Kind, Row, Sheet, reader_locale
from .xlsx import sheet_title, write_xlsx

ASSET_REPORT = "asset_report"
"""The files' stem: asset_report.xlsx and asset_report.html."""


def _money(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:,.2f}"


def _yuan(cents: int | None) -> Cell:
    return Cell(None if cents is None else cents / 100, text=_money(cents))


def _col(key: str, loc: str, kind: Kind = Kind.TEXT) -> Column:
    return Column(t(f"asset_report.{key}", loc), kind)


def meta_lines(report: AssetReport, loc: str) -> list[str]:
    policy = report.depreciation
    lives = t("list.separator", loc).join(
        t("asset_report.life_item", loc, category=k, years=v) for k, v in policy.lives.items())
    return [t("asset_report.as_of", loc, as_of=report.as_of.isoformat(),
              residual=f"{policy.residual_rate * 100:g}%"),
            t("asset_report.lives", loc, lives=lives, other=policy.default_life)]


def _name(value: str | None, loc: str) -> str:
    return value if value is not None else t("asset_report.none", loc)


def _missing(line: AssetLine, loc: str) -> str:
    return t("list.separator", loc).join(t(f"asset_report.missing_{k}", loc)
                                         for k in line.missing)


_ITEM_KEYS = ("asset_tag", "name", "category", "department", "purchased_on", "quantity",
              "unit_price", "cost", "life", "months", "monthly", "accumulated", "book_value")
_KINDS = {"quantity": Kind.INT, "unit_price": Kind.MONEY, "cost": Kind.MONEY,
          "life": Kind.INT, "months": Kind.INT, "monthly": Kind.MONEY,
          "accumulated": Kind.MONEY, "book_value": Kind.MONEY, "count": Kind.INT,
          "row": Kind.INT}


def _columns(keys: Sequence[str], loc: str) -> list[Column]:
    return [_col(k, loc, _KINDS.get(k, Kind.TEXT)) for k in keys]


def _item_row(line: AssetLine, loc: str) -> Row:
    return [Cell(line.asset_tag), Cell(line.name), Cell(_name(line.category, loc)),
            Cell(_name(line.department, loc)),
            Cell(line.purchased_on.isoformat() if line.purchased_on else ""),
            Cell(line.quantity), _yuan(line.unit_price), _yuan(line.cost), Cell(line.life),
            Cell(line.months), _yuan(line.monthly), _yuan(line.accumulated),
            _yuan(line.book_value)]


def _total_row(total: AssetTotal, loc: str) -> Row:
    """The totals row under the items: cost, accumulated depreciation and book value summed
    in their own columns."""
    sums = {"cost": total.cost, "accumulated": total.accumulated,
            "book_value": total.book_value}
    return [Cell(t("asset_report.total", loc)) if i == 0
            else _yuan(sums[k]) if k in sums else None for i, k in enumerate(_ITEM_KEYS)]


def _group_sheet(title: str, key: str, groups: list[AssetTotal], total: AssetTotal,
                 loc: str) -> Sheet:
    keys = (key, "count", "cost", "accumulated", "book_value")
    return Sheet(sheet_title(title), _columns(keys, loc),
                 [[Cell(_name(g.name, loc)), Cell(g.items), _yuan(g.cost),
                   _yuan(g.accumulated), _yuan(g.book_value)] for g in groups],
                 totals=[Cell(t("asset_report.total", loc)), Cell(total.items),
                         _yuan(total.cost), _yuan(total.accumulated),
                         _yuan(total.book_value)],
                 empty=Cell(t("asset_report.no_items", loc), kind=Kind.NOTE))


def asset_book(report: AssetReport, loc: str, title: str) -> Book:
    total = report.total
    sheets = [
        Sheet(sheet_title(t("asset_report.items", loc)), _columns(_ITEM_KEYS, loc),
              [_item_row(line, loc) for line in report.lines], heading=title,
              meta=meta_lines(report, loc),
              totals=_total_row(total, loc) if report.lines else None,
              empty=Cell(t("asset_report.no_items", loc), kind=Kind.NOTE),
              freeze=2, filter=bool(report.lines), wide=True),
        _group_sheet(t("asset_report.departments", loc), "department",
                     report.by_department, total, loc),
        _group_sheet(t("asset_report.categories", loc), "category",
                     report.by_category, total, loc),
        Sheet(sheet_title(t("asset_report.unvalued", loc)),
              _columns(("asset_tag", "name", "category", "department", "row", "missing"),
                       loc),
              [[Cell(x.asset_tag), Cell(x.name), Cell(_name(x.category, loc)),
                Cell(_name(x.department, loc)), Cell(x.row), Cell(_missing(x, loc))]
               for x in report.unvalued],
              meta=(), note=Cell(t("asset_report.unvalued_note", loc), kind=Kind.NOTE)
              if report.unvalued else None,
              empty=Cell(t("asset_report.no_unvalued", loc), kind=Kind.NOTE)),
    ]
    return Book(title, datetime.combine(report.as_of, time()), loc, sheets)


def _group_dicts(groups: list[AssetTotal], loc: str) -> list[dict[str, str]]:
    return [{"name": _name(g.name, loc), "count": str(g.items), "cost": _money(g.cost),
             "accumulated": _money(g.accumulated), "book_value": _money(g.book_value)}
            for g in groups]


def write_asset_report(report: AssetReport, path_stem: Path, *, locale: str,
                       office_name: str) -> list[Path]:
    """asset_report.xlsx and .html at `path_stem` (+ suffix)."""
    loc = reader_locale(locale)
    stem = Path(path_stem)
    title = " · ".join(p for p in (office_name, t("asset_report.title", loc)) if p)
    xlsx = write_xlsx(asset_book(report, loc, title), stem.with_name(stem.name + ".xlsx"))
    total = report.total
    html = write_page(
        "asset_report.html.j2", stem.with_name(stem.name + ".html"), loc, heading=title,
        meta=" ".join(meta_lines(report, loc)),
        items=[{"asset_tag": x.asset_tag, "name": x.name, "category": _name(x.category, loc),
                "department": _name(x.department, loc),
                "purchased_on": x.purchased_on.isoformat() if x.purchased_on else "",
                "quantity": x.quantity, "unit_price": _money(x.unit_price),
                "cost": _money(x.cost), "life": x.life, "months": x.months,
                "monthly": _money(x.monthly), "accumulated": _money(x.accumulated),
                "book_value": _money(x.book_value)} for x in report.lines],
        departments=_group_dicts(report.by_department, loc),
        categories=_group_dicts(report.by_category, loc),
        total=_group_dicts([total], loc)[0],
        unvalued=[{"asset_tag": x.asset_tag, "name": x.name,
                   "category": _name(x.category, loc), "department": _name(x.department, loc),
                   "row": x.row or "", "missing": _missing(x, loc)} for x in report.unvalued],
    )
    return [xlsx, html]


__all__ = ["ASSET_REPORT", "asset_book", "write_asset_report"]
