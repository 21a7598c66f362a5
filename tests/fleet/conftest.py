"""Fixtures for the fleet tests: a private HOME, and the test connector installed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.helpers import StaticConnector
from tui.fleet.connect import use_connector


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


@pytest.fixture
def connect() -> Iterator[Callable[..., list[StaticConnector]]]:
    """`connect(data, refuse=None)`: the fleet commands sign in with a StaticConnector over
    `data` (label -> graph_url, token); returns the list of connectors they made."""
    made: list[StaticConnector] = []
    restores: list[Callable[[], None]] = []

    def install(
        data: dict[str, Any], refuse: dict[str, str] | None = None
    ) -> list[StaticConnector]:
        def factory(fleet: Any, interactive: bool) -> StaticConnector:
            connector = StaticConnector(data, refuse)
            made.append(connector)
            return connector

        restores.append(use_connector(factory))
        return made

    yield install
    for restore in restores:
        restore()
