"""Writing files so that nobody ever sees half of one, and hashing them.

Every file Sheet Clerk writes goes through `atomic_path` (or its shorthands
`write_bytes` / `write_text`): the content goes to a hidden temporary file in the same
folder, is synced to disk when the caller needs durability, and `os.replace` gives it its
final name in one step — a synced folder, an open browser tab or a crashed run sees the
old file or the new one, never a mix. A failure leaves the old file and no temporary.

Callers that write many files and want to sync them together (the outbox) use the parts:
`temp_path`, `sync` and `os.replace`.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = write_text(folder / "note.txt", "你好")
>>> sha256_file(folder / "note.txt")[:12]
'670d9743542c'
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHUNK = 1 << 20
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)


def safe_file_name(name: str) -> str:
    """A sheet or office name usable as a file name on Windows as well as Linux."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip().rstrip(". ") or "_"
    return f"_{cleaned}" if _RESERVED.match(cleaned) else cleaned


def temp_path(path: Path, *, keep_suffix: bool = False, marker: str | None = None) -> Path:
    """A fresh hidden name beside `path` for its temporary: `.NAME.<random>.tmp`; with
    `keep_suffix` `.STEM.<random>.tmp.SUFFIX` (for readers that go by the extension); with
    `marker` `.NAME<marker><random>` (for a cleaner that looks for the marker). Nothing
    is created."""
    token = secrets.token_hex(4)
    if marker is not None:
        return path.with_name(f".{path.name}{marker}{token}")
    if keep_suffix:
        return path.with_name(f".{path.stem}.{token}.tmp{path.suffix}")
    return path.with_name(f".{path.name}.{token}.tmp")


def sync(path: Path) -> None:
    """Flush a written file to the disk (before it is renamed into place)."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


@contextmanager
def atomic_path(path: Path, *, durable: bool = False, mode: int = 0o666,
                keep_suffix: bool = False, marker: str | None = None) -> Iterator[Path]:
    """Yield an empty temporary file beside `path` to write (by any means: open it, hand
    it to xlsxwriter or zipfile); when the block ends without an exception it replaces
    `path` (synced first when `durable`), otherwise it is removed and `path` is untouched.

    The temporary is created with `mode` (less the umask; 0o600 for credentials) — not
    by `tempfile`, whose 0600 would make every report private. The folder is created
    when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(path, keep_suffix=keep_suffix, marker=marker)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    os.close(os.open(temp, flags, mode))
    try:
        yield temp
        if durable:
            sync(temp)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes, *, durable: bool = False, mode: int = 0o666) -> Path:
    """`data` as the whole of `path`, atomically."""
    with atomic_path(path, durable=durable, mode=mode) as temp:
        temp.write_bytes(data)
    return path


def write_text(path: Path, text: str, *, encoding: str = "utf-8", newline: str | None = None,
               durable: bool = False, mode: int = 0o666) -> Path:
    """`text` as the whole of `path`, atomically (`newline` as for `open`)."""
    with atomic_path(path, durable=durable, mode=mode) as temp, \
            open(temp, "w", encoding=encoding, newline=newline) as handle:
        handle.write(text)
    return path


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes as hex, read in 1 MiB blocks (any size, little memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def copy_hashed(source: Path, target: Path) -> str:
    """Copy `source` to `target` byte for byte in 1 MiB blocks and return the SHA-256 of
    what was copied (the copy's, whatever happens to `source` meanwhile)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with open(source, "rb") as src, open(target, "wb") as dst:
        while block := src.read(CHUNK):
            digest.update(block)
            dst.write(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    """The SHA-256 of text's UTF-8 bytes as hex (stable names and ids made from keys)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


__all__ = ["atomic_path", "copy_hashed", "safe_file_name", "sha256_file", "sha256_text",
           "sync", "temp_path", "write_bytes", "write_text"]
