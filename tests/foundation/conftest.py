"""Fixtures for the wizard shell tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.session import Session


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with Session.open(tmp_path / "adue-session.toml") as opened:
        yield opened
