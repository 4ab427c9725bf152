"""The reminder log (提醒记录): every reminder recorded in the state database, for officers
— as CSV that Excel opens (UTF-8 with BOM) and as xlsx. The same rows are what write-back
puts in the workbook's own 提醒记录 tab."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .._cells import FORMULA_LEAD, formula_safe
from .._io import atomic_path, write_bytes
from ..i18n import t
from ..policy import DEFAULT_POLICY, RULE_SPECS, Policy
from . import sheetml
from .cells import csv_bytes

COLUMNS = ("day", "rule", "record", "person", "level", "channel", "status", "sheet", "row",
           "detail", "updated_at")


def rule_title(rule: str, locale: str, policy: Policy = DEFAULT_POLICY) -> str:
    """A rule's title with the numbers in force; a rule no longer declared (an old line of
    the state database) shows its key."""
    return policy.rule_title(rule, locale) if rule in RULE_SPECS else rule


def log_table(rows: list[dict[str, object]], locale: str,
              policy: Policy = DEFAULT_POLICY) -> list[list[object]]:
    """Header and rows in the reader's language. A rule's title is the one that went out:
    with the numbers and roles the line was recorded under (a line from before the policy
    existed went out under the defaults)."""
    table: list[list[object]] = [[t(f"log.{c}", locale) for c in COLUMNS]]
    titles: dict[tuple[str, str], str] = {}
    statuses: dict[object, str] = {}
    for row in rows:
        values = dict(row)
        stored, rule = str(row.get("policy") or ""), str(row["rule"])
        if (stored, rule) not in titles:  # a log repeats a few titles many thousand times
            sent_under = policy.with_terms(stored) if stored else DEFAULT_POLICY
            titles[(stored, rule)] = rule_title(rule, locale, sent_under)
        values["rule"] = titles[(stored, rule)]
        if row["status"] not in statuses:
            statuses[row["status"]] = t(f"log.status_{row['status']}", locale)
        values["status"] = statuses[row["status"]]
        table.append([v if type(v) is str and not v.startswith(FORMULA_LEAD) else _safe(v)
                      for v in map(values.get, COLUMNS)])
    return table


def _safe(value: object) -> object:
    """Cells that a spreadsheet would run as a formula are kept as text."""
    return "" if value is None else formula_safe(value)


def write_reminder_log(rows: list[dict[str, object]], folder: Path, locale: str,
                       created: datetime | None = None, *,
                       policy: Policy = DEFAULT_POLICY) -> list[Path]:
    """reminder_log.csv and .xlsx in `folder`; `created` stamps the xlsx (a snapshot passes
    its as-of time so that the same log gives the same bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    table = log_table(rows, locale, policy)
    csv_path = folder / "reminder_log.csv"
    write_bytes(csv_path, csv_bytes(table))
    xlsx_path = folder / "reminder_log.xlsx"
    shown = table[:sheetml.EXCEL_MAX_ROWS - 1]  # newest first; one row kept for the note
    if len(shown) < len(table):
        shown = [*shown, [t("log.truncated", locale, count=len(table) - len(shown))]]
    with atomic_path(xlsx_path) as temp:
        sheetml.table_workbook(temp, t("log.title", locale), shown, created)
    return [csv_path, xlsx_path]

