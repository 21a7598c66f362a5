"""Two `adue apply` processes on one session at the same time: one applies, the other is
refused at once with the holder named and exit 1, the session stays valid and the tenant
gets each object exactly once. Repeated with the second start shifted across the first
run (`make soak`)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.plan.helpers import ROOT, count_named, plan_file, session_with_ids
from tui.sandbox.server import start_sandbox
from tui.session import Session

DELAYS = [0.0, *(pytest.param(d, marks=pytest.mark.soak) for d in (0.05, 0.2, 0.5, 0.8, 1.2))]


def _apply(path: Path, url: str, token: str) -> subprocess.Popen[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=token, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "apply", "--session", str(path), "--yes", "--graph-url", url],
        env=env,
        cwd=path.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("delay", DELAYS)
async def test_two_applies_on_one_session(
    delay: float, tmp_path: Path, tally: Counter[str]
) -> None:
    # 150 ms per request: the first apply holds the session for a second or more.
    with start_sandbox(seed="demo", latency_ms=150) as sb:
        path = session_with_ids(sb, tmp_path)
        first = _apply(path, sb.graph_url, sb.token)
        await asyncio.sleep(delay)
        second = _apply(path, sb.graph_url, sb.token)
        outputs = [p.communicate(timeout=120) for p in (first, second)]
        codes = sorted(p.returncode for p in (first, second))
        tally["two-process runs"] += 1
        if codes == [0, 1]:
            refused = outputs[[first.returncode, second.returncode].index(1)][1]
            assert "in use by adue (pid" in refused, refused
            tally["second process refused with the holder named"] += 1
        else:
            # The second started after the first had finished: it found nothing to do.
            assert codes == [0, 0], outputs
            tally["second process ran after the first (nothing to do)"] += 1
        Session.read_only(path)  # valid
        configs, profiles = count_named(sb)
        tally["duplicates"] += max(0, configs - 1) + max(0, profiles - 1)
        assert (configs, profiles) == (1, 1)
        assert (await plan_file(sb, path)).is_empty
