"""`adue progress` at scale: the `enrolled-large` sandbox seed (50,000 more members in
"All iOS users": 50,009 targeted users with examples/sandbox-demo.toml, about 27,500
iPhones and iPads) with 100 ms added to every request, read in-process with msgraph
warmed. Target: under 30 s.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "sandbox-demo.toml"
LATENCY_MS = 100
TARGET_S = 30.0


@dataclass(frozen=True)
class ProgressFigures:
    wall_s: float
    targeted: int
    enrolled: int
    requests: int  # top-level HTTP requests ($batch counts once)


async def _read() -> ProgressFigures:
    from msgraph.generated.models.user import User

    from tui.graph.auth import StaticTokenCredential
    from tui.graph.client import build_graph_client
    from tui.progress.read import read_progress
    from tui.progress.targets import progress_targets
    from tui.sandbox.server import start_sandbox
    from tui.session import Session

    User().get_field_deserializers()
    session = Session.read_only(EXAMPLE)
    try:
        targets = progress_targets(session.data)
    finally:
        session.close()
    with start_sandbox(seed="enrolled-large", latency_ms=LATENCY_MS) as sb:
        client = build_graph_client(
            StaticTokenCredential(sb.token),
            graph_root=sb.graph_url,
            scopes=["https://graph.microsoft.com/.default"],
        )
        try:
            started = time.perf_counter()
            report = await read_progress(client, targets)
            wall = time.perf_counter() - started
        finally:
            await client.aclose()
        requests = len(sb.top_level_requests())
    return ProgressFigures(wall, report.targeted, len(report.enrolled), requests)


def measure() -> ProgressFigures:
    """One run (the seed takes a few seconds to build; the read is what is timed)."""
    return asyncio.run(_read())


if __name__ == "__main__":
    print(measure())
