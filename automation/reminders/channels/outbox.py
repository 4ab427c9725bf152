"""The outbox: each digest written as a real e-mail (`.eml`) and its Markdown (`.md`) in a
folder per run day. Nothing leaves the machine; it is the default channel."""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..._io import sha256_text, sync, temp_path
from ...config import OfficeConfig
from ...i18n import t
from ..message import DeliveryError, Message
from .mail import DEFAULT_SENDER, email_or_error

SYNC_THREADS = 8
"""Messages written and synced at once. The benchmark's 4,000 files took 9-12 s to sync
one after another while other work used the machine's disk, 0.5 s eight at a time."""

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


def _write_and_sync(files: list[tuple[Path, Path]], data: tuple[bytes, ...]) -> None:
    """Each temporary file of `files` written with its `data`, then synced."""
    for (temp, _), content in zip(files, data, strict=True):
        temp.write_bytes(content)
    for temp, _ in files:
        sync(temp)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a batch of e-mails is built. markdown-it and
    the e-mail classes make hundreds of short-lived objects per message, which set off
    full collections that walk every object of the run again and again (about 1 s of the
    benchmark's 2,000 messages); what they leave is freed by reference counting (the
    batch leaves a few dozen objects in cycles, collected once it is over)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def safe_name(key: str, limit: int = 80) -> str:
    """A file name from `key` that is valid on Windows, macOS and Linux; a short hash is
    added whenever the key had to change, so two keys never share a file."""
    name = _UNSAFE.sub("_", key).strip(" ._")[:limit].rstrip(" .")
    if not name or _RESERVED.match(name):
        name = f"_{name}"
    if name != key:
        name += "-" + sha256_text(key)[:8]
    return name


class OutboxSender:
    """Writes each message as `<day>/<key>.eml` and `<day>/<key>.md`; nothing leaves
    the machine."""

    name = "outbox"

    def __init__(self, config: OfficeConfig) -> None:
        self.folder = config.resolve(config.channels.outbox.dir)
        email = config.channels.email
        self.sender = email.sender if email is not None else DEFAULT_SENDER
        self.timezone = config.office.timezone

    def _day(self, key: str) -> date:
        """The run day the key starts with (`YYYYMMDD-...`), else today in the office."""
        if match := re.match(r"(\d{4})(\d{2})(\d{2})(?!\d)", key):
            with contextlib.suppress(ValueError):
                return date(*(int(part) for part in match.groups()))
        try:
            return datetime.now(ZoneInfo(self.timezone)).date()
        except (KeyError, ValueError):
            return date.today()

    def send(self, message: Message) -> None:
        problem = self.send_all([message])[0]
        if problem is not None:
            raise problem

    def send_all(self, messages: Sequence[Message]) -> list[DeliveryError | None]:
        """Write every message, sync them all to disk, then give each file its final name;
        returns each message's problem or None. A file never shows half-written under
        its final name (the steps of `automation._io.atomic_path`, batched). The files
        are written and synced by a pool of threads while the next messages are built:
        both wait for the disk, not for Python, and the file system commits the syncs
        that wait together at once."""
        staged: list[list[tuple[Path, Path]]] = []
        problems: list[DeliveryError | None] = []
        written: list[Future[None] | None] = []
        folders: set[Path] = set()
        with ThreadPoolExecutor(SYNC_THREADS, thread_name_prefix="outbox") as pool:
            with _collector_paused():
                for message in messages:
                    folder = self.folder / self._day(message.key).isoformat()
                    stem = safe_name(message.key)
                    files = [(temp_path(final), final) for final in
                             (folder / f"{stem}.md", folder / f"{stem}.eml")]
                    staged.append(files)
                    written.append(None)
                    try:
                        data = (message.text.encode("utf-8"),
                                email_or_error(message, self.sender).as_bytes())
                        if folder not in folders:
                            folder.mkdir(parents=True, exist_ok=True)
                            folders.add(folder)
                    except DeliveryError as exc:
                        problems.append(exc)
                    except OSError as exc:
                        problems.append(self._failed(folder, exc))
                    else:
                        problems.append(None)
                        written[-1] = pool.submit(_write_and_sync, files, data)
            for index, files in enumerate(staged):
                try:
                    if (done := written[index]) is not None:
                        done.result()
                        for temp, final in files:
                            os.replace(temp, final)
                except OSError as exc:
                    problems[index] = self._failed(files[0][1].parent, exc)
                finally:
                    for temp, _ in files:
                        with contextlib.suppress(OSError):
                            temp.unlink(missing_ok=True)
        return problems

    @staticmethod
    def _failed(folder: Path, exc: OSError) -> DeliveryError:
        return DeliveryError(
            t("channel.outbox_write", path=str(folder), detail=exc.strerror or str(exc)),
            transient=False)

    def close(self) -> None:
        pass


__all__ = ["OutboxSender", "safe_name"]
