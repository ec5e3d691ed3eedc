"""Finding the notes of a vault: which files count, with the stat fingerprint of each."""

from __future__ import annotations

import marshal
import os
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


# The tokens of a glob besides plain characters: `*`, `?`, `**`, `**/`
_STAR, _QMARK, _ANY, _ANY_FOLDERS = range(4)
_DEAD: frozenset[int] = frozenset()  # no position: no match, whatever follows
_SURE: frozenset[int] = frozenset({-1})  # known by identity: a match, whatever follows


class Glob:
    """A gitignore-like glob: `**` crosses folders, `*` and `?` do not, and `**/` also
    matches nothing (`a/**/b` matches `a/b`).

    Not a regex: Python's backtracks, and `**/*-*-*-*-*-x` against a name of 200 dashes
    took 34 s, in every command (each walks the vault). The set of token positions a
    path can have reached is moved along it instead, once a character (a lazy DFA: each
    move is worked out once per glob), so a match is linear in the path. A path without
    the glob's fixed text is refused before that, which most paths are."""

    def __init__(self, pattern: str) -> None:
        self.tokens = _glob_tokens(pattern)
        runs = [""]  # the plain text between wildcards
        for token in self.tokens:
            if isinstance(token, str):
                runs[-1] += token
            else:
                runs.append("")
        self.exact = runs[0] if len(runs) == 1 else None  # no wildcard: equality
        self.prefix, self.suffix, self.inner = runs[0], runs[-1], [r for r in runs[1:-1] if r]
        # A final `**` reached: whatever follows matches (`Archive/**` is not walked on).
        tokens = self.tokens
        self.sure = {
            i for i, t in enumerate(tokens) if t == _ANY and set(tokens[i:]) <= {_ANY, _ANY_FOLDERS}
        }
        self.moves: dict[tuple[frozenset[int], str], frozenset[int]] = {}
        self.start = self._settled({0})

    def fullmatch(self, text: str) -> bool:
        if self.exact is not None:
            return text == self.exact
        if (
            len(text) < len(self.prefix) + len(self.suffix)
            or not text.startswith(self.prefix)
            or not text.endswith(self.suffix)
            or not all(run in text for run in self.inner)
        ):
            return False  # the common answer, without the walk below
        if len(self.moves) > 100_000:  # one glob and very many different names
            self.moves.clear()
        state, moves = self.start, self.moves
        for char in text:
            if state is _SURE:
                return True
            found = moves.get((state, char))
            state = self._move(state, char) if found is None else found
            if state is _DEAD:
                return False
        return state is _SURE or len(self.tokens) in state

    def _move(self, state: frozenset[int], char: str) -> frozenset[int]:
        reached: set[int] = set()
        for position in state:
            reached |= self._step(position, char)
        found = self.moves[(state, char)] = self._settled(reached)
        return found

    def _settled(self, reached: set[int]) -> frozenset[int]:
        if not reached:
            return _DEAD
        positions = self._closure(reached)
        return _SURE if positions & self.sure else positions

    def _step(self, position: int, char: str) -> set[int]:
        """Where one position goes on `char`. A negative position is inside a `**/`:
        -1 - its token's index."""
        if position < 0:  # anything, and a `/` may end it
            return {position, -position} if char == "/" else {position}
        token = self.tokens[position] if position < len(self.tokens) else None
        if token == _ANY or (token == _STAR and char != "/"):
            return {position}
        if (token == _QMARK and char != "/") or token == char:
            return {position + 1}
        return set()

    def _closure(self, positions: set[int]) -> frozenset[int]:
        """With every position that wildcards matching nothing lead to."""
        todo, seen = list(positions), set(positions)
        while todo:
            position = todo.pop()
            token = self.tokens[position] if 0 <= position < len(self.tokens) else _QMARK
            if isinstance(token, str) or token == _QMARK:
                continue  # they match one character, never none
            nexts = {position + 1, -1 - position} if token == _ANY_FOLDERS else {position + 1}
            todo += nexts - seen
            seen |= nexts
        return frozenset(seen)


def _glob_tokens(pattern: str) -> list[str | int]:
    tokens: list[str | int] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            tokens.append(_ANY_FOLDERS)
            i += 3
        elif pattern.startswith("**", i):
            tokens.append(_ANY)
            i += 2
        else:
            tokens.append({"*": _STAR, "?": _QMARK}.get(pattern[i], pattern[i]))
            i += 1
    return tokens


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> Glob:
    return Glob(pattern)


def is_ignored(rel: str, patterns: tuple[str, ...], is_dir: bool = False) -> bool:
    name = rel.rsplit("/", 1)[-1]
    candidate = rel + "/" if is_dir else rel
    for pattern in patterns:
        pattern = pattern.strip().lstrip("/")
        if not pattern:
            continue
        glob = compile_glob(pattern.rstrip("/") + ("/**" if pattern.endswith("/") else ""))
        if glob.fullmatch(candidate) or (is_dir and glob.fullmatch(rel)):
            return True
        if "/" not in pattern and glob.fullmatch(name):
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
    rel = prefix + name
    try:
        is_dir = entry.is_dir()
    except OSError as exc:  # links that point at each other (ELOOP): said, not dropped
        looping_note = name.endswith(NOTE_SUFFIX) and utf8_name(name) and entry.is_symlink()
        if looping_note and not (ignore and is_ignored(rel, ignore)):
            scan.unreadable.append((rel, exc.strerror or "a link that cannot be followed"))
        return
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
