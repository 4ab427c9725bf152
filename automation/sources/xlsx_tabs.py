"""Write Sheet Clerk's own tabs into an officer's xlsx/xlsm without touching anything else.

Only those two: a register kept as .xlsb, .xls, .et, .ett or .ods is skipped with one
line (`writeback.not_ooxml`) asking for it to be saved as .xlsx.

The workbook package is edited at the part level: an owned tab is a worksheet part of
its own (inline strings, so the shared-string table is untouched, no styles), and only
the index parts that list sheets change (`xl/workbook.xml`, its relationships,
`[Content_Types].xml`, `docProps/app.xml`). Every other part is copied byte for byte —
charts, images, comments, validation, defined names, the VBA project. Owned tabs are
replaced in place on the next run, and new ones go last so no sheet index moves.

Safety: nothing is written while Excel/WPS/LibreOffice holds a lock file beside the
workbook, or if the file changed since it was read; the new file is written beside the
old one and swapped in atomically; the last originals are kept in the state folder; and
the result is read back to check the officers' sheets are value for value unchanged.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .._io import atomic_path, sha256_file
from .base import WriteBackSkipped
from .readable import open_readable
from .sheetml import sheet_xml

KEEP_BACKUPS = 5
WRITABLE_SUFFIXES = (".xlsx", ".xlsm")
"""Only an OOXML package can take a tab at the part level; .xlsb, .xls, .et, .ett and
.ods registers are read, never written."""
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
SHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*/>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_WORKSHEETS_COUNT = re.compile(
    "(<vt:lpstr>(?:Worksheets|工作表)</vt:lpstr></vt:variant>\\s*<vt:variant>\\s*<vt:i4>)"
    "(\\d+)(</vt:i4>)".encode()
)


def lock_holder(path: Path) -> str | None:
    """The name in an Excel/WPS (`~$name`) or LibreOffice (`.~lock.name#`) lock file beside
    the workbook: '' when a lock exists but names nobody, None when there is none."""
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if not lock.exists():
            continue
        try:
            data = lock.read_bytes()[:512]
        except OSError:
            return ""
        if lock.name.startswith(".~lock."):
            return data.decode("utf-8", "replace").split(",")[1].strip() if b"," in data else ""
        if len(data) > 0x36 + 2:
            wide = data[0x36:].decode("utf-16-le", "ignore").split("\x00")[0].strip()
            if wide:
                return wide
        if data:
            return data[1:1 + data[0]].decode("gb18030", "ignore").strip()
        return ""
    return None


@dataclass
class _Package:
    infos: list[zipfile.ZipInfo]
    parts: dict[str, bytes]

    def text(self, name: str) -> bytes:
        return self.parts[name]


def _read(path: Path) -> _Package:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        return _Package(infos, {i.filename: archive.read(i) for i in infos})


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in _ATTR.findall(tag)}


def _sheets(workbook: bytes) -> list[tuple[re.Match[bytes], dict[str, str]]]:
    return [(m, _attrs(m.group(0))) for m in _SHEET_TAG.finditer(workbook)]


def _rel_target(rels: bytes, rel_id: str) -> str | None:
    for m in re.finditer(rb"<Relationship\b[^>]*/>", rels):
        attrs = _attrs(m.group(0))
        if attrs.get("Id") == rel_id:
            target = attrs.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else str(
                PurePosixPath("xl") / target)
    return None


def _unescape_attr(value: str) -> str:
    return (value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _insert_before(data: bytes, closing: bytes, addition: bytes) -> bytes:
    at = data.rfind(closing)
    if at < 0:
        raise ValueError(closing)
    return data[:at] + addition + data[at:]


def _update_app(app: bytes, names: list[str]) -> bytes:
    """Add new sheet titles to docProps/app.xml (TitlesOfParts and the Worksheets count)."""
    if not names or b"<TitlesOfParts>" not in app:
        return app
    added = "".join(f"<vt:lpstr>{escape(n)}</vt:lpstr>" for n in names).encode("utf-8")
    titles = re.search(rb"(<TitlesOfParts>\s*<vt:vector\b[^>]*size=\")(\d+)(\"[^>]*>)(.*?)"
                       rb"(</vt:vector>)", app, re.S)
    if not titles:
        return app
    size = int(titles.group(2)) + len(names)
    app = (app[:titles.start()] + titles.group(1) + str(size).encode() + titles.group(3)
           + titles.group(4) + added + titles.group(5) + app[titles.end():])
    heading = _WORKSHEETS_COUNT.search(app)
    if heading:
        app = (app[:heading.start()] + heading.group(1)
               + str(int(heading.group(2)) + len(names)).encode() + heading.group(3)
               + app[heading.end():])
    return app


def plan_package(package: _Package, tabs: dict[str, list[list[Any]]]) -> dict[str, bytes]:
    """The parts to write: replaced owned sheets, new ones, and the updated index parts."""
    workbook = package.text("xl/workbook.xml")
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = package.text(rels_name)
    types = package.text("[Content_Types].xml")
    changed: dict[str, bytes] = {}
    existing = {_unescape_attr(a.get("name", "")): a for _, a in _sheets(workbook)}
    new_names: list[str] = []
    sheet_ids = [int(a.get("sheetId", "0")) for _, a in _sheets(workbook)]
    rel_ids = {m.decode() for m in re.findall(rb'Id="([^"]+)"', rels)}
    for name, rows in tabs.items():
        content = sheet_xml(rows)
        if name in existing:
            target = _rel_target(rels, existing[name].get("r:id", ""))
            if target is None or target not in package.parts:
                raise ValueError(f"sheet {name!r} has no part")
            changed[target] = content
            continue
        number = 1
        while f"xl/worksheets/sheet{number}.xml" in package.parts or (
                f"xl/worksheets/sheet{number}.xml" in changed):
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        rel_id = "rIdClerk1"
        while rel_id in rel_ids:
            rel_id = f"rIdClerk{int(rel_id[8:]) + 1}"
        rel_ids.add(rel_id)
        sheet_id = max(sheet_ids, default=0) + 1
        sheet_ids.append(sheet_id)
        changed[part] = content
        workbook = _insert_before(workbook, b"</sheets>", (
            f"<sheet name={quoteattr(name)} sheetId=\"{sheet_id}\" r:id=\"{rel_id}\"/>"
        ).encode())
        rels = _insert_before(rels, b"</Relationships>", (
            f'<Relationship Id="{rel_id}" Type="{SHEET_TYPE}" '
            f'Target="worksheets/sheet{number}.xml"/>').encode())
        types = _insert_before(types, b"</Types>", (
            f'<Override PartName="/{part}" ContentType="{SHEET_CONTENT}"/>').encode())
        new_names.append(name)
    if new_names:
        if b'xmlns:r="' not in workbook[:workbook.find(b">", workbook.find(b"<workbook"))]:
            raise ValueError("workbook.xml without the r namespace prefix")
        changed["xl/workbook.xml"] = workbook
        changed[rels_name] = rels
        changed["[Content_Types].xml"] = types
        if "docProps/app.xml" in package.parts:
            changed["docProps/app.xml"] = _update_app(package.text("docProps/app.xml"),
                                                      new_names)
    return changed


def _values(path: Path, skip: set[str]) -> dict[str, list[list[Any]]]:
    """Every sheet's values but `skip`'s; a workbook python-calamine cannot open as it is
    (an Excel 4 macro sheet) is read from a copy without the sheets it cannot tell apart."""
    with open_readable(path) as book:
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                for name in book.sheet_names if name not in skip}


@dataclass
class WriteBack:
    path: Path
    tabs: list[str]
    backup: Path


def write_owned_tabs(path: Path, tabs: dict[str, list[list[Any]]], *, expected: str | None,
                     backups: Path) -> WriteBack:
    """Add or replace `tabs` in the workbook at `path`; raise WriteBackSkipped instead of
    writing when it is not an .xlsx/.xlsm, or is locked or changed since it was read
    (`expected` fingerprint)."""
    if path.suffix.lower() not in WRITABLE_SUFFIXES:
        raise WriteBackSkipped("writeback.not_ooxml", path=str(path), suffix=path.suffix or "-")
    holder = lock_holder(path)
    if holder is not None:
        raise WriteBackSkipped("writeback.locked", path=str(path), holder=holder or "?")
    if expected is not None and sha256_file(path) != expected:
        raise WriteBackSkipped("writeback.changed", path=str(path))
    package = _read(path)
    try:
        changed = plan_package(package, tabs)
    except (KeyError, ValueError) as exc:
        raise WriteBackSkipped("writeback.unsupported", path=str(path), detail=str(exc)
                               ) from None
    before = _values(path, set(tabs))
    names = [i.filename for i in package.infos] + sorted(set(changed) - set(package.parts))
    infos = {i.filename: i for i in package.infos}
    # the temporary keeps the workbook's suffix: python-calamine reads it back by its name
    with atomic_path(path, durable=True, keep_suffix=True) as temp:
        with zipfile.ZipFile(temp, "w") as out:
            for name in names:
                info = infos.get(name)
                if info is None:
                    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, changed.get(name, package.parts.get(name, b"")))
        after = _values(temp, set(tabs))
        if after != before:
            raise WriteBackSkipped("writeback.verify_failed", path=str(path))
        backups.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = backups / f"{path.stem}.{stamp}{path.suffix}"
        shutil.copy2(path, backup)
        for old in sorted(backups.glob(f"{path.stem}.*{path.suffix}"))[:-KEEP_BACKUPS]:
            old.unlink(missing_ok=True)
        if expected is not None and sha256_file(path) != expected:
            raise WriteBackSkipped("writeback.changed", path=str(path))
    return WriteBack(path, list(tabs), backup)
