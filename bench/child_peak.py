"""The peak RSS of a child process, as the child's own memory image has it.

Not `ru_maxrss` from wait4: on Linux, exec records the replaced memory map's high-water
mark into the process's maxrss, and a child's replaced map is its parent's (fork or
vfork), so every child of a bench process that has grown (a 100-tenant sandbox, the
SDK imported) reports at least the bench's own peak. /proc/PID/status's VmHWM is the
high-water mark of the image exec made, and it only grows, so the last reading before
the child exits is its peak (read every 10 ms; a peak in the last 10 ms may be missed).
"""

from __future__ import annotations

import threading
from pathlib import Path


def vm_hwm_mib(pid: int | str = "self") -> float | None:
    """VmHWM of a running process in MiB; None once it has exited (or off Linux)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return None


class PeakWatch:
    """Reads a child's VmHWM until it exits; `stop()` (after the wait) gives the last one."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._peak = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            reading = vm_hwm_mib(self._pid)
            if reading is not None:
                self._peak = max(self._peak, reading)
            self._done.wait(0.01)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self._peak
