"""The session's advisory lock: one process per session, and the holder named for the next comer."""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import time
from pathlib import Path

from tui.session.schema import SessionLockedError, utc_now

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

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise SessionLockedError(
                    f"{self.path.with_suffix('').name} is in use by {holder}. "
                    "Close that adue first (one process per session), or use another --session."
                ) from None
            raise
        info = {
            "pid": os.getpid(),
            "user": _user(),
            "host": socket.gethostname(),
            "since": utc_now().isoformat(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, "".join(f"{key}={value}\n" for key, value in info.items()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


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
            info = _holder_details(os.pread(fd, 4096, 0).decode())
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
