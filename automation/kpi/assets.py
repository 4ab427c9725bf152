"""The inventory's value (物资报表): straight-line depreciation by category down to a
residual value, per `[policy.depreciation]`. Pure: the typed 物资台账, the policy and the
as-of day in, figures out.

An item's cost is 单价 × 数量 (integer cents, as the registers type money). Its age is the
whole months from 购置日期 to the as-of day (a month counts once its day of the month is
reached; an item bought after the as-of day is 0 months old). Monthly depreciation is
cost × (1 − residual_rate) / (life × 12), for at most life × 12 months, so an item never
goes below its residual value; the accumulated depreciation is computed exactly and
rounded half up to the cent per item, and the book value is the cost less it. Totals (per
department, per category, overall) are sums of the per-item figures. Items 报废 are left
out; an item without a price, a quantity or a purchase date is listed, not valued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from ..load import OfficeData
from ..policy.depreciation import Depreciation
from ..policy.statuses import SCRAPPED

ITEMS = "assets.items"
MISSING = ("unit_price", "quantity", "purchased_on")
"""What an item needs to be valued, in the order a missing one is named."""


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when `end` is before `start`)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _half_up(value: Fraction) -> int:
    """A non-negative amount of cents rounded half up to a whole cent."""
    return int((value * 2 + 1) // 2)


@dataclass(frozen=True)
class AssetLine:
    """One item of the ledger: as written, and valued unless `missing` names what it
    lacks (`unit_price`, `quantity`, `purchased_on`). Money in cents."""

    asset_tag: str
    name: str
    category: str | None
    department: str | None
    purchased_on: date | None
    quantity: int | None
    unit_price: int | None
    row: int | None = None
    life: int = 0
    months: int = 0
    cost: int | None = None
    monthly: int | None = None
    """The month's depreciation, rounded half up to the cent (shown, not summed)."""
    accumulated: int | None = None
    book_value: int | None = None
    missing: tuple[str, ...] = ()

    @property
    def valued(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class AssetTotal:
    """Sums of the per-item figures of a group (a department, a category, all)."""

    name: str | None
    items: int = 0
    cost: int = 0
    accumulated: int = 0
    book_value: int = 0


@dataclass
class AssetReport:
    """The valued items, the items that could not be valued, and their totals."""

    as_of: date
    depreciation: Depreciation
    lines: list[AssetLine] = field(default_factory=list)
    unvalued: list[AssetLine] = field(default_factory=list)

    def _total(self, name: str | None, lines: Iterable[AssetLine]) -> AssetTotal:
        chosen = list(lines)
        return AssetTotal(name, len(chosen), sum(x.cost or 0 for x in chosen),
                          sum(x.accumulated or 0 for x in chosen),
                          sum(x.book_value or 0 for x in chosen))

    @property
    def total(self) -> AssetTotal:
        return self._total(None, self.lines)

    def _by(self, attr: str) -> list[AssetTotal]:
        groups: dict[str | None, list[AssetLine]] = {}
        for line in self.lines:
            groups.setdefault(getattr(line, attr), []).append(line)
        named = sorted(k for k in groups if k is not None)
        keys: list[str | None] = [*named, *([None] if None in groups else [])]
        return [self._total(k, groups[k]) for k in keys]

    @property
    def by_department(self) -> list[AssetTotal]:
        """Per department, by name; items without a department last (name None)."""
        return self._by("department")

    @property
    def by_category(self) -> list[AssetTotal]:
        return self._by("category")

    def to_dict(self) -> dict[str, Any]:
        """The KPI JSON's `assets`: totals in yuan (two decimals)."""
        total = self.total
        return {"cost_total": total.cost / 100, "book_value_total": total.book_value / 100}


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def _whole(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _day(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def value_item(line: AssetLine, as_of: date, policy: Depreciation) -> AssetLine:
    """`line` valued as of `as_of`, or marked with what it lacks."""
    life = policy.life(line.category)
    missing = tuple(key for key, value in (("unit_price", line.unit_price),
                                           ("quantity", line.quantity),
                                           ("purchased_on", line.purchased_on))
                    if value is None)
    if missing:
        return replace(line, life=life, missing=missing)
    assert line.unit_price is not None and line.quantity is not None
    assert line.purchased_on is not None
    cost = line.unit_price * line.quantity
    keep = 1 - Fraction(Decimal(repr(policy.residual_rate)))
    lifetime = life * 12
    months = months_between(line.purchased_on, as_of)
    depreciable = cost * keep
    accumulated = _half_up(depreciable * min(months, lifetime) / lifetime)
    return replace(line, life=life, months=months, cost=cost,
                    monthly=_half_up(depreciable / lifetime), accumulated=accumulated,
                    book_value=cost - accumulated)


def asset_report(office: OfficeData, as_of: date, policy: Depreciation) -> AssetReport:
    """Every item of the ledger not 报废, in ledger order, valued as of `as_of`."""
    report = AssetReport(as_of, policy)
    table = office.tables.get(ITEMS)
    if table is None or table.frame.empty:
        return report
    frame = table.frame
    kept = frame[~frame["condition"].eq(SCRAPPED).fillna(False).astype(bool)]
    rows = kept["_row"] if "_row" in kept.columns else pd.Series(None, index=kept.index)
    for values, row in zip(kept.to_dict("records"), rows, strict=True):
        line = value_item(AssetLine(
            asset_tag=_text(values.get("asset_tag")) or "",
            name=_text(values.get("name")) or "",
            category=_text(values.get("category")),
            department=_text(values.get("department")),
            purchased_on=_day(values.get("purchased_on")),
            quantity=_whole(values.get("quantity")),
            unit_price=_whole(values.get("unit_price")),
            row=_whole(row)), as_of, policy)
        (report.lines if line.valued else report.unvalued).append(line)
    return report


__all__ = ["AssetLine", "AssetReport", "AssetTotal", "asset_report", "months_between",
           "value_item"]
