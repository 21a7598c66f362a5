"""The wizard shell driven with Textual's Pilot: navigation, jumps, help, quit and resume."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.widgets import ContentSwitcher

from screens.dialogs.help import HelpDialog
from screens.steps import APP_STYLESHEET
from screens.widgets.step_list import StepList
from screens.widgets.wizard_header import WizardHeader
from tui.app import AdueApp
from tui.session import Session
from tui.steps import STEP_IDS, STEPS


def saved_step(path: Path) -> str:
    return str(tomllib.loads(path.read_text())["session"]["current_step"])


async def test_next_and_back_by_key_and_button_are_saved(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        switcher = app.query_one(ContentSwitcher)
        assert switcher.current == "sign_in"
        await pilot.press("ctrl+n")
        assert switcher.current == "prerequisites"
        assert saved_step(session.path) == "prerequisites"
        await pilot.press("escape")
        assert switcher.current == "sign_in"
        # The buttons (scrolled into view by focus, as a keyboard user reaches them).
        app.query_one("#sign_in-next").focus()
        await pilot.press("enter")
        assert switcher.current == "prerequisites"
        app.query_one("#prerequisites-back").focus()
        await pilot.press("enter")
        assert switcher.current == "sign_in"
        # Back on the first step does nothing; Next on the last does nothing.
        await pilot.press("escape")
        assert switcher.current == "sign_in"
        for _ in STEP_IDS:
            await pilot.press("ctrl+n")
        assert switcher.current == "guide"
        assert saved_step(session.path) == "guide"


async def test_jump_with_the_step_list_and_the_palette(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        step_list = app.query_one(StepList)
        step_list.focus()
        step_list.highlighted = STEP_IDS.index("priority")
        await pilot.press("enter")
        assert app.query_one(ContentSwitcher).current == "priority"
        await pilot.press("ctrl+p")
        await pilot.press(*"Employee guide")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one(ContentSwitcher).current == "guide"
    assert saved_step(session.path) == "guide"


async def test_step_list_keys_move_the_cursor_and_enter_opens_the_step(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        step_list = app.query_one(StepList)
        step_list.focus()
        await pilot.press("down", "down", "j")
        assert step_list.highlighted == 3
        await pilot.press("up", "k")
        assert step_list.highlighted == 1
        await pilot.press("end")
        assert step_list.highlighted == len(STEP_IDS) - 1
        await pilot.press("down")  # stays on the last step
        assert step_list.highlighted == len(STEP_IDS) - 1
        await pilot.press("home", "up")  # and on the first
        assert step_list.highlighted == 0
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.query_one(ContentSwitcher).current == "sso_extension"
        assert step_list.highlighted == STEP_IDS.index("sso_extension")
    assert saved_step(session.path) == "sso_extension"


async def test_clicking_a_step_opens_it(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click(StepList, offset=(5, STEP_IDS.index("authenticator")))
        await pilot.pause()
        assert app.query_one(ContentSwitcher).current == "authenticator"


async def test_f1_opens_help_and_escape_closes_it(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpDialog)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpDialog)
        assert app.query_one(ContentSwitcher).current == "sign_in"


async def test_quit_saves_and_reopening_lands_on_the_same_step(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        app = AdueApp(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
            await pilot.press("ctrl+q")
        assert app.return_value == 0
    assert saved_step(path) == "authenticator"
    with Session.open(path) as session:
        app = AdueApp(session)
        async with app.run_test(size=(80, 24)):
            assert app.query_one(ContentSwitcher).current == "authenticator"
            assert app.query_one(StepList).highlighted == STEP_IDS.index("authenticator")


async def test_header_shows_tenant_cloud_and_sandbox_badge(session: Session) -> None:
    session.update("tenant", {"organization": "Contoso", "cloud": "usgov"})
    app = AdueApp(session, sandbox=True)
    async with app.run_test(size=(80, 24)):
        header = app.query_one(WizardHeader)
        assert header.tenant == "Contoso"
        assert header.cloud == "usgov"
        line = str(header.render_line(0).text)
        assert "Tenant: Contoso" in line
        assert "Cloud: usgov" in line
        assert line.rstrip().endswith("SANDBOX")
    plain = AdueApp(session, sandbox=False)
    async with plain.run_test(size=(80, 24)):
        assert "SANDBOX" not in plain.query_one(WizardHeader).render_line(0).text


async def test_step_list_shows_each_steps_status(session: Session) -> None:
    session.set("sign_in", "status", "done")
    session.set("prerequisites", "status", "in_progress")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)):
        step_list = app.query_one(StepList)
        prompts = [step_list.label(i) for i in range(3)]
        assert prompts == ["● 1 Sign in", "◐ 2 Prerequisites", "○ 3 SSO extension"]


async def test_no_color_renders_in_monochrome(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = AdueApp(session, sandbox=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.no_color
        # Every colour on screen is a grey: red, green and blue equal.
        svg = app.export_screenshot()
    # The SVG export's own window buttons and default text colour, not the app's.
    window_buttons = {"ff5f57", "febc2e", "28c840", "c5c8c6"}
    fills = set(re.findall(r'fill="#([0-9a-f]{6})"', svg)) - window_buttons
    assert fills
    assert all(f[0:2] == f[2:4] == f[4:6] for f in fills), sorted(fills)


class HeaderApp(App[None]):
    CSS_PATH = APP_STYLESHEET

    def __init__(self, organization: str) -> None:
        super().__init__()
        self.organization = organization

    def compose(self) -> ComposeResult:
        yield WizardHeader(sandbox=True, tenant=self.organization, cloud="usgov")


@pytest.mark.parametrize(
    ("organization", "width"),
    [("Contoso", 80), ("株式会社コントソ ホールディングス 日本", 60), ("x" * 200, 80)],
)
async def test_header_fits_any_tenant_name_in_one_line(organization: str, width: int) -> None:
    app = HeaderApp(organization)
    async with app.run_test(size=(width, 24)):
        line = app.query_one(WizardHeader).render_line(0).text
        assert cell_len(line) == width
        assert line.rstrip().endswith("SANDBOX")
        assert "Cloud: usgov" in line
        assert f"Tenant: {organization[:5]}" in line
        if cell_len(organization) > width:
            assert "…" in line


async def test_f1_help_is_about_the_step_on_screen(session: Session) -> None:
    from textual.widgets import Markdown

    from screens.dialogs.help import STEP_HELP

    assert set(STEP_HELP) == {step.id for step in STEPS}  # every step has its own page
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to_step("priority")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        source = app.screen.query_one(Markdown).source
        assert source.startswith("# Step 6: Priority")
        assert "shift+↑ / shift+↓" in source  # the step's own keys
        assert "learn.microsoft.com/intune/device-enrollment/apple" in source
        await pilot.press("escape")
        app.go_to_step("sso_extension")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        source = app.screen.query_one(Markdown).source
        assert source.startswith("# Step 3: SSO extension")
        assert "setup-just-in-time-registration" in source


async def test_the_palette_lists_adues_commands_first(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles[:8] == [f"Step {n}: {step.title}" for n, step in enumerate(STEPS, 1)]
        assert titles[8] == "Help for this step"
        textual_own = [command.title for command in App.get_system_commands(app, app.screen)]
        assert textual_own
        assert titles[9:] == textual_own  # Textual's theme, keys, … after ours
