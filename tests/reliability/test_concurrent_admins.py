"""Two admins at once: two `adue apply` processes on two copies of one rollout (two session
files) against one sandbox tenant, the second started 0-300 ms after the first, then one
re-run each. Afterwards: exactly one SSO policy and one enrollment profile, every
assignment (the tenant exactly as after one clean apply), both sessions pointing at the
same objects, nothing left to plan, and no traceback. The protocol is
tui.rollout.converge (the oldest of same-named twins survives; a run deletes only its own).

Four pairs in `make test`, twenty in `make soak`.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import (
    PROFILE_NAME,
    ROOT,
    SSO_NAME,
    apply_file,
    count_named,
    plan_file,
    session_with_ids,
    snapshot,
)
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

QUICK_PAIRS = 4
SOAK_PAIRS = 20
LATENCY_MS = 250  # per request: wide enough for the two runs' creates and re-reads to interleave


def _pairs() -> list[Any]:
    return [
        pytest.param(i, marks=() if i < QUICK_PAIRS else (pytest.mark.soak,))
        for i in range(SOAK_PAIRS)
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, tmp_path_factory.mktemp("reference"))
        assert asyncio.run(apply_file(sb, path)).ok
        return snapshot(sb)


def _apply(path: Path, sb: RunningSandbox) -> subprocess.Popen[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "apply",
            "--session",
            str(path),
            "--yes",
            "--graph-url",
            sb.graph_url,
        ],
        env=env,
        cwd=path.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ids(path: Path) -> tuple[str, str]:
    session = Session.read_only(path)
    return (
        str(session.get("sso_extension", "policy_id") or ""),
        str(session.get("enrollment_profile", "profile_id") or ""),
    )


@pytest.mark.parametrize("pair", _pairs())
async def test_two_admins_at_once_converge(
    pair: int, reference: dict[str, Any], tmp_path: Path, tally: Counter[str]
) -> None:
    offset = random.Random(pair).uniform(0.0, 0.3)
    with start_sandbox(seed="demo", latency_ms=LATENCY_MS) as sb:
        first = session_with_ids(sb, tmp_path)
        (tmp_path / "b").mkdir()
        second = tmp_path / "b" / first.name
        shutil.copyfile(first, second)
        second.chmod(0o600)
        runs = [_apply(first, sb)]
        await asyncio.sleep(offset)
        runs.append(_apply(second, sb))
        outputs = [p.communicate(timeout=180) for p in runs]
        reruns = [_apply(again, sb) for again in (first, second)]  # one re-run each, at once
        for rerun in reruns:
            outputs.append(rerun.communicate(timeout=180))
            assert rerun.returncode == 0, outputs[-1]
        for out, err in outputs:
            assert "Traceback" not in out + err, err
        tally["concurrent pairs"] += 1
        with sb.lock:
            adopted = sum(1 for r in sb.requests if r.method == "DELETE")
        tally["own duplicates deleted while converging"] += adopted
        configs, profiles = count_named(sb)
        tally["duplicates"] += max(0, configs - 1) + max(0, profiles - 1)
        assert (configs, profiles) == (1, 1), outputs
        lost = snapshot(sb) != reference
        tally["pairs with a lost or extra assignment"] += int(lost)
        assert not lost, outputs
        ids = {_ids(first), _ids(second)}
        tally["pairs whose sessions disagree"] += int(len(ids) != 1)
        assert len(ids) == 1, ids
        with sb.lock:  # ... at the objects the tenant has
            ours = (
                next(
                    k
                    for k, c in sb.state.device_configurations.items()
                    if c["displayName"] == SSO_NAME
                ),
                next(
                    k
                    for k, p in sb.state.enrollment_profiles.items()
                    if p["displayName"] == PROFILE_NAME
                ),
            )
        assert ids == {ours}
        for path in (first, second):
            assert (await plan_file(sb, path)).is_empty
