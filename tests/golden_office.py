"""The golden office: the demo office built on a fixed day, every command of the CLI run on
it the way an officer would, and every output turned into normalised text.

Shared by tests/test_golden.py (which compares that text with tests/golden/) and
scripts/update_golden.py (which rewrites tests/golden/ after a deliberate output change).
tests/golden/README.md says what is run, what is compared and what is normalised, and why.

Normalised — and only because it is not the same from one run or one machine to the next:
- the office's folder (a temporary folder) becomes `<OFFICE>`, its parent `<ROOT>`;
- a date-and-time of the wall clock (a generation stamp, a reminder's `updated_at`, an
  e-mail `Date:`, a backup file's stamp) becomes `<now FORMAT>`, FORMAT keeping its shape
  (`<now YYYY-MM-DD hh:mm>`). Only stamps within a day of the build's own wall-clock time are
  replaced: the demo's data and every `--today` date lie months away, so they stay as they are;
- what is made of an xlsx file's bytes (its SHA-256 in a bag manifest or in bag-info.txt, the
  bag's Payload-Oxum byte count, the tag manifest's hashes of those files, the snapshot
  fingerprint, the bag size printed by `clerk archive`): an xlsx is compared by the text of
  its sheets, not by its zip bytes, which depend on the zip library and the xlsx writer's
  version. The hashes of every other file in a bag (CSV, HTML, JSON, README) stay exact;
- bagit-python's own version in bag-info.txt (a dependency, not this code);
- the seconds each nightly step took.
"""

from __future__ import annotations

import difflib
import email
import email.policy
import hashlib
import json
import os
import re
import shutil
import threading
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from conftest import ROOT, clerk
from python_calamine import CalamineWorkbook

GOLDEN_DIR = ROOT / "tests" / "golden"
KEEP = {"README.md", ".gitattributes"}
"""Files of tests/golden/ that are not goldens."""

DAY = "2026-03-17"
"""The demo office's day: a Tuesday, seven weeks into the spring semester, with loans due
and overdue, stocktakes due, reimbursements waiting for audit or missing receipts, a rights
case past its 24 hours and an overdue task — with escalations."""
EARLIER_DAY = "2026-01-26"
"""A reminder run in the fall semester, so the fall snapshot has a reminder log."""
SEMESTER = "2026-spring"
MONTH = "2026-03"
PREVIOUS = "2025-fall"
ARCHIVE_DAY = "2026-02-01"
"""The day after the fall semester ended."""

MAIN_STEPS: list[tuple[str, list[str]]] = [
    ("validate-json", ["validate", "--format", "json"]),
    ("validate-text", ["validate"]),
    ("validate-xlsx", ["validate", "--format", "xlsx", "-o", "reports/validation.xlsx"]),
    ("validate-html", ["validate", "--format", "html", "-o", "reports/validation.html"]),
    ("policy-json", ["policy", "--today", DAY, "--format", "json"]),
    ("policy-text", ["policy", "--today", DAY]),
    ("remind-earlier", ["remind", "--today", EARLIER_DAY]),
    ("remind-dry-run-json", ["remind", "--dry-run", "--today", DAY, "--format", "json"]),
    ("remind-dry-run-text", ["remind", "--dry-run", "--today", DAY]),
    ("remind", ["remind", "--today", DAY]),
    ("remind-again-json", ["remind", "--today", DAY, "--format", "json"]),
    ("kpi-semester-json", ["kpi", "--period", SEMESTER, "--today", DAY, "--format", "json"]),
    ("kpi-semester-dashboards", ["kpi", "--period", SEMESTER, "--today", DAY,
                                 "-o", "reports/kpi"]),
    ("kpi-month-json", ["kpi", "--period", MONTH, "--today", DAY, "--format", "json"]),
    ("archive", ["archive", "--period", PREVIOUS, "--today", ARCHIVE_DAY]),
    ("verify-json", ["verify", "{snapshot}", "--format", "json"]),
]
"""The demo office as `clerk init --demo` makes it, run command after command."""

NIGHTLY_STEPS: list[tuple[str, list[str]]] = [
    ("nightly-json", ["nightly", "--today", DAY, "--format", "json"]),
    ("archive-redacted", ["archive", "--period", PREVIOUS, "--today", ARCHIVE_DAY,
                          "--redact", "-o", "redacted"]),
]
"""A fresh copy of the same office with `[output] write_back = true`: one nightly run
(validation, reminders, KPIs of the semester and the month, the tabs written into the
registers), then a redacted snapshot of the fall."""

SKIPPED_PARTS = {".clerk"}
"""The state folder (SQLite database, log, lock, backups) is not an output."""


class Build:
    """One build: the folders to hide and the wall-clock window of its stamps."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started = datetime.now()
        self.offices: list[Path] = []

    def window(self, moment: datetime) -> bool:
        """A wall-clock stamp of this build, in whatever time zone it was written."""
        moment = moment.replace(tzinfo=None)
        return (self.started - timedelta(days=1) <= moment
                <= datetime.now() + timedelta(days=1))

    def paths(self) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for folder, label in [*((o, "<OFFICE>") for o in self.offices), (self.root, "<ROOT>")]:
            for form in {str(folder), str(folder.resolve()), folder.as_posix()}:
                pairs.append((form, label))
        return sorted(pairs, key=lambda pair: -len(pair[0]))


# ---------------------------------------------------------------------------------------
# Building


def _env() -> dict[str, str]:
    """The environment of every run: no office setting from the caller's shell, rich's width
    fixed, UTF-8 output."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CLERK_") and k not in ("FORCE_COLOR", "NO_COLOR", "COLUMNS",
                                                        "LINES")}
    env.update(COLUMNS="160", LINES="50", PYTHONIOENCODING="utf-8")
    return env


def _run(build: Build, name: str, args: list[str], cwd: Path) -> tuple[str, str]:
    done = clerk(*args, cwd=cwd, env=_env())
    lines = [f"$ clerk {' '.join(args)}", f"exit: {done.returncode}", "--- stdout"]
    lines.append(_command_stdout(build, args, done.stdout))
    lines += ["--- stderr", normalise_text(build, done.stderr, command=True)]
    return name, "\n".join(lines).rstrip("\n") + "\n"


def _command_stdout(build: Build, args: list[str], stdout: str) -> str:
    if "json" in args and args[args.index("json") - 1] in ("--format", "-f"):
        try:
            data = json.loads(stdout)
        except ValueError:
            return normalise_text(build, stdout, command=True)
        return dump_json(normalise_json(build, data))
    return normalise_text(build, stdout, command=True)


def _chain(build: Build, prefix: str, office: Path,
           steps: list[tuple[str, list[str]]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for number, (slug, args) in enumerate(steps, start=1):
        if "{snapshot}" in args:
            snapshot = _snapshot(office)
            args = [a.replace("{snapshot}", snapshot) for a in args]
        name, text = _run(build, f"{prefix}/commands/{number:02d}-{slug}.txt", args, office)
        out[name] = text
    return out


def _snapshot(office: Path) -> str:
    folder = office / "output" / "archive"
    found = sorted(p for p in (folder.iterdir() if folder.is_dir() else ())
                   if p.is_dir() and not p.name.startswith("."))
    return found[-1].relative_to(office).as_posix() if found else "output/archive/(none)"


def build_outputs(root: Path) -> dict[str, str]:
    """Build the golden office under `root` (an empty or new folder) with the `clerk` that
    `python -m automation` runs, and return {golden name: normalised text}."""
    root.mkdir(parents=True, exist_ok=True)
    build = Build(root)
    main = root / "office"
    nightly = root / "office-nightly"
    build.offices = [main, nightly]
    outputs: dict[str, str] = {}
    name, text = _run(build, "main/commands/00-init.txt",
                      ["init", "office", "--demo", "--today", DAY], root)
    outputs[name] = text
    if not (main / "office.toml").is_file():
        raise AssertionError(f"clerk init made no office:\n{text}")
    shutil.copytree(main, nightly)
    config = nightly / "office.toml"
    toml = config.read_text(encoding="utf-8")
    if "write_back = false" not in toml:
        raise AssertionError("office.toml of clerk init has no `write_back = false` line")
    config.write_text(toml.replace("write_back = false", "write_back = true"), encoding="utf-8")

    # The two offices are independent: the nightly one runs beside the main one.
    results: dict[str, str] = {}
    failure: list[BaseException] = []

    def other() -> None:
        try:
            results.update(_chain(build, "nightly", nightly, NIGHTLY_STEPS))
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    outputs.update(_chain(build, "main", main, MAIN_STEPS))
    thread.join()
    if failure:
        raise failure[0]
    outputs.update(results)
    for prefix, office in (("main", main), ("nightly", nightly)):
        for path in sorted(office.rglob("*")):
            rel = path.relative_to(office)
            if not path.is_file() or SKIPPED_PARTS & set(rel.parts):
                continue
            outputs[f"{prefix}/files/{rel.as_posix()}.txt"] = normalise_file(build, path, rel)
    return dict(sorted(outputs.items()))


# ---------------------------------------------------------------------------------------
# Normalising


_ISO = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?"
                  r"(Z|[+-]\d{2}:?\d{2})?(?![\d:])")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-(\d{6}))?(?!\d)")
_RFC2822 = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} "
                      r"\d{2}:\d{2}:\d{2} [+-]\d{4}\b")
_FINGERPRINT = re.compile(r"\b[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}\b")
_SIZE = re.compile(r"\b\d+(?:\.\d+)? (?:B|KB|MB|GB)\b")
_BAGIT_VERSION = re.compile(r"bagit-python \d+(?:\.\d+)*")
_XLSX_SHA = re.compile(r"sha256:[0-9a-f]{64}")
_OXUM = re.compile(r"^(Payload-Oxum:\s*)\d+(\.\d+)", re.M)
_MANIFEST_LINE = re.compile(r"^([0-9a-f]{32,128})(\s+)(.+)$")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".zip")
"""Files compared by their contents rather than their bytes."""


def _iso_stamp(build: Build, match: re.Match[str]) -> str:
    year, month, day, sep, hour, minute, second, fraction, zone = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute),
                          int(second or 0))
    except ValueError:
        return match.group(0)
    if not build.window(moment):
        return match.group(0)
    shape = f"YYYY-MM-DD{sep}hh:mm" + (":ss" if second else "") + (".f" if fraction else "")
    return f"<now {shape}{'+zone' if zone else ''}>"


def _compact_stamp(build: Build, match: re.Match[str]) -> str:
    year, month, day, hour, minute, second, micro = match.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:
        return match.group(0)
    if not build.window(moment):
        return match.group(0)
    return "<now YYYYMMDD-hhmmss" + ("-ffffff>" if micro else ">")


def _rfc2822_stamp(build: Build, match: re.Match[str]) -> str:
    try:
        moment = parsedate_to_datetime(match.group(0))
    except (TypeError, ValueError):
        return match.group(0)
    return "<now RFC 2822>" if build.window(moment) else match.group(0)


def normalise_text(build: Build, text: str, *, command: bool = False) -> str:
    """Paths, wall-clock stamps, snapshot fingerprints; with `command`, also the bag size
    `clerk archive` prints (it adds up xlsx bytes)."""
    for form, label in build.paths():
        text = text.replace(form, label)
    text = _ISO.sub(lambda m: _iso_stamp(build, m), text)
    text = _COMPACT.sub(lambda m: _compact_stamp(build, m), text)
    text = _RFC2822.sub(lambda m: _rfc2822_stamp(build, m), text)
    text = _FINGERPRINT.sub("<fingerprint>", text)
    if command:
        text = _SIZE.sub("<size>", text)
    return text


def normalise_json(build: Build, data: Any, key: str = "") -> Any:
    if isinstance(data, dict):
        return {k: normalise_json(build, v, k) for k, v in data.items()}
    if isinstance(data, list):
        return [normalise_json(build, v, key) for v in data]
    if key == "seconds" and isinstance(data, int | float):
        return "<seconds>"
    if key == "Payload-Oxum" and isinstance(data, str):
        return re.sub(r"^\d+", "<bytes>", data)
    if isinstance(data, str):
        return _bag_info_text(normalise_text(build, data))
    return data


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)


def _bag_info_text(text: str) -> str:
    text = _XLSX_SHA.sub("sha256:<xlsx bytes>", text)
    text = _BAGIT_VERSION.sub("bagit-python <version>", text)
    return _OXUM.sub(r"\1<bytes>\2", text)


def _decode(data: bytes) -> tuple[str, str]:
    """The text and a header line saying how it was stored: BOM and line ends."""
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    ends = "CRLF" if "\r\n" in text else ("LF" if "\n" in text else "none")
    text = text.replace("\r\n", "\n").replace("\r", "\\r")
    return text, f"# utf-8{' with BOM' if bom else ''}, line ends {ends}"


def normalise_file(build: Build, path: Path, rel: Path) -> str:
    suffix = path.suffix.lower()
    data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm"):
        body = normalise_text(build, xlsx_text(path))
    elif suffix == ".eml":
        body = eml_text(build, data)
    elif suffix == ".json":
        text, header = _decode(data)
        body = header + "\n" + dump_json(normalise_json(build, json.loads(text)))
    else:
        try:
            text, header = _decode(data)
        except UnicodeDecodeError:
            return f"# binary, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}\n"
        text = normalise_text(build, text)
        if rel.name == "bag-info.txt":
            text = _bag_info_text(text)
        elif rel.name.startswith("manifest-"):
            text = _manifest(text, lambda file: _varies(build, path.parent / file))
        elif rel.name.startswith("tagmanifest-"):
            text = _manifest(text, lambda file: "<hash: made of xlsx bytes>"
                             if file != "bagit.txt" else "")
        body = header + "\n" + text
    return body.rstrip("\n") + "\n"


def _manifest(text: str, hidden: Callable[[str], str]) -> str:
    """A bag manifest with the hashes that cannot be the same everywhere replaced by why."""
    lines = []
    for line in text.split("\n"):
        match = _MANIFEST_LINE.match(line)
        why = hidden(match.group(3).strip()) if match else ""
        if match and why:
            line = f"{why}{match.group(2)}{match.group(3)}"
        lines.append(line)
    return "\n".join(lines)


def _varies(build: Build, path: Path) -> str:
    """Why the hash of a file in a bag differs between builds, or "" when it does not: an
    xlsx is compared by its sheets, not its bytes; a text file holding a wall-clock stamp or
    the office's folder (its own golden shows where) cannot have the same bytes twice."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return "<hash: xlsx bytes>"
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
    return "<hash: has a stamp or path>" if normalise_text(build, text) != text else ""


# -- e-mail -------------------------------------------------------------------------------


def eml_text(build: Build, data: bytes) -> str:
    """Headers decoded (Date normalised), then each part: its headers and decoded text."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    lines: list[str] = []

    def headers(part: email.message.Message, indent: str) -> None:
        for key, value in part.items():
            decoded = re.sub(r"\s*\n\s*", " ", str(make_header(decode_header(value))))
            lines.append(f"{indent}{key}: {normalise_text(build, decoded)}")

    headers(message, "")
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        lines.append(f"--- part {number}")
        if part is not message:
            headers(part, "  ")
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        lines.append(normalise_text(build, payload.decode(charset, errors="replace")))
    return "\n".join(lines)


# -- xlsx ---------------------------------------------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
_RID = f"{{{_NS['r']}}}id"


def cell_text(value: Any) -> str:
    """One cell: text as typed (escaped), a number `#7`, a date `@2026-03-17`, a flag
    `#TRUE`; empty is empty. Text that starts with `#`, `@` or `\\` gets a `\\` first."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "#TRUE" if value else "#FALSE"
    if isinstance(value, int):
        return f"#{value}"
    if isinstance(value, float):
        return f"#{int(value)}" if value.is_integer() and abs(value) < 1e15 else f"#{value!r}"
    if isinstance(value, datetime | date | time):
        return f"@{value.isoformat(sep=' ') if isinstance(value, datetime) else value.isoformat()}"
    if isinstance(value, timedelta):
        return f"@{value}"
    text = str(value)
    text = (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")
            .replace("\n", "\\n"))
    return "\\" + text if text.startswith(("#", "@")) else text


def xlsx_text(path: Path) -> str:
    """Every sheet of a workbook as text: its name and visibility, its rows (cells
    tab-separated, trailing empty cells and rows left out), then its merged ranges,
    hyperlinks, data validations and charts, read from the parts of the file."""
    book = CalamineWorkbook.from_path(str(path))
    extras = _sheet_extras(path)
    lines: list[str] = []
    for number, meta in enumerate(book.sheets_metadata, start=1):
        visible = str(meta.visible).rsplit(".", 1)[-1].lower()
        lines.append(f"=== sheet {number}: {meta.name} ({visible})")
        rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
        texts = ["\t".join(cell_text(v) for v in row).rstrip("\t") for row in rows]
        while texts and not texts[-1]:
            texts.pop()
        lines += texts
        lines += extras.get(meta.name, [])
    return "\n".join(lines)


def _rels(book: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (resolved target part or external target, mode)."""
    folder, name = part.rsplit("/", 1) if "/" in part else ("", part)
    rels_part = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels_part not in book.namelist():
        return {}
    found = {}
    for rel in ElementTree.fromstring(book.read(rels_part)).findall("pr:Relationship", _NS):
        target, mode = rel.get("Target", ""), rel.get("TargetMode", "")
        if mode != "External":
            target = (target.lstrip("/") if target.startswith("/")
                      else _join(folder, target))
        found[rel.get("Id", "")] = (target, mode)
    return found


def _join(folder: str, target: str) -> str:
    parts: list[str] = []
    for piece in PurePosixPath(folder, target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _sheet_extras(path: Path) -> dict[str, list[str]]:
    extras: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as book:
        if "xl/workbook.xml" not in book.namelist():
            return extras
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rels = _rels(book, "xl/workbook.xml")
        for sheet in workbook.findall("m:sheets/m:sheet", _NS):
            part = rels.get(sheet.get(_RID, ""), ("", ""))[0]
            if part in book.namelist():
                extras[sheet.get("name", "")] = _extras_of(book, part)
    return extras


def _extras_of(book: zipfile.ZipFile, part: str) -> list[str]:
    root = ElementTree.fromstring(book.read(part))
    rels = _rels(book, part)
    lines: list[str] = []
    merged = [m.get("ref", "") for m in root.findall("m:mergeCells/m:mergeCell", _NS)]
    if merged:
        lines.append("--- merged: " + " ".join(merged))
    for link in root.findall("m:hyperlinks/m:hyperlink", _NS):
        target = rels.get(link.get(_RID, ""), ("", ""))[0]
        location = link.get("location")
        lines.append(f"--- link {link.get('ref')}: {target}"
                     + (f" # {location}" if location else ""))
    for check in root.findall("m:dataValidations/m:dataValidation", _NS):
        formulas = [f.text or "" for f in (check.find("m:formula1", _NS),
                                           check.find("m:formula2", _NS)) if f is not None]
        words = [check.get("type", "any"), check.get("operator", ""), " | ".join(formulas)]
        prompt = " / ".join(filter(None, (check.get("promptTitle"), check.get("prompt"))))
        if prompt:
            words.append(f"(prompt: {cell_text(prompt)})")
        lines.append(f"--- validation {check.get('sqref')}: {' '.join(filter(None, words))}")
    drawing = root.find("m:drawing", _NS)
    if drawing is not None:
        drawing_part = rels.get(drawing.get(_RID, ""), ("", ""))[0]
        if drawing_part in book.namelist():
            lines += _charts(book, drawing_part)
    return lines


def _charts(book: zipfile.ZipFile, drawing_part: str) -> list[str]:
    rels = _rels(book, drawing_part)
    lines: list[str] = []
    drawing = ElementTree.fromstring(book.read(drawing_part))
    for anchor in drawing:
        chart = anchor.find(".//c:chart", _NS)
        if chart is None:
            continue
        start = anchor.find("xdr:from", _NS)
        where = ""
        if start is not None:
            col, row = (start.findtext("xdr:col", "", _NS), start.findtext("xdr:row", "", _NS))
            where = f" at col {col} row {row}"
        part = rels.get(chart.get(_RID, ""), ("", ""))[0]
        if part in book.namelist():
            lines += _chart(ElementTree.fromstring(book.read(part)), where)
    return lines


def _texts(element: ElementTree.Element | None) -> str:
    if element is None:
        return ""
    refs = [f.text or "" for f in element.iter(f"{{{_NS['c']}}}f")]
    if refs:
        return "=" + ",".join(refs)
    words = [t.text or "" for t in element.iter(f"{{{_NS['a']}}}t")]
    words += [v.text or "" for v in element.iter(f"{{{_NS['c']}}}v")]
    return "".join(words)


def _chart(chart: ElementTree.Element, where: str) -> list[str]:
    title = _texts(chart.find("c:chart/c:title", _NS))
    lines = [f"--- chart{where}: {title}"]
    plot = chart.find("c:chart/c:plotArea", _NS)
    if plot is None:
        return lines
    for kind in plot:
        tag = kind.tag.rsplit("}", 1)[-1]
        if tag.endswith("Chart"):
            details = [kind.find(f"c:{key}", _NS) for key in ("barDir", "grouping")]
            detail = " ".join(d.get("val", "") for d in details if d is not None)
            lines.append(f"    {tag} {detail}".rstrip())
            for series in kind.findall("c:ser", _NS):
                lines.append(f"      series {_texts(series.find('c:tx', _NS))}: "
                             f"categories {_texts(series.find('c:cat', _NS))} "
                             f"values {_texts(series.find('c:val', _NS))}")
        elif tag.endswith("Ax"):
            axis_title = _texts(kind.find("c:title", _NS))
            if axis_title:
                lines.append(f"    {tag} title {axis_title}")
    return lines


# ---------------------------------------------------------------------------------------
# The goldens on disk


def golden_names() -> list[str]:
    if not GOLDEN_DIR.is_dir():
        return []
    return sorted(p.relative_to(GOLDEN_DIR).as_posix() for p in GOLDEN_DIR.rglob("*")
                  if p.is_file() and not (p.parent == GOLDEN_DIR and p.name in KEEP))


def read_golden(name: str) -> str:
    return (GOLDEN_DIR / name).read_text(encoding="utf-8")


def write_goldens(outputs: dict[str, str]) -> None:
    """Replace every golden by `outputs` (the README and .gitattributes stay)."""
    for name in golden_names():
        (GOLDEN_DIR / name).unlink()
    for folder in sorted((p for p in GOLDEN_DIR.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    for name, text in outputs.items():
        target = GOLDEN_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)


def diff_text(name: str, expected: str, actual: str, limit: int = 80) -> str:
    """A unified diff, trimmed to `limit` lines of at most 240 characters."""
    lines = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                      f"tests/golden/{name}", "built from the working tree",
                                      lineterm="", n=2))
    shown = [line if len(line) <= 240 else line[:240] + " …" for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"… {len(lines) - limit} more diff lines")
    return "\n".join(shown)


def summary(outputs: dict[str, str]) -> str:
    total = sum(len(text.encode("utf-8")) for text in outputs.values())
    return f"{len(outputs)} outputs, {total / 1024:.0f} KiB of normalised text"
