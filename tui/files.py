"""The one way adue writes a file: replaced atomically, never half-written.

`write_private` (0600) for everything adue keeps: the session, the sign-in record, the
sandbox's state and crash reports. `write_public` (0644) only for documents meant to be
published, which hold no secret: exported guides and the service-discovery file.
`read_utf8` is how the files a person edits (the session, a fleet file) are read back.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class FileWriteError(OSError):
    """A file adue must write could not be written; the message names the folder and the fix.

    An OSError still (callers that catch OSError keep working), with a message fit for a
    person instead of `[Errno 28] No space left on device`.
    """

    def __str__(self) -> str:
        return str(self.strerror)


def write_public(path: Path, data: bytes | str) -> Path:
    """As `write_private`, but readable by everyone (0644): a guide or the discovery file."""
    return write_private(path, data, mode=0o644)


def write_private(path: Path, data: bytes | str, *, mode: int = 0o600) -> Path:
    """Write `data` to `path` (0600) via a temp file in the same folder + os.replace.

    A reader sees the old file or the new one, never a mix; a crash leaves at most
    a hidden `.<name>.*.tmp` file. Missing parent folders are created (0700).

    A symbolic link is written through: its target is replaced atomically and the
    link stays a link (a session kept in another folder or a dotfiles repository).
    Returns the path written to (the link's target for a link).
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder: give a file name, e.g. {path / 'guide.html'}")
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = _link_target(path)
    folder = target.parent
    try:
        if target == path:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _replace(target, data, mode)
    except OSError as exc:
        if isinstance(exc, FileWriteError):
            raise
        raise FileWriteError(exc.errno, write_problem(target, exc)) from exc
    _fsync_folder(folder)
    return target


def _link_target(path: Path) -> Path:
    """Where a write to `path` lands: `path` itself, or the file a symlink points to."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if target.is_dir():
        raise IsADirectoryError(f"{path} is a link to the folder {target}: give a file name")
    if not target.parent.is_dir():
        raise FileWriteError(
            errno.ENOENT,
            f"{path} is a symbolic link to {target}, whose folder does not exist: "
            "fix or remove the link",
        )
    return target


def _replace(path: Path, data: bytes, mode: int) -> None:
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            if hasattr(os, "fchmod"):  # not on Windows, where mkstemp's 0600 is all there is
                os.fchmod(handle.fileno(), mode)  # mkstemp makes 0600; set the mode asked for
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def write_problem(path: Path, exc: OSError) -> str:
    """One sentence for a failed write of `path`: the folder and what to do about it."""
    folder = path.parent
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"cannot write {path}: the disk holding {folder} is full (or over quota). "
            "Free some space there, then run the same command again: it carries on where it "
            "stopped."
        )
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (
            f"cannot write {path}: the folder {folder} is read-only for you. Make it writable "
            "(e.g. chmod u+w), or use a session file in a folder you can write to "
            "(--session PATH)."
        )
    reason = exc.strerror or type(exc).__name__
    return f"cannot write {path} ({reason}). Check the folder {folder}, then try again."


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets a folder be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_utf8(
    path: Path,
    fail: Callable[[str], Exception],
    *,
    unreadable: Callable[[OSError], str],
    save_hint: str,
) -> str:
    """The file's text; an unreadable file or one that is not UTF-8 raises `fail(message)`,
    the message naming the file and the fix (`unreadable` words the OSError)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(unreadable(exc)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"{path}: not UTF-8 text (byte {exc.start}). {save_hint}") from None
