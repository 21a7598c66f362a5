"""`adue plan` as a pipeline runs it: a fresh process, token auth ($ADUE_ACCESS_TOKEN, the
sandbox's token), the `demo` seed with 100 ms added to every Graph request.

The bound is what no implementation can avoid: starting the interpreter (`python -c
pass`, measured here) and the round trips the session's plan needs (until 2026-12-04 it
counted one for both sessions below, though the first needs two). The rest is adue's own start-up
(imports: msgraph-sdk, kiota, httpx; never azure.identity, azure-core's own HTTP
pipeline or h2 on this path; the code that reads the answers and the plan engine only
while the first round trip is on the wire, tests/plan/test_headless_imports.py) and its
plan.
Round trips are counted from what the sandbox saw (bench/apply_latency.round_trips).
The session names its groups by id: 2 round trips (the tenant check rides in the
plan's first $batch; the apps found in the lists are then read by id for their
assignments). `--app-ids`: the apps' ids recorded too, as after a first apply: 1.
Run alone: `.venv/bin/python bench/headless_plan.py [--runs N] [--app-ids]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for folder in (str(HERE), str(ROOT)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import apply_latency  # noqa: E402 - bench/ is on the path (bench/run, or run from bench/)

LATENCY_MS = 100


@dataclass(frozen=True)
class PlanFigures:
    wall_s: float  # median wall time of `adue plan`
    interpreter_s: float  # median `python -c pass`
    round_trips: int
    ok: bool  # exit 2 (changes to make) every time, as on a fresh demo tenant

    @property
    def bound_s(self) -> float:
        """Interpreter start and the round trips this session's plan cannot do without."""
        return self.interpreter_s + self.round_trips * LATENCY_MS / 1000


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, check=False)
    return time.perf_counter() - started, done.returncode


def _record_app_ids(sandbox: object, path: Path) -> None:
    """Authenticator's and the Company Portal web clip's ids in the session."""
    from tui.sandbox.server import RunningSandbox

    assert isinstance(sandbox, RunningSandbox)
    with sandbox.lock:
        apps = list(sandbox.state.mobile_apps.values())
    authenticator = next(
        a["id"]
        for a in apps
        if a.get("bundleId") == "com.microsoft.azureauthenticator"
        and a["@odata.type"] == "#microsoft.graph.iosVppApp"
    )
    clip = next(a["id"] for a in apps if a["@odata.type"] == "#microsoft.graph.webApp")
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "same_groups_as_sso = true", f'same_groups_as_sso = true\napp_id = "{authenticator}"'
    ).replace("[web_clip]\nenabled = true", f'[web_clip]\nenabled = true\napp_id = "{clip}"')
    path.write_text(text, encoding="utf-8")


def measure(runs: int = 5, *, app_ids: bool = False) -> PlanFigures:
    from tui.sandbox.server import start_sandbox

    python = sys.executable
    adue = str(Path(python).with_name("adue"))
    walls: list[float] = []
    starts: list[float] = []
    trips = 0
    ok = True
    with (
        tempfile.TemporaryDirectory() as folder,
        start_sandbox(seed="demo", latency_ms=LATENCY_MS) as sb,
    ):
        path = apply_latency.session_with_ids(sb, Path(folder))
        if app_ids:
            _record_app_ids(sb, path)
        env = {
            **os.environ,
            "ADUE_ACCESS_TOKEN": sb.token,
            "ADUE_GRAPH_URL": sb.graph_url,
            "HOME": folder,
        }
        command = [adue, "plan", "--session", str(path), "--auth", "token"]
        # Warm the page cache and the bytecode: this run writes the .pyc files even where
        # the environment says not to (PYTHONDONTWRITEBYTECODE), as installing adue does,
        # so that no run compiles a module whose cached bytecode is out of date.
        writing = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        _timed(command, writing)
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            starts.append(_timed([python, "-c", "pass"], env)[0])
            sb.clear_requests()
            wall, code = _timed(command, env)
            walls.append(wall)
            trips = max(trips, apply_latency.round_trips(sb))
            ok = ok and code == 2
    return PlanFigures(statistics.median(walls), statistics.median(starts), trips, ok)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--app-ids", action="store_true", help="the apps' ids in the session")
    options = parser.parse_args()
    figures = measure(max(1, options.runs), app_ids=options.app_ids)
    print(
        f"adue plan{' (app ids)' if options.app_ids else ''}: {figures.wall_s * 1000:.0f} ms,"
        f" bound {figures.bound_s * 1000:.0f} ms"
        f" (interpreter {figures.interpreter_s * 1000:.0f} ms"
        f" + {figures.round_trips} x {LATENCY_MS} ms),"
        f" {figures.round_trips} round trips, ok={figures.ok}; load {os.getloadavg()[0]:.2f}"
    )
