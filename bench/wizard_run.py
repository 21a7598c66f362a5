"""One full wizard run on the sandbox, headless, measuring how late the UI's event loop got.

The AdueApp runs under Textual's `run_test` (the real app, screens and Backend; no
terminal). A monitor coroutine on the app's own event loop sleeps 5 ms at a time and
records by how much each sleep overshot: any work that holds the loop (or the GIL)
shows up as lateness. A Pilot drives sign-in (the real device-code flow against the
sandbox's identity endpoints) -> prerequisite checks -> review & apply, and the
longest stall of each phase is printed as JSON on stdout.

bench/run starts this script in its own process, so its peak RSS is a whole wizard
run's (the sandbox tenant included, as with `adue --sandbox`).

    .venv/bin/python bench/wizard_run.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from child_peak import vm_hwm_mib  # noqa: E402 - bench/ is on the path

TICK = 0.005  # the monitor's sleep: finer than any stall worth reporting
PHASES = ("sign-in", "checks", "apply")
SSO_NAME = "iOS – Entra ID SSO extension (account-driven UE)"
PROFILE_NAME = "iOS – account-driven user enrollment"


class LoopMonitor:
    """Records the worst lateness of `asyncio.sleep(TICK)` per phase, on the running loop."""

    def __init__(self) -> None:
        self.phase = ""
        self.worst: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(TICK)
            late = time.perf_counter() - started - TICK
            if self.phase:
                self.worst[self.phase] = max(self.worst.get(self.phase, 0.0), late)

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


def prepared_session(folder: Path) -> Any:
    """A new session as steps 3-5 leave it for the demo tenant; sign-in not done yet."""
    from tui.sandbox.seeds import DEMO_GROUPS
    from tui.sandbox.tenant import stable_id
    from tui.session import Session

    names = {key: name for key, name, _ in DEMO_GROUPS}
    pilot = {"id": stable_id("demo", "group", "byod-pilot"), "name": names["byod-pilot"]}
    session = Session.open(folder / "adue-session.toml")
    session.update("sso_extension", {"all_users": False, "groups": [pilot], "bundle_ids": []})
    session.set("sso_extension", "name", SSO_NAME)
    session.update("enrollment_profile", {"name": PROFILE_NAME, "groups": [pilot]})
    for table in ("sso_extension", "authenticator", "enrollment_profile"):
        session.set(table, "status", "done")
    session.save()
    return session


async def _until(pilot: Any, condition: Callable[[], bool], limit_s: float = 60) -> None:
    try:
        async with asyncio.timeout(limit_s):
            while not condition():
                await pilot.pause(0.02)
    except TimeoutError:
        raise TimeoutError("the wizard never got there") from None


def _text(app: Any, selector: str) -> str:
    from textual.widgets import Static

    return str(app.query_one(selector, Static).render())


async def drive(folder: Path) -> dict[str, Any]:
    from screens.dialogs.confirm import ConfirmDialog
    from screens.dialogs.device_code import DeviceCodeDialog
    from tui import startup_gc
    from tui.app import AdueApp
    from tui.backend import Backend, WizardOptions
    from tui.sandbox.server import start_sandbox

    startup_gc.pause()  # as `adue` does (tui/commands/wizard.py); the app resumes it
    started = time.perf_counter()
    discovery_shown = True
    monitor = LoopMonitor()
    with start_sandbox(
        seed="demo",
        device_auto_approve_seconds=0.5,
        state_file=folder / "adue-session.sandbox-state.json",
    ) as sb:
        session = prepared_session(folder)
        backend = Backend(session, WizardOptions(), running_sandbox=sb)
        app = AdueApp(session, backend=backend)
        async with app.run_test(size=(120, 40)) as pilot:
            monitor.start()
            monitor.phase = "sign-in"
            await pilot.click("#sign-in-button")
            await _until(pilot, lambda: session.get("sign_in", "status") == "done")
            await _until(pilot, lambda: not isinstance(app.screen, DeviceCodeDialog))

            monitor.phase = "checks"
            await pilot.press("ctrl+n")
            await _until(pilot, lambda: bool(app.query(".check-row")))
            try:
                await _until(pilot, lambda: bool(app.query("#discovery-verdict")), limit_s=20)
            except TimeoutError:
                discovery_shown = False
            app.query_one("#prereq-federation").focus()
            await pilot.press("space")
            # A complete step is done once the admin goes through it (Next), never on arrival.
            met = "All prerequisites are met"
            await _until(pilot, lambda: met in _text(app, "#prereq-verdict"))
            await pilot.press("ctrl+n")
            await _until(pilot, lambda: session.get("prerequisites", "status") == "done")

            monitor.phase = "apply"
            app.go_to_step("review")
            await _until(pilot, lambda: bool(app.query("#review-status")))
            review = app.query_one("#review")
            await _until(pilot, lambda: "Comparing" not in _text(app, "#review-status"))
            await _until(pilot, lambda: not app.query_one("#review-apply").disabled)
            await pilot.click("#review-apply")
            await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.click("#confirm-ok")
            await _until(
                pilot,
                lambda: (
                    session.get("review", "last_result") in ("ok", "failed")
                    and not review.applying  # type: ignore[attr-defined]
                    and not _text(app, "#review-status").startswith(("Comparing", "Applying"))
                ),
            )
            monitor.phase = ""
            monitor.stop()
            outcome = _text(app, "#review-status")
        with sb.lock:
            created = sum(
                1 for c in sb.state.device_configurations.values() if c["displayName"] == SSO_NAME
            )
    return {
        "stall_ms": {phase: round(monitor.worst.get(phase, 0.0) * 1000, 1) for phase in PHASES},
        "applied": session.get("review", "last_result") == "ok" and created == 1,
        "status": outcome,
        "discovery_check_shown": discovery_shown,
        "wall_s": round(time.perf_counter() - started, 2),
        "threads_left": threading.active_count(),
        "peak_rss_mib": vm_hwm_mib(),  # this process's own (bench/child_peak.py says why)
    }


def main() -> int:
    # A private HOME: the sign-in's authentication record goes there, not to the user's.
    with tempfile.TemporaryDirectory(prefix="adue-bench-") as folder:
        os.environ["HOME"] = str(Path(folder) / "home")
        os.environ["XDG_STATE_HOME"] = str(Path(folder) / "state")
        for name in ("ADUE_ACCESS_TOKEN", "ADUE_GRAPH_URL"):
            os.environ.pop(name, None)
        result = asyncio.run(drive(Path(folder)))
    print(json.dumps(result))
    return 0 if result["applied"] else 1


if __name__ == "__main__":
    sys.exit(main())
