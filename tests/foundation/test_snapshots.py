"""The wizard shell's look at 80x24 and 120x40 (SVG snapshots in __snapshots__/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tui.app import AdueApp
from tui.session import Session


def make_app(tmp_path: Path, step: str = "sign_in") -> AdueApp:
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("session", "current_step", step)
    session.update("tenant", {"organization": "Contoso", "cloud": "global"})
    session.set("sign_in", "status", "done")
    return AdueApp(session, sandbox=True)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("step", ["sign_in", "sso_extension"])
def test_shell(snap_compare: Any, tmp_path: Path, size: tuple[int, int], step: str) -> None:
    assert snap_compare(make_app(tmp_path, step), terminal_size=size)
