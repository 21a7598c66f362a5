"""A full fresh apply, and a re-run with nothing to do, on the sandbox `demo` seed with
100 ms added to every request, measured in-process with msgraph-sdk already warmed.

The session is examples/sandbox-demo.toml with every group given by id as well as by
name, as the wizard writes it (a group given only by name costs a lookup round trip).
Round trips are counted from what the sandbox saw: the longest chain of top-level
requests where each one started after the previous one had been answered.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sandbox-demo.toml"
LATENCY_MS = 100
# What a fresh apply's protocol needs, one after the other (issue 13, README "Reliability"):
#  1. the plan's reads: two $batches at once (directory in v1.0, Intune lists in beta);
#  2. the apps' assignments, read per app by id in beta (the list's $expand=assignments
#     is deprecated and can come back empty; a replace-all /assign needs them all), which
#     needs the app ids from 1;
#  3. the creates (SSO policy, enrollment profile) and the Authenticator /assign, at once;
#     a create is never retried blindly, so it is one round trip of its own;
#  4. after its create, each chain's writes (assignments) together with the re-read by
#     exact name that settles twins made by another admin at the same moment, and, in
#     the profile's chain, the read of the iOS order (where a new profile lands is not
#     documented);
#  5. setPriority, which needs that order;
#  6. the order read again, to see the move took (whether setPriority inserts or swaps is
#     not documented either).
# The SSO policy's chain ends at 4. Steps 4-6 were not there before the trust work (then 3).
FRESH_ROUND_TRIPS = 6
GROUP_NAMES = ("BYOD pilot", "All iOS users", "Executives")


@dataclass(frozen=True)
class ApplyFigures:
    wall_s: float  # median
    requests: int  # HTTP requests (a $batch counts once)
    round_trips: int
    ok: bool


def session_with_ids(sandbox: object, folder: Path) -> Path:
    """The example session with `{ id = ..., name = ... }` groups, mode 0600."""
    from tui.sandbox.server import RunningSandbox

    assert isinstance(sandbox, RunningSandbox)
    path = folder / "rollout.toml"
    shutil.copyfile(EXAMPLE, path)
    path.chmod(0o600)
    text = path.read_text(encoding="utf-8")
    with sandbox.lock:
        ids = {g["displayName"]: g["id"] for g in sandbox.state.groups.values()}
    for name in GROUP_NAMES:
        text = text.replace(f'{{ name = "{name}" }}', f'{{ id = "{ids[name]}", name = "{name}" }}')
    path.write_text(text, encoding="utf-8")
    return path


def round_trips(sandbox: object) -> int:
    """Sequential round trips: the longest chain of top-level requests in which each
    request arrived after the one before it in the chain had been answered."""
    from tui.sandbox.server import RunningSandbox

    assert isinstance(sandbox, RunningSandbox)
    records = sorted(sandbox.top_level_requests(), key=lambda r: r.time)
    chains: list[tuple[float, int]] = []  # (answered at, chain length)
    for record in records:
        before = [length for end, length in chains if end <= record.time]
        chains.append((record.time + record.duration_ms / 1000, 1 + max(before, default=0)))
    return max((length for _, length in chains), default=0)


async def _apply_once(seed_runs: int) -> tuple[list[tuple[float, int, int, bool]], ...]:
    from msgraph.generated.models.user import User

    from tui.graph.auth import StaticTokenCredential
    from tui.graph.client import build_graph_client
    from tui.rollout.apply import apply_session
    from tui.sandbox.server import start_sandbox
    from tui.session import Session

    User().get_field_deserializers()  # the wizard warms msgraph up after its first frame
    fresh: list[tuple[float, int, int, bool]] = []
    rerun: list[tuple[float, int, int, bool]] = []
    for _ in range(seed_runs):
        with (
            tempfile.TemporaryDirectory() as folder,
            start_sandbox(seed="demo", latency_ms=LATENCY_MS) as sb,
        ):
            path = session_with_ids(sb, Path(folder))
            client = build_graph_client(
                StaticTokenCredential(sb.token),
                graph_root=sb.graph_url,
                scopes=["https://graph.microsoft.com/.default"],
            )
            try:
                with Session.open(path, create=False) as session:
                    for figures in (fresh, rerun):
                        sb.clear_requests()
                        started = time.perf_counter()
                        result = await apply_session(client, session)
                        wall = time.perf_counter() - started
                        figures.append(
                            (wall, len(sb.top_level_requests()), round_trips(sb), result.ok)
                        )
            finally:
                await client.aclose()
    return fresh, rerun


def _summarise(samples: list[tuple[float, int, int, bool]]) -> ApplyFigures:
    return ApplyFigures(
        wall_s=statistics.median(s[0] for s in samples),
        requests=max(s[1] for s in samples),
        round_trips=max(s[2] for s in samples),
        ok=all(s[3] for s in samples),
    )


def measure(runs: int = 5) -> tuple[ApplyFigures, ApplyFigures]:
    """(fresh apply, re-run with nothing to do): medians of `runs` fresh tenants."""
    fresh, rerun = asyncio.run(_apply_once(runs))
    return _summarise(fresh), _summarise(rerun)


if __name__ == "__main__":
    for label, figures in zip(("fresh", "re-run"), measure(3), strict=True):
        print(label, figures)
