"""SIGKILL `adue fleet apply` (a real subprocess) at random moments, then run it again:
every tenant must end exactly as after one uninterrupted apply, with no duplicate; a
third run writes nothing. And SIGTERM (exit 143) or Ctrl-C (SIGINT, exit 130): no
traceback, the tenants in flight record it, a re-run converges.

A kill lands right after the sandbox carried out write k (of all tenants together),
before its answer reaches adue: the hardest moment (the write is made, adue cannot know).
`make test` kills twice in a row, then finishes; `make soak` (marker soak) tries many
more moments and sequences.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.helpers import (
    ROOT,
    count_named,
    fleet_file,
    fleet_sandbox,
    snapshot_of,
    writes_by_label,
)
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox
from tui.session import Session

COUNT = 4  # t01..t04 (t03: expired APNs, which apply does not need)
LABELS = [f"t{i:02d}" for i in range(1, COUNT + 1)]


def run_apply(
    sb: RunningSandbox, path: Path, home: Path, *, kill_after: int = 0, sig: int = signal.SIGKILL
) -> subprocess.CompletedProcess[str]:
    """`adue fleet apply --fleet path --yes` as a user runs it; with `kill_after` = k the
    process gets `sig` right after the sandbox carried out the k-th write of this run."""
    env = dict(
        os.environ,
        AZURE_CLIENT_SECRET=sb.fleet_client_secret,
        PYTHONPATH=str(ROOT),
        HOME=str(home),
        XDG_STATE_HOME=str(home / "state"),
    )
    command = [sys.executable, "-m", "tui", "fleet", "apply", "--fleet", str(path), "--yes"]
    seen = 0
    fired = threading.Event()
    holder: dict[str, subprocess.Popen[str]] = {}

    def on_write(record: RequestRecord) -> None:
        nonlocal seen
        if kill_after and record.is_write and not fired.is_set():
            seen += 1
            if seen >= kill_after and "p" in holder:
                fired.set()
                os.kill(holder["p"].pid, sig)

    remove = sb.on_request(on_write)
    try:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=path.parent,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        holder["p"] = process
        out, err = process.communicate(timeout=120)
    finally:
        remove()
    return subprocess.CompletedProcess(command, process.returncode, out, err)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each tenant after one uninterrupted fleet apply, and how many writes that took."""
    folder = tmp_path_factory.mktemp("reference")
    with fleet_sandbox(COUNT) as sb:
        done = run_apply(sb, fleet_file(sb, folder), folder / "home")
        assert done.returncode == 0, done.stderr
        return {
            "tenants": {label: snapshot_of(sb, label) for label in LABELS},
            "writes": sum(writes_by_label(sb).values()),
        }


@pytest.fixture
def fleet_run(tmp_path: Path) -> Iterator[tuple[RunningSandbox, Path]]:
    with fleet_sandbox(COUNT) as sb:
        yield sb, fleet_file(sb, tmp_path)


def converged(sb: RunningSandbox, path: Path, reference: dict[str, Any]) -> None:
    """Run once more to the end; every tenant is then as the reference, and a further
    run writes nothing."""
    done = run_apply(sb, path, path.parent / "home")
    assert done.returncode == 0, done.stdout + done.stderr
    for label in LABELS:
        assert count_named(sb, label) == (1, 1), label  # no duplicate
        assert snapshot_of(sb, label) == reference["tenants"][label], label
        session = Session.read_only(path.parent / "fleet.tenants" / f"{label}.toml")
        assert session.get("review", "last_result") == "ok"
        assert all(e.get("result") != "pending" for e in session.journal())
    before = writes_by_label(sb)
    again = run_apply(sb, path, path.parent / "home")
    assert again.returncode == 0, again.stdout
    assert writes_by_label(sb) == before, again.stdout


def kill_points(count: int, seed: int, total: int) -> list[int]:
    rng = random.Random(seed)
    return [rng.randint(1, total) for _ in range(count)]


def test_sigkill_twice_then_rerun_converges(
    fleet_run: tuple[RunningSandbox, Path], reference: dict[str, Any]
) -> None:
    sb, path = fleet_run
    for k in kill_points(2, seed=19, total=reference["writes"]):
        killed = run_apply(sb, path, path.parent / "home", kill_after=k)
        assert killed.returncode == -signal.SIGKILL, (k, killed.stdout, killed.stderr)
    converged(sb, path, reference)


@pytest.mark.parametrize(
    ("sig", "code", "name"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C (SIGINT)")],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_stop_records_each_tenant_in_flight(
    fleet_run: tuple[RunningSandbox, Path],
    reference: dict[str, Any],
    sig: signal.Signals,
    code: int,
    name: str,
) -> None:
    sb, path = fleet_run
    stopped = run_apply(sb, path, path.parent / "home", kill_after=3, sig=sig)
    assert stopped.returncode == code, stopped.stdout + stopped.stderr
    assert f"stopped by {name}" in stopped.stderr
    assert "Traceback" not in stopped.stdout + stopped.stderr
    assert "interrupted" in stopped.stdout  # the summary names the tenants it stopped
    results = {
        label: Session.read_only(path.parent / "fleet.tenants" / f"{label}.toml").get(
            "review", "last_result"
        )
        for label in LABELS
        if (path.parent / "fleet.tenants" / f"{label}.toml").exists()
    }
    assert "interrupted" in results.values(), results
    converged(sb, path, reference)


@pytest.mark.soak
@pytest.mark.parametrize("seed", range(12))
def test_soak_sigkill_at_random_moments(
    seed: int, fleet_run: tuple[RunningSandbox, Path], reference: dict[str, Any]
) -> None:
    sb, path = fleet_run
    for k in kill_points(1 + seed % 3, seed=seed, total=reference["writes"]):
        killed = run_apply(sb, path, path.parent / "home", kill_after=k)
        assert killed.returncode in (-signal.SIGKILL, 0), (k, killed.stderr)
    converged(sb, path, reference)


def test_reference_is_a_full_rollout(reference: dict[str, Any]) -> None:
    assert reference["writes"] >= COUNT * 7
