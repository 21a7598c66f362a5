"""Ctrl-C (SIGINT) and SIGTERM at random moments of a real `python -m tui apply` against the
sandbox: each stop is clean (exit 130 / 143, no traceback, `last_result = "interrupted"`,
never "ok" while a journal entry is pending) and the next run settles the write that was
in flight, then converges on the clean result (one of each object, nothing left to plan).

The moment: when the sandbox receives request k of the run (k random over every request
a clean apply makes: reads of the plan and writes alike), plus a random 0-15 ms. Quick
form in `make test`; thirty moments with `make soak`.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import ROOT, count_named, example_session, plan_file, snapshot
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

QUICK = (1, 2, 3, 4, 5, 6)  # SIGINT moments in make test
QUICK_SIGTERM = (7, 8)
SOAK = tuple(range(9, 39))  # thirty more in make soak (every third one SIGTERM)


def _cases() -> list[Any]:
    quick = [pytest.param(s, signal.SIGINT, id=f"sigint-{s}") for s in QUICK]
    quick += [pytest.param(s, signal.SIGTERM, id=f"sigterm-{s}") for s in QUICK_SIGTERM]
    soak = [
        pytest.param(
            s,
            signal.SIGTERM if s % 3 == 0 else signal.SIGINT,
            id=f"soak-{s}",
            marks=pytest.mark.soak,
        )
        for s in SOAK
    ]
    return quick + soak


def _apply(sb: RunningSandbox, path: Path, cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "tui", "apply", "--session", str(path), "--yes"]
    return subprocess.Popen(
        [*command, "--graph-url", sb.graph_url],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The tenant after an uninterrupted apply, and how many requests that apply made."""
    folder = tmp_path_factory.mktemp("reference")
    with start_sandbox(seed="demo") as sb:
        path = example_session(folder)
        process = _apply(sb, path, folder)
        _, err = process.communicate(timeout=90)
        assert process.returncode == 0, err
        return {"tenant": snapshot(sb), "requests": len(sb.top_level_requests())}


@pytest.mark.parametrize(("seed", "signum"), _cases())
def test_a_signal_at_a_random_moment_stops_cleanly_and_the_rerun_converges(
    seed: int,
    signum: signal.Signals,
    reference: dict[str, Any],
    tmp_path: Path,
    tally: Counter[str],
) -> None:
    rng = random.Random(seed)
    at_request = rng.randint(1, reference["requests"])
    jitter = rng.uniform(0, 0.015)
    with start_sandbox(seed="demo") as sb:
        path = example_session(tmp_path)
        seen = 0
        sent = threading.Event()
        holder: dict[str, subprocess.Popen[str]] = {}

        def send() -> None:
            time.sleep(jitter)
            if holder["p"].poll() is None:
                os.kill(holder["p"].pid, signum)
                sent.set()

        def on_request(record: RequestRecord) -> None:
            nonlocal seen
            if record.in_batch:
                return
            seen += 1
            if seen == at_request:
                threading.Thread(target=send, daemon=True).start()

        sb.on_request(on_request)
        holder["p"] = _apply(sb, path, tmp_path)
        out, err = holder["p"].communicate(timeout=90)
        code = holder["p"].returncode
        assert "Traceback" not in err, err
        session = Session.read_only(path)
        journal = session.journal()
        if code == 0:  # it finished before the signal landed
            tally["interrupts that came too late"] += 1
            assert session.get("review", "last_result") == "ok"
        else:
            tally[f"interrupts by {signum.name}"] += 1
            assert sent.is_set()
            assert code == 128 + signum, (code, out, err)
            name = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"
            assert f"adue apply: stopped by {name}" in err, err
            assert session.get("review", "last_result") == "interrupted"
        if any(entry["result"] == "pending" for entry in journal):
            tally["interrupts with a write in flight"] += 1
            assert session.get("review", "last_result") == "interrupted"

        # The next run settles what was in flight, then finishes the job.
        again = _apply(sb, path, tmp_path)
        out, err = again.communicate(timeout=90)
        assert again.returncode == 0, (out, err)
        assert "Traceback" not in err
        assert snapshot(sb) == reference["tenant"]
        assert count_named(sb) == (1, 1)
        assert asyncio.run(plan_file(sb, path)).is_empty
        after = Session.read_only(path)
        assert after.get("review", "last_result") == "ok"
        settled = after.journal()
        assert all(entry["result"] in ("ok", "failed") for entry in settled)
        for before, now in zip(journal, settled, strict=False):
            if before["result"] == "pending":
                assert "settled by the next apply" in now["detail"], now
