"""At 80x24 every step's input placeholders ("e.g. …") are shown whole, never cut at the
input's right edge (issue 17, point 5): a cut example reads like a value."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input

from tests.wizard.sso_auth_profile_support import open_session, private_home, settle, signed_in_app
from tui.sandbox.server import RunningSandbox
from tui.steps import STEP_IDS


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


def cut_placeholders(inputs: list[Input]) -> list[str]:
    """Each shown, empty input whose placeholder is wider than the input's text area."""
    cut = []
    for field in inputs:
        if field.value or not field.placeholder or field.content_size.width == 0:
            continue
        # One cell stays for the cursor after the text.
        if cell_len(field.placeholder) + 1 > field.content_size.width:
            cut.append(f"#{field.id}: {field.placeholder!r} in {field.content_size.width} cells")
    return cut


async def test_every_steps_placeholders_fit_at_80x24(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "sign_in")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    seen = 0
    async with app.run_test(size=(80, 24)) as pilot:
        problems = []
        for step in STEP_IDS:
            app.go_to_step(step)
            await settle(app, pilot)
            inputs = [i for i in app.screen.query(Input) if i.display and i.placeholder]
            seen += len([i for i in inputs if i.content_size.width])
            problems += [f"{step} {line}" for line in cut_placeholders(inputs)]
    assert seen >= 8, seen  # the steps' inputs were laid out (not hidden, not zero-wide)
    assert not problems, "\n".join(problems)


async def test_sign_in_forms_placeholders_fit_at_80x24(tmp_path: Path) -> None:
    from tui.app import AdueApp
    from tui.session import Session

    session = Session.open(tmp_path / "s.toml")
    app = AdueApp(session)  # not sandbox mode: the form is shown
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        inputs = [i for i in app.screen.query(Input) if i.display and i.placeholder]
        assert len([i for i in inputs if i.content_size.width]) == 2
        assert not cut_placeholders(inputs), cut_placeholders(inputs)
