"""SIGKILL at every point of a real `adue destroy`, then a re-run: afterwards the tenant is
exactly as before the apply (the objects this session created removed, another admin's
Authenticator and web app assignments kept as they were), no journal entry is left
pending, and a second destroy writes nothing.

Two tenants: the demo's, whose Company Portal web app the apply adopted (destroy removes
only the rollout's assignments from it), and one without a web app, where the apply
created the web clip (destroy deletes it). A point is a request the sandbox handles
(`$batch` sub-requests count one each: reads and writes alike), the kill sent when the
sandbox has made the answer and before it is sent, or 10 ms later. `make test` kills at
the first write and at the last request of each tenant's destroy; `make soak` at every
point, at both moments (tests/plan/test_destroy.py kills after each write in-process).
"""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import ROOT, apply_file, example_session, group_id
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

AUTHENTICATOR = "com.microsoft.azureauthenticator"
WEB_APP = "#microsoft.graph.webApp"
SCENARIOS = ("adopted-web-clip", "created-web-clip")
DELAYS_MS = (0, 10)
MAX_RERUNS = 3


def _other_assignment(group: str) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.mobileAppAssignment",
        "id": f"{group}_0_0",
        "intent": "available",
        "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group},
        "settings": None,
        "source": "direct",
        "sourceId": None,
    }


def _prepare(sb: RunningSandbox, scenario: str) -> None:
    """Another admin's assignments on Authenticator and on the tenant's web app (if it
    keeps one: the created-web-clip tenant has none)."""
    sales = group_id(sb, "Sales")
    with sb.lock:
        apps = sb.state.mobile_apps
        authenticator = next(
            a["id"]
            for a in apps.values()
            if a.get("bundleId") == AUTHENTICATOR and a["@odata.type"].endswith("iosVppApp")
        )
        theirs = _other_assignment(sales)
        theirs["settings"] = {
            "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
            "useDeviceLicensing": False,
            "vpnConfigurationId": None,
        }
        sb.state.app_assignments[authenticator] = [theirs]
        for app in [a for a in apps.values() if a["@odata.type"] == WEB_APP]:
            if scenario == "created-web-clip":
                del apps[app["id"]]
                sb.state.app_assignments.pop(app["id"], None)
            else:
                sb.state.app_assignments[app["id"]] = [_other_assignment(sales)]


def _state(sb: RunningSandbox) -> dict[str, Any]:
    """Every object and assignment destroy may touch, as stored (timestamps aside)."""
    with sb.lock:
        t = sb.state
        apps = {k: copy.deepcopy(v) for k, v in t.mobile_apps.items()}
        for app in apps.values():
            app.pop("lastModifiedDateTime", None)
        return {
            "configs": sorted(t.device_configurations),
            "config_assignments": copy.deepcopy(t.config_assignments),
            "profiles": sorted(t.enrollment_profiles),
            "profile_assignments": copy.deepcopy(t.profile_assignments),
            "apps": apps,
            "app_assignments": copy.deepcopy(t.app_assignments),
        }


def _destroy(sb: RunningSandbox, path: Path, cwd: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "tui", "destroy", "--session", str(path), "--yes"]
    return subprocess.Popen(
        [*command, "--graph-url", sb.graph_url],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _applied(scenario: str, tmp_path: Path) -> tuple[RunningSandbox, Any, Path, dict[str, Any]]:
    """A sandbox where this session's apply ran (started: the caller stops it)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    running = start_sandbox(seed="demo", retry_after=0)
    sb = running.__enter__()
    _prepare(sb, scenario)
    before = _state(sb)
    path = example_session(tmp_path)
    try:
        result = asyncio.run(apply_file(sb, path))
        assert result.ok, result.failed
    except BaseException:
        running.__exit__(None, None, None)
        raise
    return sb, running, path, before


def _requests_of_a_clean_destroy(scenario: str, tmp_path: Path) -> tuple[int, int]:
    """(requests, index of the first write) of an uninterrupted destroy."""
    sb, running, path, before = _applied(scenario, tmp_path)
    try:
        seen: list[RequestRecord] = []
        sb.on_request(seen.append)
        done = _destroy(sb, path, tmp_path)
        out, err = done.communicate(timeout=90)
        assert done.returncode == 0, out + err
        assert _state(sb) == before
        first_write = next(i for i, r in enumerate(seen, 1) if r.is_write)
        return len(seen), first_write
    finally:
        running.__exit__(None, None, None)


def _kill_at(scenario: str, point: int, delay_ms: int, tmp_path: Path, tally: Counter[str]) -> None:
    """Kill destroy at its request `point`, re-run until done, check the tenant and the
    journal, then a second destroy that must write nothing."""
    sb, running, path, before = _applied(scenario, tmp_path)
    try:
        seen = 0
        killed = threading.Event()
        holder: dict[str, subprocess.Popen[str]] = {}

        def kill() -> None:
            holder["p"].send_signal(signal.SIGKILL)

        def on_request(_record: RequestRecord) -> None:
            nonlocal seen
            seen += 1
            if seen == point and not killed.is_set():
                killed.set()
                if delay_ms:
                    threading.Timer(delay_ms / 1000, kill).start()
                else:
                    kill()

        remove = sb.on_request(on_request)
        holder["p"] = _destroy(sb, path, tmp_path)
        out, err = holder["p"].communicate(timeout=90)
        remove()
        assert killed.is_set(), f"destroy ended before request {point}: {out}{err}"
        assert "Traceback" not in err
        tally["destroy runs killed (SIGKILL)"] += holder["p"].returncode == -signal.SIGKILL
        for _ in range(MAX_RERUNS):
            again = _destroy(sb, path, tmp_path)
            out, err = again.communicate(timeout=90)
            tally["destroy re-runs after a kill"] += 1
            assert "Traceback" not in err
            if again.returncode == 0:
                break
        assert again.returncode == 0, out + err
        assert _state(sb) == before, f"{scenario}, killed at request {point} + {delay_ms} ms"
        journal = Session.read_only(path).journal()
        assert all(e["result"] in ("ok", "failed", "interrupted") for e in journal), journal
        writes = len(sb.writes())
        last = _destroy(sb, path, tmp_path)
        out, err = last.communicate(timeout=90)
        assert last.returncode == 0, out + err
        assert len(sb.writes()) == writes  # a second destroy does nothing
        tally["destroy kill points converged"] += 1
    finally:
        running.__exit__(None, None, None)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_kill_at_the_first_write_and_the_last_request(
    scenario: str, tmp_path: Path, tally: Counter[str]
) -> None:
    total, first_write = _requests_of_a_clean_destroy(scenario, tmp_path / "clean")
    for point in sorted({first_write, total}):
        _kill_at(scenario, point, 0, tmp_path / f"kill-{point}", tally)


@pytest.mark.soak
@pytest.mark.parametrize("delay_ms", DELAYS_MS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_kill_at_every_request(
    scenario: str, delay_ms: int, tmp_path: Path, tally: Counter[str]
) -> None:
    total, _first_write = _requests_of_a_clean_destroy(scenario, tmp_path / "clean")
    for point in range(1, total + 1):
        _kill_at(scenario, point, delay_ms, tmp_path / f"kill-{point}", tally)
