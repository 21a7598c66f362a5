"""Fixtures for the fleet tests: a private HOME, and a way to install a test connector."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tui.fleet.connect import FleetConnector, use_connector


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    for name in ("ADUE_ACCESS_TOKEN", "ADUE_GRAPH_URL", "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def connect() -> Iterator[Callable[[Callable[[Any], FleetConnector]], list[FleetConnector]]]:
    """`connect(make)`: the fleet commands sign in with `make(fleet)`; returns the list
    of connectors they made."""
    made: list[FleetConnector] = []
    restores: list[Callable[[], None]] = []

    def install(make: Callable[[Any], FleetConnector]) -> list[FleetConnector]:
        def factory(fleet: Any, _interactive: bool) -> FleetConnector:
            connector = make(fleet)
            made.append(connector)
            return connector

        restores.append(use_connector(factory))
        return made

    yield install
    for restore in restores:
        restore()
