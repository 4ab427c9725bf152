"""The checks, each a small function of typed tables returning Findings.

Vectorised: each check computes one boolean mask over a whole column and
makes findings only for the rows it flags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pandas as pd

from ..i18n import current_locale, t
from ..registers import (
    Column,
    Kind,
    NotAbove,
    NotBefore,
    NotBeforeReferenced,
    RequiredWhen,
    StatusNeeds,
    get_table,
)
from .findings import Finding

if TYPE_CHECKING:
    from ..frames import TypedTable

TableCheck = Callable[["TypedTable"], Iterator[Finding]]


def _present(tt: TypedTable, key: str) -> bool:
    return key in tt.letters


def required(tt: TypedTable) -> Iterator[Finding]:
    """A required column present in the sheet, left empty in a row."""
    for column in tt.table.columns:
        if column.required and _present(tt, column.key):
            missing = tt.readable_missing(column.key)
            for index in missing[missing].index:
                yield tt.finding("required", index, column.key)


def unique(tt: TypedTable) -> Iterator[Finding]:
    """The same id twice: every repeat is reported, naming the first row."""
    for column in tt.table.columns:
        if not column.unique or not _present(tt, column.key):
            continue
        values = tt.frame[column.key]
        repeated = values.duplicated(keep="first") & values.notna()
        if not repeated.any():
            continue
        first_rows = tt.frame.loc[values.notna()].drop_duplicates(column.key)
        first = dict(zip(first_rows[column.key], first_rows["_row"], strict=True))
        for index in repeated[repeated].index:
            yield tt.finding("duplicate", index, column.key, first_row=first[values[index]])


def _minimum(column: Column) -> float | None:
    if column.minimum is None:
        return None
    return column.minimum * 100 if column.kind is Kind.MONEY else column.minimum


def minimum(tt: TypedTable) -> Iterator[Finding]:
    """Quantities of at least 1, prices not negative, amounts above zero."""
    for column in tt.table.columns:
        bound = _minimum(column)
        if bound is None or not _present(tt, column.key):
            continue
        values = tt.frame[column.key]
        low = (values <= bound) if column.exclusive else (values < bound)
        low = low.fillna(False).astype(bool)
        relation = ">" if column.exclusive else "≥"
        for index in low[low].index:
            yield tt.finding("below_minimum", index, column.key, minimum=column.minimum,
                             relation=relation)


def _order_cell(tt: TypedTable, rule: NotBefore) -> str:
    """Point at the optional column of the two: it is the one more likely mistyped."""
    later = tt.table.column(rule.later)
    earlier = tt.table.column(rule.earlier)
    return rule.earlier if later.required and not earlier.required else rule.later


def cross_column(tt: TypedTable) -> Iterator[Finding]:
    """Date order, required-once and status/date consistency within a row."""
    frame = tt.frame
    for rule in tt.table.rules:
        if isinstance(rule, NotBefore):
            if not (_present(tt, rule.later) and _present(tt, rule.earlier)):
                continue
            later, earlier = frame[rule.later], frame[rule.earlier]
            if tt.table.column(rule.later).kind != tt.table.column(rule.earlier).kind:
                later, earlier = later.dt.normalize(), earlier.dt.normalize()
            wrong = (later < earlier).fillna(False).astype(bool)
            at = _order_cell(tt, rule)
            other = rule.earlier if at == rule.later else rule.later
            for index in wrong[wrong].index:
                yield _order_finding(tt, index, at, other, at == rule.later)
        elif isinstance(rule, NotAbove):
            yield from _not_above(tt, rule)
        elif isinstance(rule, RequiredWhen):
            if not _present(tt, rule.when):
                continue
            when = frame[rule.when]
            yes_no = tt.table.column(rule.when).kind is Kind.BOOL
            when = when.fillna(False).astype(bool) if yes_no else when.notna()
            missing = when & tt.readable_missing(rule.column)
            for index in missing[missing].index:
                yield tt.finding("required_when", index, rule.column, other=tt.label(rule.when),
                                 wording="required_when_yes" if yes_no else None)
        elif isinstance(rule, StatusNeeds):
            if not _present(tt, rule.status):
                continue
            missing = (frame[rule.status] == rule.value) & tt.readable_missing(rule.column)
            missing = missing.fillna(False).astype(bool)
            for index in missing[missing].index:
                yield tt.finding(
                    "status_needs", index, rule.column if _present(tt, rule.column)
                    else rule.status, status=rule.value, needed=tt.label(rule.column),
                )


def _not_above(tt: TypedTable, rule: NotAbove) -> Iterator[Finding]:
    """A score above its own full marks (the default full marks where none is written)."""
    if not _present(tt, rule.column):
        return
    values = pd.to_numeric(tt.frame[rule.column], errors="coerce")
    limits = pd.Series(rule.default, index=values.index, dtype="float64")
    if _present(tt, rule.limit):
        written = pd.to_numeric(tt.frame[rule.limit], errors="coerce")
        limits = written.where(~tt.readable_missing(rule.limit), rule.default)
    above = (values > limits).fillna(False).astype(bool)
    for index in above[above].index:
        yield tt.finding("above_limit", index, rule.column, other=tt.label(rule.limit),
                         other_value=f"{limits[index]:g}")


def _shown(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        if value.hour or value.minute:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.strftime("%Y-%m-%d")
    return "" if value is None else str(value)


def _order_finding(
    tt: TypedTable, index: object, at: str, other: str, at_is_later: bool
) -> Finding:
    return tt.finding(
        "order", index, at, other=tt.label(other), other_value=_shown(tt.frame.at[index, other]),
        relation="before" if at_is_later else "after",
    )


TABLE_CHECKS: tuple[TableCheck, ...] = (required, unique, minimum, cross_column)


def references(
    tt: TypedTable, targets: dict[str, TypedTable], read: set[str]
) -> Iterator[Finding]:
    """Every `ref` column's value must exist in the table it names, in any workbook."""
    for column in tt.table.columns:
        if not column.ref or not _present(tt, column.key):
            continue
        register, table, key = column.ref.split(".")
        target = targets.get(f"{register}.{table}")
        if register not in read or target is None or key not in target.letters:
            yield tt.finding("ref_unchecked", None, column.key, target=_target_label(column))
            continue
        known = target.frame[key].dropna().unique()
        values = tt.frame[column.key]
        unknown = values.notna() & ~values.isin(known)
        for index in unknown[unknown].index:
            yield tt.finding("ref_missing", index, column.key,
                             target=target.table.label.get(current_locale.get()),
                             target_sheet=target.sheet)


def referenced_dates(tt: TypedTable, targets: dict[str, TypedTable]) -> Iterator[Finding]:
    """Dates that must not come before dates on the row they point at, in another table:
    an expense spent or paid before its budget's second approval."""
    for rule in tt.table.rules:
        if not isinstance(rule, NotBeforeReferenced) or not _present(tt, rule.via):
            continue
        column = tt.table.column(rule.via)
        register, table, key = (column.ref or "..").split(".")
        target = targets.get(f"{register}.{table}")
        if target is None or not all(
                k in target.letters for k in (key, *rule.target_dates)):
            continue
        rows = target.frame.dropna(subset=[key]).drop_duplicates(key).set_index(key)
        approvals = rows[list(rule.target_dates)]
        complete = approvals.notna().all(axis=1)
        if not complete.any():
            continue
        latest = approvals[complete].max(axis=1)
        bound = tt.frame[rule.via].map(latest)
        flagged = pd.Series(False, index=tt.frame.index)
        for date_key in rule.dates:
            if not _present(tt, date_key):
                continue
            early = (tt.frame[date_key].dt.normalize() < bound).fillna(False).astype(bool)
            early &= ~flagged
            flagged |= early
            for index in early[early].index:
                yield _referenced_finding(tt, rule, target, rows, index, date_key)


def _referenced_finding(tt: TypedTable, rule: NotBeforeReferenced, target: TypedTable,
                        rows: pd.DataFrame, index: object, date_key: str) -> Finding:
    ref = tt.frame.at[index, rule.via]
    locale = current_locale.get()
    dates = t("list.separator").join(
        f"{target.table.column(k).label.get(locale)} {_shown(rows.at[ref, k])}"
        for k in rule.target_dates)
    return tt.finding(rule.code, index, date_key, reference=ref, dates=dates,
                      target=target.table.label.get(locale))


def _target_label(column: Column) -> str:
    register, table, _ = (column.ref or "..").split(".")
    return get_table(f"{register}.{table}").label.get(current_locale.get())
