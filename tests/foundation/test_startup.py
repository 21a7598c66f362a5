"""Start-up hygiene: fast --help/--version, and the first frame before msgraph/azure load."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Select
from textual.widgets._select import SelectCurrent, SelectOverlay

from screens.widgets.step_panel import StepPanel
from tests.wizard.conftest import until
from tui.app import AdueApp
from tui.session import Session

CLI_PROBE = textwrap.dedent(
    """
    import json, sys
    from tui.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"textual", "msgraph",
                   "kiota_abstractions", "uvicorn", "starlette"} or m.startswith("azure.identity"))
    print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
    """
)


def probe_cli(*args: str) -> tuple[str, dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-c", CLI_PROBE, *args], capture_output=True, text=True, timeout=30
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return result.stdout, report


def test_version_and_help_import_nothing_heavy() -> None:
    out, report = probe_cli("--version")
    assert out.strip() == "adue 0.1.0"
    assert report == {"code": 0, "heavy": []}
    out, report = probe_cli("--help")
    assert "usage: adue" in out
    assert "--session" in out
    assert "--sandbox" in out
    assert report == {"code": 0, "heavy": []}


def test_usage_errors_exit_64() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--cloud", "mars"], capture_output=True, text=True
    )
    assert result.returncode == 64
    assert "invalid choice: 'mars'" in result.stderr


FIRST_FRAME = textwrap.dedent(
    """
    import json, sys
    from tui.session import Session
    from tui.app import AdueApp

    seen = {}

    async def at_first_frame(pilot):
        # Runs once the app is ready, i.e. after its first frame was rendered.
        seen["heavy"] = sorted(m for m in sys.modules
                               if m.split(".")[0] == "msgraph" or m.startswith("azure.identity"))
        seen["screen"] = type(pilot.app.screen).__name__
        pilot.app.exit(0)

    session = Session.open(sys.argv[1])
    app = AdueApp(session, sandbox=True)
    app.run(headless=True, size=(80, 24), auto_pilot=at_first_frame)
    print(json.dumps(seen))
    """
)


def test_first_frame_appears_before_msgraph_or_azure_identity_is_imported(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(tmp_path / "s.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["screen"]
    assert seen["heavy"] == []


def test_an_unknown_command_is_named_with_the_choices() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "frobnicate"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 64
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "plan" in result.stderr


COMMANDS_PROBE = textwrap.dedent(
    """
    import json, sys
    from tui.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit as exc:
        pass
    loaded = sorted(m for m in sys.modules if m.startswith("tui.commands."))
    print(json.dumps(loaded), file=sys.stderr)
    """
)


def _commands_loaded(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", COMMANDS_PROBE, *args], capture_output=True, text=True, timeout=30
    )
    loaded: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return loaded


def test_a_command_imports_only_its_own_command_module(tmp_path: Path) -> None:
    # `adue plan` parses with only `plan` registered (the other nine command modules are
    # ~40 ms of a headless plan); a line that does not parse so, and any help, gets the
    # full parser: the same messages as ever (test_an_unknown_command_is_named...).
    missing = str(tmp_path / "none.toml")
    loaded = _commands_loaded("plan", "--session", missing)
    assert "tui.commands.plan" in loaded
    assert not {"tui.commands.check", "tui.commands.sandbox", "tui.commands.fleet"} & set(loaded)
    assert "tui.commands.check" in _commands_loaded("plan", "--bogus")
    assert "tui.commands.check" in _commands_loaded("plan", "--help")


def test_a_usage_error_after_a_command_is_the_full_parsers() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", "--session", "plan", "frobnicate"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 64
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "check" in result.stderr  # every command among the choices, not only `plan`


async def test_the_opening_step_is_focused_before_its_fields_mount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Focused after its fields mount, the panel had Textual re-style every one of them
    # again before the first frame (StepPanel._take_focus). Also where a key typed during
    # start-up goes: to the step from the start, never to the step list first.
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("tenant", "tenant_id", "contoso.example")  # the real-tenant sign-in form
    focused_when_styled: dict[int, object] = {}
    apply = Stylesheet.apply

    def recording_apply(self: Stylesheet, node: DOMNode, *args: Any, **kwargs: Any) -> None:
        if isinstance(node, Widget) and node.is_attached:
            focused_when_styled.setdefault(id(node), node.screen.focused)
        apply(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", recording_apply)
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        # The form's lower part mounts after the first frame (tests/foundation/test_lower_part.py).
        await until(pilot, lambda: bool(app.query("#sign-in-button")), what="the lower part")
        panel = app.query_one("#sign_in", StepPanel)
        fields = list(panel.walk_children(Widget))
        assert len(fields) > 20  # the form's labels, Selects, Inputs and buttons
        assert app.focused is panel
        assert all(focused_when_styled[id(field)] is panel for field in fields)


async def test_the_first_screen_is_not_restyled_whole_before_its_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its widgets were styled as they mounted; Textual's re-styling of the whole screen
    # at its first resume repeated that for each (WizardScreen). Snapshots and
    # test_styles.py check that the styles are still right.
    session = Session.open(tmp_path / "s.toml", lock=False)
    restyled: list[DOMNode] = []
    update_styles = App.update_styles

    def recording_update_styles(self: App[Any], node: DOMNode, animate: bool = True) -> None:
        if isinstance(node, Screen):
            restyled.append(node)
        update_styles(self, node, animate)

    monkeypatch.setattr(App, "update_styles", recording_update_styles)
    app = AdueApp(session, sandbox=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.query_one("#sign_in", StepPanel).is_mounted
        assert restyled == []


async def test_the_sign_in_forms_selects_build_their_option_lists_when_opened(
    tmp_path: Path,
) -> None:
    # A Select's option list (an OptionList overlay, hidden until it opens) was most of
    # its cost on the first frame: DeferredSelect builds it when it first opens
    # (tests/wizard/test_deferred_select.py: the same Select to the person using it).
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("tenant", "tenant_id", "contoso.example")  # the real-tenant sign-in form
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        selects = list(app.query(Select))
        assert [s.id for s in selects] == ["sign-in-cloud", "sign-in-auth", "sign-in-token-cache"]
        assert not app.query(SelectOverlay)
        selects[0].focus()
        await pilot.press("enter")
        await pilot.pause()
        assert [o.parent for o in app.query(SelectOverlay)] == [selects[0]]
        assert selects[0].expanded


async def test_no_button_or_select_is_restyled_before_the_first_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Born with the classes Textual would add once they are built and mounted
    # (PrestyledButton, DeferredSelect), they are styled once, as they mount.
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("tenant", "tenant_id", "contoso.example")
    restyled: list[str] = []
    update_styles = App.update_styles

    def recording_update_styles(self: App[Any], node: DOMNode, animate: bool = True) -> None:
        restyled.append(type(node).__name__)
        update_styles(self, node, animate)

    monkeypatch.setattr(App, "update_styles", recording_update_styles)
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.query(Button)
        assert app.query(SelectCurrent)
        assert not {"Button", "PrestyledButton", "SelectCurrent"} & set(restyled), restyled
