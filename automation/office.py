"""An office folder: office.toml + workbooks/. `clerk init` and `clerk demo` live here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import requests

from .config import load_config
from .errors import ClerkError, UsageError
from .i18n import t
from .nightly import NightlyReport, run_nightly
from .policy import DEFAULT_POLICY, KPI_SPECS, NUMBERS, ROLES
from .registers import REGISTERS
from .server import ButtonDemo, demo_button
from .templates import write_register_workbook

OFFICE_NAMES = {
    "zh-Hans": "示例大学学生会",
    "zh-Hant": "示例大學學生會",
    "en": "Example University Students' Union",
}


def config_text(locale: str, name: str) -> str:
    """The office.toml `clerk init` writes: the keys an office edits first, with comments."""
    return (
        f"# {t('init.header', locale)}\n"
        "[office]\n"
        f'name = "{name}"\n'
        f'locale = "{locale}"\n'
        'timezone = "Asia/Shanghai"\n'
        'region = "CN"\n'
        "run_hour = 8\n"
        f"# {t('init.calendar', locale)}\n"
        "closures = []\n"
        "extra_workdays = []\n\n"
        f"# {t('init.registers', locale)}\n"
        "[registers]\n"
        + "".join(f'{key} = "workbooks/{key}.xlsx"\n' for key in REGISTERS)
        + "\n[output]\n"
        'dir = "output"\n'
        "write_back = false\n\n"
        "[state]\n"
        'dir = ".clerk"\n\n'
        f"# {t('init.reminders', locale)}\n"
        "[reminders]\n"
        'channels = ["outbox"]\n'
        'quiet_hours = "22:00-07:30"\n\n'
        "[channels.outbox]\n"
        'dir = "output/outbox"\n\n'
        + policy_defaults_text(locale)
    )


def policy_defaults_text(locale: str) -> str:
    """`[policy]` with every default, commented out: the office uncomments what it changes."""
    policy = DEFAULT_POLICY
    lines = [f"# {t('init.policy', locale)}", "[policy]"]
    lines += [f"# {key} = {policy.number(key):g}  # {policy.text(number.label, locale)}"
              for key, number in NUMBERS.items()]
    lines += ["", "[policy.targets]"]
    lines += [f"# {key} = {policy.target(key):g}  # {policy.kpi_label(key, locale)}"
              for key in KPI_SPECS]
    lines += ["", "[policy.roles]"]
    lines += [f'# {key} = "{policy.role(key)}"  # {policy.text(role.label, locale)}'
              for key, role in ROLES.items()]
    return "\n".join(lines) + "\n"


def init_office(directory: Path, *, locale: str = "zh-Hans", demo: bool = False,
                today: date | None = None) -> Path:
    """Create DIR/office.toml and DIR/workbooks/<register>.xlsx; never overwrite."""
    config_path = directory / "office.toml"
    if config_path.exists():
        raise UsageError("cli.init_exists", path=str(config_path))
    workbooks = directory / "workbooks"
    workbooks.mkdir(parents=True, exist_ok=True)
    data = None
    if demo:
        from .demo import build_demo

        data = build_demo(today or date.today())
    for key, register in REGISTERS.items():
        write_register_workbook(register, locale, workbooks / f"{key}.xlsx",
                                data.get(key) if data else None)
    name = OFFICE_NAMES.get(locale, OFFICE_NAMES["zh-Hans"])
    config_path.write_text(config_text(locale, name), encoding="utf-8")
    return config_path


@dataclass
class DemoReport:
    config: Path
    nightly: NightlyReport
    outputs: list[Path] = field(default_factory=list)
    button: ButtonDemo | None = None
    button_problem: str = ""


def run_demo(directory: Path, *, locale: str = "zh-Hans", today: date | None = None) -> DemoReport:
    """`clerk demo`: make the demo office if needed, then give it one nightly run: the
    reports, the reminders (into the outbox: nothing leaves the machine), the dashboards,
    and — when `today` is the day after a semester ends — the period-end snapshot. Last, one
    click of 校验 through a local `clerk serve`, as Excel on the web or Google Sheets would."""
    config_path = directory / "office.toml"
    if not config_path.exists():
        init_office(directory, locale=locale, demo=True, today=today)
    config = load_config(config_path)
    report = run_nightly(config, today=today or date.today())
    outbox = config.resolve(config.channels.outbox.dir)
    outputs = [p for p in report.outputs if p.suffix == ".html" or p.parent == config.archive_dir
               or p.name.startswith("validation.")]
    if report.step("remind").counts.get("sent"):
        outputs.append(outbox)
    demo = DemoReport(config_path, report, outputs)
    assets = config.register_path("assets")
    if assets and assets.is_file():
        try:
            demo.button = demo_button(config, assets, today=today)
        except (ClerkError, OSError, requests.RequestException) as exc:
            # The nightly part has worked; a machine that forbids a local port only loses
            # the button demonstration, and says why.
            demo.button_problem = str(exc)
    return demo
