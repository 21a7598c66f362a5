"""PrestyledButton brings only part of Button's stylesheet (screens/widgets/prestyled_button.py):
each of its variants, in each state a button can be in and in both colour modes, must be
styled exactly as a stock Button. Each kind is measured in an app of its own, as the
first frame has it: once a stock Button mounts, its whole stylesheet applies to both."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button

from screens.widgets.prestyled_button import VARIANTS, PrestyledButton

STATES = ("plain", "hover", "active", "disabled", "disabled-hover", "focus", "focus-hover")


class ButtonsApp(App[None]):
    def __init__(self, kind: type[Button], *, ansi: bool) -> None:
        super().__init__(ansi_color=ansi)
        self.kind = kind

    def compose(self) -> ComposeResult:
        for variant in VARIANTS:
            for state in STATES:
                yield self.kind("Next", variant=variant, id=f"{variant}-{state}")


def _rules(button: Button) -> dict[str, Any]:
    # What the stylesheet gave the button (not its inline styles): every rule and value.
    return dict(button.styles.base.get_rules())


async def _styles(kind: type[Button], *, ansi: bool) -> dict[str, dict[str, Any]]:
    app = ButtonsApp(kind, ansi=ansi)
    styles: dict[str, dict[str, Any]] = {}
    async with app.run_test(size=(80, 60)) as pilot:
        for button in app.query(Button):
            state = str(button.id).split("-", 1)[1]
            button.mouse_hover = state.endswith("hover")
            button.set_class(state == "active", "-active")
            button.disabled = state.startswith("disabled")
            app.update_styles(button)
        await pilot.pause()
        for button in app.query(Button):
            if not str(button.id).endswith(("focus", "focus-hover")):
                styles[str(button.id)] = _rules(button)
        for button in app.query(Button):  # one focused at a time
            if str(button.id).endswith(("focus", "focus-hover")):
                button.focus()
                await pilot.pause()
                styles[str(button.id)] = _rules(button)
    return styles


@pytest.mark.parametrize("ansi", [False, True], ids=["colour", "ansi"])
async def test_each_variant_and_state_is_styled_as_a_stock_button(ansi: bool) -> None:
    stock = await _styles(Button, ansi=ansi)
    ours = await _styles(PrestyledButton, ansi=ansi)
    assert len(stock) == len(VARIANTS) * len(STATES)
    # The states do differ (else this would compare one style many times).
    assert len({repr(sorted(rules.items())) for rules in stock.values()}) >= 8
    for key, rules in stock.items():
        assert ours[key] == rules, key


async def test_the_first_frame_parses_no_stock_button_stylesheet() -> None:
    app = ButtonsApp(PrestyledButton, ansi=False)
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.pause()
        names = {location[1] for location in app.stylesheet.source}
        assert "PrestyledButton.BUTTON_CSS" in names
        assert "Button.DEFAULT_CSS" not in names


def test_only_the_styles_it_carries_can_be_asked_for() -> None:
    for kwargs in ({"variant": "error"}, {"variant": "warning"}, {"flat": True}):
        with pytest.raises(ValueError, match="PrestyledButton has the styles of"):
            PrestyledButton("x", **kwargs)
