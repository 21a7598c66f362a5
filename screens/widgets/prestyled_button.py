"""`PrestyledButton`: a Button born with the classes Textual gives it as it is built, and
styled by the part of Button's stylesheet that adue's buttons use.

A Button adds its variant's class (`-primary`, `-success`, ...) when its variant is set
in its constructor and `-style-default` (or `-style-flat`) when it mounts, and Textual
re-styles the button each time: twice for each button before the first frame, against
Button's long stylesheet. Born with both, those class changes change nothing, and the
button is styled once, as it mounts. The classes are Textual 8's (Button.watch_variant,
Button.watch_flat); tests/foundation/test_startup.py checks no button is re-styled.

Button's stylesheet (7 KB) is the longest the first frame parses: it styles five
variants in two styles (flat and default), in colour and ANSI modes. adue's wizard
buttons (Back, Next, Sign in) are in the default style and the default, primary or
success variant, never flat or compact, so this button brings only those rules
(BUTTON_CSS, Textual 8's own, copied) in place of Button's, with the same scope and
precedence. Its CSS type is still Button: every `Button` selector matches it, and once
a stock Button mounts, Button's full stylesheet applies to both with the same values.
tests/wizard/test_prestyled_button.py checks that each variant, in each state and in
both colour modes, is styled exactly as a stock Button.
"""

from __future__ import annotations

from inspect import getfile
from typing import Any

from textual.css.types import CSSLocation
from textual.widgets import Button
from textual.widgets._button import ButtonVariant

VARIANTS: tuple[ButtonVariant, ...] = ("default", "primary", "success")

# Button.DEFAULT_CSS (Textual 8.2), less the flat style, the compact look and the
# warning and error variants: what a default-style button of VARIANTS needs.
_BUTTON_CSS = """
Button:ansi.-style-default {
    border: tall $border-blurred;
    background: ansi_default;
    &:disabled {
        text-opacity: 1;
        text-style: bold dim;
        border: tall $border-blurred !important;
        background: ansi_default !important;
        pointer: not-allowed;
        &:hover {
            background: ansi_default;
        }
    }
    &:hover {
        background: $ansi-background;
        border: tall $border;
    }
    &.-active {
        background: $ansi-background !important;
        border: blank $background !important;
        tint: transparent;
    }
    &.-primary {
        color: $primary;
        border: tall $primary;
        background: ansi_default;
        &:hover {
            background: $ansi-background;
        }
    }
    &.-success {
        color: $success;
        border: tall $success;
        background: ansi_default;
        &:hover {
            background: $ansi-background;
        }
    }
}
Button {
    width: auto;
    min-width: 16;
    height: auto;
    line-pad: 1;
    text-align: center;
    content-align: center middle;
    pointer: pointer;
    &.-style-default {
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        border: none;
        border-top: tall $surface-lighten-1;
        border-bottom: tall $surface-darken-1;
        &:disabled {
            text-opacity: 0.6;
            pointer: not-allowed;
        }
        &:focus {
            text-style: $button-focus-text-style;
            background-tint: $foreground 5%;
        }
        &:hover {
            border-top: tall $surface;
            background: $surface-darken-1;
        }
        &.-active {
            background: $surface;
            border-bottom: tall $surface-lighten-1;
            border-top: tall $surface-darken-1;
            tint: $background 30%;
        }
{variants}
    }
}
"""


def _variant_css(variant: str, lighter: int, active_top: int) -> str:
    """Button's rules for a default-style variant: its colour, and the top and bottom
    borders shaded `lighter` up and 3 down (`active_top` down on the top while pressed)."""
    return f"""
        &.-{variant} {{
            color: $button-color-foreground;
            background: ${variant};
            border-top: tall ${variant}-lighten-{lighter};
            border-bottom: tall ${variant}-darken-3;
            &:hover {{
                background: ${variant}-darken-2;
                border-top: tall ${variant};
            }}
            &.-active {{
                background: ${variant};
                border-bottom: tall ${variant}-lighten-{lighter};
                border-top: tall ${variant}-darken-{active_top};
            }}
        }}"""


BUTTON_CSS = _BUTTON_CSS.replace(
    "{variants}", _variant_css("primary", 3, 3) + _variant_css("success", 2, 2)
)


class PrestyledButton(Button):
    def __init__(
        self,
        label: str | None = None,
        variant: ButtonVariant = "default",
        *,
        classes: str | None = None,
        **kwargs: Any,
    ) -> None:
        if variant not in VARIANTS or kwargs.get("flat") or kwargs.get("compact"):
            raise ValueError(
                f"PrestyledButton has the styles of {VARIANTS} only, not flat or compact"
            )
        born = ["-style-default"]
        if variant != "default":  # the default variant adds no class
            born.append(f"-{variant}")
        super().__init__(label, variant, classes=" ".join([*born, classes or ""]).strip(), **kwargs)

    def _get_default_css(self) -> list[tuple[CSSLocation, str, int, str]]:
        # Textual's hook for a node's DEFAULT_CSS and its bases': Button's entry keeps
        # its scope and precedence (tie-breaker) and gets BUTTON_CSS as its text, under
        # a location of its own, so a stock Button's stylesheet is still added when one
        # mounts (the stylesheet keys its sources by location).
        location: CSSLocation = (getfile(PrestyledButton), "PrestyledButton.BUTTON_CSS")
        sources = super()._get_default_css()
        for index, (_, css, tie_breaker, scope) in enumerate(sources):
            if css is Button.DEFAULT_CSS:
                sources[index] = (location, BUTTON_CSS, tie_breaker, scope)
        return sources
