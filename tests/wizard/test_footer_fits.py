"""At 80x24 the footer fits on every step: its last keys (Help, the palette) stay visible."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.wizard.conftest import until
from tests.wizard.sso_auth_profile_support import open_session, private_home, settle, signed_in_app
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox
from tui.steps import STEP_IDS


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


def footer_line(app: AdueApp) -> str:
    last = app.screen._compositor.render_strips()[-1]
    return "".join(segment.text for segment in last)


async def test_every_steps_footer_fits_in_80_columns(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "sign_in")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        for step in STEP_IDS:
            app.go_to_step(step)
            await settle(app, pilot)
            # The footer recomposes (Textual, a refresh after the step's bindings change):
            # its row is blank until it has, on a loaded machine for a few frames.
            await until(pilot, lambda: "f1" in footer_line(app), 10, what=f"{step}'s footer")
            line = footer_line(app)
            assert "f1 Help" in line, (step, line)
            assert "^p palette" in line, (step, line)
            assert "Save & quit" in line, (step, line)
