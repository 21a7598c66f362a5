"""Fixtures for the plan/apply tests: demo sandboxes served over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.plan.helpers import make_client
from tui.graph.client import GraphClient
from tui.sandbox.server import RunningSandbox, start_sandbox


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


@pytest.fixture
def fresh() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
async def client(fresh: RunningSandbox) -> AsyncIterator[GraphClient]:
    c = make_client(fresh)
    yield c
    await c.aclose()
