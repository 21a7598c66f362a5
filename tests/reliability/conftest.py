"""Reliability suite: a private HOME for every test. (The `tally` fixture and the tally
printed at the end of a run are tests/soak_tally.py's.)"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)
