"""Time to first frame: `adue --sandbox` against a hello-world Textual app.

Both run in a real pseudo-terminal (80x24), measured the same way in the same
run: from spawning the process until text that only the first frame contains
has been written to the terminal. adue resumes a session (the warm-up run
created it), as it does on every start but the first. Prints a Markdown table of medians and the
ratio (the target is <= 1.25).

    .venv/bin/python bench/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def time_to_text(command: list[str], marker: bytes, cwd: str, timeout: float = 30.0) -> float:
    """Seconds from spawn until `marker` appears on the pty."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            seen += chunk
            if marker in seen:
                return time.perf_counter() - start
        raise RuntimeError(f"{marker!r} never appeared for {command}")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)


def compile_bytecode() -> None:
    """Bring tui/ and screens/ bytecode up to date, as an install (`make run`) has it.

    Where PYTHONDONTWRITEBYTECODE is set, a source edited since the install would
    otherwise be compiled again on every start and the figure would measure that.
    """
    for package in ("tui", "screens"):
        compileall.compile_dir(HERE.parent / package, quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    compile_bytecode()
    python = sys.executable
    adue = str(Path(python).with_name("adue"))
    hello: list[float] = []
    wizard: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        # One warm-up each so both read their bytecode from a warm page cache.
        time_to_text([python, str(HERE / "hello_textual.py")], b"Hello, world", folder)
        time_to_text([adue, "--sandbox"], b"SANDBOX", folder)
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            hello.append(
                time_to_text([python, str(HERE / "hello_textual.py")], b"Hello, world", folder)
            )
            wizard.append(time_to_text([adue, "--sandbox"], b"SANDBOX", folder))
    hello_median = statistics.median(hello)
    wizard_median = statistics.median(wizard)
    print(f"| first frame (median of {args.runs}, 80x24 pty) | seconds |")
    print("|---|---|")
    print(f"| hello-world Textual app | {hello_median:.3f} |")
    print(f"| `adue --sandbox` | {wizard_median:.3f} |")
    print(f"| ratio (target <= 1.25) | {wizard_median / hello_median:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
