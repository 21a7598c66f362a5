"""The session's advisory lock: one process per session, and the holder named for the next comer."""

from __future__ import annotations

import errno
import os
import socket
import stat
import sys
import time
from pathlib import Path

from tui.session.schema import SessionError, SessionLockedError, utc_now

# Never follow a symbolic link to the lock file: a link planted there would make adue
# truncate and write whatever file it points to. (Windows has no O_NOFOLLOW: there the
# check after opening, that the path is not a link, is all there is.)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

# --- the lock -------------------------------------------------------------------


class SessionLock:
    """An advisory flock on `<session>.lock`, which names its holder for the next comer.

    The lock file (not the session) is locked because saves replace the session's
    inode. The kernel drops the lock when the holder dies, so a crash never leaves
    a stale lock behind.
    """

    def __init__(self, session_path: Path) -> None:
        self.path = session_path.with_name(session_path.name + ".lock")
        self._fd: int | None = None
        self.created = False

    def acquire(self) -> None:
        while True:
            fd, created = self._open()
            try:
                _lock(fd)
            except OSError as exc:
                holder = _read_holder(fd)
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise SessionLockedError(
                        f"{self.path.with_suffix('').name} is in use by {holder}. "
                        "Close that adue first (one process per session), or use another "
                        "--session."
                    ) from None
                raise
            # A refused command removes a lock file it created (see discard); a comer that
            # opened that file just before must not hold a lock on a file no longer there.
            if _same_file(fd, self.path):
                break
            _unlock(fd)
            os.close(fd)
        self.created = created
        info = {
            "pid": os.getpid(),
            "user": _user(),
            "host": socket.gethostname(),
            "since": utc_now().isoformat(),
        }
        os.ftruncate(fd, 0)
        _write_start(fd, "".join(f"{key}={value}\n" for key, value in info.items()).encode())
        self._fd = fd

    def _open(self) -> tuple[int, bool]:
        """The lock file's descriptor (never through a symlink), and whether we created it."""
        flags = os.O_RDWR | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        created = False
        try:
            try:
                fd = os.open(self.path, flags)
            except FileNotFoundError:
                fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, 0o600)
                created = True
        except FileExistsError:
            return self._open()  # another adue created it in between: open that one
        except OSError as exc:
            raise SessionError(self._open_problem(exc)) from None
        if self.path.is_symlink():  # where O_NOFOLLOW does not exist
            os.close(fd)
            raise SessionError(self._open_problem(OSError(errno.ELOOP, "a symbolic link")))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SessionError(
                f"{self.path} is not a regular file: adue uses it as the session's lock. "
                "Remove it (only adue makes it) and try again."
            )
        return fd, created

    def _open_problem(self, exc: OSError) -> str:
        if exc.errno == errno.ELOOP or self.path.is_symlink():
            return (
                f"{self.path} is a symbolic link: adue never follows a link for the session's "
                "lock file (it would overwrite the file the link points to). Remove the link "
                f"(rm {self.path}) and try again; its target was not touched."
            )
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return (
                f"cannot create the lock file {self.path}: the folder {self.path.parent} is "
                "read-only for you. Make it writable (e.g. chmod u+w), or use a session file "
                "in a folder you can write to (--session PATH)."
            )
        reason = exc.strerror or type(exc).__name__
        return f"cannot open the lock file {self.path} ({reason}). Check {self.path.parent}."

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def discard(self) -> None:
        """Release, removing the lock file when this process created it: a command refused
        before it did anything leaves no `.lock` behind. Removed while still locked, so no
        other adue can hold a lock on it (acquire checks the file is still there)."""
        if self._fd is not None and self.created:
            try:
                if _same_file(self._fd, self.path):
                    self.path.unlink()
            except OSError:
                pass  # Windows cannot remove an open file; a lock file left is harmless
        self.release()

    @property
    def held(self) -> bool:
        return self._fd is not None


def _same_file(fd: int, path: Path) -> bool:
    try:
        here = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)


# --- the platform's advisory lock: flock on POSIX, msvcrt.locking on Windows -----------
# Imported when used, never at module level: `fcntl` does not exist on Windows.


def _lock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # raises OSError(EACCES) when held
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _write_start(fd: int, data: bytes) -> None:
    if hasattr(os, "pwrite"):
        os.pwrite(fd, data, 0)
    else:  # Windows
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)


def _read_start(fd: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, 4096, 0)
    os.lseek(fd, 0, os.SEEK_SET)  # Windows
    return os.read(fd, 4096)


def _user() -> str:
    """Who runs adue, as getpass.getuser() says it (not imported: it costs start-up time)."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


def _holder_details(text: str) -> dict[str, str]:
    """The lock file's `key=value` lines (the holder's pid, user, host and since)."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


# The holder writes its details just after it takes the lock; a comer in between waits
# this long for them rather than naming nobody.
HOLDER_WAIT_SECONDS = 1.0


def _read_holder(fd: int) -> str:
    deadline = time.monotonic() + HOLDER_WAIT_SECONDS
    while True:
        try:
            info = _holder_details(_read_start(fd).decode())
            # Details left by an earlier holder that was killed are not the new holder's.
            if info["host"] == socket.gethostname() and not _alive(int(info["pid"])):
                raise ValueError("the details of a dead process")
            return (
                f"adue (pid {info['pid']}, user {info['user']} on {info['host']}, "
                f"since {info['since']})"
            )
        except (ValueError, KeyError, TypeError, OSError):
            if time.monotonic() >= deadline:
                return "another adue process"
            time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
