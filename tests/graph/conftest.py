"""Fixtures: sandboxes served over real HTTP, and clients on msgraph-sdk's real pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tui.graph.auth import StaticTokenCredential
from tui.graph.client import GraphClient, build_graph_client
from tui.graph.retry import RetryPolicy
from tui.sandbox.server import RunningSandbox, start_sandbox

SCOPES = ["https://graph.microsoft.com/.default"]
# Quick retries: the sandbox's Retry-After (1 s) still decides the waits it asks for.
FAST_RETRY = RetryPolicy(max_retries=3, base_delay=0.0)


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real home: state dir, token cache and the env stay private."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    """A read-only demo tenant shared by a module (tests must not write to it)."""
    with start_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
def fresh() -> Iterator[RunningSandbox]:
    """A demo tenant of its own, for tests that write."""
    with start_sandbox(seed="demo") as sb:
        yield sb


def make_client(sb: RunningSandbox, token: str | None = None) -> GraphClient:
    return build_graph_client(
        StaticTokenCredential(token or sb.token),
        graph_root=sb.graph_url,
        scopes=SCOPES,
        retry=FAST_RETRY,
    )


@pytest.fixture
async def client(demo: RunningSandbox) -> AsyncIterator[GraphClient]:
    c = make_client(demo)
    yield c
    await c.aclose()


@pytest.fixture
async def writer(fresh: RunningSandbox) -> AsyncIterator[GraphClient]:
    c = make_client(fresh)
    yield c
    await c.aclose()
