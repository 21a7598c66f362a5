"""Faults beyond a clean run: 30% throttling with Retry-After, 503s, dropped connections,
lost answers (the write is made, the answer lost) and a token that expires mid-run. Apply
completes, or stops cleanly (a failed result, a journal without pending entries, a message
with Graph's request-id) and a re-run completes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, count_named, example_session, plan_file, snapshot
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

# A run is now about 8 reads and 9 writes (the re-read after each create, the read-back
# after the priority moves); at 15% dropped connections (never retried) many runs stop
# early, and how far each gets depends on how the concurrent chains interleave. What is
# tested is that every stop is clean and the re-runs finish: allow as many as the fault
# matrix does for its mixed faults (tests/reliability/test_fault_matrix.py).
MAX_RUNS = 40


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import asyncio

    with start_sandbox(seed="demo") as sb:
        path = example_session(tmp_path_factory.mktemp("reference"))
        assert asyncio.run(apply_file(sb, path)).ok
        return snapshot(sb)


def _stopped_cleanly(path: Path, result: Any) -> None:
    session = Session.read_only(path)
    assert session.get("review", "last_result") == "failed"
    journal = session.journal()
    assert all(e["result"] in ("ok", "failed") for e in journal)
    failed = [e for e in journal if e["result"] == "failed"]
    assert failed
    assert all(e["detail"] for e in failed)
    assert result.failed
    assert all(message for message in result.failed.values())


async def _until_done(sb: RunningSandbox, path: Path, token: str | None = None) -> int:
    """Apply until it completes; every stop in between must be clean. Returns the runs."""
    from tui.graph.errors import GraphError

    for run in range(1, MAX_RUNS + 1):
        try:
            result = await apply_file(sb, path, token)
        except GraphError as exc:  # the read before any write failed: nothing to clean up
            assert str(exc)
            continue
        if result.ok:
            return run
        _stopped_cleanly(path, result)
    raise AssertionError(f"apply did not complete in {MAX_RUNS} runs")


@pytest.mark.parametrize(
    ("faults", "seed"),
    [
        (["429:0.3"], 1),
        (["503:0.15"], 2),
        (["429:0.1", "503:0.1", "drop:0.15"], 3),
        (["lost:0.5"], 4),
    ],
    ids=["throttled-30pct", "unavailable-15pct", "mixed-with-drops", "lost-answers-50pct"],
)
async def test_faults_complete_or_stop_cleanly_then_resume(
    faults: list[str], seed: int, reference: dict[str, Any], tmp_path: Path
) -> None:
    with start_sandbox(seed="demo", faults=faults, fault_seed=seed, retry_after=1) as sb:
        path = example_session(tmp_path)
        await _until_done(sb, path)
        hit = [r for r in sb.requests if r.fault in ("429", "503", "drop") or _lost(r.fault)]
        assert hit, "the fault plan hit no request: the test proves nothing"
        assert snapshot(sb) == reference
        assert count_named(sb) == (1, 1)
        sb.faults.rules.clear()
        assert (await plan_file(sb, path)).is_empty


def _lost(fault: str | None) -> bool:
    return bool(fault) and str(fault).startswith("lost-")


async def test_throttling_beyond_retries_stops_cleanly_with_request_id(tmp_path: Path) -> None:
    """Every request below one policy throttled: the SDK gives up after its retries, apply
    stops that write with Graph's message and request-id, the other chains finish; a re-run
    (throttling over) completes."""
    with start_sandbox(
        seed="demo", faults=["429:1@/beta/deviceManagement/deviceConfigurations/"], retry_after=0
    ) as sb:
        path = example_session(tmp_path)
        # Reading and creating use the collection's path (no trailing slash): not throttled.
        events: list[Any] = []
        result = await apply_file(sb, path, progress=events.append)
        assert not result.ok
        assert set(result.failed) == {"sso_extension:assign"}
        message = result.failed["sso_extension:assign"]
        assert "throttl" in message.lower()
        assert "request-id" in message
        assert "sso_extension:create" in result.done
        assert "authenticator:assign" in result.done
        assert "enrollment_profile:create" in result.done
        # The progress callback saw the start, each throttled retry, and the failure.
        mine = [(e.event, e.action_key) for e in events if e.action_key == "sso_extension:assign"]
        assert mine[0] == ("start", "sso_extension:assign")
        assert mine[-1] == ("failed", "sso_extension:assign")
        assert sum(1 for m in mine if m[0] == "retry") == 4  # 3 retries, then giving up
        _stopped_cleanly(path, result)
        sb.faults.rules.clear()
        again = await apply_file(sb, path)
        assert again.ok, again.failed
        assert count_named(sb) == (1, 1)
        assert (await plan_file(sb, path)).is_empty


async def test_token_expiry_mid_run_stops_cleanly_and_a_fresh_token_resumes(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    # The token lasts for the reads (three batches: v1.0, beta, then Authenticator by id)
    # and one write, so it expires in the middle of the writes.
    with start_sandbox(seed="demo", expire_token_after=4) as sb:
        path = example_session(tmp_path)
        token = sb.mint_token()
        result = await apply_file(sb, path, token)
        assert not result.ok
        assert any("sign" in m.lower() for m in result.failed.values())
        _stopped_cleanly(path, result)
        # Sign in again (a token that lasts) and run again: it finishes the job.
        sb.faults.expire_token_after = None
        again = await apply_file(sb, path, sb.mint_token())
        assert again.ok, again.failed
        assert snapshot(sb) == reference
        assert count_named(sb) == (1, 1)
