"""Shared helpers: workbooks written with openpyxl (not the library that reads them)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from servers import robot_server, smtp_server, smtp_server_factory  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]], *,
               date1904: bool = False, merge_title: bool = True) -> Path:
    """Write sheets of rows with openpyxl; a first row of one string is merged like a title."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    if date1904:
        book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if merge_title and rows and len(rows[0]) == 1 and len(rows) > 1:
            width = max(len(r) for r in rows)
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_config(folder: Path, registers: dict[str, str], extra: str = "") -> Path:
    lines = ["[office]", 'name = "测试大学学生会"', "", "[registers]"]
    lines += [f'{key} = "{value}"' for key, value in registers.items()]
    path = folder / "office.toml"
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def digest(paths: Iterable[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def clerk(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a child process, as an officer would."""
    return subprocess.run(
        [sys.executable, "-m", "automation", *args], cwd=cwd, capture_output=True,
        text=True, encoding="utf-8", env=env, timeout=300,
    )


def findings_json(*args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any]]:
    done = clerk("validate", "--format", "json", *args, cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def shared_dir() -> Path:
    path = ROOT.parent / "shared"
    if not (path / "REGISTERS.md").is_file():
        pytest.skip("../shared/ is not beside the project")
    return path


CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76"
"""LibreOffice's CSV export: comma, double quote, UTF-8."""


def soffice_path() -> str:
    """LibreOffice, a second real reader and writer; the test is skipped without it."""
    import shutil

    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.skip("LibreOffice is not installed (CI installs libreoffice-calc-nogui)")
    return found


def soffice_convert(soffice: str, source: Path, target_format: str, out: Path) -> Path:
    """`source` converted by headless LibreOffice into `out` (its own profile folder)."""
    profile = out / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile.as_posix()}",
                    "--headless", "--convert-to", target_format, "--outdir", str(out),
                    str(source)], check=True, capture_output=True, timeout=180)
    return out / f"{source.stem}.{target_format.split(':')[0]}"


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
