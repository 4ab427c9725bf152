"""The outbox: each digest written as a real e-mail (`.eml`) and its Markdown (`.md`) in a
folder per run day. Nothing leaves the machine; it is the default channel."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..._io import sha256_text, sync, temp_path
from ...config import OfficeConfig
from ...i18n import t
from ..message import DeliveryError, Message
from .mail import DEFAULT_SENDER, email_or_error

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\s]+')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)


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
        """Write every message, then sync them all to disk, then give each file its final
        name; returns each message's problem or None. Syncing after all the writes costs a
        fraction of syncing each file as it is written, and a file never shows half-written
        under its final name (the steps of `automation._io.atomic_path`, batched)."""
        staged: list[list[tuple[Path, Path]]] = []
        problems: list[DeliveryError | None] = []
        for message in messages:
            folder = self.folder / self._day(message.key).isoformat()
            stem = safe_name(message.key)
            files: list[tuple[Path, Path]] = []
            try:
                mail = email_or_error(message, self.sender).as_bytes()
                folder.mkdir(parents=True, exist_ok=True)
                for suffix, data in ((".md", message.text.encode("utf-8")), (".eml", mail)):
                    final = folder / f"{stem}{suffix}"
                    temp = temp_path(final)
                    files.append((temp, final))
                    temp.write_bytes(data)
            except DeliveryError as exc:
                problems.append(exc)
            except OSError as exc:
                problems.append(self._failed(folder, exc))
            else:
                problems.append(None)
            staged.append(files)
        for index, files in enumerate(staged):
            try:
                if problems[index] is None:
                    for temp, _ in files:
                        sync(temp)
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
