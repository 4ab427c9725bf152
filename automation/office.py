"""An office folder: office.toml + workbooks/. `clerk init` and `clerk demo` live here."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from .config import load_config
from .errors import UsageError
from .i18n import t
from .registers import REGISTERS
from .templates import write_register_workbook
from .validate import ValidationResult, validate_office

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
        "run_hour = 8\n\n"
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
        'dir = "output/outbox"\n'
    )


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
    result: ValidationResult
    outputs: list[Path] = field(default_factory=list)


def run_demo(directory: Path, *, locale: str = "zh-Hans", today: date | None = None) -> DemoReport:
    """`clerk demo`: make the demo office if needed, then run it and write its reports."""
    from .reports.findings import write_findings_html, write_findings_xlsx

    config_path = directory / "office.toml"
    if not config_path.exists():
        init_office(directory, locale=locale, demo=True, today=today)
    config = load_config(config_path)
    result = validate_office(config)
    out = config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    generated = datetime.now().replace(microsecond=0)
    outputs = [
        write_findings_html(result, out / "validation.html", locale=locale,
                            office_name=config.office.name, generated=generated),
        write_findings_xlsx(result, out / "validation.xlsx", locale=locale,
                            office_name=config.office.name, generated=generated),
    ]
    json_path = out / "validation.json"
    temp = json_path.with_name(".validation.json.tmp")
    temp.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    os.replace(temp, json_path)
    outputs.append(json_path)
    from .reminders.remind import remind

    reminders = remind(config, today=today or date.today(), office=result.office)
    outbox = config.resolve(config.channels.outbox.dir)
    if reminders.sent:
        outputs.append(outbox)
    outputs.extend(reminders.log_files)
    from .kpi import kpi_report
    from .kpi.dashboard import write_dashboards

    day = today or date.today()
    kpis = kpi_report(config, None, day, result.office)
    dashboards = write_dashboards(config, kpis, result.office, out / "kpi", today=day)
    outputs.extend(p for p in dashboards if p.suffix == ".html")
    return DemoReport(config_path, result, outputs)
