"""The stylesheets added after the first frame (screens/steps.py LATER_STYLESHEETS).

The app adds them as sources without re-applying CSS to the widgets already on screen
(that would stall the UI), so a rule in one of them must never match a widget that can
exist before it is added: only widgets of its own steps' panels, or of dialogs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.css.stylesheet import Stylesheet
from textual.widget import Widget

from screens.steps import APP_STYLESHEET, LATER_STYLESHEETS, step_stylesheet
from screens.widgets.step_panel import StepPanel
from tui.app import AdueApp
from tui.session import Session
from tui.steps import STEP_IDS


def selectors_of(app: AdueApp, path: Path) -> list[str]:
    """Every selector (comma-separated ones apart) of the rules in one stylesheet."""
    sheet = Stylesheet(variables=app.get_css_variables())
    sheet.read(path)
    return [
        selector.strip()
        for rule in sheet.rules
        for selector in rule.selectors.split(",")
        if selector.strip()
    ]


def owning_step(widget: Widget) -> str | None:
    return next(
        (node.step_id for node in widget.ancestors_with_self if isinstance(node, StepPanel)), None
    )


async def test_later_rules_match_only_their_own_steps(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        for step_id in STEP_IDS:  # every panel built, with what it shows before sign-in
            app.go_to_step(step_id)
            await pilot.pause()
        screen = app.main_screen
        checked = 0
        for path, steps in LATER_STYLESHEETS.items():
            for selector in selectors_of(app, path):
                for widget in screen.query(selector):
                    assert owning_step(widget) in steps, (
                        f"{path.name}: {selector!r} matches {widget!r} outside steps {steps}"
                    )
                    checked += 1
        # The check has teeth: the step sheets do style widgets of their panels.
        assert checked > 20


async def test_all_stylesheets_are_in_place_once_the_wizard_runs(session: Session) -> None:
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for path in (APP_STYLESHEET, *LATER_STYLESHEETS):
            assert app.stylesheet.has_source(str(path)), path.name


@pytest.mark.parametrize("step_id", ["prerequisites", "sso_extension", "review"])
async def test_the_step_the_wizard_opens_on_is_styled_from_its_first_frame(
    session: Session, step_id: str
) -> None:
    session.set("session", "current_step", step_id)
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)):
        sheet = step_stylesheet(step_id)
        assert sheet is not None
        assert app.stylesheet.has_source(str(sheet))
        panel = app.query_one(f"#{step_id}", StepPanel)
        styled = [
            widget for selector in selectors_of(app, sheet) for widget in panel.query(selector)
        ]
        assert styled, f"nothing in the {step_id} panel matches {sheet.name}"


def test_first_frame_sheet_has_no_rules_for_later_widgets() -> None:
    # The dialogs and later steps moved out of app.tcss; it keeps the shell and step 1.
    text = APP_STYLESHEET.read_text()
    for name in ("Dialog", "#prereq-", ".picker-", "#review-", "#guide-"):
        assert name not in text, name
    assert "#step-list" in text
    assert "#sign-in-form" in text
