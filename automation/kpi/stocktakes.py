"""Which ledger items were counted in a period: the stocktake KPIs (`stocktake_coverage`,
`stocktake_accuracy`), the `stocktake_missing` reminder, the dashboard's asset sheet and
the handover checklist all ask here, so they agree on what "not yet counted" means.

An item is on the ledger (assets.items) with an asset tag and a 状况 other than 报废; it is
counted in a period when a stocktake row (assets.stocktakes) names its tag with a
盘点日期 in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..policy.statuses import SCRAPPED


def _within(values: pd.Series, start: date, end: date) -> pd.Series:
    days = values.dt.normalize()
    return ((days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))).fillna(False)


def ledger_items(items: pd.DataFrame) -> pd.DataFrame:
    """The items a stocktake should count: a tag, and not written off (报废)."""
    keep = items["asset_tag"].notna() & items["condition"].ne(SCRAPPED).fillna(True)
    return items[keep.astype(bool)]


def latest_counts(stocktakes: pd.DataFrame | None, start: date, end: date) -> pd.DataFrame:
    """The latest stocktake row of each asset tag counted in [start, end] (by date, then by
    row: of two rows on one day the lower one in the sheet is the later)."""
    if stocktakes is None:
        return pd.DataFrame(columns=["asset_tag", "checked_on", "found", "_row"])
    rows = stocktakes[_within(stocktakes["checked_on"], start, end)
                      & stocktakes["asset_tag"].notna()]
    return rows.sort_values(["checked_on", "_row"]).drop_duplicates("asset_tag", keep="last")


def counted(items: pd.DataFrame, stocktakes: pd.DataFrame | None, start: date, end: date
            ) -> pd.Series:
    """For each row of `items`: whether its tag was counted in [start, end]."""
    tags = set(latest_counts(stocktakes, start, end)["asset_tag"].astype(str))
    return items["asset_tag"].astype(str).isin(tags) & items["asset_tag"].notna()


def uncounted_items(items: pd.DataFrame | None, stocktakes: pd.DataFrame | None,
                    start: date, end: date) -> pd.DataFrame:
    """The ledger items (not 报废) with no stocktake row in [start, end], in sheet order."""
    if items is None:
        return pd.DataFrame()
    ledger = ledger_items(items)
    return ledger[~counted(ledger, stocktakes, start, end)].sort_values("_row")


@dataclass(frozen=True)
class UncountedItem:
    """A ledger item with no stocktake row in the period, as the dashboard lists it."""

    asset_tag: str
    name: str | None
    department: str | None
    location: str | None
    custodian_id: str | None
    row: int


UNCOUNTED_COLUMNS = ("asset_tag", "name", "department", "location", "custodian_id")
"""The assets.items columns an uncounted item is listed with."""


def uncounted_list(items: pd.DataFrame | None, stocktakes: pd.DataFrame | None,
                   start: date, end: date) -> list[UncountedItem]:
    """`uncounted_items` as plain records, in sheet order."""
    frame = uncounted_items(items, stocktakes, start, end)
    if frame.empty:
        return []

    def text(value: object) -> str | None:
        return None if value is None or value != value else str(value)

    return [UncountedItem(asset_tag=text(record.get("asset_tag")) or "",
                          name=text(record.get("name")),
                          department=text(record.get("department")),
                          location=text(record.get("location")),
                          custodian_id=text(record.get("custodian_id")),
                          row=int(record["_row"]))
            for record in frame.to_dict("records")]
