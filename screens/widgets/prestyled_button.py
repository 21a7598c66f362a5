"""`PrestyledButton`: a Button born with the classes Textual gives it as it is built.

A Button adds its variant's class (`-primary`, `-success`, ...) when its variant is set
in its constructor and `-style-default` (or `-style-flat`) when it mounts, and Textual
re-styles the button each time: twice for each button before the first frame, against
Button's long stylesheet. Born with both, those class changes change nothing, and the
button is styled once, as it mounts. The classes are Textual 8's (Button.watch_variant,
Button.watch_flat); tests/foundation/test_startup.py checks no button is re-styled.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Button
from textual.widgets._button import ButtonVariant


class PrestyledButton(Button):
    def __init__(
        self,
        label: str | None = None,
        variant: ButtonVariant = "default",
        *,
        classes: str | None = None,
        **kwargs: Any,
    ) -> None:
        born = ["-style-flat" if kwargs.get("flat") else "-style-default"]
        if variant != "default":  # the default variant adds no class
            born.append(f"-{variant}")
        super().__init__(label, variant, classes=" ".join([*born, classes or ""]).strip(), **kwargs)
