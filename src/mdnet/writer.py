"""Writing to the vault: one atomic write routine that every writer uses, and the
`log`, `add` and report-note writes built on it."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import RefusedError, UsageError
from .hashing import blake2b
from .models import GENERATED_MARK
from .vault import note_stamp


@dataclass(frozen=True)
class Snapshot:
    """A file's bytes with the fingerprint they were read under: a write made from them
    is refused when the file has changed since (an editor saved in between)."""

    path: Path
    data: bytes
    stamp: int  # vault.note_stamp: the index's own test of "changed", mtime and ctime
    size: int
    digest: bytes
    mtime: float = 0.0  # when it was last changed: read_settled_snapshot waits for quiet


def read_snapshot(path: Path) -> Snapshot:
    with open(path, "rb") as handle:
        st = os.fstat(handle.fileno())
        data = handle.read()
    return Snapshot(path, data, note_stamp(st), st.st_size, _digest(data), st.st_mtime)


# An editor that saves in place truncates the note, then writes it: a note read in
# between is cut short, and if the rest comes after our rename it goes to the old file,
# lost. A note changed this recently is read again once it has been quiet this long.
QUIET_SECONDS = 0.3
PATIENCE_SECONDS = 5.0
TEMP_PREFIX, TEMP_SUFFIX = ".mdnet-", ".tmp"  # our temporary files, beside the note
STALE_SECONDS = 3600  # no write of ours takes this long: a temporary file this old was left


def read_settled_snapshot(path: Path) -> Snapshot:
    """A snapshot of a note that has not changed for QUIET_SECONDS (refused when it keeps
    changing for PATIENCE_SECONDS)."""
    deadline = time.monotonic() + PATIENCE_SECONDS
    snapshot = read_snapshot(path)
    while True:
        age = time.time() - snapshot.mtime
        if age >= QUIET_SECONDS:
            return snapshot
        if time.monotonic() >= deadline:
            raise RefusedError(
                f"{path}: it keeps changing (being saved?); nothing was written, "
                "run the command again"
            )
        time.sleep(QUIET_SECONDS - age if age >= 0 else QUIET_SECONDS)  # < 0: a clock ahead
        again = read_snapshot(path)
        if (again.stamp, again.size) == (snapshot.stamp, snapshot.size):
            return again  # quiet for the whole wait
        snapshot = again


LOCK_PATIENCE_SECONDS = 30.0  # another mdnet's write, settle wait included, is far shorter


@contextlib.contextmanager
def writing_alone(path: Path, vault: Path | None = None) -> Iterator[None]:
    """Hold the note for a read, change and rename: another mdnet writing it waits here.
    Without it two `log`s that read the same bytes both passed the "changed since it
    was read" test before either renamed, and the second rename dropped the first's
    line after it had said "logged". An advisory lock on the note's own file: a write
    gives the name a new file, so a writer that waited for the old one takes the new
    one's lock before it reads. Editors take no such lock: for them the test stays."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the "changed since it was read" test only
        yield
        return
    target = _write_target(path, vault)
    deadline = time.monotonic() + LOCK_PATIENCE_SECONDS
    while True:
        try:  # O_NONBLOCK: opening a FIFO for reading would wait for a writer
            fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            yield  # nothing to hold: a new note's name is taken atomically (a hard link)
            return
        try:
            _lock_before(fcntl, fd, deadline, path)
            if _same_file(fd, target):
                yield
                return
        finally:
            os.close(fd)  # and the lock with it


def _lock_before(fcntl, fd: int, deadline: float, path: Path) -> None:
    """Wait for the note's lock. A file system that has no flock (NFS mounted `nolock`,
    some network mounts: ENOLCK, EBADF on a file opened for reading) leaves the write
    unguarded, as before the lock, rather than impossible (found by a review)."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise RefusedError(
                    f"{path}: another mdnet has been writing it for "
                    f"{LOCK_PATIENCE_SECONDS:.0f} s; nothing was written, run the command again"
                ) from None
            time.sleep(0.02)
        except OSError:
            return  # no locks here: the "changed since it was read" test still holds


def _same_file(fd: int, target: Path) -> bool:
    """Whether the name still names the file locked (not replaced by a write meanwhile)."""
    held = os.fstat(fd)
    try:
        now = os.stat(target)
    except FileNotFoundError:
        return True  # gone: the write that follows says so
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


def _unchanged(snapshot: Snapshot, target: Path) -> bool:
    try:
        st = os.stat(target)
        if (note_stamp(st), st.st_size) == (snapshot.stamp, snapshot.size):
            return True
        # touched but maybe not changed (a sync tool, `touch`, chmod): compare the bytes
        return _digest(Path(target).read_bytes()) == snapshot.digest
    except OSError:
        return False


def atomic_write(
    path: Path,
    data: bytes,
    *,
    expected: Snapshot | None = None,
    create: bool = False,
    vault: Path | None = None,
) -> None:
    """Write `data` so that a reader sees the old file or the new one, never a mix: a
    temporary file in the same folder, flushed and fsynced, then renamed over the note
    (or, with `create`, linked to a name that must not exist yet), then the folder is
    fsynced. With `expected`, a file that changed since that snapshot is left alone.
    A link is written through to its target, only inside `vault`, and never replaced.
    On any error the note is as it was and no temporary file is left."""
    target = _write_target(path, vault)
    folder = target.parent
    st: os.stat_result | None = None
    try:
        st = os.stat(target)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    else:
        _refuse_unless_regular(path, st)
        mode = st.st_mode & 0o7777
        if not mode & 0o200:  # renaming over it would not ask: we do
            raise RefusedError(f"{path}: read-only; nothing was written")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if st is not None:
            _keep_owner_and_attributes(target, tmp, st)
        if create:
            _link_new(tmp, target, path)
        else:
            if expected is not None and not _unchanged(expected, target):
                raise RefusedError(
                    f"{path}: changed since it was read (saved in an editor?); "
                    "nothing was written, run the command again"
                )
            os.replace(tmp, target)
    except OSError as exc:  # named after the note, not our temporary file
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    _fsync_folder(folder)
    _remove_stale_temporary_files(folder)


def _remove_stale_temporary_files(folder: Path) -> None:
    """Our temporary files that a killed write left (SIGKILL, a power cut): nothing
    else removes them, and a sync tool copies them to every device."""
    limit = time.time() - STALE_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < limit and entry.is_file(
                        follow_symlinks=False
                    ):
                        os.unlink(entry.path)


def _keep_owner_and_attributes(note: Path, tmp: str, st: os.stat_result) -> None:
    """The new file gets the note's owner and group (mdnet run as root, or by a member of
    the note's group) and its extended attributes (tags other tools keep there), where
    the system lets us: else they stay ours, as any editor's save would leave them."""
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):
            os.chown(tmp, st.st_uid, st.st_gid)
    if not hasattr(os, "listxattr"):  # Linux only (macOS keeps them in other calls)
        return
    with contextlib.suppress(OSError):
        for name in os.listxattr(note):
            with contextlib.suppress(OSError):
                os.setxattr(tmp, name, os.getxattr(note, name))


def _refuse_unless_regular(path: Path, st: os.stat_result) -> None:
    """A FIFO, a device or a folder is never renamed over (nor read to its end)."""
    if not stat.S_ISREG(st.st_mode):
        raise RefusedError(f"{path}: not a regular file; nothing was written")


def regular_or_missing(path: Path) -> bool:
    """Whether `path` (its link's target) is a regular file or nothing yet."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def _write_target(path: Path, vault: Path | None) -> Path:
    refuse_leaving_the_vault(path, vault)
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if vault is not None and not target.is_relative_to(os.path.realpath(vault)):
        raise RefusedError(f"{path}: not written: it links to a file outside the vault")
    return target


def refuse_leaving_the_vault(path: Path, vault: Path | None) -> None:
    """A path inside the vault whose folders lead out of it through a link (people/ a
    link to another folder) is refused, as a note that links outside is: mdnet writes
    only inside the vault, and it reads such notes without writing them."""
    if vault is None:
        return
    real_vault = os.path.realpath(vault)
    folder = Path(os.path.abspath(path)).parent
    if Path(os.path.realpath(folder)).is_relative_to(real_vault):
        return
    # Outside: refused if the path went through the vault on its way there (however the
    # vault is spelled: its own path may be a link); else it is where the user asked.
    for above in folder.parents:
        if Path(os.path.realpath(above)).is_relative_to(real_vault):
            raise RefusedError(
                f"{path}: not written: a linked folder on its way leads outside the vault"
            )


# What `link` fails with where a file system has no hard links (FAT and exFAT drives,
# many network and FUSE mounts): every new note failed there (found by an audit).
NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK}


def _link_new(tmp: str, target: Path, shown: Path) -> None:
    """Give the temporary file its final name only if that name is free: a hard link
    fails when the name exists, so no note is ever overwritten, even in a race. Without
    hard links, the name is claimed by creating it exclusively (empty), then the whole
    file is renamed over that claim."""
    try:
        os.link(tmp, target)
        return
    except FileExistsError:
        raise RefusedError(f"{shown}: already exists; nothing was written") from None
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            raise
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise RefusedError(f"{shown}: already exists; nothing was written") from None
    try:
        os.replace(tmp, target)
    except BaseException:  # an empty claim would pass for a contact never contacted
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise


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


# --- report notes ---------------------------------------------------------------------


def is_generated(data: bytes) -> bool:
    """Whether a note carries mdnet's own marker, read as the index reads it: a top-level
    `generated_by: mdnet` property in closed front matter (not such a line nested in a
    mapping or a block of text, which a user's note may hold). Only the front matter is
    read: the watcher asks this of a large report note after every save."""
    from .parse import decode, has_generated_mark, split_front_matter
    from .yamlsafe import FrontMatterError, load_front_matter

    text = decode("note.md", data[:65536], [])
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    yaml_lines, _, closed = split_front_matter(lines)
    if yaml_lines is None or not closed:
        return False
    try:
        value, _ = load_front_matter("\n".join(yaml_lines))
    except FrontMatterError:
        return has_generated_mark(yaml_lines)  # as the parser knows it
    return isinstance(value, dict) and value.get("generated_by") == "mdnet"


def write_report_note(path: Path, text: str, vault: Path | None = None) -> bool:
    """Write a report note over a missing file or one of mdnet's own; returns whether the
    bytes changed (an unchanged report is not rewritten, so sync tools see no churn)."""
    data = text.encode("utf-8")
    refuse_leaving_the_vault(path, vault)  # before a folder is made out there
    make_folders(path.parent, vault)
    if not regular_or_missing(path):  # a FIFO would block the read below
        raise RefusedError(f"{path}: not a regular file; nothing was written")
    with writing_alone(path, vault):
        return _write_report_note(path, text, data, vault)


def _write_report_note(path: Path, text: str, data: bytes, vault: Path | None) -> bool:
    try:
        snapshot = read_snapshot(path)
    except FileNotFoundError:
        snapshot = None
    if snapshot is None:
        if path.is_symlink():  # a dangling link: writing would create its target
            raise RefusedError(f"{path}: not written: it is a link to a missing file")
        atomic_write(path, data, create=True, vault=vault)
        return True
    if not is_generated(snapshot.data):
        raise RefusedError(
            f"{path}: not overwritten: it has no `{GENERATED_MARK}` in its front matter"
        )
    data = _as_the_note_is_written(text, snapshot.data)
    if snapshot.data == data:
        return False
    atomic_write(path, data, expected=snapshot, vault=vault)
    return True


def make_folders(folder: Path, vault: Path | None) -> None:
    """An output file's folder. Inside the vault, made from the vault down and never
    the vault itself: a vault moved away meanwhile (the watcher's race) makes this fail,
    where `mkdir -p` would have made a new, empty folder in its old place. Outside it,
    never made: a mistyped `--output /nonexistent/dir/r.txt` made `/nonexistent`, where
    a shell's `>` says there is no such folder (found by an audit)."""
    if folder.is_dir():
        return
    # The vault as spelled, or as its links resolve (the vault reached through a link).
    spellings = (os.path.abspath, os.path.realpath)
    inside = [
        (Path(spell(vault)), Path(spell(folder)))
        for spell in spellings
        if vault is not None and Path(spell(folder)).is_relative_to(spell(vault))
    ]
    if not inside:
        raise UsageError(f"{folder}: no such folder; nothing was written")
    current, folder = inside[0]
    for part in folder.relative_to(current).parts:
        current /= part
        with contextlib.suppress(FileExistsError):
            os.mkdir(current)  # fails when the folder above is gone


def _as_the_note_is_written(text: str, old: bytes) -> bytes:
    """The report in the note's own encoding, byte-order mark and line endings (a Windows
    checkout's CRLF): else each run would rewrite an unchanged report, and sync it."""
    from .edits import line_ending, split_encoding

    try:
        bom, codec, old_text = split_encoding(old)
    except RefusedError:
        return text.encode("utf-8")
    eol = line_ending(old_text)
    return bom + (text.replace("\n", eol) if eol != "\n" else text).encode(codec)


# --- log and add ----------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: str  # vault-relative
    line: int
    text: str
    warning: str = ""  # said on stderr after the write


def log_interaction(
    conn: sqlite3.Connection,
    config: Config,
    name: str,
    text: str,
    day: dt.date,
    tags: tuple[str, ...] = (),
) -> Written:
    """Add `- D TEXT #T` as the last line of the contact's `## Log` section."""
    from .edits import insert_log_line, log_entry
    from .lookup import find_contact

    entry = log_entry(day, text, tags)
    contact = find_contact(conn, name)
    rel = contact["path"]
    path = config.vault / rel
    try:
        with writing_alone(path, config.vault):
            snapshot = read_settled_snapshot(path)
            data, line = insert_log_line(snapshot.data, entry)
            links = os.stat(path).st_nlink
            atomic_write(path, data, expected=snapshot, vault=config.vault)
    except RefusedError as exc:  # `log: path:line: why`; a refusal of the note names line 1
        why = str(exc).removeprefix(f"{path}: ")
        at = "" if why[:1].isdigit() else "1: "
        raise RefusedError(f"log: {rel}:{at}{why}") from None
    # Written as a new file, as every write is: a note's other hard links (a `cp -al`
    # snapshot, which wants exactly that) keep the old text. Said, not refused: refusing
    # stopped every log in a vault that such backups link (found by a review).
    parted = f"{rel} had {links} hard links: its other names keep the old text" if links > 1 else ""
    return Written(rel, line, entry, parted)


def add_contact(
    conn: sqlite3.Connection,
    config: Config,
    name: str,
    circle: str | None = None,
    cadence: str | None = None,
    met: dt.date | None = None,
    tags: tuple[str, ...] = (),
    today: dt.date | None = None,
) -> Written:
    """Create `people/NAME.md` from the vault's template or the built-in one; never
    overwrites, and refuses a name another contact already has."""
    from .edits import check_name, new_contact_note
    from .parse import name_key

    check_name(name)
    clash = conn.execute(  # names compare as links do: "Zoë" typed either way is one name
        "SELECT n.path FROM names k JOIN notes n ON n.id = k.note_id WHERE k.key = ? LIMIT 1",
        (name_key(name),),
    ).fetchone()
    rel = f"{config.people_dir}/{name}.md"
    if clash and clash[0] == rel:
        raise RefusedError(f"add: {rel} already exists; nothing was written")
    if clash:
        raise RefusedError(f"add: {clash[0]} already answers to {name!r}; links would be ambiguous")
    path = config.vault / rel
    people = (config.vault / config.people_dir).resolve()
    if not path.parent.resolve() == people:  # belt and braces: check_name already refused
        raise RefusedError(f"add: {name!r} would leave the people folder")
    template = _person_template(config)
    data = new_contact_note(name, template, circle, cadence, met, tags, today or dt.date.today())
    people.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data.encode("utf-8"), create=True, vault=config.vault)
    return Written(rel, 1, data)


def _person_template(config: Config) -> str | None:
    if not config.person_template:
        return None
    path = config.vault / config.person_template
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RefusedError(f"add: the template {config.person_template} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RefusedError(
            f"add: cannot read the template {config.person_template}: {exc}"
        ) from None
