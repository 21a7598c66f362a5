"""What a long history costs an apply: the same fresh apply of examples/sandbox-demo.toml
(sandbox `demo` seed, no added latency, msgraph warmed) on a session whose journal is
empty, and on one with 20,000 entries of history.

- legacy: the file holds all 20,000 entries (as written before compaction existed); the
  apply compacts them once;
- steady: the file that apply left (compacted history plus that run), applied again to a
  fresh tenant: what every later apply costs.
The extra cost is the median of the paired differences (each run's steady apply minus
its empty-journal apply) in CPU time of the thread that runs adue (apply and every
session save run on the event loop's thread): the extra work is all serialising and
parsing, and a thread's CPU time counts neither other processes loading the machine nor
the in-process sandbox's threads. Wall time is given for reference.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from apply_latency import session_with_ids

HISTORY = 20_000
# Intents like the ones apply writes (the action keys), for a long-lived rollout.
_INTENTS = (
    ("sso.update", "update", "sso_policy"),
    ("sso.assign", "assign", "sso_policy"),
    ("authenticator.assign", "assign", "authenticator_app"),
    ("profile.update", "update", "enrollment_profile"),
    ("profile.assign.pilot", "assign", "enrollment_profile"),
    ("profile.assign.all", "assign", "enrollment_profile"),
    ("profile.unassign.old", "unassign", "enrollment_profile"),
    ("profile.priority", "set_priority", "enrollment_profile"),
)
_CREATES = (
    ("sso.create", "sso_policy"),
    ("profile.create", "enrollment_profile"),
)


@dataclass(frozen=True)
class Timing:
    wall_s: float
    cpu_s: float  # the whole process (adue and the sandbox's threads)
    thread_s: float  # adue's thread only


@dataclass(frozen=True)
class HistoryFigures:
    empty: Timing  # medians, empty journal
    legacy: Timing  # first apply with 20,000 entries in the file (compacts them)
    steady: Timing  # later applies: the compacted history
    entries_after: int  # journal entries in the file after the steady apply
    ok: bool
    extra_cpu_ms: float  # median of (steady - empty) in adue's thread CPU time
    extra_wall_ms: float  # median of (steady - empty) in wall time


def history_text(entries: int = HISTORY) -> str:
    """`entries` [[journal]] tables: mostly updates and assignments, a create now and
    then (an object someone deleted, made again), a failure every 97 writes."""
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    parts: list[str] = []
    for n in range(entries):
        if n % 2000 < len(_CREATES):
            intent, object_type = _CREATES[n % 2000]
            action = "create"
        else:
            intent, action, object_type = _INTENTS[n % len(_INTENTS)]
        result = "failed" if n % 97 == 0 else "ok"
        when = (start + dt.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        parts.append(
            f'\n[[journal]]\ntime = {when}\nintent = "{intent}"\naction = "{action}"\n'
            f'object_type = "{object_type}"\nobject_id = "{n:08d}-0000-4000-8000-000000000000"\n'
            f'request_id = "{n:08d}-aaaa-4000-8000-000000000000"\nresult = "{result}"\n'
        )
    return "".join(parts)


def journal_part(text: str) -> str:
    """Only the [[journal]] tables of a session's text (each up to the next header)."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines(keepends=True):
        if line.strip().startswith("["):
            inside = line.strip().replace(" ", "").startswith("[[journal]]")
        if inside:
            kept.append(line)
    return "".join(kept)


def _renew(path: Path, fresh: Path) -> None:
    """Set-up, before the clock starts: `fresh` (the example with this tenant's group ids)
    followed by the journal `path` holds so far."""
    history = journal_part(path.read_text(encoding="utf-8"))
    path.write_text(fresh.read_text(encoding="utf-8") + "\n" + history, encoding="utf-8")
    path.chmod(0o600)


async def _one_apply(path: Path) -> tuple[Timing, bool, int]:
    from tui.graph.auth import StaticTokenCredential
    from tui.graph.client import build_graph_client
    from tui.rollout.apply import apply_session
    from tui.sandbox.server import start_sandbox
    from tui.session import Session

    with start_sandbox(seed="demo") as sb:
        _renew(path, session_with_ids(sb, path.parent / "ids"))
        client = build_graph_client(
            StaticTokenCredential(sb.token),
            graph_root=sb.graph_url,
            scopes=["https://graph.microsoft.com/.default"],
        )
        try:
            started, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
            with Session.open(path, create=False) as session:
                result = await apply_session(client, session)
            timing = Timing(
                time.perf_counter() - started,
                time.process_time() - cpu,
                time.thread_time() - own,
            )
        finally:
            await client.aclose()
    entries = len(Session.read_only(path).journal())
    return timing, result.ok, entries


async def _measure(runs: int) -> HistoryFigures:
    from msgraph.generated.models.user import User

    User().get_field_deserializers()  # the wizard warms msgraph up after its first frame
    empty: list[Timing] = []
    legacy: list[Timing] = []
    steady: list[Timing] = []
    ok = True
    entries_after = 0
    history = history_text()
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "ids").mkdir()
            plain = Path(folder) / "empty.toml"
            plain.write_text("", encoding="utf-8")
            timing, good, _ = await _one_apply(plain)
            empty.append(timing)
            long = Path(folder) / "history.toml"
            long.write_text(history, encoding="utf-8")
            timing, first_ok, _ = await _one_apply(long)
            legacy.append(timing)
            timing, later_ok, entries_after = await _one_apply(long)
            steady.append(timing)
            ok = ok and good and first_ok and later_ok
    return HistoryFigures(
        _median(empty),
        _median(legacy),
        _median(steady),
        entries_after,
        ok,
        extra_cpu_ms=statistics.median(
            (s.thread_s - e.thread_s) * 1000 for s, e in zip(steady, empty, strict=True)
        ),
        extra_wall_ms=statistics.median(
            (s.wall_s - e.wall_s) * 1000 for s, e in zip(steady, empty, strict=True)
        ),
    )


def _median(timings: list[Timing]) -> Timing:
    return Timing(
        statistics.median(t.wall_s for t in timings),
        statistics.median(t.cpu_s for t in timings),
        statistics.median(t.thread_s for t in timings),
    )


def measure(runs: int = 7) -> HistoryFigures:
    return asyncio.run(_measure(runs))


if __name__ == "__main__":
    figures = measure()
    print(figures)
    print(
        f"extra cost: {figures.extra_cpu_ms:.1f} ms CPU (adue's thread), "
        f"{figures.extra_wall_ms:.1f} ms wall"
    )
