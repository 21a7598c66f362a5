"""Reliability suite: a private HOME for every test, and a tally of the faults injected and
what came of them, printed at the end of a run without workers (`make soak`).

    def test_x(tally):
        tally["429 answers"] += n
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

TALLY: Counter[str] = Counter()


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


@pytest.fixture
def tally() -> Counter[str]:
    return TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY:  # nothing ran here (e.g. the tests ran in xdist workers)
        return
    terminalreporter.section("reliability tally")
    for name, count in sorted(TALLY.items()):
        terminalreporter.write_line(f"{name}: {count}")
