"""Kill matrix: for every write k of a fresh apply, SIGKILL the `adue apply` process right
after the sandbox handled write k (before the answer reaches adue), then apply again. The
tenant must end exactly as after an uninterrupted apply: no duplicate, no lost assignment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import (
    ROOT,
    apply_file,
    count_named,
    example_session,
    plan_file,
    snapshot,
)
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import start_sandbox
from tui.session import Session

FRESH_WRITES = 8  # writes of an uninterrupted fresh apply of the example (checked below)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The tenant after an uninterrupted apply of the example."""
    with start_sandbox(seed="demo") as sb:
        path = example_session(tmp_path_factory.mktemp("reference"))
        result = asyncio.run(apply_file(sb, path))
        assert result.ok, result.failed
        assert len(sb.writes()) == FRESH_WRITES
        return snapshot(sb)


@pytest.mark.parametrize("k", range(1, FRESH_WRITES + 1))
async def test_kill_after_write_k_then_rerun(
    k: int, reference: dict[str, Any], tmp_path: Path
) -> None:
    with start_sandbox(seed="demo") as sb:
        path = example_session(tmp_path)
        env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
        command = [sys.executable, "-m", "tui", "apply", "--session", str(path), "--yes"]
        seen = 0
        killed = threading.Event()
        holder: dict[str, subprocess.Popen[bytes]] = {}

        def kill_after_k(record: RequestRecord) -> None:
            nonlocal seen
            if record.is_write and not killed.is_set():
                seen += 1
                if seen == k:
                    os.kill(holder["p"].pid, signal.SIGKILL)
                    killed.set()

        sb.on_request(kill_after_k)
        # Blocking on purpose: the sandbox answers from its own thread and the kill
        # hook needs the child's pid; nothing else runs on this test's loop.
        holder["p"] = subprocess.Popen(  # noqa: ASYNC220
            [*command, "--graph-url", sb.graph_url],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = holder["p"].communicate(timeout=60)
        assert killed.is_set(), (out.decode(), err.decode())
        assert holder["p"].returncode == -signal.SIGKILL

        # The killed run left a readable session; its journal shows the interruption.
        interrupted = Session.read_only(path)
        assert interrupted.get("review", "last_result") == "interrupted"

        result = await apply_file(sb, path)
        assert result.ok, result.failed
        assert snapshot(sb) == reference
        assert count_named(sb) == (1, 1)
        assert (await plan_file(sb, path)).is_empty
        journal = Session.read_only(path).journal()
        # Nothing stays pending: the re-run settled the killed run's open entries from
        # what it read. Write k reached the tenant, so at least that one settles as made.
        assert all(e["result"] in ("ok", "failed") for e in journal)
        settled = [e for e in journal if "settled by the next apply" in e.get("detail", "")]
        assert any(e["result"] == "ok" for e in settled), journal
        assert all("interrupted" in e["detail"] for e in journal if e["result"] == "failed")
