"""Atomic writes and hashing (automation/_io.py): nobody sees half a file, a failure leaves
the old one, and no temporary is left behind."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from automation._io import (
    atomic_path,
    sha256_file,
    sha256_text,
    sync,
    temp_path,
    write_bytes,
    write_text,
)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.csv"
    write_bytes(target, b"old and longer")
    write_bytes(target, b"new", durable=True)
    assert target.read_bytes() == b"new"
    write_text(target, "第一行\n第二行\n", newline="\n")
    assert target.read_bytes() == "第一行\n第二行\n".encode()
    assert leftovers(target.parent) == []


def test_a_failure_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "dashboard.html"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("the renderer broke")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_the_temporary_is_hidden_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "book.xlsx"
    plain = temp_path(target)
    kept = temp_path(target, keep_suffix=True)
    marked = temp_path(target, marker=".partial-")
    assert plain.parent == kept.parent == marked.parent == tmp_path
    assert plain.name.startswith(".book.xlsx.") and plain.suffix == ".tmp"
    assert kept.name.startswith(".book.") and kept.suffix == ".xlsx"
    assert marked.name.startswith(".book.xlsx.partial-")
    assert temp_path(target) != plain  # fresh each time
    with atomic_path(target, keep_suffix=True) as temp:
        assert temp.exists() and temp.stat().st_size == 0 and temp.suffix == ".xlsx"
        temp.write_bytes(b"PK")
    assert target.read_bytes() == b"PK"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_text(tmp_path / "report.html", "x")
        write_text(tmp_path / "token.json", "{}", mode=0o600)
    finally:
        os.umask(old)
    assert (tmp_path / "report.html").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
    assert (tmp_path / "token.json").stat().st_mode & 0o777 == 0o600


def test_sync_and_rename_by_hand(tmp_path: Path) -> None:
    final = tmp_path / "a.eml"
    temp = temp_path(final)
    temp.write_bytes(b"mail")
    sync(temp)
    os.replace(temp, final)
    assert final.read_bytes() == b"mail" and leftovers(tmp_path) == []


def test_hashing(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 17)  # more than one block
    big.write_bytes(data)
    assert sha256_file(big) == hashlib.sha256(data).hexdigest()
    assert sha256_text("钥匙") == hashlib.sha256("钥匙".encode()).hexdigest()
