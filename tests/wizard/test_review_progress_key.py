"""Review's key p (Rollout progress) works wherever focus is on the wizard: right after
Apply the step list has focus, not the Review panel, and p still opens the Progress
view. The binding is the app's (id rollout-progress, with a tooltip), in the footer on
Review after a successful apply only; README: "Rollout progress" button (or the key p).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from screens.dialogs.progress import ProgressDialog
from screens.review import ReviewStep
from tui.sandbox.server import RunningSandbox, start_sandbox

from .late_steps_support import new_session, signed_in_app, until
from .test_review_step import apply_confirmed, outcome, planned


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="enrolled", retry_after=0) as running:
        yield running


def _footer_keys(app: object) -> dict[str, str]:
    """Footer-shown bindings of the active screen: key -> binding id."""
    active = app.screen.active_bindings  # type: ignore[attr-defined]
    return {k: b.binding.id or "" for k, b in active.items() if b.binding.show and b.enabled}


async def test_p_right_after_apply_opens_the_progress_view(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await planned(pilot)
        assert "p" not in _footer_keys(app)  # nothing applied yet
        await apply_confirmed(pilot)
        assert outcome(app).startswith("Applied:")
        # Focus is not inside the Review panel (the case a panel binding missed).
        review = app.query_one("#review", ReviewStep)
        assert app.focused is None or review not in app.focused.ancestors_with_self
        assert _footer_keys(app).get("p") == "rollout-progress"
        binding = app.screen.active_bindings["p"].binding
        assert binding.description == "Progress"
        assert "who has enrolled" in (binding.tooltip or "")
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ProgressDialog))
        text = str(app.screen.query_one("#progress-text", Static).render())
        assert "Enrolled: 4 (80%) · still to enroll: 1" in text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ProgressDialog))
        # Another step: no p in the footer, and p does nothing there.
        app.go_to_step("sign_in")
        await pilot.pause()
        assert "p" not in _footer_keys(app)
        await pilot.press("p")
        await pilot.pause()
        assert not isinstance(app.screen, ProgressDialog)
