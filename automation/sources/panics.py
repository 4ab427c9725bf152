"""Rust panic messages kept off the officer's screen while python-calamine reads.

A malformed workbook can still make the Rust reader panic. python-calamine turns the panic
into an exception, which the source turns into its one clear line; but Rust has already
written `thread '...' panicked at ...` (and, with RUST_BACKTRACE set, a backtrace) straight
to file descriptor 2, where no Python code can stop it. So while the reader runs,
`panics_hidden()` points descriptor 2 at a temporary file; afterwards whatever was written
there that is not panic output goes on to the real stderr, in the order it came (a
warning printed by another thread meanwhile is only late, never lost).

Reads may run in several threads at once, and one may be nested in another: the redirect
is counted under a lock, made by the first to enter and undone by the last to leave.
os.dup and os.dup2 exist on Windows too, where dup2 onto descriptor 2 also moves the
process's standard error handle (the one Rust writes to) in a console program.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

PANIC_START = re.compile(rb"thread '[^\n]*panicked at ")
PANIC_END = re.compile(rb"note: (?:run with `RUST_BACKTRACE|Some details are omitted)")
"""The note that ends a panic's output (after its backtrace, when there is one)."""
BACKTRACE_START = b"stack backtrace:"
BACKTRACE_LINE = re.compile(rb"\s+(?:\d+: |at )")


def without_panics(data: bytes) -> bytes:
    """`data` (what was written to stderr) without Rust's panic output: from the blank
    line before each `thread '...' panicked at` line, through its message and backtrace,
    to the note that ends it (or, without a note, to the first line that is not part of
    a backtrace)."""
    kept: list[bytes] = []
    in_panic = in_backtrace = False
    for line in data.splitlines(keepends=True):
        if PANIC_START.match(line):
            if kept and not kept[-1].strip():
                kept.pop()  # Rust starts a panic's output with a line break of its own
            in_panic, in_backtrace = True, False
            continue
        if in_panic:
            if PANIC_END.match(line):
                in_panic = False
                continue
            if line.startswith(BACKTRACE_START):
                in_backtrace = True
                continue
            if not in_backtrace or BACKTRACE_LINE.match(line):
                continue
            in_panic = False  # RUST_BACKTRACE=full ends without a note
        kept.append(line)
    return b"".join(kept)


class _Redirect:
    """Descriptor 2 pointed at a temporary file while at least one reader runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None
        self._capture: IO[bytes] | None = None

    def enter(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._start()
            self._depth += 1

    def leave(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._stop()

    def _start(self) -> None:
        _flush()
        try:
            saved = os.dup(2)
        except OSError:  # no standard error at all (a windowless program): nothing to hide
            return
        capture: IO[bytes] | None = None
        try:
            # Open until the last reader leaves (`_stop` closes it), so not a `with` here.
            capture = tempfile.TemporaryFile(prefix="clerk-stderr-")  # noqa: SIM115
            os.dup2(capture.fileno(), 2)
        except OSError:
            os.close(saved)
            if capture is not None:
                capture.close()
            return
        self._saved, self._capture = saved, capture

    def _stop(self) -> None:
        saved, capture = self._saved, self._capture
        if saved is None or capture is None:
            return
        self._saved = self._capture = None
        _flush()
        try:
            os.dup2(saved, 2)
        finally:
            os.close(saved)
        with capture:
            capture.seek(0)
            kept = without_panics(capture.read())
        while kept:
            try:
                written = os.write(2, kept)
            except OSError:
                return
            kept = kept[written:]


def _flush() -> None:
    """What Python holds for stderr goes out before descriptor 2 changes hands."""
    for stream in (sys.stderr, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


_REDIRECT = _Redirect()


@contextmanager
def panics_hidden() -> Iterator[None]:
    """Rust panic output written meanwhile is dropped; anything else on stderr is kept."""
    _REDIRECT.enter()
    try:
        yield
    finally:
        _REDIRECT.leave()
