"""`office.toml`: the one file an office edits. Validated on load, every key has a default
except where the registers live. Secrets are never in it, only the names of the
environment variables that hold them.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import ConfigError
from .i18n import LOCALES, t
from .policy import Policy, PolicySection, canonical_roles, problems
from .registers import DOMAINS, REGISTERS

CONFIG_ENV = "CLERK_CONFIG"
DEFAULT_CONFIG = "office.toml"
Locale = Literal["zh-Hans", "zh-Hant", "en"]


class Section(BaseModel):
    """Every section refuses keys it does not know, so a typo is caught, not ignored."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


class OfficeSection(Section):
    name: str = "学生会办公室"
    locale: Locale = "zh-Hans"
    timezone: str = "Asia/Shanghai"
    region: str = "CN"
    run_hour: int = Field(default=8, ge=0, le=23)
    closures: list[date] = Field(default_factory=list)
    """The office's own closed days, on top of the region's calendar."""
    extra_workdays: list[date] = Field(default_factory=list)
    """Make-up working days (调休上班) the calendar library does not know yet."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise catalogue_error("config.expect_timezone") from None
        return value.strip()

    @field_validator("extra_workdays")
    @classmethod
    def _not_closed(cls, value: list[date], info: ValidationInfo) -> list[date]:
        both = sorted(set(value) & set(info.data.get("closures", ())))
        if both:
            raise catalogue_error("config.expect_not_closed", day=both[0].isoformat())
        return value


class GoogleSheet(Section):
    google_sheet: str
    """The spreadsheet's key; the address copied from the browser works too."""

    @field_validator("google_sheet", mode="before")
    @classmethod
    def _key(cls, value: object) -> str:
        text = str(value).strip() if isinstance(value, str | int) else ""
        found = re.search(r"/spreadsheets/d/([A-Za-z0-9_-]+)", text)
        key = found.group(1) if found else text
        if not re.fullmatch(r"[A-Za-z0-9_-]{10,}", key):
            raise PydanticCustomError("google_key", "not a spreadsheet key or address")
        return key


RegisterSource = str | GoogleSheet


class RegistersSection(Section):
    roster: RegisterSource | None = None
    assets: RegisterSource | None = None
    finance: RegisterSource | None = None
    cases: RegisterSource | None = None


class GoogleSection(Section):
    credentials: str | None = None
    """A service-account or authorized-user JSON file (relative to this file)."""
    credentials_env: str | None = "CLERK_GOOGLE_CREDENTIALS"
    """An environment variable that, when set, holds that file's path or its JSON instead."""
    api_endpoint: str = "https://sheets.googleapis.com"
    timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds to wait for one answer from Google."""
    give_up_after: float = Field(default=120.0, gt=0, le=3600)
    """Seconds of retrying (429, 5xx, timeouts) before a request is given up and reported."""
    reads_per_minute: int = Field(default=55, ge=1, le=6000)
    writes_per_minute: int = Field(default=55, ge=1, le=6000)
    """Pacing under Google's quota (60 reads and 60 writes a minute per user)."""

    @field_validator("api_endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", value.strip()):
            raise ValueError("http(s)://host[:port]")
        return value.strip().rstrip("/")


class OutputSection(Section):
    dir: str = "output"
    write_back: bool = False
    results_tab: str = "校验结果"
    kpi_tab: str = "KPI看板"
    reminder_tab: str = "提醒记录"
    preview_tab: str = "提醒预览"
    """Where the 提醒 button shows what would go out before anything is sent."""


class StateSection(Section):
    dir: str = ".clerk"


class RemindersSection(Section):
    channels: list[Literal["outbox", "email", "dingtalk", "wecom", "feishu"]] = ["outbox"]
    quiet_hours: str = "22:00-07:30"
    templates: str | None = None
    """A folder whose digest.md.j2 / subject.txt.j2 replace the built-in templates."""
    log_days: int = Field(default=90, ge=0)
    """Days the reminder log (files and 提醒记录 tabs) shows; 0 shows every day. The state
    keeps every day, and each period's snapshot carries that period's log."""

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if value and not re.fullmatch(r"\d{1,2}:\d{2}-\d{1,2}:\d{2}", value.strip()):
            raise ValueError("HH:MM-HH:MM")
        return value.strip()


_HOURS = re.compile(r"\d{1,2}:\d{2}-\d{1,2}:\d{2}")


class ScheduleSection(Section):
    remind_every_minutes: int = Field(default=0, ge=0, le=24 * 60, strict=True)
    """0: reminders run with the nightly job only. N > 0: `clerk schedule` (and the entries
    `clerk schedule --print` gives) also runs them every N minutes within office_hours,
    never in `[reminders] quiet_hours`: an hour deadline is chased within the hour."""
    office_hours: str = "08:00-22:00"
    """When the every-N-minutes reminders run (the office's time zone, every day: hour
    deadlines are clock hours)."""

    @field_validator("office_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        if not _HOURS.fullmatch(value.strip()):
            raise ValueError("HH:MM-HH:MM")
        start, end = (part.strip() for part in value.split("-"))
        for part in (start, end):
            hour, minute = (int(n) for n in part.split(":"))
            if hour > 23 or minute > 59:
                raise ValueError("HH:MM-HH:MM")
        return value.strip()


class OutboxChannel(Section):
    dir: str = "output/outbox"


class EmailChannel(Section):
    host: str = "localhost"
    port: int = Field(default=465, ge=1, le=65535)
    security: Literal["ssl", "starttls", "none"] = "ssl"
    username: str | None = None
    password_env: str | None = "CLERK_SMTP_PASSWORD"
    sender: str = "学生会办公室 <office@example.edu.cn>"


class RobotChannel(Section):
    webhook: str
    secret_env: str | None = None


class ChannelsSection(Section):
    outbox: OutboxChannel = Field(default_factory=OutboxChannel)
    email: EmailChannel | None = None
    dingtalk: RobotChannel | None = None
    wecom: RobotChannel | None = None
    feishu: RobotChannel | None = None


class ServerSection(Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=1, le=65535)
    token_env: str = "CLERK_SERVER_TOKEN"
    max_payload_mb: int = Field(default=20, ge=1, le=500)
    """The largest book a client may post."""


class SemestersSection(Section):
    """Month-day bounds of the two semesters; fall runs into the next year."""

    fall: str = "09-01..01-31"
    spring: str = "02-01..07-31"

    @field_validator("fall", "spring")
    @classmethod
    def _bounds(cls, value: str) -> str:
        if not re.fullmatch(r"\d{2}-\d{2}\.\.\d{2}-\d{2}", value.strip()):
            raise ValueError("MM-DD..MM-DD")
        return value.strip()


class ValidationSection(Section):
    phone_pattern: str | None = None
    """A regular expression accepted besides mainland mobiles (e.g. campus extensions)."""

    @field_validator("phone_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value:
            re.compile(value)
        return value


RETENTION_DEFAULTS = {"永久": "permanent", "长期": "30y", "短期": "10y"}
"""How long a snapshot of each retention class (保管期限) is kept."""
PERIOD_KINDS = ("week", "month", "semester", "year", "range")
_DURATION = re.compile(r"^(permanent|永久|\d+[ymd])$")


class ArchiveSection(Section):
    dir: str | None = None
    """Where snapshots go; default `<output dir>/archive`."""
    retention: dict[str, str] = Field(default_factory=lambda: dict(RETENTION_DEFAULTS))
    """Retention class -> `permanent` or a duration such as `30y`, `6m`, `90d`."""
    period_class: dict[str, str] = Field(default_factory=lambda: {
        "week": "短期", "month": "短期", "semester": "长期", "year": "永久", "range": "长期"})
    """The retention class a snapshot gets from the kind of its period."""
    auto: list[Literal["week", "month", "semester", "year"]] = ["semester"]
    """Periods the nightly job snapshots by itself, on the day after each one ends."""
    auto_redact: bool = False
    catch_up_days: int = Field(default=14, ge=1, le=366)
    """A nightly run missed on the archive day still makes the snapshot this many days on."""

    @field_validator("retention")
    @classmethod
    def _durations(cls, value: dict[str, str]) -> dict[str, str]:
        for name, duration in value.items():
            if not _DURATION.match(str(duration).strip()):
                raise ValueError(f"{name}: permanent | <n>y | <n>m | <n>d")
        return {name: str(duration).strip() for name, duration in value.items()}

    @field_validator("period_class")
    @classmethod
    def _kinds(cls, value: dict[str, str]) -> dict[str, str]:
        for kind in value:
            if kind not in PERIOD_KINDS:
                raise ValueError(f"{kind}: {' | '.join(PERIOD_KINDS)}")
        return value

    @model_validator(mode="after")
    def _classes_known(self) -> ArchiveSection:
        for kind, name in self.period_class.items():
            if name not in self.retention:
                raise ValueError(f"period_class.{kind} = {name!r}: "
                                 f"{' | '.join(self.retention)}")
        return self


class NightlySection(Section):
    alert_channel: Literal["outbox", "email", "dingtalk", "wecom", "feishu"] | None = None
    """Where a failed nightly run is reported (at most once a day)."""
    alert_to: str | None = None
    """The administrator's e-mail address, for `alert_channel = "email"`."""


class Unit(Section):
    name: str
    config: str


class OfficeConfig(Section):
    office: OfficeSection = Field(default_factory=OfficeSection)
    registers: RegistersSection = Field(default_factory=RegistersSection)
    google: GoogleSection = Field(default_factory=GoogleSection)
    output: OutputSection = Field(default_factory=OutputSection)
    state: StateSection = Field(default_factory=StateSection)
    reminders: RemindersSection = Field(default_factory=RemindersSection)
    schedule: ScheduleSection = Field(default_factory=ScheduleSection)
    channels: ChannelsSection = Field(default_factory=ChannelsSection)
    server: ServerSection = Field(default_factory=ServerSection)
    semesters: SemestersSection = Field(default_factory=SemestersSection)
    validation: ValidationSection = Field(default_factory=ValidationSection)
    archive: ArchiveSection = Field(default_factory=ArchiveSection)
    nightly: NightlySection = Field(default_factory=NightlySection)
    policy: PolicySection = Field(default_factory=PolicySection)  # type: ignore[valid-type]
    enums: dict[str, list[str]] = Field(default_factory=dict)
    units: list[Unit] = Field(default_factory=list)

    _path: Path | None = PrivateAttr(default=None)
    _google: Any = PrivateAttr(default=None)
    """This command's Google connection (sources.google), made on first use."""
    _policy: Policy | None = PrivateAttr(default=None)
    """The policy in force, resolved on first use (`in_force`)."""

    @field_validator("enums")
    @classmethod
    def _known_domains(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, options in value.items():
            if name not in DOMAINS:
                raise catalogue_error("config.expect_enum_domain", at=name,
                                      known=", ".join(DOMAINS))
            if not options:
                raise catalogue_error("config.expect_enum_empty", at=name)
        return value

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def in_force(self) -> Policy:
        """The policy the engines follow: the office's `[policy]` over the defaults."""
        if self._policy is None:
            self._policy = Policy.from_section(self.policy)
        return self._policy

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the config are relative to."""
        return self._path.parent if self._path else Path.cwd()

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def register_source(self, register: str) -> RegisterSource | None:
        return getattr(self.registers, register)

    def google_key(self, register: str) -> str | None:
        source = self.register_source(register)
        return source.google_sheet if isinstance(source, GoogleSheet) else None

    def register_path(self, register: str) -> Path | None:
        source = self.register_source(register)
        return self.resolve(source) if isinstance(source, str) else None

    def enum_values(self, domain: str) -> list[str]:
        """Allowed canonical values of an enum domain (the office's list, else the default)."""
        if domain in self.enums:
            return list(self.enums[domain])
        return [label.hans for label in DOMAINS[domain]]

    @property
    def output_dir(self) -> Path:
        return self.resolve(self.output.dir)

    @property
    def archive_dir(self) -> Path:
        return self.resolve(self.archive.dir) if self.archive.dir else self.output_dir / "archive"

    @property
    def locale(self) -> str:
        return self.office.locale


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`-c PATH`, else `$CLERK_CONFIG`, else `./office.toml`."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path(DEFAULT_CONFIG)


def load_config(
    path: str | os.PathLike[str] | None = None, *, check_sources: bool = True
) -> OfficeConfig:
    """Read and validate office.toml; raise ConfigError with one clear line otherwise."""
    config_path = find_config_path(path)
    if not config_path.is_file():
        raise ConfigError("config.not_found", path=str(config_path))
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError("config.not_utf8", path=str(config_path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, config_path) from None
    try:
        config = config_from_dict(data, source=config_path)
    except ConfigError as exc:
        office = data.get("office")
        chosen = office.get("locale") if isinstance(office, dict) else None
        exc.locale = chosen if chosen in LOCALES else None
        raise
    if check_sources:
        check_register_sources(config)
    return config


_TOML_PROBLEMS = (
    (re.compile(r"Cannot declare \((.*)\) twice"), "config.toml_twice"),
    (re.compile(r"Cannot (?:overwrite a value|mutate|redefine)"), "config.toml_overwrite"),
    (re.compile(r"Unterminated string|Illegal character|Unescaped|Escaped character"),
     "config.toml_string"),
    (re.compile(r"Invalid value|Invalid date|Invalid hex|Unclosed"), "config.toml_value"),
    (re.compile(r"Invalid initial character for a key part|Found invalid character"),
     "config.toml_key"),
    (re.compile(r"Expected '=' after a key"), "config.toml_equals"),
    (re.compile(r"Expected '\]|Expected newline|Invalid statement"), "config.toml_line"),
)
"""tomllib's complaints, by what an officer did (`config.toml_*` in the catalogues)."""


def _syntax_error(exc: tomllib.TOMLDecodeError, path: Path) -> ConfigError:
    """A TOML mistake in the office's words, with its line and what to do (tomllib's own
    English only for a mistake this does not know)."""
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    line, column = (where.group(1), where.group(2)) if where else ("?", "?")
    for pattern, key in _TOML_PROBLEMS:
        if found := pattern.search(text):
            section = ".".join(re.findall(r"'([^']*)'", found.group(1))) \
                if found.groups() else ""
            return ConfigError("config.toml", path=str(path), line=line, column=column,
                               section=section, detail=text, detail_key=key)
    return ConfigError("config.syntax", path=str(path), detail=text)


def config_from_dict(data: dict[str, Any], source: Path | None = None) -> OfficeConfig:
    try:
        config = OfficeConfig.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, data, source) from None
    config._path = source.resolve() if source else None
    check_policy(config, source)
    return config


def check_policy(config: OfficeConfig, source: Path | None = None) -> None:
    """An impossible policy value, or an escalation naming a department or role the office
    does not have, stops the run with one line naming the key."""
    canonical_roles(config.policy, config.enums)
    found = problems(config.policy, config.enum_values("departments"),
                     config.enum_values("roles"))
    if found:
        problem = found[0]
        raise ConfigError(problem.message, path=str(source or DEFAULT_CONFIG),
                          key=f"policy.{problem.key}", **problem.values)


def check_register_sources(config: OfficeConfig) -> None:
    """Every configured workbook file must exist; a missing one names its key and path."""
    for register in REGISTERS:
        path = config.register_path(register)
        if path is not None and not path.is_file():
            raise ConfigError(
                "config.missing_workbook",
                path=str(config.path or DEFAULT_CONFIG),
                key=f"registers.{register}",
                workbook=str(path),
            )


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The section model that owns the last key of `loc`, to suggest the nearest key."""
    model: Any = OfficeConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return None
        annotation = fields[part].annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        for candidate in candidates:
            inner = getattr(candidate, "__args__", None)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
                break
            if inner:
                found = [a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)]
                if found:
                    model = found[0]
                    break
        else:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _explain(exc: ValidationError, data: dict[str, Any], source: Path | None) -> ConfigError:
    errors = exc.errors()
    # A register's source is a path or a Google sheet: for a table the office wrote, the
    # Google branch says what is wrong, not "should be a valid string".
    error = next((e for e in errors if e["type"] == "google_key"), errors[0])
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
    key = ".".join(str(p) for p in loc)
    path = str(source or DEFAULT_CONFIG)
    if loc and loc[0] == "policy" and error["type"] in _NOT_A_NUMBER:
        return ConfigError("config.policy_not_number", path=path, key=key,
                           found=_shown_value(error.get("input")))
    if error["type"] == "google_key":
        return ConfigError("config.google_key", path=path, key=key,
                           found=_shown_value(error.get("input")))
    if error["type"] == "extra_forbidden":
        model = _model_at(loc)
        suggestion = ""
        if model is not None:
            near = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
            suggestion = near[0] if near else ""
        if suggestion:
            return ConfigError("config.unknown_key_hint", path=path, key=key, hint=suggestion)
        return ConfigError("config.unknown_key", path=path, key=key)
    if error["type"] == "catalogue":
        context = dict(error.get("ctx") or {})
        found = error.get("input")
        if at := context.pop("at", None):  # one entry of a table the validator saw whole
            loc, found = (*loc, at), found.get(at) if isinstance(found, dict) else found
        return ConfigError("config.bad_value", path=path, key=_shown_key(loc),
                           found=_shown_value(found),
                           detail_key=context.pop("message"), **context)
    expected = _EXPECTED.get(error["type"])
    context = {k: v if isinstance(v, str) else _shown_value(v)
               for k, v in (error.get("ctx") or {}).items()}
    if expected == "literal":
        context["expected"] = " / ".join(re.findall(r"'([^']*)'", context["expected"]))
    if expected is None:
        expected = "format" if error["type"] == "value_error" else "other"
        context = {"format": str((error.get("ctx") or {}).get("error", error["msg"])),
                   "other": error["msg"]}
    return ConfigError("config.bad_value", path=path, key=_shown_key(loc),
                       found=_shown_value(error.get("input")),
                       detail_key=f"config.expect_{expected}", **context)


def _shown_key(loc: tuple[str | int, ...]) -> str:
    """`office.extra_workdays` and, for one item of a list, which one (counted from 1)."""
    names = ".".join(str(p) for p in loc if not isinstance(p, int))
    items = [p for p in loc if isinstance(p, int)]
    return t("config.list_item", key=names, n=items[-1] + 1) if items else names


def _shown_value(value: object) -> str:
    """A value as it reads in office.toml (`"text"`, `true`, `2027-01-02`), never Python's
    repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return "…"
    return str(value)


_EXPECTED = {
    "string_type": "text", "dict_type": "table", "model_type": "table",
    "model_attributes_type": "table", "list_type": "list", "int_type": "whole",
    "int_parsing": "whole", "int_from_float": "whole", "float_type": "number",
    "float_parsing": "number", "bool_type": "bool", "bool_parsing": "bool",
    "date_type": "date", "date_parsing": "date", "date_from_datetime_inexact": "date",
    "date_from_datetime_parsing": "date", "datetime_type": "datetime",
    "datetime_parsing": "datetime", "greater_than_equal": "ge", "greater_than": "gt",
    "less_than_equal": "le", "less_than": "lt", "literal_error": "literal", "missing": "missing",
}
"""pydantic's error types, by what the office should have written (`config.expect_*`)."""


def catalogue_error(message: str, **values: object) -> PydanticCustomError:
    """A validator's complaint as a catalogue key, so `_explain` says it in the office's
    language instead of pydantic's English."""
    return PydanticCustomError("catalogue", message, {"message": message, **values})


_NOT_A_NUMBER = {"float_type", "int_type", "float_parsing", "bool_type"}
_UNION_TAGS = {"str", "GoogleSheet", "function-after[_hours(), str]"}

__all__ = ["LOCALES", "OfficeConfig", "find_config_path", "load_config"]
