"""Messy cell values -> typed values, the way officers really type them.

Each column is factorised first, so every distinct value is parsed once and
the parsing itself is vectorised pandas string work on those distinct values;
the result is spread back over the rows by position. A value that cannot be
read with confidence keeps NA and gets an issue code (see `checks.CODES`);
nothing is guessed.

Typed representation (what the engines receive):
- text, phone, email, enum: object strings or None (ids as text, phones as 11 digits)
- int: pandas Int64;  money: Int64 *cents*;  bool: pandas boolean
- date, datetime: datetime64[ns] (dates at midnight), NaT when missing
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .registers import DOMAINS, Column, Kind

_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f]")
_WHITESPACE = re.compile(r"\s+")
_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"|(?P<m2>\d{2})(?P<d2>\d{2}))"
    r"\s*(?:[(]?(?:星期|周|週|禮拜|礼拜)[一二三四五六日天][)]?"
    r"|[(]?(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?[)]?)?"
    r"(?:\s*(?:T|\s)?\s*(?P<ap1>上午|中午|下午|晚上|早上|凌晨|am|pm)?\s*"
    r"(?P<H>\d{1,2})\s*(?::\s*(?P<M>\d{1,2})|[时時點点]\s*(?:(?P<M2>\d{1,2})\s*分?)?)"
    r"(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.\d+)?\s*秒?)?\s*(?P<ap2>am|pm)?)?$",
    re.IGNORECASE,
)
_MONEY_STRIP = re.compile(r"^(?:¥|\$|rmb|cny|人民币)+|(?:元整|元|圆|块|rmb|cny|整)+$", re.I)
_MONEY = re.compile(r"^(?P<sign>[-+])?(?P<int>\d{1,12})(?:\.(?P<frac>\d+))?(?P<wan>万)?$")
_INT = re.compile(
    r"^(?P<num>[-+]?\d{1,15})(?:\.0+)?\s*(?:个|台|件|套|张|把|只|本|箱|块|副|双|条|支|部|顶|盏|卷|份)?$"
)
_NUMBER = re.compile(r"^(?P<num>[-+]?(?:\d{1,15}(?:\.\d*)?|\.\d+))\s*(?:分)?$")
_ID_DECIMAL = re.compile(r"^(\d+)\.0+$")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_\-/#]+")
_SCIENTIFIC = re.compile(r"^[-+]?\d+(?:\.\d+)?e[-+]?\d+$", re.I)
_PHONE_JUNK = re.compile(r"[\s\-()（）.·]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_MOBILE_WITH_NOTE = re.compile(r"^\D*?(?:\+?86|0086)?(?P<mobile>1[3-9]\d{9})\D*$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")

YES = {"是", "y", "yes", "true", "t", "✓", "✔", "√", "1", "对", "有", "齐全", "在库", "已", "ok"}
NO = {"否", "n", "no", "false", "f", "×", "✗", "✘", "0", "不", "无", "没有", "缺", "不齐全",
      "不在库", "未"}
_PM = {"下午", "晚上", "pm"}
EPOCH_1900 = pd.Timestamp("1899-12-30")
EPOCH_1904 = pd.Timestamp("1904-01-01")
YEAR_MIN, YEAR_MAX = 1950, 2100


@dataclass
class Context:
    """What normalising needs beyond the column itself."""

    date1904: bool = False
    enum_values: dict[str, list[str]] = field(default_factory=dict)
    """domain -> the office's allowed canonical values (defaults when absent)."""
    phone_pattern: str | None = None
    time_zones: tuple[str, str] | None = None
    """(the workbook's zone, the office's) when they differ: date-times are moved across."""
    serial_dates: bool = False
    """Numbers in date columns are dates shown as dates (Google Sheets' unformatted values)."""

    def enum_lookup(self, domain: str) -> dict[str, str]:
        return _enum_lookup(domain, tuple(self.enum_values.get(domain, ())))


def zones_apart(workbook_zone: str | None, office_zone: str) -> tuple[str, str] | None:
    """(the workbook's time zone, the office's) when the workbook names a zone that exists
    and differs from the office's: its date-times are then moved across (`Context`)."""
    try:
        known = bool(workbook_zone) and ZoneInfo(str(workbook_zone)) is not None
    except (ZoneInfoNotFoundError, ValueError):
        known = False
    if not known or workbook_zone == office_zone:
        return None
    return str(workbook_zone), office_zone


def _enum_lookup(domain: str, configured: tuple[str, ...]) -> dict[str, str]:
    """Every accepted spelling (any locale, any case) -> canonical value."""
    lookup: dict[str, str] = {}
    defaults = DOMAINS[domain]
    allowed = configured or tuple(label.hans for label in defaults)
    for value in allowed:
        lookup[_enum_key(value)] = value
        for label in defaults:
            if label.hans == value:
                for spelling in label.all():
                    lookup.setdefault(_enum_key(spelling), value)
    return lookup


def canonical_enum(domain: str, text: str, configured: tuple[str, ...] = ()) -> str | None:
    """The canonical value `text` spells in `domain` (any locale, case or spacing), as a
    workbook cell is read; None when it is not one of the allowed values."""
    return _enum_lookup(domain, configured).get(_enum_key(text))


def _enum_key(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass
class Parsed:
    """One column, parsed: typed values and an issue code (or None) per row."""

    values: pd.Series
    issues: pd.Series


_PLAIN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
"""Printable ASCII with single inner spaces: already clean, nothing to fold or strip."""
_CLEAN = re.compile(
    r"(?!\s)[^\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f]*(?<!\s)"
)
"""Text with no invisible characters and no outer white space: nothing to clean."""


def clean_text(s: pd.Series, nfkc: bool) -> pd.Series:
    """Strip invisible characters and outer white space; NFKC folds full-width forms.

    Most cells are plain ASCII already (ids, phones, dates); one match finds them
    and only the rest go through the slower passes.
    """
    plain = s.str.fullmatch(_PLAIN if nfkc else _CLEAN).fillna(False).astype(bool)
    if plain.all():
        return s
    if plain.any():
        out = s.copy()
        out[~plain] = _clean_slow(s[~plain], nfkc)
        return out
    return _clean_slow(s, nfkc)


def _clean_slow(s: pd.Series, nfkc: bool) -> pd.Series:
    if nfkc:
        s = s.str.normalize("NFKC")
    else:
        s = s.str.replace("\u00a0", " ", regex=False).str.replace("\u3000", " ", regex=False)
    return s.str.replace(_INVISIBLE, "", regex=True).str.strip()


def _types(u: pd.Series) -> pd.Series:
    return u.map(type)


_UNIFORM = {
    "string": "is_str", "floating": "is_num", "integer": "is_num",
    "mixed-integer-float": "is_num", "boolean": "is_bool", "datetime": "is_datetime",
    "time": "is_time",
}
"""Column kinds pandas recognises at C speed, so no value needs looking at one by one."""


class _Uniques:
    """The distinct values of a column, split by what the reader made of them."""

    def __init__(self, u: pd.Series) -> None:
        self.u = u
        uniform = _UNIFORM.get(pd.api.types.infer_dtype(u, skipna=False))
        if uniform is not None:
            everything = pd.Series(True, index=u.index)
            none = pd.Series(False, index=u.index)
            for name in ("is_str", "is_bool", "is_num", "is_datetime", "is_date", "is_time",
                         "other"):
                setattr(self, name, everything if name == uniform else none)
            return
        kinds = _types(u)
        self.is_str = kinds.eq(str)
        self.is_bool = kinds.eq(bool)
        self.is_num = kinds.eq(float) | kinds.eq(int)
        self.is_datetime = kinds.isin([datetime, pd.Timestamp])
        self.is_date = kinds.eq(date)
        self.is_time = kinds.eq(time)
        self.other = ~(self.is_str | self.is_bool | self.is_num | self.is_datetime
                       | self.is_date | self.is_time)

    @property
    def not_text_or_number(self) -> pd.Series:
        """Booleans, dates and times: never a valid id, amount, phone or choice."""
        return self.is_bool | self.is_date | self.is_datetime | self.is_time

    def strings(self, nfkc: bool = True, plain: re.Pattern[str] | None = None) -> pd.Series:
        """The text values, cleaned; those already matching `plain` are taken as they are."""
        text = self.u[self.is_str].astype(object)
        if plain is None:
            return clean_text(text, nfkc)
        odd = ~text.str.fullmatch(plain).fillna(False).astype(bool)
        if odd.any():
            text = text.copy()
            text[odd] = clean_text(text[odd], nfkc)
        return text

    def numbers(self) -> pd.Series:
        return self.u[self.is_num].astype("float64")


def normalize_column(raw: pd.Series, column: Column, ctx: Context) -> Parsed:
    """Parse one raw column (objects as read) into its typed form plus issue codes."""
    codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    values, issues, _ = _PARSERS[column.kind](u, column, ctx)
    distinct = values.to_numpy()
    missing = np.array([None], dtype=object)
    if distinct.dtype.kind in "mM":
        missing = np.array(["NaT"], dtype=distinct.dtype)
    elif distinct.dtype.kind == "f":
        missing = np.array([np.nan])
    picked = np.concatenate([distinct, missing])[codes]
    issue_arr = np.concatenate([issues.to_numpy(dtype=object),
                                np.array([None], dtype=object)])[codes]
    typed = pd.Series(picked, index=raw.index)
    return Parsed(_finish_dtype(typed, column.kind), pd.Series(issue_arr, index=raw.index))


def _finish_dtype(values: pd.Series, kind: Kind) -> pd.Series:
    if kind in (Kind.DATE, Kind.DATETIME):
        return pd.to_datetime(values).astype("datetime64[ns]")
    if kind in (Kind.INT, Kind.MONEY):
        return values.astype("float64").round().astype("Int64")
    if kind is Kind.NUMBER:
        return values.astype("float64")
    if kind is Kind.BOOL:
        return values.astype("float64").map({1.0: True, 0.0: False}).astype("boolean")
    return values.astype(object).where(values.notna(), None)


def _new(u: pd.Series, dtype: str) -> tuple[pd.Series, pd.Series]:
    if dtype == "datetime64[ns]":
        values = pd.Series(pd.NaT, index=u.index, dtype=dtype)
    elif dtype == "float64":
        values = pd.Series(np.nan, index=u.index, dtype=dtype)
    else:
        values = pd.Series(None, index=u.index, dtype=object)
    return values, pd.Series(None, index=u.index, dtype=object)


# -- text-like -----------------------------------------------------------------------


def _number_text(v: pd.Series) -> pd.Series:
    """Numbers as a person would write them: 3.0 -> '3', 1.5 -> '1.5'."""
    integral = (v == v.round()) & (v.abs() < 1e15)
    out = v.map(repr).astype(object)
    out[integral] = v[integral].astype("int64").astype(str)
    return out


def parse_text(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _new(u, "object")
    parts = _Uniques(u)
    if column.identifier:
        return _parse_identifier(parts, values, issues)
    s = parts.strings(nfkc=False)
    values[s.index] = s.where(s != "", None)
    values[parts.is_num] = _number_text(parts.numbers())
    values[parts.is_bool] = u[parts.is_bool].map({True: "TRUE", False: "FALSE"})
    values[parts.is_date | parts.is_datetime] = u[parts.is_date | parts.is_datetime].map(
        lambda d: d.isoformat(sep=" ") if isinstance(d, datetime) else d.isoformat()
    )
    values[parts.is_time] = u[parts.is_time].map(lambda t: t.isoformat(timespec="minutes"))
    return values, issues, None


def _parse_identifier(
    parts: _Uniques, values: pd.Series, issues: pd.Series
) -> tuple[pd.Series, pd.Series, Any]:
    s = parts.u[parts.is_str].astype(object)
    odd = ~s.str.fullmatch(_PLAIN_ID).fillna(False).astype(bool) if len(s) else s.astype(bool)
    if odd.any():
        fixed = clean_text(s[odd], nfkc=True).str.replace(_WHITESPACE, "", regex=True)
        fixed = fixed.str.replace(r"^'", "", regex=True)  # Excel's text prefix, pasted in
        s = s.copy()
        s[odd] = fixed.str.replace(_ID_DECIMAL, r"\1", regex=True)
    values[s.index] = s.where(s != "", None)
    sci = s[odd].str.match(_SCIENTIFIC) if odd.any() else s.iloc[:0].astype(bool)
    issues[sci[sci].index] = "id_scientific"
    values[sci[sci].index] = None
    v = parts.numbers()
    values[v.index] = _number_text(v)
    issues[v[v.abs() >= 1e15].index] = "id_precision"
    values[v[v.abs() >= 1e15].index] = None
    bad = parts.is_bool | parts.is_date | parts.is_datetime | parts.is_time | parts.other
    issues[bad] = "id_invalid"
    return values, issues, None


def parse_enum(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _new(u, "object")
    parts = _Uniques(u)
    lookup = ctx.enum_lookup(column.enum or "")
    s = parts.strings(nfkc=True)
    v = parts.numbers()
    text = pd.concat([s, _number_text(v)]) if len(v) else s
    keys = text.str.replace(_WHITESPACE, "", regex=True).str.casefold()
    mapped = keys.map(lookup)
    values[mapped.index] = mapped.where(mapped.notna(), None)
    unknown = mapped.isna() & (keys != "")
    issues[unknown[unknown].index] = "enum_invalid"
    issues[parts.not_text_or_number] = "enum_invalid"
    return values, issues, None


def parse_phone(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _new(u, "object")
    parts = _Uniques(u)
    raw = pd.concat([parts.u[parts.is_str].astype(object), _number_text(parts.numbers())])
    ok = raw.str.fullmatch(_MOBILE).fillna(False).astype(bool)
    original = raw.copy()
    digits = raw.copy()
    if (~ok).any():
        original[~ok] = clean_text(raw[~ok], nfkc=True)
        fixed = original[~ok].str.replace(_PHONE_JUNK, "", regex=True)
        digits[~ok] = fixed.str.replace(r"^(?:\+?86|0086)(?=1\d{10}$)", "", regex=True)
        ok = ok | digits.str.fullmatch(_MOBILE).fillna(False).astype(bool)
        # "138-0013-8000（微信同号）": one mobile number and a note without digits
        noted = digits[~ok].str.extract(_MOBILE_WITH_NOTE)["mobile"].dropna()
        digits[noted.index] = noted
        ok[noted.index] = True
    values[ok[ok].index] = digits[ok]
    rest = ~ok & (digits != "")
    if ctx.phone_pattern and rest.any():
        custom = original[rest].str.fullmatch(ctx.phone_pattern)
        values[custom[custom].index] = original[custom[custom].index]
        rest = rest & ~original.index.isin(custom[custom].index)
    issues[rest[rest].index] = "phone_invalid"
    issues[parts.not_text_or_number] = "phone_invalid"
    return values, issues, None


def parse_email(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _new(u, "object")
    parts = _Uniques(u)
    s = parts.strings(nfkc=True).str.replace(_WHITESPACE, "", regex=True)
    ok = s.str.match(_EMAIL)
    values[ok[ok].index] = s[ok]
    bad = ~ok & (s != "")
    issues[bad[bad].index] = "email_invalid"
    issues[~parts.is_str] = "email_invalid"
    return values, issues, None


# -- numbers -------------------------------------------------------------------------


def parse_int(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _new(u, "float64")
    parts = _Uniques(u)
    v = parts.numbers()
    integral = v == v.round()
    values[v.index] = v.where(integral)
    issues[v[~integral].index] = "int_invalid"
    _typed_numbers(parts, values, issues, _INT, "int_invalid")
    return values, issues, np.nan


def _typed_numbers(parts: _Uniques, values: pd.Series, issues: pd.Series,
                   pattern: re.Pattern[str], code: str) -> None:
    """Numbers typed as text (`2台`, `4.5分`, `1,200`): read them, or mark them `code`."""
    s = parts.strings().str.replace(",", "", regex=False)
    m = s.str.extract(pattern)
    ok = m["num"].notna()
    values[ok[ok].index] = m.loc[ok, "num"].astype("float64")
    bad = ~ok & (s != "")
    issues[bad[bad].index] = code
    issues[parts.not_text_or_number] = code


def parse_number(
    u: pd.Series, column: Column, ctx: Context
) -> tuple[pd.Series, pd.Series, Any]:
    """A decimal such as a score: 4.5, `4.5分`, `1,234.5` (a comma groups thousands)."""
    values, issues = _new(u, "float64")
    parts = _Uniques(u)
    v = parts.numbers()
    values[v.index] = v
    _typed_numbers(parts, values, issues, _NUMBER, "number_invalid")
    return values, issues, np.nan


def parse_money(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    """Yuan to integer cents: 1234.5, `¥1,234.50`, `1234元`, `1.2万` -> 123450 / 120000000."""
    values, issues = _new(u, "float64")
    parts = _Uniques(u)
    v = parts.numbers() * 100
    exact = (v - v.round()).abs() < 1e-6
    values[v.index] = v.round().where(exact)
    issues[v[~exact].index] = "money_precision"
    s = parts.strings().str.replace(r"[\s,]", "", regex=True)
    s = s.str.replace(_MONEY_STRIP, "", regex=True)
    m = s.str.extract(_MONEY)
    ok = m["int"].notna()
    m = m[ok]
    frac = m["frac"].fillna("")
    wan = m["wan"].notna()
    places = pd.Series(np.where(wan, 6, 2), index=m.index)
    too_fine = frac.str.len() > places
    padded = frac.where(~too_fine, "").str.ljust(6, "0")
    whole = m["int"].astype("int64")
    cents = np.where(
        wan,
        whole * 1_000_000 + padded.str[:6].astype("int64"),
        whole * 100 + padded.str[:2].astype("int64"),
    )
    sign = np.where(m["sign"] == "-", -1, 1)
    values[m.index] = (cents * sign).astype("float64")
    values[too_fine[too_fine].index] = np.nan
    issues[too_fine[too_fine].index] = "money_precision"
    bad = ~ok & (s != "")
    issues[bad[bad].index] = "money_invalid"
    issues[parts.not_text_or_number] = "money_invalid"
    return values, issues, np.nan


def parse_bool(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _new(u, "float64")
    parts = _Uniques(u)
    values[parts.is_bool] = u[parts.is_bool].astype(bool).astype("float64")
    v = parts.numbers()
    values[v[v.isin([0.0, 1.0])].index] = v[v.isin([0.0, 1.0])]
    issues[v[~v.isin([0.0, 1.0])].index] = "bool_invalid"
    s = parts.strings().str.casefold()
    values[s[s.isin(YES)].index] = 1.0
    values[s[s.isin(NO)].index] = 0.0
    bad = ~s.isin(YES | NO) & (s != "")
    issues[bad[bad].index] = "bool_invalid"
    issues[parts.is_date | parts.is_datetime | parts.is_time] = "bool_invalid"
    return values, issues, np.nan


# -- dates ---------------------------------------------------------------------------


def _parse_dates(u: pd.Series, ctx: Context, with_time: bool) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.infer_dtype(u, skipna=False) in ("date", "datetime"):
        # Only real date cells: the common case, no text to read.
        values = pd.Series(pd.to_datetime(u.to_numpy()), index=u.index).astype("datetime64[ns]")
        issues = pd.Series(None, index=u.index, dtype=object)
        return _in_range(values, issues, with_time)
    values, issues = _new(u, "datetime64[ns]")
    parts = _Uniques(u)
    stamps = parts.is_datetime
    if stamps.any():
        values[stamps] = pd.to_datetime(u[stamps].astype(object)).astype("datetime64[ns]")
    if parts.is_date.any():
        values[parts.is_date] = pd.to_datetime(u[parts.is_date].astype(object)).astype(
            "datetime64[ns]"
        )
        # No "no time" warning here: the reader returns a plain date for a date-time cell
        # at exactly 00:00 as well, so a date cell cannot be told from a midnight one.
    issues[parts.is_time | parts.is_bool | parts.other] = "date_is_time"
    issues[parts.is_bool | parts.other] = "not_a_date"

    v = parts.numbers()
    if len(v):
        integral = v == v.round()
        ymd = integral & (v >= 19000101) & (v <= 21001231)
        serial = ~ymd & (v >= 1) & (v < 2958466)
        digits = v[ymd].astype("int64").astype(str)
        values[digits.index] = pd.to_datetime(digits, format="%Y%m%d", errors="coerce")
        issues[digits.index] = values[digits.index].isna().map(
            {True: "date_invalid", False: None})
        epoch = EPOCH_1904 if ctx.date1904 else EPOCH_1900
        days = v[serial]
        values[days.index] = (epoch + pd.to_timedelta(days, unit="D")).dt.round("s")
        issues[v[~(ymd | serial)].index] = "not_a_date"
        if with_time:
            whole = (ymd | (serial & integral))
            issues[whole[whole].index] = np.where(
                issues[whole[whole].index].isna(), "datetime_no_time",
                issues[whole[whole].index],
            )

    s = parts.strings().str.casefold()
    if len(s):
        m = s.str.extract(_DATE)
        matched = m["y"].notna()
        bad = ~matched & (s != "")
        issues[bad[bad].index] = "not_a_date"
        m = m[matched]
        if len(m):
            hour = m["H"].astype("float64").fillna(0)
            pm = m["ap1"].fillna(m["ap2"]).isin(_PM) & (hour < 12)
            fields = pd.DataFrame({
                "year": m["y"].astype("int64"),
                "month": m["m"].fillna(m["m2"]).astype("int64"),
                "day": m["d"].fillna(m["d2"]).astype("int64"),
                "hour": hour + np.where(pm, 12, 0),
                "minute": m["M"].fillna(m["M2"]).astype("float64").fillna(0),
                "second": m["S"].astype("float64").fillna(0),
            })
            stamps_ = pd.to_datetime(fields, errors="coerce")
            values[m.index] = stamps_.astype("datetime64[ns]")
            invalid = stamps_.isna()
            issues[invalid[invalid].index] = "date_invalid"
            if with_time:
                no_time = m["H"].isna() & ~invalid
                issues[no_time[no_time].index] = "datetime_no_time"

    return _in_range(values, issues, with_time)


def _in_range(
    values: pd.Series, issues: pd.Series, with_time: bool
) -> tuple[pd.Series, pd.Series]:
    """Implausible years become findings; date columns drop any time of day."""
    years = values.dt.year
    out_of_range = values.notna() & ((years < YEAR_MIN) | (years > YEAR_MAX))
    if out_of_range.any():
        issues[out_of_range] = "date_out_of_range"
        values[out_of_range] = pd.NaT
    if not with_time:
        values = values.dt.normalize()
    return values, issues


def parse_date(u: pd.Series, column: Column, ctx: Context) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _parse_dates(u, ctx, with_time=False)
    return values, issues, pd.NaT


SERIAL_EPOCH = datetime(1899, 12, 30)
"""Day 0 of Google Sheets' serial numbers (and of Excel's 1900 system after March 1900)."""


def serial_to_date(value: float) -> date | datetime:
    """A serial number as the date (whole days) or date-time it shows as."""
    moment = SERIAL_EPOCH + timedelta(days=float(value))
    moment = moment.replace(microsecond=0) if moment.microsecond < 500_000 else (
        moment + timedelta(microseconds=1_000_000 - moment.microsecond))
    return moment.date() if moment.time() == time() else moment


def is_date_serial(value: object) -> bool:
    """A number that a date cell holds: in the serial range and not a typed 20250305."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return False
    return 1 <= value < 2958466 and not (value == int(value) and 19000101 <= value <= 21001231)


def serials_to_dates(values: pd.Series) -> pd.Series:
    """Date-column cells as a file would hold them: serial numbers become dates."""
    mask = values.map(is_date_serial)
    if not mask.any():
        return values
    out = values.copy()
    out[mask] = values[mask].map(serial_to_date)
    return out


def parse_datetime(
    u: pd.Series, column: Column, ctx: Context
) -> tuple[pd.Series, pd.Series, Any]:
    values, issues = _parse_dates(u, ctx, with_time=True)
    if ctx.time_zones is not None and values.notna().any():
        source, office = ctx.time_zones
        moved = values.dt.tz_localize(source, ambiguous="NaT", nonexistent="shift_forward")
        values = moved.dt.tz_convert(office).dt.tz_localize(None).astype("datetime64[ns]")
    return values, issues, pd.NaT


_PARSERS = {
    Kind.TEXT: parse_text,
    Kind.ENUM: parse_enum,
    Kind.PHONE: parse_phone,
    Kind.EMAIL: parse_email,
    Kind.INT: parse_int,
    Kind.NUMBER: parse_number,
    Kind.MONEY: parse_money,
    Kind.BOOL: parse_bool,
    Kind.DATE: parse_date,
    Kind.DATETIME: parse_datetime,
}

WARNING_ISSUES = {"datetime_no_time"}
"""Issue codes that keep the value (it was read) but deserve a look."""


def missing_value(kind: Kind) -> Any:
    """An all-missing column of the right dtype, for a column the sheet does not have."""
    return {
        Kind.DATE: pd.NaT, Kind.DATETIME: pd.NaT,
        Kind.INT: pd.NA, Kind.MONEY: pd.NA, Kind.BOOL: pd.NA, Kind.NUMBER: np.nan,
    }.get(kind)


def empty_column(kind: Kind, index: pd.Index) -> pd.Series:
    raw = pd.Series([None] * len(index), index=index, dtype=object)
    return _finish_dtype(raw, kind)
