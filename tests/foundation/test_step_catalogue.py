"""Every step id has a panel, in the catalogue's order, loadable on demand."""

from __future__ import annotations

from screens.steps import PANEL_CLASSES, panel_class
from tui.steps import STEP_IDS


def test_every_step_has_its_panel() -> None:
    assert tuple(PANEL_CLASSES) == STEP_IDS
    for step_id in STEP_IDS:
        assert panel_class(step_id).step_id == step_id
