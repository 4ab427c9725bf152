"""The lost-and-found notice (失物招领公示): the unclaimed items (lost_found, status 待认领)
for the official account or a notice board, as HTML and xlsx. It shows the entry number,
the day and place an item was found and its description, and nothing else: never the
claimant (a PII column), so the notice may be posted as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from ..i18n import t
from ..load import OfficeData
from ..policy.statuses import UNCLAIMED
from .html import write_page
from .model import Book, Cell, Column, Kind, Sheet, reader_locale
from .xlsx import write_xlsx

NOTICE_FILE = "lost_found_notice"
"""lost_found_notice.html and .xlsx, beside the KPI dashboards."""

COLUMNS = ("item_id", "found_on", "place", "description")
"""What the notice shows of an entry: nothing personal."""


@dataclass(frozen=True)
class NoticeItem:
    item_id: str
    found_on: date | None
    place: str
    description: str


def unclaimed(office: OfficeData, as_of: date) -> list[NoticeItem]:
    """The entries still 待认领 found on or before `as_of`, oldest first (then in sheet
    order)."""
    table = office.tables.get("cases.lost_found")
    if table is None:
        return []
    frame = table.frame
    waiting = frame[frame["status"].eq(UNCLAIMED).fillna(False).astype(bool)
                    & ~(frame["found_on"] > pd.Timestamp(as_of)).fillna(False).astype(bool)]
    waiting = waiting.sort_values(["found_on", "_row"], kind="stable", na_position="last")
    out: list[NoticeItem] = []
    for record in waiting[[*COLUMNS]].to_dict("records"):
        found = record["found_on"]
        out.append(NoticeItem(
            "" if pd.isna(record["item_id"]) else str(record["item_id"]),
            None if pd.isna(found) else pd.Timestamp(found).date(),
            "" if pd.isna(record["place"]) else str(record["place"]),
            "" if pd.isna(record["description"]) else str(record["description"])))
    return out


def _heading(office_name: str, loc: str) -> str:
    return f"{office_name} {t('lost_found.title', loc)}".strip()


def write_lost_found_notice(office: OfficeData, folder: Path, *, locale: str | None,
                            office_name: str, where: str, as_of: date) -> list[Path]:
    """lost_found_notice.xlsx and .html in `folder`, as of `as_of` (the xlsx is stamped
    with that day: the same entries give the same bytes); `where` is the department items
    are claimed at (`[policy.roles] office_department`)."""
    loc = reader_locale(locale)
    items = unclaimed(office, as_of)
    heading = _heading(office_name, loc)
    meta = t("lost_found.meta", loc, as_of=as_of.isoformat(), count=len(items))
    how = t("lost_found.how", loc, where=where)
    headers = [t(f"lost_found.col.{key}", loc) for key in COLUMNS]
    sheet = Sheet(
        t("lost_found.sheet", loc),
        [Column(headers[0]), Column(headers[1]), Column(headers[2]),
         Column(headers[3], Kind.WRAP, limit=50)],
        rows=[[Cell(i.item_id), Cell(i.found_on.isoformat() if i.found_on else ""),
               Cell(i.place), Cell(i.description)] for i in items],
        heading=heading, meta=[meta, how],
        empty=Cell(t("lost_found.none", loc), "none"), filter=bool(items))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    xlsx = write_xlsx(Book(heading, datetime.combine(as_of, time()), loc, [sheet]),
                      folder / f"{NOTICE_FILE}.xlsx")
    html = write_page("lost_found_notice.html.j2", folder / f"{NOTICE_FILE}.html", loc,
                      heading=heading, meta=meta, how=how, headers=headers, items=items)
    return [html, xlsx]
