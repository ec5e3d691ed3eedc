"""Finding the notes of a vault: which files count, with the stat fingerprint of each."""

from __future__ import annotations

import marshal
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from stat import S_IFMT, S_IFREG

from .config import Config
from .hashing import blake2b

NOTE_SUFFIX = ".md"
CONFLICT_MARK = ".sync-conflict-"


_FILE_TYPE = S_IFMT(0o177777)
_REGULAR = S_IFREG

Fingerprint = tuple[int, int]  # (stamp, size): a plain tuple, there are 100,000 of them


@dataclass
class Scan:
    """The result of walking a vault: its notes and what was passed over."""

    notes: list[tuple[str, int, int]] = field(default_factory=list)  # (path, stamp, size)
    conflict_copies: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    outside_links: list[str] = field(default_factory=list)
    symlinked: list[str] = field(default_factory=list)  # notes reached through a file link
    other_links: list[str] = field(default_factory=list)  # folder links, broken links

    def digest(self) -> str:
        """Of everything the walk found: equal digests, equal walks (marshal is C-fast and
        stable for these plain lists)."""
        found = (self.notes, self.conflict_copies, self.loops, self.unreadable, self.outside_links)
        return blake2b(marshal.dumps(found), digest_size=16).hexdigest()


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A gitignore-like glob: `**` crosses folders, `*` and `?` do not."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            if pattern.startswith("/", i):  # `a/**/b` also matches `a/b`
                out[-1] = "(?:.*/)?"
                i += 1
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def is_ignored(rel: str, patterns: tuple[str, ...], is_dir: bool = False) -> bool:
    name = rel.rsplit("/", 1)[-1]
    candidate = rel + "/" if is_dir else rel
    for pattern in patterns:
        pattern = pattern.strip().lstrip("/")
        if not pattern:
            continue
        regex = glob_regex(pattern.rstrip("/") + ("/**" if pattern.endswith("/") else ""))
        if regex.fullmatch(candidate) or (is_dir and regex.fullmatch(rel)):
            return True
        if "/" not in pattern and regex.fullmatch(name):
            return True
    return False


def scan_vault(config: Config) -> Scan:
    """Every note of the vault (`/`-separated path, stamp, size); skips dot names, sync-conflict
    copies and ignored paths, and follows a folder link only once (loops are reported).

    Every command pays for this walk, so the loop over files does as little as it can:
    one `stat` a note, and the type checks that `scandir` answers without a system call."""
    scan = Scan()
    root = str(config.vault)
    try:
        st = os.stat(root)
    except OSError as exc:
        scan.unreadable.append((".", exc.strerror or str(exc)))
        return scan
    seen_dirs: set[tuple[int, int]] = {(st.st_dev, st.st_ino)}
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as entries:
                subfolders = _scan_folder(entries, prefix, config.ignore, scan)
        except OSError as exc:
            scan.unreadable.append((prefix.rstrip("/") or ".", exc.strerror or str(exc)))
            continue
        for path, rel in subfolders:
            try:
                dst = os.stat(path)
            except OSError as exc:
                scan.unreadable.append((rel, exc.strerror or str(exc)))
                continue
            key = (dst.st_dev, dst.st_ino)
            if key in seen_dirs:
                scan.loops.append(rel)
                continue
            seen_dirs.add(key)
            stack.append((path, rel + "/"))
    if scan.symlinked:
        vault_real = os.path.realpath(root)
        for rel in scan.symlinked:
            if not _inside(os.path.realpath(os.path.join(root, rel)), vault_real):
                scan.outside_links.append(rel)
    return scan


def _scan_folder(
    entries: Iterator[os.DirEntry[str]], prefix: str, ignore: tuple[str, ...], scan: Scan
) -> list[tuple[str, str]]:
    """Record the notes of one folder in `scan`; returns its subfolders (path, rel)."""
    add_note = scan.notes.append
    file_type, regular = _FILE_TYPE, _REGULAR  # locals: this loop runs once per file
    factor, mask = _STAMP_FACTOR, _STAMP_MASK  # note_stamp, inline: a call is most of it
    subfolders: list[tuple[str, str]] = []
    for entry in entries:
        name = entry.name
        if name[0] == ".":
            continue
        if (
            name[-3:] == NOTE_SUFFIX
            and CONFLICT_MARK not in name
            and not ignore
            and (name.isascii() or utf8_name(name))
        ):
            try:  # the common case first: a note, no ignore patterns
                fst = entry.stat()
            except OSError:
                pass  # a broken link or a folder named *.md: the general path below says
            else:
                if fst.st_mode & file_type == regular:
                    if entry.is_symlink():
                        scan.symlinked.append(prefix + name)
                    stamp = (fst.st_mtime_ns * factor + fst.st_ctime_ns) & mask
                    add_note((prefix + name, stamp, fst.st_size))
                    continue
        _scan_other(entry, prefix, ignore, scan, subfolders)
    return subfolders


def _scan_other(
    entry: os.DirEntry[str],
    prefix: str,
    ignore: tuple[str, ...],
    scan: Scan,
    subfolders: list[tuple[str, str]],
) -> None:
    """Any entry but a plain note of a vault without ignore patterns."""
    name = entry.name
    try:
        is_dir = entry.is_dir()
    except OSError:
        return
    rel = prefix + name
    if is_dir:
        if ignore and is_ignored(rel, ignore, is_dir=True):
            return
        if entry.is_symlink():
            scan.other_links.append(rel)
        if utf8_name(name):
            subfolders.append((entry.path, rel))
        else:
            scan.unreadable.append((shown_name(rel), BAD_NAME))
        return
    if entry.is_symlink() and not os.path.exists(entry.path):
        scan.other_links.append(rel)  # broken: a folder or note may come there later
    if not name.endswith(NOTE_SUFFIX):
        return
    if not utf8_name(name):  # a note no text column can name: said, unless ignored
        if not (ignore and is_ignored(rel, ignore)):
            scan.unreadable.append((shown_name(rel), BAD_NAME))
        return
    if CONFLICT_MARK in name:
        scan.conflict_copies.append(rel)
        return
    if ignore and is_ignored(rel, ignore):
        return
    try:
        fst = entry.stat()
    except OSError as exc:
        scan.unreadable.append((rel, exc.strerror or "broken link"))
        return
    if fst.st_mode & _FILE_TYPE != _REGULAR:
        return  # a FIFO or socket named *.md would block a read forever
    if entry.is_symlink():
        scan.symlinked.append(rel)
    scan.notes.append((rel, note_stamp(fst), fst.st_size))


def note_stamp(st: os.stat_result) -> int:
    """A number that changes whenever a note's modification time or its status-change
    time (ctime) does: its fingerprint with the size. A tool that puts the old mtime
    back after writing the same number of bytes (`touch -r`, `cp -p`, `rsync -t`) cannot
    put the ctime back, so the change is still seen, even with an mtime in the future;
    a chmod or rename, which changes only the ctime, means one more read of a note whose
    hash then proves it unchanged. Both times in one SQLite integer: the mtime times an
    odd constant plus the ctime, modulo 2**63 (equal for two different pairs only for
    one 63-bit difference in mtime per difference in ctime: never by chance)."""
    return (st.st_mtime_ns * _STAMP_FACTOR + st.st_ctime_ns) & _STAMP_MASK


_STAMP_FACTOR = 0x9E3779B97F4A7C15  # odd: the mtime part is one-to-one
_STAMP_MASK = (1 << 63) - 1


BAD_NAME = "the name is not valid UTF-8: rename it to have it read"


def utf8_name(name: str) -> bool:
    """Whether a name the OS gave is UTF-8 (else it holds surrogate escapes that no text
    column or terminal takes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A name that is not UTF-8, its bad bytes written as `\\xff`: for messages."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def stat_note(config: Config, rel: str) -> Fingerprint | None:
    """The fingerprint of one note, or None when it is gone or no longer a note."""
    try:
        st = os.stat(config.vault / rel)
    except OSError:
        return None
    if not os.path.isfile(config.vault / rel):
        return None
    return note_stamp(st), st.st_size


def counts_as_note(config: Config, rel: str) -> bool:
    """Whether a vault-relative path names a note the scan would include."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts) or not rel.endswith(NOTE_SUFFIX):
        return False
    if not utf8_name(rel):
        return False
    if CONFLICT_MARK in parts[-1]:
        return False
    if config.ignore:
        for i in range(1, len(parts)):
            if is_ignored("/".join(parts[:i]), config.ignore, is_dir=True):
                return False
        if is_ignored(rel, config.ignore):
            return False
    return True
