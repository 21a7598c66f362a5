"""A fleet apply: 100 sandbox tenants with 100 ms added to every Graph request, 16 at a
time, by `adue fleet apply` as a user runs it (a subprocess; the fleet sandbox in this
process). Then the re-run with nothing to do. Wall time against its bound, and the
adue process's peak RSS (its VmHWM: bench/child_peak.py).

The bound: the tenants go in waves of `concurrency` (ceil(100 / 16) = 7 waves); in each,
a tenant needs its token and then its round trips one after the other:
  - a fresh apply's round trips (bench/apply_latency.py, FRESH_ROUND_TRIPS), plus one:
    a fleet gives groups by name (ids differ per tenant), and the plan looks the names
    up before the reads that need the ids;
  - a no-op re-run: the plan's one round trip (the group ids are in the session now).
Tenant pinning's GET /organization rides in the plan's first $batch (its answer checked
before any other is used: tui.rollout.pinned_plan.pinned_plan), so it adds no round trip.
The token: the identity emulator answers 100 ms away too (identity_latency_ms), as
login.microsoftonline.com is as far as Graph, and the bound counts the issue's one
round trip for it per wave (the token request). azure-identity's MSAL makes two for a
tenant's first token (its openid-configuration, then the token), and adue fetches the
tokens ahead of the tenants' turns (tui.fleet.run), so they need not stand in a wave.
The emulator keeps its connections open (identity_keep_alive), as Entra ID does: a
tenant's token requests then cost the handshakes a real fleet's do (until 2026-12-03
each answer closed its connection, so every token request paid a TCP and TLS handshake).
Until 2026-12-02 the emulator answered at once and the bound counted the token as 0
(fresh 4.9 s, re-run 0.7 s); before that it counted the pin (fresh 5.6 s, re-run 1.4 s).
Run alone:
`.venv/bin/python bench/fleet_apply.py [--tenants N] [--concurrency N]`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import apply_latency  # noqa: E402 - bench/ is on the path (bench/run, or run from bench/)
from child_peak import PeakWatch  # noqa: E402
from startup import compile_bytecode  # noqa: E402

TENANTS = 100
CONCURRENCY = 16
LATENCY_MS = 100
GROUP_LOOKUP = 1  # groups by name: looked up once, their ids kept in each session
RERUN_ROUND_TRIPS = 1
TOKEN_ROUND_TRIPS = 1  # a tenant's token, as the bound counts it


@dataclass(frozen=True)
class FleetFigures:
    tenants: int
    concurrency: int
    waves: int
    fresh_s: float
    fresh_bound_s: float
    rerun_s: float
    rerun_bound_s: float
    peak_rss_mib: float
    fresh_cpu_s: float  # adue's CPU time (user + system), start-up included
    rerun_cpu_s: float
    # The sandbox's CPU time meanwhile (it runs in this process): on a machine with few
    # cores it competes with adue for them; against Graph it is not ours.
    fresh_sandbox_cpu_s: float
    rerun_sandbox_cpu_s: float
    ok: bool  # every tenant applied, then in sync
    summary: str


def _run(
    env: dict[str, str], fleet: Path, profile: Path | None = None
) -> tuple[dict[str, Any], float, float, float]:
    """`adue fleet apply --yes --json`: (its answer, the wall time it reports, peak RSS in
    MiB, CPU seconds of the whole process, start-up and imports included). With `profile`
    it runs under cProfile, which writes its statistics there (times are then slower)."""
    command = [sys.executable]
    if profile is not None:
        command += ["-m", "cProfile", "-o", str(profile)]
    command += ["-m", "tui", "fleet", "apply", "--fleet", str(fleet)]
    command += ["--yes", "--json"]
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            command, env=env, cwd=fleet.parent, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        watch = PeakWatch(process.pid)
        _, _, usage = os.wait4(process.pid, 0)
        peak_mib = watch.stop()
        process.returncode = 0
        out.seek(0)
        answer = json.loads(out.read().decode("utf-8"))
    cpu = usage.ru_utime + usage.ru_stime
    return answer, float(answer["seconds"]), peak_mib, cpu


def _own_cpu() -> float:
    """This process's CPU seconds (threads included: the sandbox's), not its children's."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    tenants: int = TENANTS, concurrency: int = CONCURRENCY, profile: Path | None = None
) -> FleetFigures:
    import tomlkit

    from tui.sandbox.fleet import start_fleet_sandbox, write_fleet_file

    # As installed: no run compiles a module whose bytecode is out of date (where
    # PYTHONDONTWRITEBYTECODE is set, each run would, bench/startup.py).
    compile_bytecode()
    labels = [f"t{i:02d}" for i in range(1, tenants + 1)]
    access = dict.fromkeys(labels, "ok")  # every tenant lets the fleet in: a clean rollout
    with (
        tempfile.TemporaryDirectory(prefix="adue-bench-fleet-") as folder,
        start_fleet_sandbox(
            tenants,
            access=access,
            latency_ms=LATENCY_MS,
            identity_latency_ms=LATENCY_MS,
            identity_keep_alive=True,  # adue exits before the sandbox stops
        ) as sb,
    ):
        fleet = write_fleet_file(sb, folder)
        doc = tomlkit.parse(fleet.read_text(encoding="utf-8"))
        doc["sign_in"]["mode"] = "app-secret"  # type: ignore[index]
        doc["sign_in"]["client_id"] = sb.fleet_client_id  # type: ignore[index]
        doc["fleet"]["concurrency"] = concurrency  # type: ignore[index]
        fleet.write_text(tomlkit.dumps(doc), encoding="utf-8")
        env = dict(
            os.environ,
            AZURE_CLIENT_SECRET=sb.fleet_client_secret,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            HOME=str(Path(folder) / "home"),
            XDG_STATE_HOME=str(Path(folder) / "state"),
        )
        before = _own_cpu()
        fresh, fresh_s, rss_fresh, cpu_fresh = _run(env, fleet, profile and profile / "fresh.prof")
        middle = _own_cpu()
        rerun, rerun_s, rss_rerun, cpu_rerun = _run(env, fleet, profile and profile / "rerun.prof")
        after = _own_cpu()
    waves = math.ceil(tenants / concurrency)
    one = LATENCY_MS / 1000
    fresh_trips = GROUP_LOOKUP + apply_latency.FRESH_ROUND_TRIPS
    ok = fresh["summary"] == {"applied": tenants} and rerun["summary"] == {"in sync": tenants}
    return FleetFigures(
        tenants=tenants,
        concurrency=concurrency,
        waves=waves,
        fresh_s=fresh_s,
        fresh_bound_s=waves * (TOKEN_ROUND_TRIPS + fresh_trips) * one,
        rerun_s=rerun_s,
        rerun_bound_s=waves * (TOKEN_ROUND_TRIPS + RERUN_ROUND_TRIPS) * one,
        peak_rss_mib=max(rss_fresh, rss_rerun),
        fresh_cpu_s=cpu_fresh,
        rerun_cpu_s=cpu_rerun,
        fresh_sandbox_cpu_s=middle - before,
        rerun_sandbox_cpu_s=after - middle,
        ok=ok,
        summary=f"fresh {fresh['summary']}, re-run {rerun['summary']}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=TENANTS)
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY)
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run adue under cProfile: DIR/fresh.prof and DIR/rerun.prof (pstats)",
    )
    args = parser.parse_args()
    started = time.monotonic()
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    f = measure(args.tenants, args.concurrency, args.profile and args.profile.absolute())
    print(f"{f.tenants} tenants, concurrency {f.concurrency}, {f.waves} waves; {f.summary}")
    print(f"fresh apply: {f.fresh_s:.1f} s (bound {f.fresh_bound_s:.1f} s, "
          f"{f.fresh_s / f.fresh_bound_s:.2f}x)")  # fmt: skip
    print(f"no-op re-run: {f.rerun_s:.1f} s (bound {f.rerun_bound_s:.1f} s, "
          f"{f.rerun_s / f.rerun_bound_s:.2f}x)")  # fmt: skip
    print(f"adue's CPU time: fresh {f.fresh_cpu_s:.1f} s, re-run {f.rerun_cpu_s:.1f} s")
    print(f"the sandbox's CPU time: fresh {f.fresh_sandbox_cpu_s:.1f} s, "
          f"re-run {f.rerun_sandbox_cpu_s:.1f} s")  # fmt: skip
    print(f"peak RSS of adue: {f.peak_rss_mib:.0f} MiB; took {time.monotonic() - started:.0f} s")
    return 0 if f.ok else 1


if __name__ == "__main__":
    sys.exit(main())
