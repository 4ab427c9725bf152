"""BagIt (RFC 8493) through bagit-python: make a bag in place, zip it reproducibly, read
its bag-info, and verify one — naming every file that is missing, altered or unexpected
rather than stopping at the first, so next year's officers know what to ask about."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import bagit

from .._io import atomic_path, sha256_file
from ..errors import SourceError

CHECKSUMS = ("sha256", "sha512")
"""bagit-python's defaults: what any BagIt tool checks."""
MAX_ZIP_BYTES = 64 * 1024**3
MAX_ZIP_RATIO = 200

_log = logging.getLogger("bagit")
_log.addHandler(logging.NullHandler())
_log.propagate = False


def make_bag(folder: Path, info: dict[str, str | list[str]]) -> None:
    """Turn `folder` into a bag in place (its contents become `data/`). The tag manifests
    are written sorted, so the same payload and info give the same bytes."""
    bagit.make_bag(str(folder), bag_info=dict(info), checksums=list(CHECKSUMS), processes=1)
    for algorithm in CHECKSUMS:
        path = folder / f"tagmanifest-{algorithm}.txt"
        lines = path.read_text(encoding="utf-8").splitlines()
        lines.sort(key=lambda line: line.split(" ", 1)[1])
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8", newline="\n")


def fingerprint(folder: Path) -> str:
    """A short name for the whole bag: the SHA-256 of its tag manifest, which covers every
    checksum and the bag-info. Worth writing on the paper handover form."""
    manifest = folder / "tagmanifest-sha256.txt"
    if not manifest.is_file():
        return ""
    digest = sha256_file(manifest)[:16]
    return "-".join(digest[i:i + 4] for i in range(0, 16, 4))


def zip_bag(folder: Path, target: Path, stamp: date) -> Path:
    """`target` (a .zip) holding `folder` under its own name, entries sorted and dated
    `stamp`, written beside the target and renamed into place when complete."""
    moment = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    # named `.NAME.partial-…` (archive.PARTIAL) so a killed run's leftover is pruned
    with atomic_path(target, durable=True, marker=".partial-") as temp, \
            zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            name = PurePosixPath(target.stem, *path.relative_to(folder).parts)
            info = zipfile.ZipInfo(str(name), date_time=moment)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with path.open("rb") as source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
    return target


def parse_info(text: str) -> dict[str, list[str]]:
    """bag-info.txt as tag -> values (a tag may repeat; continuation lines are joined)."""
    info: dict[str, list[str]] = {}
    last: str | None = None
    for line in text.lstrip("\ufeff").splitlines():
        if line[:1] in (" ", "\t") and last:
            info[last][-1] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            last = name.strip()
            info.setdefault(last, []).append(value.strip())
    return info


def read_info(path: Path) -> dict[str, list[str]] | None:
    """The bag-info of a bag folder or a zipped bag; None when `path` is not a bag."""
    if path.is_dir():
        if not (path / "bagit.txt").is_file():
            return None
        info = path / "bag-info.txt"
        return parse_info(info.read_text(encoding="utf-8")) if info.is_file() else {}
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = {PurePosixPath(n) for n in archive.namelist()}
            tops = {n.parts[0] for n in names if n.parts}
            if len(tops) != 1:
                return None
            top = tops.pop()
            if PurePosixPath(top, "bagit.txt") not in names:
                return None
            info_name = PurePosixPath(top, "bag-info.txt")
            if info_name not in names:
                return {}
            return parse_info(archive.read(str(info_name)).decode("utf-8", errors="replace"))
    return None


@dataclass(frozen=True)
class Problem:
    kind: str
    """missing | altered | unexpected | invalid"""
    path: str
    detail: str = ""


@dataclass
class Verification:
    path: Path
    info: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    def tag(self, name: str) -> str:
        return (self.info.get(name) or [""])[0]

    def to_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "ok": self.ok, "files": self.files,
                "fingerprint": self.fingerprint,
                "info": {k: v if len(v) > 1 else v[0] for k, v in self.info.items()},
                "problems": [{"kind": p.kind, "path": p.path, "detail": p.detail}
                             for p in self.problems]}


def _posix(path: str) -> str:
    return path.replace(os.sep, "/")


def _hashes(path: Path, algorithms: list[str]) -> dict[str, str]:
    hashers = {a: hashlib.new(a) for a in algorithms}
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            for hasher in hashers.values():
                hasher.update(block)
    return {a: h.hexdigest() for a, h in hashers.items()}


def verify_folder(folder: Path, shown_as: Path) -> Verification:
    """Check a bag folder: every file in the manifests present and unchanged, nothing
    added to the payload, then bagit-python's own `validate()` as the final word."""
    result = Verification(shown_as)
    try:
        bag = bagit.Bag(str(folder))
    except bagit.BagError as exc:
        result.problems.append(Problem("invalid", "", str(exc)))
        return result
    result.info = {k: v if isinstance(v, list) else [v] for k, v in bag.info.items()}
    missing, unexpected = bag.compare_manifests_with_fs()
    gone = {_posix(p) for p in missing}
    result.problems += [Problem("missing", p) for p in sorted(gone)]
    result.problems += [Problem("unexpected", p)
                        for p in sorted(_posix(p) for p in unexpected)]
    for rel_path, hashes in sorted(bag.entries.items()):
        name = _posix(rel_path)
        path = folder / name
        if name in gone or not path.is_file():
            continue
        result.files += name.startswith("data/")
        found = _hashes(path, sorted(hashes))
        if any(found[a] != hashes[a].lower() for a in hashes):
            result.problems.append(Problem("altered", name))
    if not result.problems:
        try:
            bag.validate(processes=1)
        except bagit.BagError as exc:
            result.problems.append(Problem("invalid", "", str(exc)))
    result.fingerprint = fingerprint(folder)
    return result


@contextmanager
def _unzipped(path: Path) -> Iterator[Path]:
    """A zipped bag extracted to a temporary folder, refusing paths that climb out of it
    and archives that would inflate beyond reason."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise SourceError("archive.not_a_bag", path=str(path)) from None
    with archive, tempfile.TemporaryDirectory(prefix="clerk-verify-") as temp:
        total = 0
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in info.filename:
                raise SourceError("archive.unsafe_zip", path=str(path), name=info.filename)
            total += info.file_size
            if total > MAX_ZIP_BYTES or info.file_size > MAX_ZIP_RATIO * max(
                    info.compress_size, 1024):
                raise SourceError("archive.unsafe_zip", path=str(path), name=info.filename)
        archive.extractall(temp)
        entries = [p for p in Path(temp).iterdir()]
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else Path(temp)
        yield root


def verify(path: Path) -> Verification:
    """Verify a bag folder or a zipped bag (exit 0 only when intact)."""
    path = Path(path)
    if not path.exists():
        raise SourceError("archive.not_found", path=str(path))
    if path.is_dir():
        if not (path / "bagit.txt").is_file():
            raise SourceError("archive.not_a_bag", path=str(path))
        return verify_folder(path, path)
    with _unzipped(path) as root:
        if not (root / "bagit.txt").is_file():
            raise SourceError("archive.not_a_bag", path=str(path))
        return verify_folder(root, path)
