"""Time to first frame: `adue --sandbox` and the real-tenant sign-in form against a
hello-world Textual app.

All run in a real pseudo-terminal (80x24), measured the same way in the same run,
interleaved: from spawning the process until text that only the first frame contains
has been written to the terminal. Both adue runs resume a session (the warm-up run
created it), as it does on every start but the first: `adue --sandbox` its sandbox
session, plain `adue` a session naming a real tenant (no sandbox), which opens on the
sign-in form (Selects and Inputs; nothing reaches the network before it is shown).
Prints a Markdown table of medians and both ratios (the target is <= 1.3).

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


# Text that only each program's first frame contains (the tenant is typed in the form).
HELLO_MARKER = b"Hello, world"
SANDBOX_MARKER = b"SANDBOX"
TENANT = "contoso.example"
TENANT_MARKER = TENANT.encode()
TARGET = 1.3


def write_tenant_session(folder: str) -> None:
    """The session a real tenant's admin resumes: the tenant named, not yet signed in."""
    sys.path.insert(0, str(HERE.parent))
    from tui.session import Session

    with Session.open(Path(folder) / "adue-session.toml") as session:
        session.set("tenant", "tenant_id", TENANT)
        session.save()


def first_frames(runs: int) -> tuple[float, float, float]:
    """Medians (s) of hello-world's, `adue --sandbox`'s and the sign-in form's first frame."""
    compile_bytecode()  # measured as installed, with up-to-date bytecode
    python = sys.executable
    adue = str(Path(python).with_name("adue"))
    programs = {
        "hello": ([python, str(HERE / "hello_textual.py")], HELLO_MARKER),
        "sandbox": ([adue, "--sandbox"], SANDBOX_MARKER),
        "tenant": ([adue], TENANT_MARKER),
    }
    times: dict[str, list[float]] = {name: [] for name in programs}
    with tempfile.TemporaryDirectory() as folder:
        write_tenant_session(folder)
        # One warm-up each so all read their bytecode from a warm page cache (and the
        # sandbox run makes its session, resumed later).
        for command, marker in programs.values():
            time_to_text(command, marker, folder)
        for _ in range(runs):  # interleaved, so machine noise hits all alike
            for name, (command, marker) in programs.items():
                times[name].append(time_to_text(command, marker, folder))
    hello, sandbox, tenant = (statistics.median(times[name]) for name in programs)
    return hello, sandbox, tenant


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    hello, sandbox, tenant = first_frames(args.runs)
    print(
        f"| first frame (median of {args.runs}, 80x24 pty) | seconds | ratio (target <= {TARGET}) |"
    )
    print("|---|---|---|")
    print(f"| hello-world Textual app | {hello:.3f} | |")
    print(f"| `adue --sandbox` | {sandbox:.3f} | {sandbox / hello:.2f} |")
    print(f"| `adue`, real tenant: sign-in form | {tenant:.3f} | {tenant / hello:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
