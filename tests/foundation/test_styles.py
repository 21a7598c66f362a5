"""Every step, the shell and every dialog is styled: each widget's and screen's own
DEFAULT_CSS (and screens/styles/app.tcss for the rules all screens share) reaches the
widgets it is for, whichever step the wizard opens on.

Each value below is one the widget would not have without adue's CSS (Textual's own
default differs), so the test fails if a rule is lost, mis-scoped or outranked by one
of Textual's (DEFAULT_CSS loses to nothing but specificity, so a rule that used to
win as app CSS can lose once moved: OptionList:focus's border, for one).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widget import Widget

from screens.dialogs.confirm import ConfirmDialog
from screens.dialogs.device_code import DeviceCodeDialog
from screens.dialogs.discovery import DiscoveryDialog
from screens.dialogs.help import HelpDialog
from screens.dialogs.progress import ProgressDialog
from tui.app import AdueApp
from tui.graph.sign_in_models import DeviceCodePrompt
from tui.session import Session


def style(widget: Widget, path: str) -> str:
    """A computed style by dotted path: "max_width", "margin.top", "border_left.0"."""
    value: Any = widget.styles
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return str(value)


# (step the wizard opens on, selector, style, value), as the panel is before sign-in.
STEP_STYLES = [
    # the shell, from the first frame (AdueApp's and the shell widgets' DEFAULT_CSS)
    ("sign_in", "#header", "height", "1"),
    ("sign_in", "#step-list", "width", "26"),
    ("sign_in", "#step-list", "border_right.0", "solid"),
    ("sign_in", "#step-indicator", "display", "none"),
    ("sign_in", "#body", "height", "1fr"),
    # StepPanel's: every step's frame and the field styles the steps share
    ("sign_in", "#sign_in", "padding.left", "1"),
    ("sign_in", ".step-title", "margin.bottom", "1"),
    ("sign_in", ".field-label", "margin.top", "1"),
    ("sign_in", ".step-nav", "margin.top", "1"),
    # the one app-level sheet: button rows, toggles
    ("sign_in", ".actions", "margin.top", "1"),
    ("prerequisites", "#prereq-ack", "text_wrap", "wrap"),
    # each step's own
    ("sign_in", "#sign-in-tenant", "max_width", "70"),
    ("sign_in", "#sign-in-result", "margin.top", "1"),
    ("prerequisites", "#prereq-verdict", "margin.top", "1"),
    ("prerequisites", "#prereq-results", "min_height", "1"),
    ("prerequisites", "#prerequisites-needs-sign-in", "margin.bottom", "1"),
    ("sso_extension", "#sso-keys", "border_left.0", "outer"),
    ("sso_extension", "#sso-extra-row", "height", "auto"),
    ("sso_extension", ".bundle-list", "max_height", "8"),
    ("sso_extension", ".bundle-remove", "min_width", "10"),
    ("sso_extension", ".switch-row .switch-label", "padding.top", "1"),
    ("sso_extension", ".group-picker", "margin.top", "1"),
    ("sso_extension", ".picker-selected", "max_height", "6"),
    ("authenticator", ".section-title", "margin.top", "1"),
    ("enrollment_profile", "#profile-old-ios", "border_left.0", "outer"),
    ("priority", "#priority-who", "height", "auto"),
    ("priority", ".step-help", "height", "auto"),
    ("review", "#review-plan", "height", "auto"),
    ("guide", ".guide-label", "width", "17"),
    ("guide", "#guide-languages", "grid_size_columns", "2"),
    ("guide", "#guide-preview", "border_left.0", "round"),
]


@pytest.mark.parametrize(
    ("step_id", "selector", "path", "expected"),
    STEP_STYLES,
    ids=[f"{step}:{selector}:{path}" for step, selector, path, _ in STEP_STYLES],
)
async def test_a_step_is_styled_when_the_wizard_opens_on_it(
    session: Session, step_id: str, selector: str, path: str, expected: str
) -> None:
    session.set("session", "current_step", step_id)
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        widget = app.main_screen.query(selector).first()
        assert style(widget, path) == expected


async def test_a_step_visited_later_is_styled(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.go_to_step("guide")
        await pilot.pause()
        assert style(app.main_screen.query_one(".guide-label"), "width") == "17"


async def test_a_focused_option_list_keeps_the_pickers_borderless_style(
    session: Session,
) -> None:
    # OptionList's own `&:focus { border: tall }` must not outrank the picker's rule. The
    # profile step has no Select before its picker, so OptionList's DEFAULT_CSS is parsed
    # after the picker's: at equal specificity the later source would win.
    session.set("session", "current_step", "enrollment_profile")
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        results = app.main_screen.query(".picker-results").first()
        results.focus()
        await pilot.pause()
        assert results.has_focus
        assert style(results, "border_top.0") == ""


async def test_the_step_list_collapses_on_a_narrow_terminal(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(60, 24)) as pilot:
        await pilot.pause()
        assert style(app.main_screen.query_one("#step-indicator"), "display") == "block"
        assert style(app.main_screen.query_one("#step-list"), "display") == "none"


TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def device_code_dialog(_app: AdueApp) -> DeviceCodeDialog:
    prompt = DeviceCodePrompt(
        verification_uri="https://microsoft.com/devicelogin",
        user_code="ABCD-EFGH",
        expires_on=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15),
    )
    return DeviceCodeDialog(prompt, threading.Event())


def help_dialog(_app: AdueApp) -> HelpDialog:
    return HelpDialog("adue-session.toml", "sign_in")


def confirm_dialog(_app: AdueApp) -> ConfirmDialog:
    return ConfirmDialog("Quit?", "Sure?", "Quit", id="quit-confirm")


def discovery_dialog(app: AdueApp) -> DiscoveryDialog:
    return DiscoveryDialog(TENANT_ID, "global", Path(), app.backend)


def progress_dialog(_app: AdueApp) -> ProgressDialog:
    return ProgressDialog(["1 of 2 enrolled"], "hint")


# (a dialog, selector, style, value): each dialog's own DEFAULT_CSS, and the shared sheet.
DIALOG_STYLES: list[tuple[Callable[[AdueApp], Screen[Any]], str, str, str]] = [
    (help_dialog, "#help-body", "max_width", "90"),
    (help_dialog, "#help-session", "padding.left", "2"),
    (confirm_dialog, ".confirm-box", "width", "64"),
    (confirm_dialog, ".confirm-text", "margin.top", "1"),
    (confirm_dialog, ".actions Button", "margin.right", "2"),
    (device_code_dialog, "#device-code-text", "width", "38"),
    (device_code_dialog, "#device-code", "margin.bottom", "1"),
    (discovery_dialog, "#discovery-box", "border_top.0", "thick"),
    (discovery_dialog, "#discovery-tabs", "height", "1fr"),
    (progress_dialog, ".confirm-box", "width", "64"),
    (progress_dialog, ".step-help", "height", "auto"),
]


@pytest.mark.parametrize(
    ("make", "selector", "path", "expected"),
    DIALOG_STYLES,
    ids=[f"{make.__name__}:{selector}:{path}" for make, selector, path, _ in DIALOG_STYLES],
)
async def test_a_dialog_is_styled(
    session: Session,
    make: Callable[[AdueApp], Screen[Any]],
    selector: str,
    path: str,
    expected: str,
) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(make(app))
        await pilot.pause()
        assert style(app.screen.query(selector).first(), path) == expected
