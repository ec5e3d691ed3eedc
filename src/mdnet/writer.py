"""The one atomic write routine every writer uses, and the guard for report notes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import RefusedError

GENERATED_MARK = "generated_by: mdnet"


def is_generated(path: Path) -> bool:
    """Whether a note carries mdnet's own marker in its front matter."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    lines = head.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return False
    for line in lines[1:]:
        if line.rstrip() in ("---", "..."):
            return False
        if line.strip() == GENERATED_MARK:
            return True
    return False


def write_report_note(path: Path, text: str, vault: Path | None = None) -> bool:
    """Write a report note over a missing file or one of mdnet's own; returns whether the
    bytes changed (an unchanged report is not rewritten, so sync tools see no churn)."""
    data = text.encode("utf-8")
    if path.exists() or path.is_symlink():
        if not is_generated(path):
            raise RefusedError(
                f"{path}: not overwritten: it has no `{GENERATED_MARK}` in its front matter"
            )
        with contextlib.suppress(OSError):
            if path.read_bytes() == data:
                return False
    atomic_write(path, data, vault=vault)
    return True


def atomic_write(
    path: Path, data: bytes, mode: int | None = None, vault: Path | None = None
) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a mix:
    a temporary file in the same folder, flushed and fsynced, then renamed over. A link is
    written through to its target (never replaced), and only to a target inside `vault`."""
    target = path
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if vault is not None and not target.is_relative_to(os.path.realpath(vault)):
            raise RefusedError(f"{path}: not written: it links to a file outside the vault")
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=".mdnet-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
